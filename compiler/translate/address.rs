//! A 32-bit address recomputed in 64-bit arithmetic, so that LLVM can follow it through loops.
//!
//! Compiled C forms addresses with `i32.add`, `i32.shl` and `i32.mul`, which wrap at 2^32. LLVM
//! therefore cannot read `zext(p + i)` as `zext(p) + zext(i)`: in a loop the addresses are not
//! an affine sequence in 64 bits, so the loop can be neither split around its bounds checks nor
//! vectorised. Here the same arithmetic is redone in 64 bits on sign-extended leaves. Adds,
//! subtracts, shifts and multiplies all commute with reduction modulo 2^32, so the 64-bit sum is
//! congruent to the Wasm address; when it lies in [0, 2^32) it *is* the Wasm address. The
//! bounds check (`bounds`) tests exactly that, and takes the 32-bit address when it does not:
//! for addresses that really wrap, and for pointers above 2 GiB, whose sign extension is
//! negative. Leaves are sign-extended because loop counters often run from a negative value up
//! to zero (`p_end + i`), while pointers are below 2 GiB in all but the largest memories.

use super::func::FuncTranslator;
use super::Result;
use inkwell::values::{InstructionOpcode, IntValue};

/// A Wasm address as `variable + constant`, congruent to it modulo 2^32.
#[derive(Clone, Copy)]
pub struct WideAddress<'ctx> {
    /// The 64-bit sum of the address's non-constant parts.
    pub variable: IntValue<'ctx>,
    /// The sum of its constant parts, exact.
    pub constant: i64,
}

/// How deep and how large an expression is followed: address arithmetic is shallow, and the
/// limit keeps a long chain of adds from being copied at every access.
const MAX_DEPTH: u32 = 6;
const MAX_OPERATIONS: u32 = 12;

/// A partial result: the non-constant part (if any) and the constant part.
type Parts<'ctx> = (Option<IntValue<'ctx>>, i64);

impl<'e, 'ctx, 'a> FuncTranslator<'e, 'ctx, 'a> {
    /// The 64-bit form of `address`, an i32 value, when it is arithmetic on at least one value
    /// that is not a constant, or a local's value (a loop's pointer, `*d++ = *s++`, whose
    /// zero extension SCEV cannot follow round the loop: the sign extension it follows under a
    /// no-wrap assumption the versioning pass tests); `None` for another plain value (a load, a
    /// call's result), which no loop steps.
    pub fn widen_address(&self, address: IntValue<'ctx>) -> Result<Option<WideAddress<'ctx>>> {
        let arithmetic = self.facts.source_of(address).unwrap_or(address);
        if !is_address_arithmetic(arithmetic) {
            if self.facts.local_read(arithmetic).is_none() || arithmetic.is_const() {
                return Ok(None);
            }
            let variable = self.builder.build_int_s_extend(arithmetic, self.env.types.i64, "")?;
            return Ok(Some(WideAddress { variable, constant: 0 }));
        }
        let mut budget = MAX_OPERATIONS;
        match self.widen_parts(address, MAX_DEPTH, &mut budget)? {
            Some((Some(variable), constant)) => Ok(Some(WideAddress { variable, constant })),
            _ => Ok(None),
        }
    }

    /// `value` split into 64-bit parts; `None` when a constant part would leave the range in
    /// which it stays exact.
    fn widen_parts(
        &self,
        value: IntValue<'ctx>,
        depth: u32,
        budget: &mut u32,
    ) -> Result<Option<Parts<'ctx>>> {
        if let Some(constant) = value.get_sign_extended_constant() {
            return Ok(Some((None, constant)));
        }
        let leaf = |this: &Self| -> Result<Option<Parts<'ctx>>> {
            Ok(Some((Some(this.builder.build_int_s_extend(value, this.env.types.i64, "")?), 0)))
        };
        if let Some(set_to) = self.facts.source_of(value) {
            return self.widen_parts(set_to, depth, budget);
        }
        let Some(instruction) = value.as_instruction() else { return leaf(self) };
        if depth == 0 || *budget == 0 || !is_address_arithmetic(value) {
            return leaf(self);
        }
        *budget -= 1;
        let operand =
            |i: u32| instruction.get_operand(i).and_then(|o| o.value()).map(|v| v.into_int_value());
        let (Some(mut left), Some(mut right)) = (operand(0), operand(1)) else { return leaf(self) };
        let opcode = instruction.get_opcode();
        if opcode == InstructionOpcode::Mul && left.is_const() {
            std::mem::swap(&mut left, &mut right);
        }
        // A shift or a multiply is followed only by a constant: that keeps the sum affine.
        let scale = match opcode {
            InstructionOpcode::Shl => match right.get_zero_extended_constant() {
                Some(bits) if bits < 32 => Some(1i64 << bits),
                _ => return leaf(self),
            },
            InstructionOpcode::Mul => match right.get_sign_extended_constant() {
                Some(factor) => Some(factor),
                None => return leaf(self),
            },
            _ => None,
        };
        let Some((left_variable, left_constant)) = self.widen_parts(left, depth - 1, budget)?
        else {
            return Ok(None);
        };
        if let Some(scale) = scale {
            let Some(constant) = left_constant.checked_mul(scale).filter(|c| is_exact(*c)) else {
                return Ok(None);
            };
            let factor = self.env.types.i64.const_int(scale as u64, true);
            let variable = match left_variable {
                Some(v) => Some(self.builder.build_int_mul(v, factor, "")?),
                None => None,
            };
            return Ok(Some((variable, constant)));
        }
        let Some((right_variable, right_constant)) = self.widen_parts(right, depth - 1, budget)?
        else {
            return Ok(None);
        };
        let subtract = opcode == InstructionOpcode::Sub;
        let constant = if subtract {
            left_constant.checked_sub(right_constant)
        } else {
            left_constant.checked_add(right_constant)
        };
        let Some(constant) = constant.filter(|c| is_exact(*c)) else { return Ok(None) };
        let variable = match (left_variable, right_variable) {
            (Some(l), Some(r)) if subtract => Some(self.builder.build_int_sub(l, r, "")?),
            (Some(l), Some(r)) => Some(self.builder.build_int_add(l, r, "")?),
            (Some(l), None) => Some(l),
            (None, Some(r)) if subtract => Some(self.builder.build_int_neg(r, "")?),
            (None, r) => r,
        };
        Ok(Some((variable, constant)))
    }
}

/// Whether `value` is an i32 add, subtract, shift left or multiply, the arithmetic addresses
/// are made of.
fn is_address_arithmetic(value: IntValue<'_>) -> bool {
    value.get_type().get_bit_width() == 32
        && value.as_instruction().is_some_and(|i| {
            matches!(
                i.get_opcode(),
                InstructionOpcode::Add
                    | InstructionOpcode::Sub
                    | InstructionOpcode::Shl
                    | InstructionOpcode::Mul
            )
        })
}

/// Constants stay within ±2^40, far from where their sums could overflow.
fn is_exact(constant: i64) -> bool {
    constant.unsigned_abs() < 1 << 40
}

impl<'e, 'ctx, 'a> FuncTranslator<'e, 'ctx, 'a> {
    /// Whether every address `address` can take, plus `access_end`, lies within the declared
    /// minimum size of `memory`: a memory never shrinks below it (an import is at least its
    /// declared minimum), so such an access needs no check. Compiled C reads its globals and
    /// tables at constant addresses, and an interpreter's dispatch table by a masked opcode.
    pub fn below_minimum(&self, address: IntValue<'ctx>, memory: u32, access_end: u64) -> bool {
        let memory_type = &self.env.info.memories[memory as usize];
        let page_bytes = 1u64 << memory_type.page_size_log2.unwrap_or(16);
        let Some(minimum) = memory_type.initial.checked_mul(page_bytes) else { return false };
        let mut budget = MAX_OPERATIONS;
        let bound = self.upper_bound(address, MAX_DEPTH, &mut budget);
        bound.checked_add(access_end).is_some_and(|end| end <= minimum)
    }

    /// An upper bound of `value` read as unsigned, from the arithmetic that made it; the type's
    /// largest value when it is not followed.
    fn upper_bound(&self, value: IntValue<'ctx>, depth: u32, budget: &mut u32) -> u64 {
        let bits = value.get_type().get_bit_width();
        let largest = if bits >= 64 { u64::MAX } else { (1u64 << bits) - 1 };
        if let Some(constant) = value.get_zero_extended_constant() {
            return constant;
        }
        if let Some(set_to) = self.facts.source_of(value) {
            return self.upper_bound(set_to, depth, budget);
        }
        let Some(instruction) = value.as_instruction() else { return largest };
        if depth == 0 || *budget == 0 {
            return largest;
        }
        *budget -= 1;
        let operand = |i: u32| {
            instruction.get_operand(i).and_then(|o| o.value()).and_then(|v| match v {
                inkwell::values::BasicValueEnum::IntValue(v) => Some(v),
                _ => None,
            })
        };
        let mut bound_of = |i: u32| match operand(i) {
            Some(v) => self.upper_bound(v, depth - 1, budget),
            None => largest,
        };
        // A result is bounded only where the operation cannot wrap at the type's width.
        let fits = |bound: Option<u64>| bound.filter(|b| *b <= largest).unwrap_or(largest);
        let constant = |i: u32| operand(i).and_then(|v| v.get_zero_extended_constant());
        match instruction.get_opcode() {
            InstructionOpcode::And => bound_of(0).min(bound_of(1)),
            // `x | y` and `x ^ y` are at most `x + y`.
            InstructionOpcode::Or | InstructionOpcode::Xor | InstructionOpcode::Add => {
                let left = bound_of(0);
                fits(left.checked_add(bound_of(1)))
            }
            InstructionOpcode::Shl => match constant(1) {
                Some(shift) if shift < bits as u64 => fits(bound_of(0).checked_mul(1 << shift)),
                _ => largest,
            },
            InstructionOpcode::Mul => {
                let left = bound_of(0);
                fits(left.checked_mul(bound_of(1)))
            }
            InstructionOpcode::LShr => match constant(1) {
                Some(shift) if shift < bits as u64 => bound_of(0) >> shift,
                _ => bound_of(0),
            },
            InstructionOpcode::URem => match constant(1) {
                Some(divisor) if divisor > 0 => (divisor - 1).min(bound_of(0)),
                _ => bound_of(0),
            },
            InstructionOpcode::UDiv => bound_of(0),
            InstructionOpcode::Select => bound_of(1).max(bound_of(2)),
            // A zero extension is bounded by its source's width.
            InstructionOpcode::ZExt => bound_of(0),
            _ => largest,
        }
    }
}
