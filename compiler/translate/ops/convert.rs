//! Conversions between value types. `fptosi`/`fptoui` give poison out of range, so trapping
//! truncations range-check first, and saturating ones use the `fpto*i.sat` intrinsics, whose
//! semantics (NaN to 0, clamping) are Wasm's.

use super::super::func::FuncTranslator;
use super::super::Result;
use super::Width;
use crate::abi::TrapCode;
use inkwell::types::{BasicTypeEnum, FloatType, IntType};
use inkwell::FloatPredicate;

#[derive(Clone, Copy)]
pub struct FloatToInt {
    pub to: Width,
    pub signed: bool,
    pub saturating: bool,
}

#[derive(Clone, Copy)]
pub struct IntToFloat {
    pub to: Width,
    pub signed: bool,
}

impl<'e, 'ctx, 'a> FuncTranslator<'e, 'ctx, 'a> {
    fn int_type(&self, width: Width) -> IntType<'ctx> {
        match width {
            Width::W32 => self.env.types.i32,
            Width::W64 => self.env.types.i64,
        }
    }

    fn float_type(&self, width: Width) -> FloatType<'ctx> {
        match width {
            Width::W32 => self.env.types.f32,
            Width::W64 => self.env.types.f64,
        }
    }

    pub fn float_to_int(&mut self, conv: FloatToInt) -> Result<()> {
        let x = self.pop_float()?;
        let int_ty = self.int_type(conv.to);
        if conv.saturating {
            let name = if conv.signed { "llvm.fptosi.sat" } else { "llvm.fptoui.sat" };
            let result =
                self.call_intrinsic(name, &[int_ty.into(), x.get_type().into()], &[x.into()])?;
            self.push(result);
            return Ok(());
        }
        let is_nan = self.builder.build_float_compare(FloatPredicate::UNO, x, x, "")?;
        self.trap_if(is_nan, TrapCode::InvalidConversion)?;
        let is_f32 = x.get_type() == self.env.types.f32;
        let (lower, lower_inclusive, upper) = truncation_bounds(conv.to, conv.signed, is_f32);
        let float_ty = x.get_type();
        let lower_pred = if lower_inclusive { FloatPredicate::OGE } else { FloatPredicate::OGT };
        let above =
            self.builder.build_float_compare(lower_pred, x, float_ty.const_float(lower), "")?;
        let below = self.builder.build_float_compare(
            FloatPredicate::OLT,
            x,
            float_ty.const_float(upper),
            "",
        )?;
        let in_range = self.builder.build_and(above, below, "")?;
        let out_of_range = self.builder.build_not(in_range, "")?;
        self.trap_if(out_of_range, TrapCode::IntegerOverflow)?;
        let result = if conv.signed {
            self.builder.build_float_to_signed_int(x, int_ty, "")?
        } else {
            self.builder.build_float_to_unsigned_int(x, int_ty, "")?
        };
        self.push(result);
        Ok(())
    }

    pub fn int_to_float(&mut self, conv: IntToFloat) -> Result<()> {
        let x = self.pop_int()?;
        let float_ty = self.float_type(conv.to);
        let result = if conv.signed {
            self.builder.build_signed_int_to_float(x, float_ty, "")?
        } else {
            self.builder.build_unsigned_int_to_float(x, float_ty, "")?
        };
        self.push(result);
        Ok(())
    }

    pub fn translate_wrap(&mut self) -> Result<()> {
        let x = self.pop_int()?;
        let result = self.builder.build_int_truncate(x, self.env.types.i32, "")?;
        self.push(result);
        Ok(())
    }

    pub fn translate_extend_i32(&mut self, signed: bool) -> Result<()> {
        let x = self.pop_int()?;
        let result = if signed {
            self.builder.build_int_s_extend(x, self.env.types.i64, "")?
        } else {
            self.builder.build_int_z_extend(x, self.env.types.i64, "")?
        };
        self.push(result);
        Ok(())
    }

    pub fn translate_demote(&mut self) -> Result<()> {
        let x = self.pop_float()?;
        // LLVM folds `demote(promote x)` to `x`, which would keep a signalling NaN unquieted.
        let result = self.builder.build_float_trunc(x, self.env.types.f32, "")?;
        let result = self.quiet_nan(result.into())?;
        self.push(result);
        Ok(())
    }

    pub fn translate_promote(&mut self) -> Result<()> {
        let x = self.pop_float()?;
        let result = self.builder.build_float_ext(x, self.env.types.f64, "")?;
        self.push(result);
        Ok(())
    }

    pub fn reinterpret(&mut self, to: BasicTypeEnum<'ctx>) -> Result<()> {
        let x = self.pop()?;
        let result = self.builder.build_bit_cast(x, to, "")?;
        self.push(result);
        Ok(())
    }
}

/// The open interval of floats whose truncation fits the integer type: `(lower, upper)`, or
/// `[lower, upper)` when `lower - 1` is not representable in the float type (then `lower`
/// itself is the smallest float that fits).
fn truncation_bounds(to: Width, signed: bool, from_f32: bool) -> (f64, bool, f64) {
    let bits = match to {
        Width::W32 => 32,
        Width::W64 => 64,
    };
    if !signed {
        return (-1.0, false, 2f64.powi(bits));
    }
    let min = -(2f64.powi(bits - 1));
    let upper = 2f64.powi(bits - 1);
    let min_minus_one_exact = bits == 32 && !from_f32;
    if min_minus_one_exact {
        (min - 1.0, false, upper)
    } else {
        (min, true, upper)
    }
}
