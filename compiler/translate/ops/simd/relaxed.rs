//! Relaxed SIMD (Wasm 3.0): operators whose result the spec leaves to the host where hardware
//! disagrees (out-of-range lanes, NaNs, signed zeros, the rounding of a multiply-add), so that
//! each can be one instruction. `RelaxedLowering` decides once per compile how: deterministic
//! lowers each as the standard operator it relaxes (the multiply-adds fused, the dot products
//! signed); native as the target's own instruction, or as the standard operator where the
//! target lacks that instruction. One choice per compile keeps every execution of an operator
//! making the same choice, as the spec requires. docs/semantics.md#relaxed-simd lists the
//! results of each mode.

use super::super::super::func::FuncTranslator;
use super::super::super::{RelaxedLowering, Result, X86Features};
use super::Shape;
use crate::error::CompileError;
use inkwell::types::{BasicTypeEnum, VectorType};
use inkwell::values::{BasicValueEnum, VectorValue};
use wasmparser::Operator;

type Translator<'t, 'e, 'ctx, 'a> = &'t mut FuncTranslator<'e, 'ctx, 'a>;

/// Translates `op` when it is a relaxed SIMD operator; false otherwise.
pub fn translate<'a>(t: &mut FuncTranslator<'_, '_, 'a>, op: &Operator<'a>) -> Result<bool> {
    use Operator as O;
    use Shape::*;
    match *op {
        O::I8x16RelaxedSwizzle => swizzle(t)?,
        O::I32x4RelaxedTruncF32x4S => truncate(t, F32x4, true)?,
        O::I32x4RelaxedTruncF32x4U => truncate(t, F32x4, false)?,
        O::I32x4RelaxedTruncF64x2SZero => truncate(t, F64x2, true)?,
        O::I32x4RelaxedTruncF64x2UZero => truncate(t, F64x2, false)?,
        O::F32x4RelaxedMadd => multiply_add(t, F32x4, false)?,
        O::F32x4RelaxedNmadd => multiply_add(t, F32x4, true)?,
        O::F64x2RelaxedMadd => multiply_add(t, F64x2, false)?,
        O::F64x2RelaxedNmadd => multiply_add(t, F64x2, true)?,
        O::I8x16RelaxedLaneselect => laneselect(t, I8x16)?,
        O::I16x8RelaxedLaneselect => laneselect(t, I16x8)?,
        O::I32x4RelaxedLaneselect => laneselect(t, I32x4)?,
        O::I64x2RelaxedLaneselect => laneselect(t, I64x2)?,
        O::F32x4RelaxedMin => min_max(t, F32x4, false)?,
        O::F32x4RelaxedMax => min_max(t, F32x4, true)?,
        O::F64x2RelaxedMin => min_max(t, F64x2, false)?,
        O::F64x2RelaxedMax => min_max(t, F64x2, true)?,
        O::I16x8RelaxedQ15mulrS => q15_multiply(t)?,
        O::I16x8RelaxedDotI8x16I7x16S => dot(t)?,
        O::I32x4RelaxedDotI8x16I7x16AddS => dot_add(t)?,
        _ => return Ok(false),
    }
    Ok(true)
}

/// Translates the standard operator `op` in place of the relaxed one being translated.
fn standard(t: Translator, op: Operator<'static>) -> Result<()> {
    match super::translate(t, &op)? {
        true => Ok(()),
        false => Err(CompileError::backend(format!("no translation for {op:?}"))),
    }
}

/// The x86 extensions the target has, when relaxed SIMD is native on x86.
fn x86(t: &FuncTranslator) -> Option<X86Features> {
    match t.env.relaxed_simd {
        RelaxedLowering::X86(features) => Some(features),
        _ => None,
    }
}

/// Calls the intrinsic `name`, overloaded on `types`, on vectors and pushes its result.
fn push_intrinsic<'ctx>(
    t: &mut FuncTranslator<'_, 'ctx, '_>,
    name: &str,
    types: &[BasicTypeEnum<'ctx>],
    args: &[VectorValue<'ctx>],
) -> Result<()> {
    let args: Vec<_> = args.iter().map(|&arg| arg.into()).collect();
    let result = t.call_intrinsic(name, types, &args)?;
    t.push_vector(result)
}

/// x86's `pshufb` zeroes a lane whose index has its top bit set and takes any other index
/// modulo 16; AArch64's `tbl` zeroes every index from 16. Both are results the spec allows.
fn swizzle(t: Translator) -> Result<()> {
    let x86 = "llvm.x86.ssse3.pshuf.b.128";
    ssse3_or_neon_binary(t, Shape::I8x16, x86, "llvm.aarch64.neon.tbl1", Operator::I8x16Swizzle)
}

/// A binary operator that is one instruction with SSSE3 (`x86`) and one on AArch64 (`aarch64`,
/// overloaded on the vector type), with both operands in Wasm's order; the standard operator
/// `fallback` elsewhere.
fn ssse3_or_neon_binary(
    t: Translator,
    shape: Shape,
    x86: &str,
    aarch64: &str,
    fallback: Operator<'static>,
) -> Result<()> {
    let (name, overloaded) = match t.env.relaxed_simd {
        RelaxedLowering::X86(features) if features.ssse3 => (x86, false),
        RelaxedLowering::AArch64 => (aarch64, true),
        _ => return standard(t, fallback),
    };
    let rhs = t.pop_vector(shape)?;
    let lhs = t.pop_vector(shape)?;
    let types = match overloaded {
        true => vec![lhs.get_type().into()],
        false => vec![],
    };
    push_intrinsic(t, name, &types, &[lhs, rhs])
}

/// x86's truncations give 0x80000000 for NaN and out-of-range lanes, a result the spec allows
/// for the signed forms; the unsigned forms give 0xffffffff for all of those (AVX-512's own
/// unsigned truncation does, and the two signed ones below are made to agree). AArch64's
/// truncations saturate, so there the standard operators are the native ones.
fn truncate(t: Translator, from: Shape, signed: bool) -> Result<()> {
    let Some(x86) = x86(t) else {
        return standard(
            t,
            match (from, signed) {
                (Shape::F32x4, true) => Operator::I32x4TruncSatF32x4S,
                (Shape::F32x4, false) => Operator::I32x4TruncSatF32x4U,
                (_, true) => Operator::I32x4TruncSatF64x2SZero,
                (_, false) => Operator::I32x4TruncSatF64x2UZero,
            },
        );
    };
    let single = from == Shape::F32x4;
    let x = t.pop_vector(from)?;
    if signed || !x86.avx512vl {
        let convert = if single { "llvm.x86.sse2.cvttps2dq" } else { "llvm.x86.sse2.cvttpd2dq" };
        let result = match signed {
            true => t.call_intrinsic(convert, &[], &[x.into()])?.into_vector_value(),
            false => unsigned_through_signed(t, x, convert)?,
        };
        return t.push_vector(result);
    }
    let name = match single {
        true => "llvm.x86.avx512.mask.cvttps2udq.128",
        false => "llvm.x86.avx512.mask.cvttpd2udq.128",
    };
    // Every lane converts (the mask is all ones), so the lanes to pass through are never read.
    let passthrough = t.vector_type(Shape::I32x4).const_zero();
    let all_lanes = t.env.types.i8.const_all_ones();
    let result = t.call_intrinsic(name, &[], &[x.into(), passthrough.into(), all_lanes.into()])?;
    t.push_vector(result)
}

/// Unsigned truncation from x86's signed one (`convert`, which gives 0x80000000 out of range):
/// a lane that truncates into [0, 2^31) converts as it is; one in [2^31, 2^32) converts after
/// 2^31 is taken off, its top bit set again by the OR; any other lane (NaN, -1 and below, 2^32
/// and above) gets a negative result from the first conversion and 0x80000000 from the second,
/// and comes out as 0xffffffff. Eight vector operations,
/// where LLVM lowers the saturating conversion to scalar code, one lane at a time.
fn unsigned_through_signed<'ctx>(
    t: &FuncTranslator<'_, 'ctx, '_>,
    x: VectorValue<'ctx>,
    convert: &str,
) -> Result<VectorValue<'ctx>> {
    let lanes = x.get_type().get_size() as usize;
    let float = x.get_type().get_element_type().into_float_type();
    let two_pow_31 = VectorType::const_vector(&vec![float.const_float(2f64.powi(31)); lanes]);
    let b = &t.builder;
    let low = t.call_intrinsic(convert, &[], &[x.into()])?.into_vector_value();
    let reduced = b.build_float_sub(x, two_pow_31, "")?;
    let high = t.call_intrinsic(convert, &[], &[reduced.into()])?.into_vector_value();
    let sign_bits = t.constant_splat(low.get_type(), 31);
    let low_failed = b.build_right_shift(low, sign_bits, true, "")?;
    let high_failed = b.build_right_shift(high, sign_bits, true, "")?;
    let high_or_all_ones = b.build_or(high, high_failed, "")?;
    let correction = b.build_and(low_failed, high_or_all_ones, "")?;
    Ok(b.build_or(low, correction, "")?)
}

/// `a * b + c` (with `-a` for nmadd), fused where the target has a fused multiply-add and in
/// deterministic mode. Not `llvm.fmuladd`: LLVM folds it as fused on constants whatever the
/// target, while a program must round alike whether or not its operands are known at compile
/// time. Without FMA, x86 rounds twice (`llvm.fma` would be four calls to libm's `fmaf`).
fn multiply_add(t: Translator, shape: Shape, negate: bool) -> Result<()> {
    let addend = t.pop_vector(shape)?;
    let right = t.pop_vector(shape)?;
    let left = t.pop_vector(shape)?;
    // LLVM folds `x * 1 + -0` to `x`, which keeps a signalling NaN lane unquieted.
    let foldable = left.is_const() || right.is_const() || addend.is_const();
    let left = match negate {
        true => t.builder.build_float_neg(left, "")?,
        false => left,
    };
    let fused = x86(t).is_none_or(|x86| x86.fma);
    let result: BasicValueEnum = match fused {
        true => {
            let ty = left.get_type().into();
            t.call_intrinsic("llvm.fma", &[ty], &[left.into(), right.into(), addend.into()])?
        }
        false => {
            let product = t.builder.build_float_mul(left, right, "")?;
            t.builder.build_float_add(product, addend, "")?.into()
        }
    };
    let result = if foldable { t.quiet_nan(result)? } else { result };
    t.push_vector(result)
}

/// x86's blends take each lane from the second operand where the mask lane's top bit is set:
/// `blendvps` and `blendvpd` look at the top bit of each lane, `pblendvb` at that of each byte,
/// which for 16-bit lanes is the third result the spec's tests allow. With AVX-512 a bitwise
/// select is one `vpternlogq`, faster than a blend (docs/architecture.md, measurements), and on
/// AArch64 one `bsl`: there, and without SSE4.1, a lane select is a bitwise select.
fn laneselect(t: Translator, shape: Shape) -> Result<()> {
    let blends = x86(t).filter(|x86| x86.sse41 && !x86.avx512vl);
    let (name, view) = match (blends, shape) {
        (Some(_), Shape::I8x16 | Shape::I16x8) => ("llvm.x86.sse41.pblendvb", Shape::I8x16),
        (Some(_), Shape::I32x4) => ("llvm.x86.sse41.blendvps", Shape::F32x4),
        (Some(_), Shape::I64x2) => ("llvm.x86.sse41.blendvpd", Shape::F64x2),
        _ => return standard(t, Operator::V128Bitselect),
    };
    let mask = t.pop_vector(view)?;
    let if_clear = t.pop_vector(view)?;
    let if_set = t.pop_vector(view)?;
    push_intrinsic(t, name, &[], &[if_clear, if_set, mask])
}

/// x86's `minps`/`maxps` (and the `pd` forms) give the second operand when either is NaN and
/// when both are zeros: the spec's third choice in each of those cases. AArch64's `fmin`/`fmax`
/// are the standard operators.
fn min_max(t: Translator, shape: Shape, max: bool) -> Result<()> {
    let single = shape == Shape::F32x4;
    if x86(t).is_none() {
        return standard(
            t,
            match (single, max) {
                (true, false) => Operator::F32x4Min,
                (true, true) => Operator::F32x4Max,
                (false, false) => Operator::F64x2Min,
                (false, true) => Operator::F64x2Max,
            },
        );
    }
    let name = match (single, max) {
        (true, false) => "llvm.x86.sse.min.ps",
        (true, true) => "llvm.x86.sse.max.ps",
        (false, false) => "llvm.x86.sse2.min.pd",
        (false, true) => "llvm.x86.sse2.max.pd",
    };
    let rhs = t.pop_vector(shape)?;
    let lhs = t.pop_vector(shape)?;
    push_intrinsic(t, name, &[], &[lhs, rhs])
}

/// x86's `pmulhrsw` gives -0x8000 for -0x8000 * -0x8000, where the standard operator
/// saturates to 0x7fff; AArch64's `sqrdmulh` saturates like the standard operator.
fn q15_multiply(t: Translator) -> Result<()> {
    let x86 = "llvm.x86.ssse3.pmul.hr.sw.128";
    let aarch64 = "llvm.aarch64.neon.sqrdmulh";
    ssse3_or_neon_binary(t, Shape::I16x8, x86, aarch64, Operator::I16x8Q15MulrSatS)
}

/// `i16x8.relaxed_dot_i8x16_i7x16_s`: adjacent pairs of byte products summed in 16-bit lanes.
/// x86's `pmaddubsw` reads its first operand as unsigned and saturates the sums; the second
/// Wasm operand, the 7-bit one, goes first, so the two read alike below 0x80. Elsewhere both
/// operands are signed and the sums wrap.
fn dot(t: Translator) -> Result<()> {
    let rhs = t.pop_vector(Shape::I8x16)?;
    let lhs = t.pop_vector(Shape::I8x16)?;
    if x86(t).is_some_and(|x86| x86.ssse3) {
        return push_intrinsic(t, "llvm.x86.ssse3.pmadd.ub.sw.128", &[], &[rhs, lhs]);
    }
    let sums = t.signed_pairwise_dot(lhs, rhs)?;
    t.push_vector(sums)
}

/// `i32x4.relaxed_dot_i8x16_i7x16_add_s`: the 16-bit dot product above, its adjacent pairs
/// summed into 32-bit lanes, plus the third operand. With VNNI, x86's `vpdpbusd` does it all
/// in one instruction, without saturating in between (unsigned operand first, as above).
fn dot_add(t: Translator) -> Result<()> {
    if x86(t).is_some_and(|x86| x86.vnni) {
        let addend = t.pop_vector(Shape::I32x4)?;
        let rhs = t.pop_vector(Shape::I32x4)?;
        let lhs = t.pop_vector(Shape::I32x4)?;
        return push_intrinsic(t, "llvm.x86.avx512.vpdpbusd.128", &[], &[addend, rhs, lhs]);
    }
    let addend = t.pop()?;
    dot(t)?;
    if x86(t).is_some_and(|x86| x86.ssse3) {
        // `pmaddwd` by ones sums the pairs of 16-bit lanes in one instruction; LLVM turns the
        // generic pairwise sum, even written as a multiply by ones, into extensions and `phaddd`.
        let sums = t.pop_vector(Shape::I16x8)?;
        let ones = t.constant_splat(sums.get_type(), 1);
        push_intrinsic(t, "llvm.x86.sse2.pmadd.wd", &[], &[sums, ones])?;
    } else {
        standard(t, Operator::I32x4ExtAddPairwiseI16x8S)?;
    }
    t.push(addend);
    standard(t, Operator::I32x4Add)
}
