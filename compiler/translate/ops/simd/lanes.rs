//! Building and taking apart integer vectors: constants, splats, lane extraction and
//! replacement, shuffles and swizzles.

use super::super::super::func::FuncTranslator;
use super::super::super::Result;
use super::Shape;
use inkwell::types::VectorType;
use inkwell::values::{BasicValueEnum, IntValue, VectorValue};
use inkwell::IntPredicate;
use wasmparser::Operator;

/// Translates `op` when it builds or takes apart an integer vector; false otherwise.
pub fn translate<'a>(t: &mut FuncTranslator<'_, '_, 'a>, op: &Operator<'a>) -> Result<bool> {
    use Operator::*;
    match op {
        V128Const { value } => {
            let bits = value.i128() as u128;
            let i64_ty = t.env.types.i64;
            let low = i64_ty.const_int(bits as u64, false);
            let high = i64_ty.const_int((bits >> 64) as u64, false);
            t.push(VectorType::const_vector(&[low, high]));
        }
        I8x16Splat => t.splat_operand(Shape::I8x16)?,
        I16x8Splat => t.splat_operand(Shape::I16x8)?,
        I32x4Splat => t.splat_operand(Shape::I32x4)?,
        I64x2Splat => t.splat_operand(Shape::I64x2)?,
        I8x16ExtractLaneS { lane } => t.extract_lane(Shape::I8x16, *lane, Some(true))?,
        I8x16ExtractLaneU { lane } => t.extract_lane(Shape::I8x16, *lane, Some(false))?,
        I16x8ExtractLaneS { lane } => t.extract_lane(Shape::I16x8, *lane, Some(true))?,
        I16x8ExtractLaneU { lane } => t.extract_lane(Shape::I16x8, *lane, Some(false))?,
        I32x4ExtractLane { lane } => t.extract_lane(Shape::I32x4, *lane, None)?,
        I64x2ExtractLane { lane } => t.extract_lane(Shape::I64x2, *lane, None)?,
        I8x16ReplaceLane { lane } => t.replace_lane(Shape::I8x16, *lane)?,
        I16x8ReplaceLane { lane } => t.replace_lane(Shape::I16x8, *lane)?,
        I32x4ReplaceLane { lane } => t.replace_lane(Shape::I32x4, *lane)?,
        I64x2ReplaceLane { lane } => t.replace_lane(Shape::I64x2, *lane)?,
        I8x16Shuffle { lanes } => {
            let right = t.pop_vector(Shape::I8x16)?;
            let left = t.pop_vector(Shape::I8x16)?;
            let mask = t.lane_indices(lanes.iter().map(|&lane| lane as u32));
            let shuffled = t.builder.build_shuffle_vector(left, right, mask, "")?;
            t.push_vector(shuffled)?;
        }
        I8x16Swizzle => t.swizzle()?,
        _ => return Ok(false),
    }
    Ok(true)
}

impl<'e, 'ctx, 'a> FuncTranslator<'e, 'ctx, 'a> {
    /// A constant `<N x i32>` of lane indices, the mask form `shufflevector` takes.
    pub fn lane_indices(&self, indices: impl Iterator<Item = u32>) -> VectorValue<'ctx> {
        let i32_ty = self.env.types.i32;
        let values: Vec<IntValue<'ctx>> =
            indices.map(|i| i32_ty.const_int(i as u64, false)).collect();
        VectorType::const_vector(&values)
    }

    /// A vector of `shape` with `scalar` (already of the lane type) in every lane.
    pub fn splat(&self, scalar: BasicValueEnum<'ctx>, shape: Shape) -> Result<VectorValue<'ctx>> {
        let vector_ty = self.vector_type(shape);
        let zero = self.env.types.i32.const_zero();
        let single = self.builder.build_insert_element(vector_ty.get_poison(), scalar, zero, "")?;
        let mask = self.lane_indices(std::iter::repeat_n(0, vector_ty.get_size() as usize));
        Ok(self.builder.build_shuffle_vector(single, vector_ty.get_poison(), mask, "")?)
    }

    /// Pops an integer scalar, narrows it to the lane width and splats it.
    fn splat_operand(&mut self, shape: Shape) -> Result<()> {
        let scalar = self.pop_int()?;
        let lane_ty = self.vector_type(shape).get_element_type().into_int_type();
        let scalar = self.builder.build_int_truncate_or_bit_cast(scalar, lane_ty, "")?;
        let vector = self.splat(scalar.into(), shape)?;
        self.push_vector(vector)
    }

    /// Pushes one lane; `signed` says how an i8/i16 lane widens to i32 (None for full-width lanes).
    fn extract_lane(&mut self, shape: Shape, lane: u8, signed: Option<bool>) -> Result<()> {
        let vector = self.pop_vector(shape)?;
        let index = self.env.types.i32.const_int(lane as u64, false);
        let scalar = self.builder.build_extract_element(vector, index, "")?.into_int_value();
        let i32_ty = self.env.types.i32;
        let scalar = match signed {
            Some(true) => self.builder.build_int_s_extend(scalar, i32_ty, "")?,
            Some(false) => self.builder.build_int_z_extend(scalar, i32_ty, "")?,
            None => scalar,
        };
        self.push(scalar);
        Ok(())
    }

    fn replace_lane(&mut self, shape: Shape, lane: u8) -> Result<()> {
        let scalar = self.pop_int()?;
        let vector = self.pop_vector(shape)?;
        let lane_ty = vector.get_type().get_element_type().into_int_type();
        let scalar = self.builder.build_int_truncate_or_bit_cast(scalar, lane_ty, "")?;
        let index = self.env.types.i32.const_int(lane as u64, false);
        let vector = self.builder.build_insert_element(vector, scalar, index, "")?;
        self.push_vector(vector)
    }

    /// `i8x16.swizzle`: lane i takes `a[s[i]]`, or 0 when `s[i]` is 16 or more. Lanes are
    /// picked one by one (with the index masked so the pick is always defined) and the
    /// out-of-range ones zeroed by a select.
    fn swizzle(&mut self) -> Result<()> {
        let selectors = self.pop_vector(Shape::I8x16)?;
        let source = self.pop_vector(Shape::I8x16)?;
        let i8_ty = self.env.types.i8;
        let i32_ty = self.env.types.i32;
        // Lanes whose selector is 16 or more pick poison here and are zeroed by the select below
        // (poison in the arm a select does not take is harmless). Indexing by the raw selector
        // is the pattern the x86 backend turns into one `pshufb`.
        let mut picked = self.vector_type(Shape::I8x16).get_poison();
        for lane in 0..16 {
            let position = i32_ty.const_int(lane, false);
            let selector =
                self.builder.build_extract_element(selectors, position, "")?.into_int_value();
            let byte = self.builder.build_extract_element(source, selector, "")?;
            picked = self.builder.build_insert_element(picked, byte, position, "")?;
        }
        let sixteen = self.splat(i8_ty.const_int(16, false).into(), Shape::I8x16)?;
        let in_range = self.builder.build_int_compare(IntPredicate::ULT, selectors, sixteen, "")?;
        let zero = self.vector_type(Shape::I8x16).const_zero();
        let result = self.builder.build_select(in_range, picked, zero, "")?;
        self.push_vector(result)
    }
}
