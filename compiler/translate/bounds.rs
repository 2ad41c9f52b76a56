//! Explicit bounds checks, and widening a check to cover later accesses to the same address.
//!
//! Compiled C reads a structure's fields as one address with several offsets
//! (`local.get $p`, `i32.load offset=0`, `i32.load offset=8`...). Each access needs
//! `address + end <= size`, and LLVM drops a check implied by an earlier one, but not an earlier
//! check implied by a later one. So when an access follows a check on the same address in the
//! same straight-line code, with nothing in between that the outside world could observe (no
//! stores to memory, globals or tables, no calls), the earlier check is widened to the new end
//! and the access gets none. The trap then comes a few loads early, which no one can tell apart:
//! the trap is the same and loads change nothing.

use super::func::FuncTranslator;
use super::Result;
use crate::abi::TrapCode;
use inkwell::basic_block::BasicBlock;
use inkwell::values::{BasicValueEnum, InstructionOpcode, InstructionValue, IntValue};
use inkwell::IntPredicate;

/// What an address is, as far as telling two accesses apart goes.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum AddressKey<'ctx> {
    /// The value of a local, read by `local.get`: (local, how many times it had been set).
    Local(u32, u32),
    /// Any other value.
    Value(IntValue<'ctx>),
}

/// The last explicit bounds check of a function.
#[derive(Clone, Copy)]
pub struct BoundsCheck<'ctx> {
    address: AddressKey<'ctx>,
    memory: u32,
    /// Offset plus size of the accesses it covers.
    access_end: u64,
    /// The memory size it compares with, and the comparison itself.
    size: IntValue<'ctx>,
    compare: InstructionValue<'ctx>,
    /// The block the check continues in when in bounds.
    continue_block: BasicBlock<'ctx>,
}

impl<'e, 'ctx, 'a> FuncTranslator<'e, 'ctx, 'a> {
    /// The key of `address`, a value just popped as an address.
    pub fn address_key(&self, address: IntValue<'ctx>) -> AddressKey<'ctx> {
        match self.local_reads.get(&address) {
            Some(&(local, version)) => AddressKey::Local(local, version),
            None => AddressKey::Value(address),
        }
    }

    /// Traps unless `address` (zero-extended to 64 bits) plus `access_end` is at most the size
    /// of `memory`, by a check of its own or by widening the last one.
    pub fn check_bounds(&mut self, key: AddressKey<'ctx>, address: IntValue<'ctx>, memory: u32, access_end: u64) -> Result<()> {
        if let Some(check) = self.widenable_check(key, memory)? {
            if access_end > check.access_end {
                let current = self.current_block()?;
                self.builder.position_before(&check.compare);
                let limit = self.bounds_limit(check.size, access_end)?;
                self.builder.position_at_end(current);
                check.compare.set_operand(1, limit);
                self.last_bounds_check = Some(BoundsCheck { access_end, ..check });
            }
            return Ok(());
        }
        // The access fits when `address <= size - access_end`. That limit depends only on the
        // memory's size, so it is computed once per size (outside loops) and each access costs
        // one compare. The limit is negative when even address 0 is out of bounds; the compare
        // is signed, which is exact because a zero-extended address is non-negative and both
        // sides are far from the 64-bit limits.
        let size = self.memory_size(memory)?;
        let limit = self.bounds_limit(size, access_end)?;
        let out_of_bounds = self.builder.build_int_compare(IntPredicate::SGT, address, limit, "")?;
        self.trap_if(out_of_bounds, TrapCode::MemoryOutOfBounds)?;
        if let Some(compare) = out_of_bounds.as_instruction() {
            let continue_block = self.current_block()?;
            self.last_bounds_check = Some(BoundsCheck { address: key, memory, access_end, size, compare, continue_block });
        }
        Ok(())
    }

    fn bounds_limit(&self, size: IntValue<'ctx>, access_end: u64) -> Result<IntValue<'ctx>> {
        let end = self.env.types.i64.const_int(access_end, false);
        Ok(self.builder.build_int_nsw_sub(size, end, "limit")?)
    }

    /// The last check, if it tests `key` in `memory` and the code since it is straight-line
    /// with no effect visible outside the function.
    fn widenable_check(&self, key: AddressKey<'ctx>, memory: u32) -> Result<Option<BoundsCheck<'ctx>>> {
        let Some(check) = self.last_bounds_check else { return Ok(None) };
        if check.address != key || check.memory != memory || check.continue_block != self.current_block()? {
            return Ok(None);
        }
        let mut instruction = check.continue_block.get_first_instruction();
        while let Some(current) = instruction {
            if has_visible_effect(current) {
                return Ok(None);
            }
            instruction = current.get_next_instruction();
        }
        Ok(Some(check))
    }
}

/// Whether `instruction` may change something outside the function's own stack slots: a store
/// other than to a local's slot, or a call other than to an LLVM intrinsic.
fn has_visible_effect(instruction: InstructionValue<'_>) -> bool {
    match instruction.get_opcode() {
        InstructionOpcode::Store => !matches!(
            instruction.get_operand(1).and_then(|operand| operand.value()),
            Some(BasicValueEnum::PointerValue(slot))
                if slot.as_instruction().is_some_and(|i| i.get_opcode() == InstructionOpcode::Alloca)
        ),
        InstructionOpcode::Call => {
            let callee = instruction.get_operand(instruction.get_num_operands().saturating_sub(1));
            !matches!(
                callee.and_then(|operand| operand.value()),
                Some(BasicValueEnum::PointerValue(function))
                    if function.get_name().to_bytes().starts_with(b"llvm.")
            )
        }
        InstructionOpcode::Alloca | InstructionOpcode::Load => false,
        // Arithmetic, comparisons, casts, selects, vector lanes: no effect. Anything else
        // (fences, atomics, branches elsewhere) ends the straight-line run.
        opcode => !is_pure(opcode),
    }
}

fn is_pure(opcode: InstructionOpcode) -> bool {
    use InstructionOpcode::*;
    matches!(
        opcode,
        Add | Sub | Mul | UDiv | SDiv | URem | SRem | Shl | LShr | AShr | And | Or | Xor | FAdd | FSub | FMul | FDiv
            | FRem | FNeg | ICmp | FCmp | Trunc | ZExt | SExt | FPTrunc | FPExt | FPToUI | FPToSI | UIToFP | SIToFP
            | BitCast | PtrToInt | IntToPtr | GetElementPtr | Select | ExtractElement | InsertElement | ShuffleVector
            | ExtractValue | InsertValue | Phi | Freeze
    )
}
