//! 128-bit SIMD. A v128 travels as `<2 x i64>` and each operator bitcasts it to the lane shape it
//! works on (`<16 x i8>`, `<8 x i16>`, `<4 x i32>`, `<2 x i64>`, `<4 x float>`, `<2 x double>`),
//! so LLVM selects the host's vector instructions. Handlers are split by lane kind; the relaxed
//! operators, which choose between the target's instructions and the standard operators, have
//! their own file.

mod float;
mod integer;
mod lanes;
mod memory;
mod relaxed;

use super::super::func::FuncTranslator;
use super::super::Result;
use inkwell::types::VectorType;
use inkwell::values::{BasicValueEnum, VectorValue};
use wasmparser::Operator;

/// Lane shapes of a v128.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    I8x16,
    I16x8,
    I32x4,
    I64x2,
    F32x4,
    F64x2,
}

/// Translates a SIMD operator; false when it is not one this module handles.
pub fn translate<'a>(t: &mut FuncTranslator<'_, '_, 'a>, op: &Operator<'a>) -> Result<bool> {
    Ok(memory::translate(t, op)?
        || lanes::translate(t, op)?
        || integer::translate(t, op)?
        || float::translate(t, op)?
        || relaxed::translate(t, op)?)
}

impl<'e, 'ctx, 'a> FuncTranslator<'e, 'ctx, 'a> {
    pub fn vector_type(&self, shape: Shape) -> VectorType<'ctx> {
        let types = &self.env.types;
        match shape {
            Shape::I8x16 => types.i8.vec_type(16),
            Shape::I16x8 => types.int_of_bits(16).vec_type(8),
            Shape::I32x4 => types.i32.vec_type(4),
            Shape::I64x2 => types.i64.vec_type(2),
            Shape::F32x4 => types.f32.vec_type(4),
            Shape::F64x2 => types.f64.vec_type(2),
        }
    }

    /// Pops a v128 and views it as `shape`.
    pub fn pop_vector(&mut self, shape: Shape) -> Result<VectorValue<'ctx>> {
        let value = self.pop()?;
        let ty = self.vector_type(shape);
        Ok(self.builder.build_bit_cast(value, ty, "")?.into_vector_value())
    }

    /// Pushes a vector of any shape as a v128.
    pub fn push_vector(&mut self, value: impl Into<BasicValueEnum<'ctx>>) -> Result<()> {
        let v128 = self.builder.build_bit_cast(value.into(), self.env.types.v128, "")?;
        self.push(v128);
        Ok(())
    }
}
