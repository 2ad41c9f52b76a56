//! Explicit bounds checks, and widening a check to cover later accesses to the same address.
//!
//! Compiled C reads a structure's fields as one address with several offsets
//! (`local.get $p`, `i32.load offset=0`, `i32.load offset=8`...). Each access needs
//! `address + end <= size`, and LLVM drops a check implied by an earlier one, but not an earlier
//! check implied by a later one. So when an access follows a check on the same address in the
//! same straight-line code, with nothing in between that the outside world could observe (no
//! stores to memory, globals or tables, no calls), the earlier check is widened to the new end
//! and the access gets none. The trap then comes a few loads early, which no one can tell apart:
//! the trap is the same and loads change nothing. The access it reports to the runtime is then
//! the one reaching farthest, which is out of bounds whenever the widened check fails.

use super::address::WideAddress;
use super::func::FuncTranslator;
use super::{OutOfBoundsAccess, Result};
use crate::abi;
use crate::error::CompileError;
use inkwell::basic_block::BasicBlock;
use inkwell::values::{BasicValueEnum, InstructionOpcode, InstructionValue, IntValue};
use inkwell::IntPredicate;

/// What an address is, as far as telling two accesses apart goes.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub enum AddressKey<'ctx> {
    /// The value of a local, read by `local.get`: (local, how many times it had been set).
    Local(u32, u32),
    /// Any other value.
    Value(IntValue<'ctx>),
}

/// A 32-bit address as a base and a constant added to it with `i32.add` or `i32.sub`, modulo
/// 2^32: an interpreter's `top[-2]` and `top[-1]` (`top - 16`, `top - 8`) share a base, and one
/// check can cover both.
#[derive(Clone, Copy)]
pub struct KeyedAddress<'ctx> {
    pub key: AddressKey<'ctx>,
    pub delta: u32,
}

/// How far apart, in bytes, two addresses of one base may be for a check on the lower one to be
/// widened to the higher: the space between a 32-bit memory's largest size and 4 GiB
/// (`abi::MAX_USABLE_PAGES`). Where the lower access fits, the higher one's address then cannot
/// wrap past 2^32, so when the widened check fails the higher access is out of bounds too.
const WIDENING_REACH: u64 = (abi::MAX_PAGES - abi::MAX_USABLE_PAGES) * abi::PAGE_SIZE;

/// How many constant adds are followed back from an address to its base.
const MAX_DELTA_DEPTH: u32 = 4;

// Marks the branch of a fast compare for the loop versioning pass
// (compiler/passes/loop_versioning.cpp), which settles every such branch; the compare's
// shape is described in compiler/passes/contract.h.
use crate::contract::WIDE_CHECK_METADATA;

/// The fast half of a check on a 64-bit form of an address (`check_wide_address`).
#[derive(Clone, Copy)]
struct FastPath<'ctx> {
    /// The address on the fast path, and the block that path leaves.
    index: IntValue<'ctx>,
    block: BasicBlock<'ctx>,
    /// Where both paths meet.
    join: BasicBlock<'ctx>,
    compare: Option<InstructionValue<'ctx>>,
    /// The constant part of the address, folded into the compare's limit.
    folded: u64,
}

/// The last explicit bounds check of a function.
#[derive(Clone, Copy)]
pub struct BoundsCheck<'ctx> {
    pub address: AddressKey<'ctx>,
    /// The constant added to the base to form the checked address (`KeyedAddress`).
    pub delta: u32,
    pub memory: u32,
    /// Offset plus size of the accesses it covers, past the checked address.
    pub access_end: u64,
    /// The memory size it compares with, and the comparison of the zero-extended address.
    size: IntValue<'ctx>,
    compare: InstructionValue<'ctx>,
    /// For a check on a 64-bit form of the address (`address`): the comparison on that form,
    /// and the constant it had folded into its limit.
    wide_compare: Option<(InstructionValue<'ctx>, u64)>,
    /// The checked address, zero-extended to 64 bits.
    pub index: IntValue<'ctx>,
    /// The block the check continues in when in bounds.
    continue_block: BasicBlock<'ctx>,
    /// The call in its trap block, which names the access (`w2n_trap_memory`).
    trap: InstructionValue<'ctx>,
}

impl<'e, 'ctx, 'a> FuncTranslator<'e, 'ctx, 'a> {
    /// The base and constant of `address`, a value just popped as an address.
    pub fn address_key(&self, address: IntValue<'ctx>) -> KeyedAddress<'ctx> {
        self.keyed_address(address, 0, MAX_DELTA_DEPTH)
    }

    fn keyed_address(&self, address: IntValue<'ctx>, delta: u32, depth: u32) -> KeyedAddress<'ctx> {
        // A read of a local set in the same run is the value it was set to.
        if let Some(set_to) = self.facts.source_of(address) {
            return self.keyed_address(set_to, delta, depth);
        }
        if let Some((base, constant)) = constant_add(address).filter(|_| depth > 0) {
            return self.keyed_address(base, delta.wrapping_add(constant), depth - 1);
        }
        let key = match self.facts.local_read(address) {
            Some((local, version)) => AddressKey::Local(local, version),
            None => AddressKey::Value(address),
        };
        KeyedAddress { key, delta }
    }

    /// Traps unless the access of `length` bytes at `address` (zero-extended to 64 bits) plus
    /// `offset` lies within `memory`, by a check of its own or by widening the last one.
    /// Returns the address, zero-extended, in the form later code should use.
    pub fn check_bounds(
        &mut self,
        keyed: KeyedAddress<'ctx>,
        address: IntValue<'ctx>,
        memory: u32,
        offset: u64,
        length: u32,
    ) -> Result<IntValue<'ctx>> {
        // The caller made sure that no memory can hold an access ending further.
        let access_end = offset + length as u64;
        let memory64 = self.env.info.memories[memory as usize].memory64;
        if self.below_minimum(address, memory, access_end) {
            return Ok(match memory64 {
                true => address,
                false => self.builder.build_int_z_extend(address, self.env.types.i64, "")?,
            });
        }
        let KeyedAddress { key, delta } = keyed;
        if let Some((index, above)) = self.facts.covering_check(key, delta, memory, access_end) {
            return self.index_above(index, above);
        }
        // The check of an address `above` bytes below this one: from it, this access ends
        // `above + access_end` bytes on, and its address cannot have wrapped if those fit.
        let widenable = self.widenable_check(key, memory)?.and_then(|check| {
            let above = delta.wrapping_sub(check.delta) as u64;
            (above <= WIDENING_REACH).then_some((check, above))
        });
        if let Some((check, above)) = widenable {
            let access_end = above + access_end;
            if access_end > check.access_end {
                let limit_of = if memory64 { Self::wide_limit } else { Self::bounds_limit };
                self.set_limit(check.compare, check.size, access_end, limit_of)?;
                if let Some((wide_compare, folded)) = check.wide_compare {
                    self.set_limit(
                        wide_compare,
                        check.size,
                        access_end + folded,
                        Self::wide_limit,
                    )?;
                }
                self.report_access(check.trap, above + offset, length)?;
                self.facts.note_check(BoundsCheck { access_end, ..check });
            }
            return self.index_above(check.index, above as u32);
        }
        let size = self.memory_size(memory)?;
        // Inside loops, a fast compare on a 64-bit form of the address comes first, for loop
        // versioning: a 64-bit memory's address is its own.
        let wide = match (self.versions_accesses(), memory64) {
            (false, _) => None,
            (true, true) => Some(WideAddress { variable: address, constant: 0 }),
            (true, false) => self.widen_address(address)?,
        };
        let fast_path = match wide {
            Some(wide) => Some(self.check_wide_address(wide, size, access_end)?),
            None => None,
        };
        let (exact, out_of_bounds) = if memory64 {
            // `address >= size + 1 - access_end`, unsigned with the limit saturating at 0: exact
            // for every 64-bit address, since `address + access_end` is never formed to wrap.
            let limit = self.wide_limit(size, access_end)?;
            (address, self.builder.build_int_compare(IntPredicate::UGE, address, limit, "")?)
        } else {
            // The access fits when `address <= size - access_end`. That limit depends only on
            // the memory's size, so it is computed once per size (outside loops) and each access
            // costs one compare. The limit is negative when even address 0 is out of bounds; the
            // compare is signed, which is exact because a zero-extended address is non-negative
            // and both sides are far from the 64-bit limits.
            let exact = self.builder.build_int_z_extend(address, self.env.types.i64, "")?;
            let limit = self.bounds_limit(size, access_end)?;
            (exact, self.builder.build_int_compare(IntPredicate::SGT, exact, limit, "")?)
        };
        let access =
            OutOfBoundsAccess { memory, memory_size: size, address: exact, offset, length };
        let trap = self.trap_out_of_bounds_if(out_of_bounds, &access)?;
        let index = match fast_path {
            Some(fast) => self.join_fast_path(&fast, exact)?,
            None => exact,
        };
        if let Some(compare) = out_of_bounds.as_instruction() {
            let continue_block = self.current_block()?;
            let wide_compare = fast_path.and_then(|fast| Some((fast.compare?, fast.folded)));
            self.facts.note_check(BoundsCheck {
                address: key,
                delta,
                memory,
                access_end,
                size,
                compare,
                wide_compare,
                index,
                continue_block,
                trap,
            });
        }
        Ok(index)
    }

    /// The zero-extended address `above` bytes past `index`, a checked address from which an
    /// access of at least `above + 1` bytes fits: the sum cannot wrap.
    fn index_above(&self, index: IntValue<'ctx>, above: u32) -> Result<IntValue<'ctx>> {
        Ok(match above {
            0 => index,
            _ => {
                let above = self.env.types.i64.const_int(above as u64, false);
                self.builder.build_int_nuw_add(index, above, "")?
            }
        })
    }

    /// Whether accesses here get a fast compare for loop versioning: only inside loops, since
    /// the versioning pass leaves other code with the exact check.
    fn versions_accesses(&self) -> bool {
        self.env.versioned_checks && self.state.in_loop()
    }

    /// `address`, zero-extended, for an access the guard region keeps in bounds (no check). An
    /// address made by arithmetic still gets a fast compare for loop versioning
    /// (`check_wide_address`): a loop whose accesses all fit can then be vectorised, with no
    /// access faulting part-way through a vector.
    pub fn guarded_index(
        &mut self,
        address: IntValue<'ctx>,
        memory: u32,
        access_end: u64,
    ) -> Result<IntValue<'ctx>> {
        let wide = if self.versions_accesses() { self.widen_address(address)? } else { None };
        let Some(wide) = wide else {
            return Ok(self.builder.build_int_z_extend(address, self.env.types.i64, "")?);
        };
        let size = self.memory_size(memory)?;
        let fast_path = self.check_wide_address(wide, size, access_end)?;
        let exact = self.builder.build_int_z_extend(address, self.env.types.i64, "")?;
        self.join_fast_path(&fast_path, exact)
    }

    /// The fast half of a check on a 64-bit form of the address: when `wide` lies in
    /// [0, size - access_end] it is the address and in bounds, and code goes on with it at
    /// once. Otherwise it continues in a cold block, left current, where the caller checks the
    /// zero-extended 32-bit address as usual before `join_fast_path`.
    fn check_wide_address(
        &mut self,
        wide: WideAddress<'ctx>,
        size: IntValue<'ctx>,
        access_end: u64,
    ) -> Result<FastPath<'ctx>> {
        let i64_ty = self.env.types.i64;
        // A non-negative constant part goes into the limit, so the compare tests the variable
        // part alone; a negative one must be added first, for the sum's sign to count.
        let (variable, folded) = match u64::try_from(wide.constant) {
            Ok(folded) => (wide.variable, folded),
            Err(_) => (
                self.builder.build_int_add(
                    wide.variable,
                    i64_ty.const_int(wide.constant as u64, true),
                    "",
                )?,
                0,
            ),
        };
        let limit = self.wide_limit(size, access_end + folded)?;
        // Unsigned, so that a negative sum fails too.
        let outside = self.builder.build_int_compare(IntPredicate::UGE, variable, limit, "")?;
        let index = match folded {
            0 => variable,
            _ => self.builder.build_int_add(variable, i64_ty.const_int(folded, false), "")?,
        };
        let wrapped = self.new_block("wrapped");
        let join = self.new_block("");
        let branch = self.builder.build_conditional_branch(outside, wrapped, join)?;
        self.mark_unlikely(branch)?;
        let context = self.env.context;
        branch
            .set_metadata(context.metadata_node(&[]), context.get_kind_id(WIDE_CHECK_METADATA))
            .map_err(|e| CompileError::backend(format!("wide check metadata: {e:?}")))?;
        let block = self.current_block()?;
        self.builder.position_at_end(wrapped);
        Ok(FastPath { index, block, join, compare: outside.as_instruction(), folded })
    }

    /// Ends the cold half of a wide check in `fast.join` and returns the address there.
    fn join_fast_path(
        &mut self,
        fast: &FastPath<'ctx>,
        exact: IntValue<'ctx>,
    ) -> Result<IntValue<'ctx>> {
        let wrapped_end = self.current_block()?;
        self.builder.build_unconditional_branch(fast.join)?;
        self.builder.position_at_end(fast.join);
        let index = self.builder.build_phi(self.env.types.i64, "index")?;
        index.add_incoming(&[(&fast.index, fast.block), (&exact, wrapped_end)]);
        Ok(index.as_basic_value().into_int_value())
    }

    /// Makes a check's trap call name the access of `length` bytes at `offset`, which the
    /// check now covers too.
    fn report_access(&self, trap: InstructionValue<'ctx>, offset: u64, length: u32) -> Result<()> {
        let (i32_ty, i64_ty) = (self.env.types.i32, self.env.types.i64);
        let operands = [
            (OutOfBoundsAccess::OFFSET_OPERAND, i64_ty.const_int(offset, false)),
            (OutOfBoundsAccess::LENGTH_OPERAND, i32_ty.const_int(length as u64, false)),
        ];
        for (operand, value) in operands {
            if !trap.set_operand(operand, value) {
                return Err(CompileError::backend("trap call without its access operands"));
            }
        }
        Ok(())
    }

    /// Points `compare`'s limit at the one for `access_end`, computed just before it.
    fn set_limit(
        &self,
        compare: InstructionValue<'ctx>,
        size: IntValue<'ctx>,
        access_end: u64,
        limit_of: fn(&Self, IntValue<'ctx>, u64) -> Result<IntValue<'ctx>>,
    ) -> Result<()> {
        let current = self.current_block()?;
        self.builder.position_before(&compare);
        let limit = limit_of(self, size, access_end)?;
        self.builder.position_at_end(current);
        compare.set_operand(1, limit);
        Ok(())
    }

    /// `size + 1 - access_end`, or 0 when that is negative: an unsigned bound for addresses.
    fn wide_limit(&self, size: IntValue<'ctx>, access_end: u64) -> Result<IntValue<'ctx>> {
        let i64_ty = self.env.types.i64;
        let size_plus_one = self.builder.build_int_nuw_add(size, i64_ty.const_int(1, false), "")?;
        let end = i64_ty.const_int(access_end, false);
        Ok(self
            .call_intrinsic("llvm.usub.sat", &[i64_ty.into()], &[size_plus_one.into(), end.into()])?
            .into_int_value())
    }

    fn bounds_limit(&self, size: IntValue<'ctx>, access_end: u64) -> Result<IntValue<'ctx>> {
        let end = self.env.types.i64.const_int(access_end, false);
        Ok(self.builder.build_int_nsw_sub(size, end, "limit")?)
    }

    /// The last check of `key` in `memory`, if it was made in this run of straight-line code
    /// and nothing since could be told apart from a trap there: no effect visible outside the
    /// function (`has_visible_effect`), and no branch but other bounds checks' (whose trap is
    /// the same).
    fn widenable_check(
        &self,
        key: AddressKey<'ctx>,
        memory: u32,
    ) -> Result<Option<BoundsCheck<'ctx>>> {
        let Some(check) = self.facts.check_in_run(key, memory) else { return Ok(None) };
        let current = self.current_block()?;
        let mut block = check.continue_block;
        loop {
            let mut instruction = block.get_first_instruction();
            while let Some(current) = instruction {
                if current.is_terminator() {
                    break;
                }
                if has_visible_effect(current) {
                    return Ok(None);
                }
                instruction = current.get_next_instruction();
            }
            if block == current {
                return Ok(Some(check));
            }
            // Another check: on to the block it continues in.
            let Some(branch) = instruction.filter(|i| i.get_num_operands() == 3) else {
                return Ok(None);
            };
            let successor = |i: u32| branch.get_operand(i).and_then(|o| o.block());
            let next = match (successor(1), successor(2)) {
                (Some(a), Some(b)) if self.is_out_of_bounds_trap(a) => b,
                (Some(a), Some(b)) if self.is_out_of_bounds_trap(b) => a,
                _ => return Ok(None),
            };
            block = next;
        }
    }
}

/// `(base, constant)` when `address` is a 32-bit `base + constant` or `base - constant`.
fn constant_add(address: IntValue<'_>) -> Option<(IntValue<'_>, u32)> {
    let instruction = address.as_instruction()?;
    let opcode = instruction.get_opcode();
    let arithmetic = matches!(opcode, InstructionOpcode::Add | InstructionOpcode::Sub);
    if !arithmetic || address.get_type().get_bit_width() != 32 {
        return None;
    }
    let operand = |i: u32| instruction.get_operand(i)?.value().map(|v| v.into_int_value());
    let (left, right) = (operand(0)?, operand(1)?);
    let constant = |value: IntValue<'_>| value.get_zero_extended_constant().map(|c| c as u32);
    match opcode {
        InstructionOpcode::Add => match (constant(left), constant(right)) {
            (None, Some(c)) => Some((left, c)),
            (Some(c), None) => Some((right, c)),
            _ => None,
        },
        InstructionOpcode::Sub => Some((left, constant(right)?.wrapping_neg())),
        _ => None,
    }
}

/// Whether `instruction` may change something outside the function's own stack slots: a store
/// other than to a local's slot, or a call other than to an LLVM intrinsic that writes no memory
/// (`memory.copy` and `memory.fill` are `llvm.memmove` and `llvm.memset`).
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
                    if writes_no_memory(function.get_name().to_bytes())
            )
        }
        InstructionOpcode::Alloca | InstructionOpcode::Load => false,
        // Arithmetic, comparisons, casts, selects, vector lanes: no effect. Anything else
        // (fences, atomics, branches elsewhere) ends the straight-line run.
        opcode => !is_pure(opcode),
    }
}

/// Whether a called function of this name is an LLVM intrinsic other than the memory ones
/// (`llvm.memmove`, `llvm.memset`...), which write.
fn writes_no_memory(callee: &[u8]) -> bool {
    callee.starts_with(b"llvm.") && !callee.starts_with(b"llvm.mem")
}

fn is_pure(opcode: InstructionOpcode) -> bool {
    use InstructionOpcode::*;
    matches!(
        opcode,
        Add | Sub
            | Mul
            | UDiv
            | SDiv
            | URem
            | SRem
            | Shl
            | LShr
            | AShr
            | And
            | Or
            | Xor
            | FAdd
            | FSub
            | FMul
            | FDiv
            | FRem
            | FNeg
            | ICmp
            | FCmp
            | Trunc
            | ZExt
            | SExt
            | FPTrunc
            | FPExt
            | FPToUI
            | FPToSI
            | UIToFP
            | SIToFP
            | BitCast
            | PtrToInt
            | IntToPtr
            | GetElementPtr
            | Select
            | ExtractElement
            | InsertElement
            | ShuffleVector
            | ExtractValue
            | InsertValue
            | Phi
            | Freeze
    )
}
