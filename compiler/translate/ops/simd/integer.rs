//! SIMD arithmetic, bitwise, comparison and conversion operators on integer lanes. Each maps to
//! generic LLVM vector IR (or a generic `llvm.*` intrinsic) so instruction selection picks the
//! host's vector instructions; the spec's exact lane semantics are spelled out where they
//! differ from a plain vector op (saturation, rounding, out-of-range shift counts).

use super::super::super::func::FuncTranslator;
use super::super::super::Result;
use super::Shape;
use inkwell::types::VectorType;
use inkwell::values::VectorValue;
use inkwell::IntPredicate;
use wasmparser::Operator;

/// How a lanewise binary operator combines its operands.
#[derive(Clone, Copy)]
enum Binary {
    Add,
    Sub,
    Mul,
    And,
    Or,
    Xor,
    AndNot,
    /// A generic overloaded intrinsic such as `llvm.sadd.sat` or `llvm.umin`.
    Intrinsic(&'static str),
    /// Rounding unsigned average: `(a + b + 1) / 2` without overflow.
    AverageRounded,
    /// `(a * b + 0x4000) >> 15`, saturated to i16.
    Q15MulRoundSat,
}

#[derive(Clone, Copy)]
enum Shift {
    Left,
    RightSigned,
    RightUnsigned,
}

/// Translates `op` when it is an integer-lane SIMD operator; false otherwise.
pub fn translate<'a>(t: &mut FuncTranslator<'_, '_, 'a>, op: &Operator<'a>) -> Result<bool> {
    use Binary::*;
    use IntPredicate::*;
    use Operator::*;
    use Shape::*;
    match op {
        V128Not => {
            let value = t.pop_vector(I64x2)?;
            let result = t.builder.build_not(value, "")?;
            t.push_vector(result)?;
        }
        V128And => t.binary(I64x2, And)?,
        V128Or => t.binary(I64x2, Or)?,
        V128Xor => t.binary(I64x2, Xor)?,
        V128AndNot => t.binary(I64x2, AndNot)?,
        V128Bitselect => t.bitselect()?,
        V128AnyTrue => t.any_true()?,
        I8x16AllTrue => t.all_true(I8x16)?,
        I16x8AllTrue => t.all_true(I16x8)?,
        I32x4AllTrue => t.all_true(I32x4)?,
        I64x2AllTrue => t.all_true(I64x2)?,
        I8x16Bitmask => t.bitmask(I8x16)?,
        I16x8Bitmask => t.bitmask(I16x8)?,
        I32x4Bitmask => t.bitmask(I32x4)?,
        I64x2Bitmask => t.bitmask(I64x2)?,

        I8x16Add => t.binary(I8x16, Add)?,
        I16x8Add => t.binary(I16x8, Add)?,
        I32x4Add => t.binary(I32x4, Add)?,
        I64x2Add => t.binary(I64x2, Add)?,
        I8x16Sub => t.binary(I8x16, Sub)?,
        I16x8Sub => t.binary(I16x8, Sub)?,
        I32x4Sub => t.binary(I32x4, Sub)?,
        I64x2Sub => t.binary(I64x2, Sub)?,
        I16x8Mul => t.binary(I16x8, Mul)?,
        I32x4Mul => t.binary(I32x4, Mul)?,
        I64x2Mul => t.binary(I64x2, Mul)?,
        I8x16AddSatS => t.binary(I8x16, Intrinsic("llvm.sadd.sat"))?,
        I8x16AddSatU => t.binary(I8x16, Intrinsic("llvm.uadd.sat"))?,
        I8x16SubSatS => t.binary(I8x16, Intrinsic("llvm.ssub.sat"))?,
        I8x16SubSatU => t.binary(I8x16, Intrinsic("llvm.usub.sat"))?,
        I16x8AddSatS => t.binary(I16x8, Intrinsic("llvm.sadd.sat"))?,
        I16x8AddSatU => t.binary(I16x8, Intrinsic("llvm.uadd.sat"))?,
        I16x8SubSatS => t.binary(I16x8, Intrinsic("llvm.ssub.sat"))?,
        I16x8SubSatU => t.binary(I16x8, Intrinsic("llvm.usub.sat"))?,
        I8x16MinS => t.binary(I8x16, Intrinsic("llvm.smin"))?,
        I8x16MinU => t.binary(I8x16, Intrinsic("llvm.umin"))?,
        I8x16MaxS => t.binary(I8x16, Intrinsic("llvm.smax"))?,
        I8x16MaxU => t.binary(I8x16, Intrinsic("llvm.umax"))?,
        I16x8MinS => t.binary(I16x8, Intrinsic("llvm.smin"))?,
        I16x8MinU => t.binary(I16x8, Intrinsic("llvm.umin"))?,
        I16x8MaxS => t.binary(I16x8, Intrinsic("llvm.smax"))?,
        I16x8MaxU => t.binary(I16x8, Intrinsic("llvm.umax"))?,
        I32x4MinS => t.binary(I32x4, Intrinsic("llvm.smin"))?,
        I32x4MinU => t.binary(I32x4, Intrinsic("llvm.umin"))?,
        I32x4MaxS => t.binary(I32x4, Intrinsic("llvm.smax"))?,
        I32x4MaxU => t.binary(I32x4, Intrinsic("llvm.umax"))?,
        I8x16AvgrU => t.binary(I8x16, AverageRounded)?,
        I16x8AvgrU => t.binary(I16x8, AverageRounded)?,
        I16x8Q15MulrSatS => t.binary(I16x8, Q15MulRoundSat)?,

        I8x16Abs => t.abs(I8x16)?,
        I16x8Abs => t.abs(I16x8)?,
        I32x4Abs => t.abs(I32x4)?,
        I64x2Abs => t.abs(I64x2)?,
        I8x16Neg => t.neg(I8x16)?,
        I16x8Neg => t.neg(I16x8)?,
        I32x4Neg => t.neg(I32x4)?,
        I64x2Neg => t.neg(I64x2)?,
        I8x16Popcnt => {
            let value = t.pop_vector(I8x16)?;
            let counts =
                t.call_intrinsic("llvm.ctpop", &[value.get_type().into()], &[value.into()])?;
            t.push_vector(counts)?;
        }

        I8x16Shl => t.shift(I8x16, Shift::Left)?,
        I16x8Shl => t.shift(I16x8, Shift::Left)?,
        I32x4Shl => t.shift(I32x4, Shift::Left)?,
        I64x2Shl => t.shift(I64x2, Shift::Left)?,
        I8x16ShrS => t.shift(I8x16, Shift::RightSigned)?,
        I16x8ShrS => t.shift(I16x8, Shift::RightSigned)?,
        I32x4ShrS => t.shift(I32x4, Shift::RightSigned)?,
        I64x2ShrS => t.shift(I64x2, Shift::RightSigned)?,
        I8x16ShrU => t.shift(I8x16, Shift::RightUnsigned)?,
        I16x8ShrU => t.shift(I16x8, Shift::RightUnsigned)?,
        I32x4ShrU => t.shift(I32x4, Shift::RightUnsigned)?,
        I64x2ShrU => t.shift(I64x2, Shift::RightUnsigned)?,

        I8x16Eq => t.compare(I8x16, EQ)?,
        I8x16Ne => t.compare(I8x16, NE)?,
        I8x16LtS => t.compare(I8x16, SLT)?,
        I8x16LtU => t.compare(I8x16, ULT)?,
        I8x16GtS => t.compare(I8x16, SGT)?,
        I8x16GtU => t.compare(I8x16, UGT)?,
        I8x16LeS => t.compare(I8x16, SLE)?,
        I8x16LeU => t.compare(I8x16, ULE)?,
        I8x16GeS => t.compare(I8x16, SGE)?,
        I8x16GeU => t.compare(I8x16, UGE)?,
        I16x8Eq => t.compare(I16x8, EQ)?,
        I16x8Ne => t.compare(I16x8, NE)?,
        I16x8LtS => t.compare(I16x8, SLT)?,
        I16x8LtU => t.compare(I16x8, ULT)?,
        I16x8GtS => t.compare(I16x8, SGT)?,
        I16x8GtU => t.compare(I16x8, UGT)?,
        I16x8LeS => t.compare(I16x8, SLE)?,
        I16x8LeU => t.compare(I16x8, ULE)?,
        I16x8GeS => t.compare(I16x8, SGE)?,
        I16x8GeU => t.compare(I16x8, UGE)?,
        I32x4Eq => t.compare(I32x4, EQ)?,
        I32x4Ne => t.compare(I32x4, NE)?,
        I32x4LtS => t.compare(I32x4, SLT)?,
        I32x4LtU => t.compare(I32x4, ULT)?,
        I32x4GtS => t.compare(I32x4, SGT)?,
        I32x4GtU => t.compare(I32x4, UGT)?,
        I32x4LeS => t.compare(I32x4, SLE)?,
        I32x4LeU => t.compare(I32x4, ULE)?,
        I32x4GeS => t.compare(I32x4, SGE)?,
        I32x4GeU => t.compare(I32x4, UGE)?,
        I64x2Eq => t.compare(I64x2, EQ)?,
        I64x2Ne => t.compare(I64x2, NE)?,
        I64x2LtS => t.compare(I64x2, SLT)?,
        I64x2GtS => t.compare(I64x2, SGT)?,
        I64x2LeS => t.compare(I64x2, SLE)?,
        I64x2GeS => t.compare(I64x2, SGE)?,

        I8x16NarrowI16x8S => t.narrow(I16x8, true)?,
        I8x16NarrowI16x8U => t.narrow(I16x8, false)?,
        I16x8NarrowI32x4S => t.narrow(I32x4, true)?,
        I16x8NarrowI32x4U => t.narrow(I32x4, false)?,
        I16x8ExtendLowI8x16S => t.extend(I8x16, false, true)?,
        I16x8ExtendHighI8x16S => t.extend(I8x16, true, true)?,
        I16x8ExtendLowI8x16U => t.extend(I8x16, false, false)?,
        I16x8ExtendHighI8x16U => t.extend(I8x16, true, false)?,
        I32x4ExtendLowI16x8S => t.extend(I16x8, false, true)?,
        I32x4ExtendHighI16x8S => t.extend(I16x8, true, true)?,
        I32x4ExtendLowI16x8U => t.extend(I16x8, false, false)?,
        I32x4ExtendHighI16x8U => t.extend(I16x8, true, false)?,
        I64x2ExtendLowI32x4S => t.extend(I32x4, false, true)?,
        I64x2ExtendHighI32x4S => t.extend(I32x4, true, true)?,
        I64x2ExtendLowI32x4U => t.extend(I32x4, false, false)?,
        I64x2ExtendHighI32x4U => t.extend(I32x4, true, false)?,
        I16x8ExtMulLowI8x16S => t.extend_multiply(I8x16, false, true)?,
        I16x8ExtMulHighI8x16S => t.extend_multiply(I8x16, true, true)?,
        I16x8ExtMulLowI8x16U => t.extend_multiply(I8x16, false, false)?,
        I16x8ExtMulHighI8x16U => t.extend_multiply(I8x16, true, false)?,
        I32x4ExtMulLowI16x8S => t.extend_multiply(I16x8, false, true)?,
        I32x4ExtMulHighI16x8S => t.extend_multiply(I16x8, true, true)?,
        I32x4ExtMulLowI16x8U => t.extend_multiply(I16x8, false, false)?,
        I32x4ExtMulHighI16x8U => t.extend_multiply(I16x8, true, false)?,
        I64x2ExtMulLowI32x4S => t.extend_multiply(I32x4, false, true)?,
        I64x2ExtMulHighI32x4S => t.extend_multiply(I32x4, true, true)?,
        I64x2ExtMulLowI32x4U => t.extend_multiply(I32x4, false, false)?,
        I64x2ExtMulHighI32x4U => t.extend_multiply(I32x4, true, false)?,
        I16x8ExtAddPairwiseI8x16S => t.extend_add_pairwise(I8x16, true)?,
        I16x8ExtAddPairwiseI8x16U => t.extend_add_pairwise(I8x16, false)?,
        I32x4ExtAddPairwiseI16x8S => t.extend_add_pairwise(I16x8, true)?,
        I32x4ExtAddPairwiseI16x8U => t.extend_add_pairwise(I16x8, false)?,
        I32x4DotI16x8S => t.dot()?,
        _ => return Ok(false),
    }
    Ok(true)
}

impl<'e, 'ctx, 'a> FuncTranslator<'e, 'ctx, 'a> {
    /// A constant vector of `ty` with `value` (sign-extended to the lane width) in every lane.
    pub(super) fn constant_splat(&self, ty: VectorType<'ctx>, value: i64) -> VectorValue<'ctx> {
        let lane = ty.get_element_type().into_int_type().const_int(value as u64, true);
        VectorType::const_vector(&vec![lane; ty.get_size() as usize])
    }

    /// The vector type with `ty`'s lane count and `factor` times its lane width.
    pub(super) fn widened_type(&self, ty: VectorType<'ctx>, factor: u32) -> VectorType<'ctx> {
        let bits = ty.get_element_type().into_int_type().get_bit_width();
        self.env.types.int_of_bits(bits * factor).vec_type(ty.get_size())
    }

    pub(super) fn extend_to(
        &self,
        value: VectorValue<'ctx>,
        ty: VectorType<'ctx>,
        signed: bool,
    ) -> Result<VectorValue<'ctx>> {
        Ok(if signed {
            self.builder.build_int_s_extend(value, ty, "")?
        } else {
            self.builder.build_int_z_extend(value, ty, "")?
        })
    }

    /// The lanes of `value` at `first`, `first + step`, ... (`count` of them).
    pub(super) fn pick_lanes(
        &self,
        value: VectorValue<'ctx>,
        first: u32,
        step: u32,
        count: u32,
    ) -> Result<VectorValue<'ctx>> {
        let mask = self.lane_indices((0..count).map(|i| first + i * step));
        Ok(self.builder.build_shuffle_vector(value, value, mask, "")?)
    }

    /// Signed products of the lanes of `lhs` and `rhs` at twice their width, summed in adjacent
    /// pairs (wrapping): half as many lanes of twice the width.
    pub(super) fn signed_pairwise_dot(
        &self,
        lhs: VectorValue<'ctx>,
        rhs: VectorValue<'ctx>,
    ) -> Result<VectorValue<'ctx>> {
        let wide = self.widened_type(lhs.get_type(), 2);
        let lhs = self.extend_to(lhs, wide, true)?;
        let rhs = self.extend_to(rhs, wide, true)?;
        let products = self.builder.build_int_mul(lhs, rhs, "")?;
        let pairs = wide.get_size() / 2;
        let evens = self.pick_lanes(products, 0, 2, pairs)?;
        let odds = self.pick_lanes(products, 1, 2, pairs)?;
        Ok(self.builder.build_int_add(evens, odds, "")?)
    }

    /// The low or high half of `value`, each lane extended to twice its width.
    fn extend_half(
        &self,
        value: VectorValue<'ctx>,
        high: bool,
        signed: bool,
    ) -> Result<VectorValue<'ctx>> {
        let half = value.get_type().get_size() / 2;
        let picked = self.pick_lanes(value, if high { half } else { 0 }, 1, half)?;
        let wide = self.widened_type(picked.get_type(), 2);
        self.extend_to(picked, wide, signed)
    }

    fn binary(&mut self, shape: Shape, op: Binary) -> Result<()> {
        let rhs = self.pop_vector(shape)?;
        let lhs = self.pop_vector(shape)?;
        let b = &self.builder;
        let result = match op {
            Binary::Add => b.build_int_add(lhs, rhs, "")?,
            Binary::Sub => b.build_int_sub(lhs, rhs, "")?,
            Binary::Mul => b.build_int_mul(lhs, rhs, "")?,
            Binary::And => b.build_and(lhs, rhs, "")?,
            Binary::Or => b.build_or(lhs, rhs, "")?,
            Binary::Xor => b.build_xor(lhs, rhs, "")?,
            Binary::AndNot => {
                let inverted = b.build_not(rhs, "")?;
                b.build_and(lhs, inverted, "")?
            }
            Binary::Intrinsic(name) => self
                .call_intrinsic(name, &[lhs.get_type().into()], &[lhs.into(), rhs.into()])?
                .into_vector_value(),
            Binary::AverageRounded => {
                // Computed one lane width wider, where the sum cannot overflow.
                let narrow = lhs.get_type();
                let wide = self.widened_type(narrow, 2);
                let lhs = self.extend_to(lhs, wide, false)?;
                let rhs = self.extend_to(rhs, wide, false)?;
                let sum = b.build_int_add(lhs, rhs, "")?;
                let sum = b.build_int_add(sum, self.constant_splat(wide, 1), "")?;
                let average = b.build_right_shift(sum, self.constant_splat(wide, 1), false, "")?;
                b.build_int_truncate(average, narrow, "")?
            }
            Binary::Q15MulRoundSat => {
                let wide = self.widened_type(lhs.get_type(), 2);
                let narrow = lhs.get_type();
                let lhs = self.extend_to(lhs, wide, true)?;
                let rhs = self.extend_to(rhs, wide, true)?;
                let product = b.build_int_mul(lhs, rhs, "")?;
                let rounded = b.build_int_add(product, self.constant_splat(wide, 0x4000), "")?;
                let shifted =
                    b.build_right_shift(rounded, self.constant_splat(wide, 15), true, "")?;
                // Only -0x8000 * -0x8000 exceeds i16, and only upward.
                let max = self.constant_splat(wide, 0x7fff);
                let clamped = self.call_intrinsic(
                    "llvm.smin",
                    &[wide.into()],
                    &[shifted.into(), max.into()],
                )?;
                b.build_int_truncate(clamped.into_vector_value(), narrow, "")?
            }
        };
        self.push_vector(result)
    }

    /// `v128.bitselect`: bits of the first operand where the mask is 1, of the second elsewhere.
    fn bitselect(&mut self) -> Result<()> {
        let mask = self.pop_vector(Shape::I64x2)?;
        let if_clear = self.pop_vector(Shape::I64x2)?;
        let if_set = self.pop_vector(Shape::I64x2)?;
        let b = &self.builder;
        let chosen = b.build_and(if_set, mask, "")?;
        let inverted = b.build_not(mask, "")?;
        let others = b.build_and(if_clear, inverted, "")?;
        let result = b.build_or(chosen, others, "")?;
        self.push_vector(result)
    }

    fn any_true(&mut self) -> Result<()> {
        let value = self.pop()?;
        let i128_ty = self.env.context.i128_type();
        let bits = self.builder.build_bit_cast(value, i128_ty, "")?.into_int_value();
        let any =
            self.builder.build_int_compare(IntPredicate::NE, bits, i128_ty.const_zero(), "")?;
        let any = self.builder.build_int_z_extend(any, self.env.types.i32, "")?;
        self.push(any);
        Ok(())
    }

    /// Packs one bit per lane, lane 0 lowest, from the per-lane comparison `predicate x 0`.
    fn lane_bits(
        &mut self,
        shape: Shape,
        predicate: IntPredicate,
    ) -> Result<inkwell::values::IntValue<'ctx>> {
        let value = self.pop_vector(shape)?;
        let ty = value.get_type();
        let flags = self.builder.build_int_compare(predicate, value, ty.const_zero(), "")?;
        let packed_ty = std::num::NonZeroU32::new(ty.get_size())
            .and_then(|bits| self.env.context.custom_width_int_type(bits).ok())
            .ok_or_else(|| {
                crate::error::CompileError::backend("no integer type for a lane mask")
            })?;
        Ok(self.builder.build_bit_cast(flags, packed_ty, "")?.into_int_value())
    }

    fn all_true(&mut self, shape: Shape) -> Result<()> {
        let bits = self.lane_bits(shape, IntPredicate::NE)?;
        let all = self.builder.build_int_compare(
            IntPredicate::EQ,
            bits,
            bits.get_type().const_all_ones(),
            "",
        )?;
        let all = self.builder.build_int_z_extend(all, self.env.types.i32, "")?;
        self.push(all);
        Ok(())
    }

    /// The sign bit of every lane.
    fn bitmask(&mut self, shape: Shape) -> Result<()> {
        let bits = self.lane_bits(shape, IntPredicate::SLT)?;
        let mask = self.builder.build_int_z_extend(bits, self.env.types.i32, "")?;
        self.push(mask);
        Ok(())
    }

    /// `abs` wraps: the most negative lane stays as it is.
    fn abs(&mut self, shape: Shape) -> Result<()> {
        let value = self.pop_vector(shape)?;
        let int_min_is_poison = self.env.context.bool_type().const_zero();
        let result = self.call_intrinsic(
            "llvm.abs",
            &[value.get_type().into()],
            &[value.into(), int_min_is_poison.into()],
        )?;
        self.push_vector(result)
    }

    fn neg(&mut self, shape: Shape) -> Result<()> {
        let value = self.pop_vector(shape)?;
        let result = self.builder.build_int_neg(value, "")?;
        self.push_vector(result)
    }

    /// Shifts every lane by the popped i32 count taken modulo the lane width (an LLVM shift by
    /// the full width or more would be poison).
    fn shift(&mut self, shape: Shape, kind: Shift) -> Result<()> {
        let count = self.pop_int()?;
        let value = self.pop_vector(shape)?;
        let lane_ty = value.get_type().get_element_type().into_int_type();
        let width = lane_ty.get_bit_width();
        let count = self.builder.build_and(
            count,
            self.env.types.i32.const_int(width as u64 - 1, false),
            "",
        )?;
        let count = self.builder.build_int_cast_sign_flag(count, lane_ty, false, "")?;
        let counts = self.splat(count.into(), shape)?;
        let result = match kind {
            Shift::Left => self.builder.build_left_shift(value, counts, "")?,
            Shift::RightSigned => self.builder.build_right_shift(value, counts, true, "")?,
            Shift::RightUnsigned => self.builder.build_right_shift(value, counts, false, "")?,
        };
        self.push_vector(result)
    }

    /// Lanes become all ones where `predicate` holds and zero elsewhere.
    fn compare(&mut self, shape: Shape, predicate: IntPredicate) -> Result<()> {
        let rhs = self.pop_vector(shape)?;
        let lhs = self.pop_vector(shape)?;
        let flags = self.builder.build_int_compare(predicate, lhs, rhs, "")?;
        let result = self.builder.build_int_s_extend(flags, lhs.get_type(), "")?;
        self.push_vector(result)
    }

    /// Packs two vectors of `wide` lanes into one of half-width lanes, saturating each lane
    /// (read as signed) to the signed or unsigned range of the narrow lane.
    fn narrow(&mut self, wide: Shape, signed: bool) -> Result<()> {
        let high = self.pop_vector(wide)?;
        let low = self.pop_vector(wide)?;
        let ty = low.get_type();
        let count = ty.get_size();
        let both =
            self.builder.build_shuffle_vector(low, high, self.lane_indices(0..count * 2), "")?;
        let both_ty = both.get_type();
        let narrow_bits = ty.get_element_type().into_int_type().get_bit_width() / 2;
        let (min, max) = if signed {
            (-(1i64 << (narrow_bits - 1)), (1i64 << (narrow_bits - 1)) - 1)
        } else {
            (0, (1i64 << narrow_bits) - 1)
        };
        let min = self.constant_splat(both_ty, min);
        let max = self.constant_splat(both_ty, max);
        let raised =
            self.call_intrinsic("llvm.smax", &[both_ty.into()], &[both.into(), min.into()])?;
        let clamped =
            self.call_intrinsic("llvm.smin", &[both_ty.into()], &[raised.into(), max.into()])?;
        let narrow_ty = self.env.types.int_of_bits(narrow_bits).vec_type(count * 2);
        let result = self.builder.build_int_truncate(clamped.into_vector_value(), narrow_ty, "")?;
        self.push_vector(result)
    }

    fn extend(&mut self, narrow: Shape, high: bool, signed: bool) -> Result<()> {
        let value = self.pop_vector(narrow)?;
        let result = self.extend_half(value, high, signed)?;
        self.push_vector(result)
    }

    /// Multiplies the extended low or high halves; the product always fits the wide lane.
    fn extend_multiply(&mut self, narrow: Shape, high: bool, signed: bool) -> Result<()> {
        let rhs = self.pop_vector(narrow)?;
        let lhs = self.pop_vector(narrow)?;
        let lhs = self.extend_half(lhs, high, signed)?;
        let rhs = self.extend_half(rhs, high, signed)?;
        let result = self.builder.build_int_mul(lhs, rhs, "")?;
        self.push_vector(result)
    }

    /// Sums each even lane with the odd lane after it, in lanes twice as wide.
    fn extend_add_pairwise(&mut self, narrow: Shape, signed: bool) -> Result<()> {
        let value = self.pop_vector(narrow)?;
        let half = value.get_type().get_size() / 2;
        let evens = self.pick_lanes(value, 0, 2, half)?;
        let odds = self.pick_lanes(value, 1, 2, half)?;
        let wide = self.widened_type(evens.get_type(), 2);
        let evens = self.extend_to(evens, wide, signed)?;
        let odds = self.extend_to(odds, wide, signed)?;
        let result = self.builder.build_int_add(evens, odds, "")?;
        self.push_vector(result)
    }

    /// `i32x4.dot_i16x8_s`: signed products of i16 lanes, summed in adjacent pairs (wrapping).
    fn dot(&mut self) -> Result<()> {
        let rhs = self.pop_vector(Shape::I16x8)?;
        let lhs = self.pop_vector(Shape::I16x8)?;
        let result = self.signed_pairwise_dot(lhs, rhs)?;
        self.push_vector(result)
    }
}
