//! SIMD operators on float lanes (`f32x4`, `f64x2`) and the conversions between float and
//! integer lanes. Lane arithmetic follows the scalar rules in `numeric.rs`: NaN results must be
//! quiet, so wherever LLVM may hand back an operand unchanged the NaN lanes are quieted.

use super::super::super::func::FuncTranslator;
use super::super::super::Result;
use super::super::numeric::FloatUnary;
use super::Shape;
use inkwell::types::{BasicTypeEnum, VectorType};
use inkwell::values::VectorValue;
use inkwell::FloatPredicate;
use wasmparser::Operator;

type Translator<'t, 'e, 'ctx, 'a> = &'t mut FuncTranslator<'e, 'ctx, 'a>;

#[derive(Clone, Copy)]
enum Binary {
    Add,
    Sub,
    Mul,
    Div,
    Min,
    Max,
    PMin,
    PMax,
}

/// Translates `op` when it belongs here; false otherwise.
pub fn translate<'a>(t: &mut FuncTranslator<'_, '_, 'a>, op: &Operator<'a>) -> Result<bool> {
    use FloatPredicate as P;
    use Operator as O;
    use Shape::{F32x4, F64x2};
    match *op {
        O::F32x4Splat => splat(t, F32x4)?,
        O::F64x2Splat => splat(t, F64x2)?,
        O::F32x4ExtractLane { lane } => extract_lane(t, F32x4, lane)?,
        O::F64x2ExtractLane { lane } => extract_lane(t, F64x2, lane)?,
        O::F32x4ReplaceLane { lane } => replace_lane(t, F32x4, lane)?,
        O::F64x2ReplaceLane { lane } => replace_lane(t, F64x2, lane)?,

        O::F32x4Neg => unary(t, F32x4, FloatUnary::Neg)?,
        O::F64x2Neg => unary(t, F64x2, FloatUnary::Neg)?,
        O::F32x4Abs => unary(t, F32x4, FloatUnary::Abs)?,
        O::F64x2Abs => unary(t, F64x2, FloatUnary::Abs)?,
        O::F32x4Sqrt => unary(t, F32x4, FloatUnary::Sqrt)?,
        O::F64x2Sqrt => unary(t, F64x2, FloatUnary::Sqrt)?,
        O::F32x4Ceil => unary(t, F32x4, FloatUnary::Ceil)?,
        O::F64x2Ceil => unary(t, F64x2, FloatUnary::Ceil)?,
        O::F32x4Floor => unary(t, F32x4, FloatUnary::Floor)?,
        O::F64x2Floor => unary(t, F64x2, FloatUnary::Floor)?,
        O::F32x4Trunc => unary(t, F32x4, FloatUnary::Trunc)?,
        O::F64x2Trunc => unary(t, F64x2, FloatUnary::Trunc)?,
        O::F32x4Nearest => unary(t, F32x4, FloatUnary::Nearest)?,
        O::F64x2Nearest => unary(t, F64x2, FloatUnary::Nearest)?,

        O::F32x4Add => binary(t, F32x4, Binary::Add)?,
        O::F64x2Add => binary(t, F64x2, Binary::Add)?,
        O::F32x4Sub => binary(t, F32x4, Binary::Sub)?,
        O::F64x2Sub => binary(t, F64x2, Binary::Sub)?,
        O::F32x4Mul => binary(t, F32x4, Binary::Mul)?,
        O::F64x2Mul => binary(t, F64x2, Binary::Mul)?,
        O::F32x4Div => binary(t, F32x4, Binary::Div)?,
        O::F64x2Div => binary(t, F64x2, Binary::Div)?,
        O::F32x4Min => binary(t, F32x4, Binary::Min)?,
        O::F64x2Min => binary(t, F64x2, Binary::Min)?,
        O::F32x4Max => binary(t, F32x4, Binary::Max)?,
        O::F64x2Max => binary(t, F64x2, Binary::Max)?,
        O::F32x4PMin => binary(t, F32x4, Binary::PMin)?,
        O::F64x2PMin => binary(t, F64x2, Binary::PMin)?,
        O::F32x4PMax => binary(t, F32x4, Binary::PMax)?,
        O::F64x2PMax => binary(t, F64x2, Binary::PMax)?,

        O::F32x4Eq => compare(t, F32x4, P::OEQ)?,
        O::F64x2Eq => compare(t, F64x2, P::OEQ)?,
        O::F32x4Ne => compare(t, F32x4, P::UNE)?,
        O::F64x2Ne => compare(t, F64x2, P::UNE)?,
        O::F32x4Lt => compare(t, F32x4, P::OLT)?,
        O::F64x2Lt => compare(t, F64x2, P::OLT)?,
        O::F32x4Gt => compare(t, F32x4, P::OGT)?,
        O::F64x2Gt => compare(t, F64x2, P::OGT)?,
        O::F32x4Le => compare(t, F32x4, P::OLE)?,
        O::F64x2Le => compare(t, F64x2, P::OLE)?,
        O::F32x4Ge => compare(t, F32x4, P::OGE)?,
        O::F64x2Ge => compare(t, F64x2, P::OGE)?,

        O::F32x4ConvertI32x4S => convert_i32x4(t, true)?,
        O::F32x4ConvertI32x4U => convert_i32x4(t, false)?,
        O::F64x2ConvertLowI32x4S => convert_low_i32x4(t, true)?,
        O::F64x2ConvertLowI32x4U => convert_low_i32x4(t, false)?,
        O::I32x4TruncSatF32x4S => trunc_sat_f32x4(t, true)?,
        O::I32x4TruncSatF32x4U => trunc_sat_f32x4(t, false)?,
        O::I32x4TruncSatF64x2SZero => trunc_sat_f64x2_zero(t, true)?,
        O::I32x4TruncSatF64x2UZero => trunc_sat_f64x2_zero(t, false)?,
        O::F32x4DemoteF64x2Zero => demote_f64x2_zero(t)?,
        O::F64x2PromoteLowF32x4 => promote_low_f32x4(t)?,
        _ => return Ok(false),
    }
    Ok(true)
}

fn lane_count(shape: Shape) -> u32 {
    match shape {
        Shape::F32x4 => 4,
        _ => 2,
    }
}

/// A constant `<n x i32>` lane-index vector, as `shufflevector` masks are.
fn mask<'ctx>(t: &FuncTranslator<'_, 'ctx, '_>, lanes: &[u64]) -> VectorValue<'ctx> {
    let indices: Vec<_> =
        lanes.iter().map(|&lane| t.env.types.i32.const_int(lane, false)).collect();
    VectorType::const_vector(&indices)
}

fn splat(t: Translator, shape: Shape) -> Result<()> {
    let x = t.pop_float()?;
    let ty = t.vector_type(shape);
    let zero = t.env.types.i32.const_zero();
    let single = t.builder.build_insert_element(ty.get_undef(), x, zero, "")?;
    let all_first = mask(t, &vec![0; lane_count(shape) as usize]);
    let result = t.builder.build_shuffle_vector(single, ty.get_undef(), all_first, "")?;
    t.push_vector(result)
}

fn extract_lane(t: Translator, shape: Shape, lane: u8) -> Result<()> {
    let vector = t.pop_vector(shape)?;
    let index = t.env.types.i32.const_int(lane as u64, false);
    let x = t.builder.build_extract_element(vector, index, "")?;
    t.push(x);
    Ok(())
}

fn replace_lane(t: Translator, shape: Shape, lane: u8) -> Result<()> {
    let x = t.pop_float()?;
    let vector = t.pop_vector(shape)?;
    let index = t.env.types.i32.const_int(lane as u64, false);
    let result = t.builder.build_insert_element(vector, x, index, "")?;
    t.push_vector(result)
}

fn unary(t: Translator, shape: Shape, op: FloatUnary) -> Result<()> {
    let x = t.pop_vector(shape)?;
    let ty: BasicTypeEnum = x.get_type().into();
    let intrinsic = match op {
        FloatUnary::Neg => {
            let negated = t.builder.build_float_neg(x, "")?;
            return t.push_vector(negated);
        }
        FloatUnary::Abs => return abs(t, shape, x),
        FloatUnary::Sqrt => "llvm.sqrt",
        FloatUnary::Ceil => "llvm.ceil",
        FloatUnary::Floor => "llvm.floor",
        FloatUnary::Trunc => "llvm.trunc",
        FloatUnary::Nearest => "llvm.roundeven",
    };
    let result = t.call_intrinsic(intrinsic, &[ty], &[x.into()])?;
    t.push_vector(result)
}

/// `f32x4.abs` and `f64x2.abs` of `x`: each lane with its sign bit cleared by an integer `and`,
/// which is all the spec asks. Not `llvm.fabs`: LLVM 19's x86 DAG combiner never finishes
/// (minutes, then gigabytes) on a vector fabs of compare lanes that become constants only inside
/// the DAG, as `i32x4.gt_s` of two `v128.const` does at -O0, where no IR pass folds them first
/// (tests/golden/abs_of_constant_compare.wat).
fn abs<'ctx>(
    t: &mut FuncTranslator<'_, 'ctx, '_>,
    shape: Shape,
    x: VectorValue<'ctx>,
) -> Result<()> {
    let (lanes, magnitude_bits) = match shape {
        Shape::F32x4 => (Shape::I32x4, i32::MAX as i64),
        _ => (Shape::I64x2, i64::MAX),
    };
    let ty = t.vector_type(lanes);
    let bits = t.builder.build_bit_cast(x, ty, "")?.into_vector_value();
    let result = t.builder.build_and(bits, t.constant_splat(ty, magnitude_bits), "")?;
    t.push_vector(result)
}

fn binary(t: Translator, shape: Shape, op: Binary) -> Result<()> {
    let rhs = t.pop_vector(shape)?;
    let lhs = t.pop_vector(shape)?;
    let ty: BasicTypeEnum = lhs.get_type().into();
    // LLVM folds `x - 0`, `x * 1`... into `x`, which keeps a signalling NaN lane unquieted.
    let foldable = lhs.is_const() || rhs.is_const();
    let b = &t.builder;
    let result: VectorValue = match op {
        Binary::Add => b.build_float_add(lhs, rhs, "")?,
        Binary::Sub => b.build_float_sub(lhs, rhs, "")?,
        Binary::Mul => b.build_float_mul(lhs, rhs, "")?,
        Binary::Div => b.build_float_div(lhs, rhs, "")?,
        // NaN-propagating and -0 < +0, as Wasm requires; a signalling NaN operand comes back
        // as it is and is quieted below.
        Binary::Min => {
            t.call_intrinsic("llvm.minimum", &[ty], &[lhs.into(), rhs.into()])?.into_vector_value()
        }
        Binary::Max => {
            t.call_intrinsic("llvm.maximum", &[ty], &[lhs.into(), rhs.into()])?.into_vector_value()
        }
        // Pseudo-min/max are defined as plain selects: operands pass through untouched.
        Binary::PMin => {
            let rhs_less = b.build_float_compare(FloatPredicate::OLT, rhs, lhs, "")?;
            let result = b.build_select(rhs_less, rhs, lhs, "")?;
            return t.push_vector(result);
        }
        Binary::PMax => {
            let lhs_less = b.build_float_compare(FloatPredicate::OLT, lhs, rhs, "")?;
            let result = b.build_select(lhs_less, rhs, lhs, "")?;
            return t.push_vector(result);
        }
    };
    let result = match op {
        Binary::Min | Binary::Max => t.quiet_nan(result.into())?,
        _ if foldable => t.quiet_nan(result.into())?,
        _ => result.into(),
    };
    t.push_vector(result)
}

fn compare(t: Translator, shape: Shape, predicate: FloatPredicate) -> Result<()> {
    let rhs = t.pop_vector(shape)?;
    let lhs = t.pop_vector(shape)?;
    let holds = t.builder.build_float_compare(predicate, lhs, rhs, "")?;
    // Wasm comparisons give all-ones lanes for true.
    let mask_shape = if shape == Shape::F32x4 { Shape::I32x4 } else { Shape::I64x2 };
    let result = t.builder.build_int_s_extend(holds, t.vector_type(mask_shape), "")?;
    t.push_vector(result)
}

/// Converts integer lanes to the float lanes of `to` and pushes the result.
fn int_lanes_to_float<'ctx>(
    t: &mut FuncTranslator<'_, 'ctx, '_>,
    x: VectorValue<'ctx>,
    to: Shape,
    signed: bool,
) -> Result<()> {
    let ty = t.vector_type(to);
    let result = if signed {
        t.builder.build_signed_int_to_float(x, ty, "")?
    } else {
        t.builder.build_unsigned_int_to_float(x, ty, "")?
    };
    t.push_vector(result)
}

fn convert_i32x4(t: Translator, signed: bool) -> Result<()> {
    let x = t.pop_vector(Shape::I32x4)?;
    int_lanes_to_float(t, x, Shape::F32x4, signed)
}

fn convert_low_i32x4(t: Translator, signed: bool) -> Result<()> {
    let x = t.pop_vector(Shape::I32x4)?;
    let low = t.builder.build_shuffle_vector(x, x, mask(t, &[0, 1]), "")?;
    int_lanes_to_float(t, low, Shape::F64x2, signed)
}

/// Saturating float-to-int lanes: NaN gives 0, out-of-range values clamp, as Wasm's
/// `trunc_sat` requires.
fn saturating_to_i32<'ctx>(
    t: &FuncTranslator<'_, 'ctx, '_>,
    x: VectorValue<'ctx>,
    signed: bool,
) -> Result<VectorValue<'ctx>> {
    let result_ty: BasicTypeEnum = t.env.types.i32.vec_type(x.get_type().get_size()).into();
    let intrinsic = if signed { "llvm.fptosi.sat" } else { "llvm.fptoui.sat" };
    let result = t.call_intrinsic(intrinsic, &[result_ty, x.get_type().into()], &[x.into()])?;
    Ok(result.into_vector_value())
}

fn trunc_sat_f32x4(t: Translator, signed: bool) -> Result<()> {
    let x = t.pop_vector(Shape::F32x4)?;
    let result = saturating_to_i32(t, x, signed)?;
    t.push_vector(result)
}

/// Widens a two-lane vector to four lanes whose upper two are zero.
fn with_zero_upper<'ctx>(
    t: &FuncTranslator<'_, 'ctx, '_>,
    low: VectorValue<'ctx>,
) -> Result<VectorValue<'ctx>> {
    let zero = low.get_type().const_zero();
    Ok(t.builder.build_shuffle_vector(low, zero, mask(t, &[0, 1, 2, 3]), "")?)
}

fn trunc_sat_f64x2_zero(t: Translator, signed: bool) -> Result<()> {
    let x = t.pop_vector(Shape::F64x2)?;
    let low = saturating_to_i32(t, x, signed)?;
    let result = with_zero_upper(t, low)?;
    t.push_vector(result)
}

fn demote_f64x2_zero(t: Translator) -> Result<()> {
    let x = t.pop_vector(Shape::F64x2)?;
    let narrow = t.builder.build_float_trunc(x, t.env.types.f32.vec_type(2), "")?;
    // LLVM folds `demote(promote x)` to `x`, which would keep a signalling NaN unquieted.
    let narrow = t.quiet_nan(narrow.into())?.into_vector_value();
    let result = with_zero_upper(t, narrow)?;
    t.push_vector(result)
}

fn promote_low_f32x4(t: Translator) -> Result<()> {
    let x = t.pop_vector(Shape::F32x4)?;
    let low = t.builder.build_shuffle_vector(x, x, mask(t, &[0, 1]), "")?;
    let result = t.builder.build_float_ext(low, t.vector_type(Shape::F64x2), "")?;
    t.push_vector(result)
}
