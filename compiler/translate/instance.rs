//! Reads of the runtime instance from compiled code. This is the only translator code that knows
//! the instance layout; the offsets come from `abi`.

use super::alias::Storage;
use super::types::LlvmTypes;
use super::Result;
use crate::abi;
use inkwell::builder::Builder;
use inkwell::types::BasicTypeEnum;
use inkwell::values::{BasicValue, BasicValueEnum, IntValue, PointerValue};

/// Emits loads of instance fields through `builder`, at its current position.
pub struct InstanceAccess<'a, 'ctx> {
    pub builder: &'a Builder<'ctx>,
    pub types: &'a LlvmTypes<'ctx>,
    pub vmctx: PointerValue<'ctx>,
}

impl<'a, 'ctx> InstanceAccess<'a, 'ctx> {
    /// `base + offset` as an `i8` GEP.
    pub fn offset_ptr(&self, base: PointerValue<'ctx>, offset: u32) -> Result<PointerValue<'ctx>> {
        if offset == 0 {
            return Ok(base);
        }
        let offset = self.types.i64.const_int(offset as u64, false);
        // SAFETY: the offsets come from `abi` and stay inside the runtime structure they index.
        Ok(unsafe { self.builder.build_in_bounds_gep(self.types.i8, base, &[offset], "")? })
    }

    /// Loads a `ty` from the runtime structure at `base + offset`.
    fn load_field(
        &self,
        ty: BasicTypeEnum<'ctx>,
        base: PointerValue<'ctx>,
        offset: u32,
    ) -> Result<BasicValueEnum<'ctx>> {
        let ptr = self.offset_ptr(base, offset)?;
        let value = self.builder.build_load(ty, ptr, "")?;
        self.types.alias.tag_value(value, Storage::RuntimeData);
        Ok(value)
    }

    fn load_ptr(&self, base: PointerValue<'ctx>, offset: u32) -> Result<PointerValue<'ctx>> {
        Ok(self.load_field(self.types.ptr.into(), base, offset)?.into_pointer_value())
    }

    fn load_i32(&self, base: PointerValue<'ctx>, offset: u32) -> Result<IntValue<'ctx>> {
        Ok(self.load_field(self.types.i32.into(), base, offset)?.into_int_value())
    }

    fn load_i64(&self, base: PointerValue<'ctx>, offset: u32) -> Result<IntValue<'ctx>> {
        Ok(self.load_field(self.types.i64.into(), base, offset)?.into_int_value())
    }

    /// A field the runtime sets up before any Wasm code runs and never changes.
    fn load_invariant_field(
        &self,
        ty: BasicTypeEnum<'ctx>,
        base: PointerValue<'ctx>,
        offset: u32,
    ) -> Result<BasicValueEnum<'ctx>> {
        let value = self.load_field(ty, base, offset)?;
        self.types.alias.mark_invariant(value);
        Ok(value)
    }

    fn load_invariant_ptr(
        &self,
        base: PointerValue<'ctx>,
        offset: u32,
    ) -> Result<PointerValue<'ctx>> {
        Ok(self.load_invariant_field(self.types.ptr.into(), base, offset)?.into_pointer_value())
    }

    /// Element `index` of the pointer array stored at instance offset `field`: the arrays and
    /// their entries (memories, tables, global cells, functions) stay where instantiation put
    /// them.
    fn array_entry(&self, field: u32, index: u32) -> Result<PointerValue<'ctx>> {
        let array = self.load_invariant_ptr(self.vmctx, field)?;
        self.load_invariant_ptr(array, index * 8)
    }

    pub fn stack_limit(&self) -> Result<IntValue<'ctx>> {
        self.load_i64(self.vmctx, abi::instance::STACK_LIMIT)
    }

    /// The `w2n_memory` of memory `index`.
    pub fn memory(&self, index: u32) -> Result<PointerValue<'ctx>> {
        self.array_entry(abi::instance::MEMORIES, index)
    }

    pub fn memory_base(&self, memory: PointerValue<'ctx>) -> Result<PointerValue<'ctx>> {
        self.load_ptr(memory, abi::memory::BASE)
    }

    /// Current size in bytes, as i64: at most 4 GiB (256 TiB for a 64-bit memory), which LLVM
    /// is told, so that it knows limits derived from it cannot overflow. (A 32-bit memory stops
    /// a page short, `abi::MAX_USABLE_PAGES`; telling LLVM so made `lz77` 5% slower, with more
    /// spills.)
    pub fn memory_size(
        &self,
        memory: PointerValue<'ctx>,
        memory64: bool,
    ) -> Result<IntValue<'ctx>> {
        let size = self.load_i64(memory, abi::memory::SIZE)?;
        let max_pages = if memory64 { abi::MAX_PAGES64 } else { abi::MAX_PAGES };
        if let Some(load) = size.as_instruction_value() {
            let context = self.types.context;
            let range = context.metadata_node(&[
                self.types.i64.const_zero().into(),
                self.types.i64.const_int(max_pages * abi::PAGE_SIZE + 1, false).into(),
            ]);
            let _ = load.set_metadata(range, context.get_kind_id("range"));
        }
        Ok(size)
    }

    /// The 16-byte cell of global `index`.
    pub fn global_cell(&self, index: u32) -> Result<PointerValue<'ctx>> {
        self.array_entry(abi::instance::GLOBALS, index)
    }

    /// The `w2n_table` of table `index`.
    pub fn table(&self, index: u32) -> Result<PointerValue<'ctx>> {
        self.array_entry(abi::instance::TABLES, index)
    }

    pub fn table_elements(&self, table: PointerValue<'ctx>) -> Result<PointerValue<'ctx>> {
        self.load_ptr(table, abi::table::ELEMENTS)
    }

    pub fn table_size(&self, table: PointerValue<'ctx>) -> Result<IntValue<'ctx>> {
        self.load_i32(table, abi::table::SIZE)
    }

    /// The `w2n_funcref` of function `index` (the binding, for imports).
    pub fn funcref(&self, func_index: u32) -> Result<PointerValue<'ctx>> {
        self.array_entry(abi::instance::FUNCS, func_index)
    }

    /// The host's `w2n_funcref` (C code and its vmctx) behind imported function `func_index`,
    /// which the runtime fills when it binds the import to host code.
    pub fn host_func(&self, func_index: u32) -> Result<PointerValue<'ctx>> {
        let host_funcs = self.load_invariant_ptr(self.vmctx, abi::instance::HOST_FUNCS)?;
        self.offset_ptr(host_funcs, func_index * abi::funcref::SIZE)
    }

    pub fn funcref_code(&self, funcref: PointerValue<'ctx>) -> Result<PointerValue<'ctx>> {
        self.load_ptr(funcref, abi::funcref::CODE)
    }

    pub fn funcref_vmctx(&self, funcref: PointerValue<'ctx>) -> Result<PointerValue<'ctx>> {
        self.load_ptr(funcref, abi::funcref::VMCTX)
    }

    pub fn funcref_type_id(&self, funcref: PointerValue<'ctx>) -> Result<IntValue<'ctx>> {
        self.load_i32(funcref, abi::funcref::TYPE_ID)
    }

    /// The canonical signature id of type `index`, as interned at instantiation.
    pub fn type_id(&self, type_index: u32) -> Result<IntValue<'ctx>> {
        let ids = self.load_invariant_ptr(self.vmctx, abi::instance::TYPE_IDS)?;
        Ok(self.load_invariant_field(self.types.i32.into(), ids, type_index * 4)?.into_int_value())
    }

    /// The `w2n_tag` of tag `index` (the exporter's, for an import).
    pub fn tag(&self, index: u32) -> Result<PointerValue<'ctx>> {
        self.array_entry(abi::instance::TAGS, index)
    }

    /// The tag of an exception (`w2n_exception`).
    pub fn exception_tag(&self, exception: PointerValue<'ctx>) -> Result<PointerValue<'ctx>> {
        self.load_ptr(exception, abi::exception::TAG)
    }

    /// The payload's first value slot of an exception.
    pub fn exception_values(&self, exception: PointerValue<'ctx>) -> Result<PointerValue<'ctx>> {
        self.offset_ptr(exception, abi::exception::VALUES)
    }

    /// Slot `index` of the evaluated element segment `segment`.
    pub fn elem_segment_slot(&self, segment: u32, index: u32) -> Result<PointerValue<'ctx>> {
        // Not `array_entry`: dropping a segment may change its entry.
        let segments = self.load_ptr(self.vmctx, abi::instance::ELEM_SEGMENTS)?;
        let items = self.load_ptr(segments, segment * 8)?;
        self.offset_ptr(items, index * 8)
    }

    /// Library builds: the embedder's context, from the `w2n_api_host` behind `host_data`.
    pub fn api_context(&self) -> Result<PointerValue<'ctx>> {
        let host = self.load_ptr(self.vmctx, abi::instance::HOST_DATA)?;
        self.load_ptr(host, abi::api::HOST_CONTEXT)
    }

    /// Library builds: the embedder's function bound to import `import_index`.
    pub fn api_import_function(&self, import_index: u32) -> Result<PointerValue<'ctx>> {
        let host = self.load_ptr(self.vmctx, abi::instance::HOST_DATA)?;
        let functions = self.load_ptr(host, abi::api::HOST_IMPORT_FUNCTIONS)?;
        self.load_ptr(functions, import_index * 8)
    }

    /// Loads a value of `ty` stored at `ptr` (global cells, value slots).
    pub fn load_value(
        &self,
        ty: inkwell::types::BasicTypeEnum<'ctx>,
        ptr: PointerValue<'ctx>,
    ) -> Result<BasicValueEnum<'ctx>> {
        let value = self.builder.build_load(ty, ptr, "")?;
        set_alignment(value, 8);
        self.types.alias.tag_value(value, Storage::RuntimeData);
        Ok(value)
    }
}

/// Sets the alignment of the load or store that produced `value`.
pub fn set_alignment(value: BasicValueEnum<'_>, align: u32) {
    if let Some(inst) = value.as_instruction_value() {
        let _ = inst.set_alignment(align);
    }
}
