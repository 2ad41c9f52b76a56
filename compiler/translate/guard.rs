//! Guard mode's order: with no check before an access, an access out of bounds faults where it
//! stands in the machine code, and for LLVM a load cannot fault. Left alone, LLVM would move,
//! merge, narrow or delete accesses in ways no one can tell apart in bounds but that change
//! which trap comes and which stores are done when it does. An empty `asm sideeffect` after each
//! store (a fence) and after each guarded load (an anchor) keeps the order the Wasm gives; it
//! emits no instruction. The versioning pass removes both from loops it proves in bounds
//! (compiler/passes/loop_versioning.cpp), where nothing faults.

use super::{ModuleEnv, Result};
use crate::error::CompileError;
use crate::BoundsChecks;
use inkwell::attributes::{Attribute, AttributeLoc};
use inkwell::builder::Builder;
use inkwell::types::BasicMetadataTypeEnum;
use inkwell::values::{BasicMetadataValueEnum, BasicValueEnum};

// Marks guard mode's fences and anchors (`ModuleEnv::fence_store`, `ModuleEnv::anchor_load`)
// for the loop versioning pass (compiler/passes/contract.h).
use crate::contract::GUARD_FENCE_METADATA;

/// LLVM's `memory(read)` attribute value: reference (1) for each of its three kinds of location
/// (argument, inaccessible, other), two bits apiece.
const READ_ANY_MEMORY: u64 = 0b01_01_01;

/// LLVM's `memory(none)` attribute value.
const NO_MEMORY: u64 = 0;

/// Read and write (3) for inaccessible memory (the second location), added under the fast
/// instruction selector (-O0), which drops a call that writes no memory and whose result is
/// unused, whatever else it is marked. No access of the module's can alias such memory.
const WRITES_INACCESSIBLE_MEMORY: u64 = 0b00_11_00;

impl<'ctx, 'a> ModuleEnv<'ctx, 'a> {
    /// In guard mode, after a store to memory, a global or a table: an empty instruction that
    /// LLVM must keep in order with every access, so that a later access which faults still finds
    /// every earlier store done, as the spec requires after a trap. For LLVM a load cannot trap:
    /// without it, a store may be moved past a later load it does not overlap, merged with a
    /// later store into one wider one, or deleted as overwritten before anything reads it. The
    /// fence may read any memory (so no store moves past it, while a later load of the stored
    /// value still takes it from the store) and is not known to return (so no later access is
    /// moved above it). The versioning pass takes it out of loops proven in bounds
    /// (compiler/passes/loop_versioning.cpp). Explicit checks need none: a failing check calls
    /// the runtime's trap, which LLVM must assume reads every earlier store.
    pub fn fence_store(&self, builder: &Builder<'ctx>) -> Result<()> {
        if self.bounds_checks != BoundsChecks::Guard {
            return Ok(());
        }
        self.emit_guard_fence(builder, None, READ_ANY_MEMORY)
    }

    /// After a load that the guard alone keeps in bounds: an empty instruction that uses
    /// `value`, the load's result (extended, splatted or put in a vector lane, every byte read
    /// still in it), so that the load traps where the Wasm has it. For LLVM a load cannot
    /// trap: without it, a load whose value ends up unused is deleted, one whose value is partly
    /// used is narrowed to the bytes used, and one may be moved after a later store or check.
    /// It touches no memory, so loads of the same address still merge. The versioning pass takes
    /// it out of loops proven in bounds, with the fences.
    pub fn anchor_load(&self, builder: &Builder<'ctx>, value: BasicValueEnum<'ctx>) -> Result<()> {
        // In a register of its kind: a general one for an integer, a vector register for a
        // float or a vector.
        let constraint = match value {
            BasicValueEnum::IntValue(_) => "r",
            _ => self.vector_register,
        };
        self.emit_guard_fence(builder, Some((value, constraint)), NO_MEMORY)
    }

    /// `call void asm sideeffect ""` with `operand` (value and register constraint) if any and
    /// `memory_effects` (LLVM's `memory` attribute value), nounwind, marked for the versioning
    /// pass.
    fn emit_guard_fence(
        &self,
        builder: &Builder<'ctx>,
        operand: Option<(BasicValueEnum<'ctx>, &str)>,
        memory_effects: u64,
    ) -> Result<()> {
        let params: Vec<BasicMetadataTypeEnum> =
            operand.iter().map(|(value, _)| value.get_type().into()).collect();
        let ty = self.context.void_type().fn_type(&params, false);
        let constraints = operand.map_or("", |(_, constraint)| constraint);
        let asm = self.context.create_inline_asm(
            ty,
            String::new(),
            constraints.to_string(),
            true,
            false,
            None,
            false,
        );
        let args: Vec<BasicMetadataValueEnum> =
            operand.iter().map(|(value, _)| (*value).into()).collect();
        let call = builder.build_indirect_call(ty, asm, &args, "")?;
        let memory = Attribute::get_named_enum_kind_id("memory");
        let memory_effects = match self.fast_isel {
            true => memory_effects | WRITES_INACCESSIBLE_MEMORY,
            false => memory_effects,
        };
        call.add_attribute(
            AttributeLoc::Function,
            self.context.create_enum_attribute(memory, memory_effects),
        );
        call.add_attribute(AttributeLoc::Function, self.enum_attribute("nounwind"));
        if let inkwell::values::ValueKind::Instruction(fence) = call.try_as_basic_value() {
            fence
                .set_metadata(
                    self.context.metadata_node(&[]),
                    self.context.get_kind_id(GUARD_FENCE_METADATA),
                )
                .map_err(|e| CompileError::backend(format!("guard fence metadata: {e:?}")))?;
        }
        Ok(())
    }
}
