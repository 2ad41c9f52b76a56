//! SIMD memory access: whole-vector, widening, splatting, zero-filling and single-lane loads
//! and stores. Every access goes through `checked_address`, so it traps out of bounds like a
//! scalar one.

use super::super::super::func::FuncTranslator;
use super::super::super::Result;
use super::super::memory::LinearAddress;
use super::Shape;
use inkwell::types::BasicTypeEnum;
use inkwell::values::BasicValueEnum;
use wasmparser::{MemArg, Operator};

/// Translates `op` when it is a SIMD memory access; false otherwise.
pub fn translate<'a>(t: &mut FuncTranslator<'_, '_, 'a>, op: &Operator<'a>) -> Result<bool> {
    use Operator::*;
    match op {
        V128Load { memarg } => {
            let (value, address) = t.load_unaligned(memarg, t.env.types.v128.into(), 16)?;
            t.anchor_load(address, value)?;
            t.push(value);
        }
        V128Store { memarg } => {
            let value = t.pop()?;
            t.store_unaligned(memarg, value, 16)?;
        }
        V128Load8x8S { memarg } => t.load_widening(memarg, Shape::I8x16, Shape::I16x8, true)?,
        V128Load8x8U { memarg } => t.load_widening(memarg, Shape::I8x16, Shape::I16x8, false)?,
        V128Load16x4S { memarg } => t.load_widening(memarg, Shape::I16x8, Shape::I32x4, true)?,
        V128Load16x4U { memarg } => t.load_widening(memarg, Shape::I16x8, Shape::I32x4, false)?,
        V128Load32x2S { memarg } => t.load_widening(memarg, Shape::I32x4, Shape::I64x2, true)?,
        V128Load32x2U { memarg } => t.load_widening(memarg, Shape::I32x4, Shape::I64x2, false)?,
        V128Load8Splat { memarg } => t.load_splat(memarg, Shape::I8x16)?,
        V128Load16Splat { memarg } => t.load_splat(memarg, Shape::I16x8)?,
        V128Load32Splat { memarg } => t.load_splat(memarg, Shape::I32x4)?,
        V128Load64Splat { memarg } => t.load_splat(memarg, Shape::I64x2)?,
        V128Load32Zero { memarg } => t.load_zero(memarg, Shape::I32x4)?,
        V128Load64Zero { memarg } => t.load_zero(memarg, Shape::I64x2)?,
        V128Load8Lane { memarg, lane } => t.load_lane(memarg, Shape::I8x16, *lane)?,
        V128Load16Lane { memarg, lane } => t.load_lane(memarg, Shape::I16x8, *lane)?,
        V128Load32Lane { memarg, lane } => t.load_lane(memarg, Shape::I32x4, *lane)?,
        V128Load64Lane { memarg, lane } => t.load_lane(memarg, Shape::I64x2, *lane)?,
        V128Store8Lane { memarg, lane } => t.store_lane(memarg, Shape::I8x16, *lane)?,
        V128Store16Lane { memarg, lane } => t.store_lane(memarg, Shape::I16x8, *lane)?,
        V128Store32Lane { memarg, lane } => t.store_lane(memarg, Shape::I32x4, *lane)?,
        V128Store64Lane { memarg, lane } => t.store_lane(memarg, Shape::I64x2, *lane)?,
        _ => return Ok(false),
    }
    Ok(true)
}

impl<'e, 'ctx, 'a> FuncTranslator<'e, 'ctx, 'a> {
    /// Pops an address and loads `bytes` bytes of `ty` from it; Wasm alignment is only a hint.
    /// Returns the value and where it came from, for the caller to anchor its vector.
    fn load_unaligned(
        &mut self,
        memarg: &MemArg,
        ty: BasicTypeEnum<'ctx>,
        bytes: u32,
    ) -> Result<(BasicValueEnum<'ctx>, LinearAddress<'ctx>)> {
        let address = self.checked_address(memarg, bytes)?;
        Ok((self.load_memory(ty, address)?, address))
    }

    /// Pops an address and stores `value` (`bytes` bytes) there.
    fn store_unaligned(
        &mut self,
        memarg: &MemArg,
        value: BasicValueEnum<'ctx>,
        bytes: u32,
    ) -> Result<()> {
        let address = self.checked_address(memarg, bytes)?;
        self.store_memory(address, value)
    }

    /// Loads half a vector of `narrow` lanes and extends each to the `wide` shape.
    fn load_widening(
        &mut self,
        memarg: &MemArg,
        narrow: Shape,
        wide: Shape,
        signed: bool,
    ) -> Result<()> {
        let wide_ty = self.vector_type(wide);
        let half_ty = self
            .vector_type(narrow)
            .get_element_type()
            .into_int_type()
            .vec_type(wide_ty.get_size());
        let (half, address) = self.load_unaligned(memarg, half_ty.into(), 8)?;
        let half = half.into_vector_value();
        let extended = if signed {
            self.builder.build_int_s_extend(half, wide_ty, "")?
        } else {
            self.builder.build_int_z_extend(half, wide_ty, "")?
        };
        self.anchor_load(address, extended.into())?;
        self.push_vector(extended)
    }

    fn load_splat(&mut self, memarg: &MemArg, shape: Shape) -> Result<()> {
        let lane_ty = self.vector_type(shape).get_element_type();
        let bytes = lane_ty.into_int_type().get_bit_width() / 8;
        let (scalar, address) = self.load_unaligned(memarg, lane_ty, bytes)?;
        let vector = self.splat(scalar, shape)?;
        self.anchor_load(address, vector.into())?;
        self.push_vector(vector)
    }

    /// Loads one scalar into lane 0 of an otherwise zero vector.
    fn load_zero(&mut self, memarg: &MemArg, shape: Shape) -> Result<()> {
        let vector_ty = self.vector_type(shape);
        let lane_ty = vector_ty.get_element_type();
        let bytes = lane_ty.into_int_type().get_bit_width() / 8;
        let (scalar, address) = self.load_unaligned(memarg, lane_ty, bytes)?;
        let index = self.env.types.i32.const_zero();
        let vector =
            self.builder.build_insert_element(vector_ty.const_zero(), scalar, index, "")?;
        self.anchor_load(address, vector.into())?;
        self.push_vector(vector)
    }

    /// Replaces lane `lane` of the popped vector with a scalar loaded from the popped address.
    fn load_lane(&mut self, memarg: &MemArg, shape: Shape, lane: u8) -> Result<()> {
        let vector = self.pop_vector(shape)?;
        let lane_ty = vector.get_type().get_element_type();
        let bytes = lane_ty.into_int_type().get_bit_width() / 8;
        let (scalar, address) = self.load_unaligned(memarg, lane_ty, bytes)?;
        let index = self.env.types.i32.const_int(lane as u64, false);
        let vector = self.builder.build_insert_element(vector, scalar, index, "")?;
        self.anchor_load(address, vector.into())?;
        self.push_vector(vector)
    }

    fn store_lane(&mut self, memarg: &MemArg, shape: Shape, lane: u8) -> Result<()> {
        let vector = self.pop_vector(shape)?;
        let bytes = vector.get_type().get_element_type().into_int_type().get_bit_width() / 8;
        let index = self.env.types.i32.const_int(lane as u64, false);
        let scalar = self.builder.build_extract_element(vector, index, "")?;
        self.store_unaligned(memarg, scalar, bytes)
    }
}
