//! What compiled code tells LLVM about memory it touches, so that optimisation is not held back
//! by aliasing it cannot rule out on its own:
//! - type-based alias tags: linear memory and the runtime's structures (the instance, global
//!   cells, tables, function references) are separate allocations that never overlap, so a store
//!   to one cannot change a load from the other. Without this, every store to linear memory
//!   would force the instance's arrays and the globals to be reloaded;
//! - `!invariant.load` on the instance's array entries, which are set before any Wasm code runs
//!   and never change, so their loads can be hoisted out of loops and shared.

use inkwell::context::Context;
use inkwell::values::{BasicValue, BasicValueEnum, InstructionValue, MetadataValue};

/// The metadata nodes and kinds, created once per LLVM module.
#[derive(Clone, Copy)]
pub struct AliasTags<'ctx> {
    tbaa_kind: u32,
    invariant_kind: u32,
    linear_memory: MetadataValue<'ctx>,
    runtime_data: MetadataValue<'ctx>,
    empty: MetadataValue<'ctx>,
}

/// The storage class of an access, for the type-based tags.
#[derive(Clone, Copy)]
pub enum Storage {
    /// A Wasm linear memory.
    LinearMemory,
    /// The instance and everything the runtime allocates for it outside linear memory.
    RuntimeData,
}

impl<'ctx> AliasTags<'ctx> {
    pub fn new(context: &'ctx Context) -> Self {
        let zero = context.i64_type().const_zero();
        let root =
            context.metadata_node(&[context.metadata_string("wasm2native alias tags").into()]);
        // An access tag is (base type, access type, offset); scalar type nodes under one root
        // never alias each other.
        let tag = |name: &str| {
            let ty = context.metadata_node(&[
                context.metadata_string(name).into(),
                root.into(),
                zero.into(),
            ]);
            context.metadata_node(&[ty.into(), ty.into(), zero.into()])
        };
        AliasTags {
            tbaa_kind: context.get_kind_id("tbaa"),
            invariant_kind: context.get_kind_id("invariant.load"),
            linear_memory: tag(crate::contract::LINEAR_MEMORY_TAG),
            runtime_data: tag("runtime data"),
            empty: context.metadata_node(&[]),
        }
    }

    /// Tags the load or store `access` with where it points.
    pub fn tag(&self, access: InstructionValue<'ctx>, storage: Storage) {
        let node = match storage {
            Storage::LinearMemory => self.linear_memory,
            Storage::RuntimeData => self.runtime_data,
        };
        // Only loads and stores get here, which always accept the metadata.
        let _ = access.set_metadata(node, self.tbaa_kind);
    }

    /// Tags the load that produced `value`, if it is one.
    pub fn tag_value(&self, value: BasicValueEnum<'ctx>, storage: Storage) {
        if let Some(load) = value.as_instruction_value() {
            self.tag(load, storage);
        }
    }

    /// Marks the load that produced `value` as reading a location that never changes while
    /// compiled code runs.
    pub fn mark_invariant(&self, value: BasicValueEnum<'ctx>) {
        if let Some(load) = value.as_instruction_value() {
            let _ = load.set_metadata(self.empty, self.invariant_kind);
        }
    }
}
