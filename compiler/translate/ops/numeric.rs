//! Integer and float arithmetic and comparisons, with Wasm's exact semantics where LLVM's
//! instructions are undefined or differ: trapping division, masked shift counts, `min`/`max`
//! with NaN and signed zeros, round-half-even `nearest`.

use super::super::func::FuncTranslator;
use super::super::Result;
use crate::abi::TrapCode;
use inkwell::types::BasicTypeEnum;
use inkwell::values::{BasicValue, BasicValueEnum, FloatValue, InstructionOpcode, IntValue};
use inkwell::{FloatPredicate, IntPredicate};

#[derive(Clone, Copy)]
pub enum IntUnary {
    Eqz,
    Clz,
    Ctz,
    Popcnt,
    /// Sign-extend from the low N bits.
    ExtendS(u32),
}

#[derive(Clone, Copy)]
pub enum IntBinary {
    Add,
    Sub,
    Mul,
    DivS,
    DivU,
    RemS,
    RemU,
    And,
    Or,
    Xor,
    Shl,
    ShrS,
    ShrU,
    Rotl,
    Rotr,
}

#[derive(Clone, Copy)]
pub enum FloatUnary {
    Abs,
    Neg,
    Sqrt,
    Ceil,
    Floor,
    Trunc,
    Nearest,
}

#[derive(Clone, Copy)]
pub enum FloatBinary {
    Add,
    Sub,
    Mul,
    Div,
    Min,
    Max,
    Copysign,
}

impl<'e, 'ctx, 'a> FuncTranslator<'e, 'ctx, 'a> {
    pub fn push_f32_bits(&mut self, bits: u32) -> Result<()> {
        let int = self.env.types.i32.const_int(bits as u64, false);
        let value = self.builder.build_bit_cast(int, self.env.types.f32, "")?;
        self.push(value);
        Ok(())
    }

    pub fn push_f64_bits(&mut self, bits: u64) -> Result<()> {
        let int = self.env.types.i64.const_int(bits, false);
        let value = self.builder.build_bit_cast(int, self.env.types.f64, "")?;
        self.push(value);
        Ok(())
    }

    /// For `eqz` of a comparison's widened result (`i32.eqz (i64.eqz x)`, the way a loop over a
    /// 64-bit counter tests it), the opposite comparison: loop analyses that run before
    /// InstCombine (`codegen`) read an exit condition only as a comparison of the counter.
    fn negated_comparison(&self, value: IntValue<'ctx>) -> Result<Option<IntValue<'ctx>>> {
        let Some(widened) =
            value.as_instruction().filter(|i| i.get_opcode() == InstructionOpcode::ZExt)
        else {
            return Ok(None);
        };
        let Some(compare) = widened
            .get_operand(0)
            .and_then(|o| o.value())
            .and_then(|v| v.as_instruction_value())
            .filter(|i| i.get_opcode() == InstructionOpcode::ICmp)
        else {
            return Ok(None);
        };
        let (Some(predicate), Some(lhs), Some(rhs)) = (
            compare.get_icmp_predicate(),
            compare.get_operand(0).and_then(|o| o.value()),
            compare.get_operand(1).and_then(|o| o.value()),
        ) else {
            return Ok(None);
        };
        let opposite = match predicate {
            IntPredicate::EQ => IntPredicate::NE,
            IntPredicate::NE => IntPredicate::EQ,
            IntPredicate::SLT => IntPredicate::SGE,
            IntPredicate::SGE => IntPredicate::SLT,
            IntPredicate::SGT => IntPredicate::SLE,
            IntPredicate::SLE => IntPredicate::SGT,
            IntPredicate::ULT => IntPredicate::UGE,
            IntPredicate::UGE => IntPredicate::ULT,
            IntPredicate::UGT => IntPredicate::ULE,
            IntPredicate::ULE => IntPredicate::UGT,
        };
        // Integers only: `ref.is_null` compares pointers.
        let (BasicValueEnum::IntValue(lhs), BasicValueEnum::IntValue(rhs)) = (lhs, rhs) else {
            return Ok(None);
        };
        Ok(Some(self.builder.build_int_compare(opposite, lhs, rhs, "")?))
    }

    fn bool_to_i32(&self, value: IntValue<'ctx>) -> Result<IntValue<'ctx>> {
        Ok(self.builder.build_int_z_extend(value, self.env.types.i32, "")?)
    }

    pub fn int_unary(&mut self, op: IntUnary) -> Result<()> {
        let x = self.pop_int()?;
        let ty = x.get_type();
        let no_poison = self.env.types.context.bool_type().const_zero();
        let result: IntValue = match op {
            IntUnary::Eqz => match self.negated_comparison(x)? {
                Some(negated) => self.bool_to_i32(negated)?,
                None => {
                    let is_zero =
                        self.builder.build_int_compare(IntPredicate::EQ, x, ty.const_zero(), "")?;
                    self.bool_to_i32(is_zero)?
                }
            },
            // Zero input is defined (the width) when the flag is false.
            IntUnary::Clz => self
                .call_intrinsic("llvm.ctlz", &[ty.into()], &[x.into(), no_poison.into()])?
                .into_int_value(),
            IntUnary::Ctz => self
                .call_intrinsic("llvm.cttz", &[ty.into()], &[x.into(), no_poison.into()])?
                .into_int_value(),
            IntUnary::Popcnt => {
                self.call_intrinsic("llvm.ctpop", &[ty.into()], &[x.into()])?.into_int_value()
            }
            IntUnary::ExtendS(bits) => {
                let narrow = self.env.types.int_of_bits(bits);
                let low = self.builder.build_int_truncate(x, narrow, "")?;
                self.builder.build_int_s_extend(low, ty, "")?
            }
        };
        self.push(result);
        Ok(())
    }

    pub fn int_binary(&mut self, op: IntBinary) -> Result<()> {
        let rhs = self.pop_int()?;
        let lhs = self.pop_int()?;
        let ty = lhs.get_type();
        let b = &self.builder;
        let result = match op {
            IntBinary::Add => b.build_int_add(lhs, rhs, "")?,
            IntBinary::Sub => b.build_int_sub(lhs, rhs, "")?,
            IntBinary::Mul => b.build_int_mul(lhs, rhs, "")?,
            IntBinary::And => b.build_and(lhs, rhs, "")?,
            IntBinary::Or => b.build_or(lhs, rhs, "")?,
            IntBinary::Xor => b.build_xor(lhs, rhs, "")?,
            IntBinary::Shl => {
                let count = self.shift_count(rhs)?;
                self.builder.build_left_shift(lhs, count, "")?
            }
            IntBinary::ShrS => {
                let count = self.shift_count(rhs)?;
                self.builder.build_right_shift(lhs, count, true, "")?
            }
            IntBinary::ShrU => {
                let count = self.shift_count(rhs)?;
                self.builder.build_right_shift(lhs, count, false, "")?
            }
            // Funnel shifts take the count modulo the width, as Wasm rotations do.
            IntBinary::Rotl => self
                .call_intrinsic("llvm.fshl", &[ty.into()], &[lhs.into(), lhs.into(), rhs.into()])?
                .into_int_value(),
            IntBinary::Rotr => self
                .call_intrinsic("llvm.fshr", &[ty.into()], &[lhs.into(), lhs.into(), rhs.into()])?
                .into_int_value(),
            IntBinary::DivU | IntBinary::RemU => {
                self.trap_if_zero(rhs)?;
                if matches!(op, IntBinary::DivU) {
                    self.builder.build_int_unsigned_div(lhs, rhs, "")?
                } else {
                    self.builder.build_int_unsigned_rem(lhs, rhs, "")?
                }
            }
            IntBinary::DivS => {
                self.trap_if_zero(rhs)?;
                let overflow = self.is_min_by_minus_one(lhs, rhs)?;
                self.trap_if(overflow, TrapCode::IntegerOverflow)?;
                self.builder.build_int_signed_div(lhs, rhs, "")?
            }
            IntBinary::RemS => {
                // `srem INT_MIN, -1` is undefined in LLVM but 0 in Wasm: divide by 1 instead,
                // whose remainder is the same 0.
                self.trap_if_zero(rhs)?;
                let minus_one = ty.const_all_ones();
                let is_minus_one =
                    self.builder.build_int_compare(IntPredicate::EQ, rhs, minus_one, "")?;
                let divisor =
                    self.builder.build_select(is_minus_one, ty.const_int(1, false), rhs, "")?;
                self.builder.build_int_signed_rem(lhs, divisor.into_int_value(), "")?
            }
        };
        self.push(result);
        Ok(())
    }

    /// Shift counts are taken modulo the width (LLVM gives poison for counts >= width).
    fn shift_count(&self, count: IntValue<'ctx>) -> Result<IntValue<'ctx>> {
        let ty = count.get_type();
        let mask = ty.const_int(ty.get_bit_width() as u64 - 1, false);
        Ok(self.builder.build_and(count, mask, "")?)
    }

    fn trap_if_zero(&mut self, divisor: IntValue<'ctx>) -> Result<()> {
        let zero = divisor.get_type().const_zero();
        let is_zero = self.builder.build_int_compare(IntPredicate::EQ, divisor, zero, "")?;
        self.trap_if(is_zero, TrapCode::IntegerDivideByZero)?;
        Ok(())
    }

    fn is_min_by_minus_one(
        &self,
        lhs: IntValue<'ctx>,
        rhs: IntValue<'ctx>,
    ) -> Result<IntValue<'ctx>> {
        let ty = lhs.get_type();
        let min = ty.const_int(1u64 << (ty.get_bit_width() - 1), false);
        let lhs_is_min = self.builder.build_int_compare(IntPredicate::EQ, lhs, min, "")?;
        let rhs_is_minus_one =
            self.builder.build_int_compare(IntPredicate::EQ, rhs, ty.const_all_ones(), "")?;
        Ok(self.builder.build_and(lhs_is_min, rhs_is_minus_one, "")?)
    }

    pub fn int_compare(&mut self, predicate: IntPredicate) -> Result<()> {
        let rhs = self.pop_int()?;
        let lhs = self.pop_int()?;
        let result = self.builder.build_int_compare(predicate, lhs, rhs, "")?;
        let result = self.bool_to_i32(result)?;
        self.push(result);
        Ok(())
    }

    pub fn float_unary(&mut self, op: FloatUnary) -> Result<()> {
        let x = self.pop_float()?;
        let ty: BasicTypeEnum = x.get_type().into();
        let intrinsic = match op {
            FloatUnary::Neg => {
                let negated = self.builder.build_float_neg(x, "")?;
                self.push(negated);
                return Ok(());
            }
            FloatUnary::Abs => "llvm.fabs",
            FloatUnary::Sqrt => "llvm.sqrt",
            FloatUnary::Ceil => "llvm.ceil",
            FloatUnary::Floor => "llvm.floor",
            FloatUnary::Trunc => "llvm.trunc",
            FloatUnary::Nearest => "llvm.roundeven",
        };
        let result = self.call_intrinsic(intrinsic, &[ty], &[x.into()])?;
        self.push(result);
        Ok(())
    }

    pub fn float_binary(&mut self, op: FloatBinary) -> Result<()> {
        let rhs = self.pop_float()?;
        let lhs = self.pop_float()?;
        let ty: BasicTypeEnum = lhs.get_type().into();
        // LLVM folds `x - 0`, `x * 1`, `x / -1`, `-0 - x`... into `x` or `-x`, and an operation
        // on a NaN constant into that constant, which would leave a signalling NaN unquieted where
        // Wasm requires an arithmetic (quiet) NaN. Other constants (`x * 0.25`) fold to nothing,
        // so the hardware's quieting stands and the result needs no fix-up.
        let foldable = folds_to_operand(lhs) || folds_to_operand(rhs);
        let b = &self.builder;
        let result: BasicValueEnum = match op {
            FloatBinary::Add => b.build_float_add(lhs, rhs, "")?.into(),
            FloatBinary::Sub => b.build_float_sub(lhs, rhs, "")?.into(),
            FloatBinary::Mul => b.build_float_mul(lhs, rhs, "")?.into(),
            FloatBinary::Div => b.build_float_div(lhs, rhs, "")?.into(),
            // llvm.minimum/maximum propagate NaN and order -0 below +0, as Wasm requires;
            // llvm.minnum/maxnum would not.
            // They also return a signalling NaN operand as it is: quieted below.
            FloatBinary::Min => {
                self.call_intrinsic("llvm.minimum", &[ty], &[lhs.into(), rhs.into()])?
            }
            FloatBinary::Max => {
                self.call_intrinsic("llvm.maximum", &[ty], &[lhs.into(), rhs.into()])?
            }
            FloatBinary::Copysign => {
                let result =
                    self.call_intrinsic("llvm.copysign", &[ty], &[lhs.into(), rhs.into()])?;
                self.push(result);
                return Ok(());
            }
        };
        let result = match op {
            FloatBinary::Min | FloatBinary::Max => self.quiet_nan(result)?,
            _ if foldable => self.quiet_nan(result)?,
            _ => result,
        };
        self.push(result);
        Ok(())
    }

    /// Sets the quiet bit of a NaN (of a float, or of each lane of a float vector) and leaves
    /// other values alone: integer operations LLVM cannot fold away, unlike arithmetic (and its
    /// `llvm.canonicalize` does not lower on x86).
    pub fn quiet_nan(&self, x: BasicValueEnum<'ctx>) -> Result<BasicValueEnum<'ctx>> {
        let types = &self.env.types;
        let (element, lanes) = match x.get_type() {
            BasicTypeEnum::VectorType(v) => {
                (v.get_element_type().into_float_type(), Some(v.get_size()))
            }
            other => (other.into_float_type(), None),
        };
        let (int_ty, quiet_bit) =
            if element == types.f32 { (types.i32, 1u64 << 22) } else { (types.i64, 1u64 << 51) };
        let bit = int_ty.const_int(quiet_bit, false);
        let b = &self.builder;
        let quieted: BasicValueEnum = match (x, lanes) {
            (_, None) => {
                let bits = b.build_bit_cast(x, int_ty, "")?.into_int_value();
                b.build_or(bits, bit, "")?.into()
            }
            (_, Some(n)) => {
                let bits = b.build_bit_cast(x, int_ty.vec_type(n), "")?.into_vector_value();
                let quiet = inkwell::types::VectorType::const_vector(&vec![bit; n as usize]);
                b.build_or(bits, quiet, "")?.into()
            }
        };
        let quieted = b.build_bit_cast(quieted, x.get_type(), "")?;
        Ok(match x {
            BasicValueEnum::VectorValue(v) => {
                let is_nan = b.build_float_compare(FloatPredicate::UNO, v, v, "")?;
                b.build_select(is_nan, quieted, x, "")?
            }
            _ => {
                let f = x.into_float_value();
                let is_nan = b.build_float_compare(FloatPredicate::UNO, f, f, "")?;
                b.build_select(is_nan, quieted, x, "")?
            }
        })
    }

    pub fn float_compare(&mut self, predicate: FloatPredicate) -> Result<()> {
        let rhs = self.pop_float()?;
        let lhs = self.pop_float()?;
        let result = self.builder.build_float_compare(predicate, lhs, rhs, "")?;
        let result = self.bool_to_i32(result)?;
        self.push(result);
        Ok(())
    }
}

/// Whether `value` is a constant that lets LLVM fold an arithmetic operation on it to the other
/// operand, its negation or a constant NaN: a zero, a one or a NaN.
fn folds_to_operand(value: FloatValue<'_>) -> bool {
    use inkwell::values::AsValueRef;
    if !value.is_const() {
        return false;
    }
    // SAFETY: the call only asks which kind of value this is.
    let is_plain_constant =
        unsafe { !inkwell::llvm_sys::core::LLVMIsAConstantFP(value.as_value_ref()).is_null() };
    // A constant in another form (an expression, poison) is not read, since LLVM would read it
    // as a ConstantFP all the same (a fuzzed lane of a constant vector crashed it): assume it
    // folds.
    if !is_plain_constant {
        return true;
    }
    let Some((constant, _)) = value.get_constant() else { return true };
    constant == 0.0 || constant.abs() == 1.0 || constant.is_nan()
}
