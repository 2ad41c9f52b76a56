//! Tables and reference values. Element accesses are bounds-checked here; the operations that
//! move ranges (`table.init/copy/fill/grow`) are carried out by the runtime.

use super::super::alias::Storage;
use super::super::func::FuncTranslator;
use super::super::Result;
use crate::abi::{AbiType, RuntimeFn, TrapCode};
use inkwell::values::{BasicMetadataValueEnum, IntValue, PointerValue};
use inkwell::IntPredicate;

impl<'e, 'ctx, 'a> FuncTranslator<'e, 'ctx, 'a> {
    /// The slot of element `index` of `table`, trapping with `out_of_bounds` past the end
    /// ("out of bounds table access" for table operators, "undefined element" for calls).
    pub fn table_slot(
        &mut self,
        table: u32,
        index: IntValue<'ctx>,
        out_of_bounds: TrapCode,
    ) -> Result<PointerValue<'ctx>> {
        let instance = self.instance();
        let table = instance.table(table)?;
        let size = instance.table_size(table)?;
        let elements = instance.table_elements(table)?;
        // A table64 index is compared in 64 bits, so that none past 2^32 wraps into the table.
        let i64_ty = self.env.types.i64;
        let index = self.builder.build_int_z_extend_or_bit_cast(index, i64_ty, "")?;
        let size = self.builder.build_int_z_extend(size, i64_ty, "")?;
        let past_end = self.builder.build_int_compare(IntPredicate::UGE, index, size, "")?;
        self.trap_if(past_end, out_of_bounds)?;
        // SAFETY: `index` was checked against the table size.
        Ok(unsafe { self.builder.build_in_bounds_gep(self.env.types.ptr, elements, &[index], "")? })
    }

    pub fn translate_table_get(&mut self, table: u32) -> Result<()> {
        let index = self.pop_int()?;
        let slot = self.table_slot(table, index, TrapCode::TableOutOfBounds)?;
        let value = self.builder.build_load(self.env.types.ptr, slot, "")?;
        self.env.types.alias.tag_value(value, Storage::RuntimeData);
        self.push(value);
        Ok(())
    }

    pub fn translate_table_set(&mut self, table: u32) -> Result<()> {
        let value = self.pop()?;
        let index = self.pop_int()?;
        let slot = self.table_slot(table, index, TrapCode::TableOutOfBounds)?;
        let store = self.builder.build_store(slot, value)?;
        self.env.types.alias.tag(store, Storage::RuntimeData);
        self.env.fence_store(&self.builder)
    }

    pub fn translate_table_size(&mut self, table: u32) -> Result<()> {
        let instance = self.instance();
        let table_ref = instance.table(table)?;
        let size = instance.table_size(table_ref)?;
        let size = match self.is_table64(table) {
            true => self.builder.build_int_z_extend(size, self.env.types.i64, "")?,
            false => size,
        };
        self.push(size);
        Ok(())
    }

    fn is_table64(&self, table: u32) -> bool {
        self.env.info.tables[table as usize].table64
    }

    pub fn translate_table_grow(&mut self, table: u32) -> Result<()> {
        let delta = self.pop()?;
        let delta = self.env.fit_operand(&self.builder, delta, AbiType::I32)?;
        let init = self.pop()?;
        let args: [BasicMetadataValueEnum; 4] =
            [self.vmctx.into(), self.env.const_i32(table).into(), init.into(), delta.into()];
        let old_size = self
            .env
            .call_runtime_value(&self.builder, RuntimeFn::TableGrow, &args)?
            .into_int_value();
        let old_size = match self.is_table64(table) {
            // Failure stays -1; a size is zero-extended.
            true => {
                let i64_ty = self.env.types.i64;
                let failed = self.builder.build_int_compare(
                    IntPredicate::EQ,
                    old_size,
                    self.env.types.i32.const_all_ones(),
                    "",
                )?;
                let size = self.builder.build_int_z_extend(old_size, i64_ty, "")?;
                self.builder
                    .build_select(failed, i64_ty.const_all_ones(), size, "")?
                    .into_int_value()
            }
            false => old_size,
        };
        self.push(old_size);
        Ok(())
    }

    pub fn translate_table_fill(&mut self, table: u32) -> Result<()> {
        self.call_runtime_with_operands(RuntimeFn::TableFill, &[table], 3)
    }

    pub fn translate_table_init(&mut self, elem_index: u32, table: u32) -> Result<()> {
        self.call_runtime_with_operands(RuntimeFn::TableInit, &[table, elem_index], 3)
    }

    pub fn translate_table_copy(&mut self, dst_table: u32, src_table: u32) -> Result<()> {
        self.call_runtime_with_operands(RuntimeFn::TableCopy, &[dst_table, src_table], 3)
    }

    pub fn translate_elem_drop(&mut self, elem_index: u32) -> Result<()> {
        self.call_runtime_with_operands(RuntimeFn::ElemDrop, &[elem_index], 0)
    }

    pub fn translate_ref_is_null(&mut self) -> Result<()> {
        let value = self.pop()?.into_pointer_value();
        let is_null = self.builder.build_is_null(value, "")?;
        let is_null = self.builder.build_int_z_extend(is_null, self.env.types.i32, "")?;
        self.push(is_null);
        Ok(())
    }

    /// `ref.as_non_null`: traps on null, else leaves the reference as it is.
    pub fn translate_ref_as_non_null(&mut self) -> Result<()> {
        let reference = self.peek_n(1)?[0].into_pointer_value();
        let is_null = self.builder.build_is_null(reference, "")?;
        self.trap_if(is_null, TrapCode::NullReference)?;
        Ok(())
    }

    pub fn translate_ref_func(&mut self, func_index: u32) -> Result<()> {
        let funcref = self.instance().funcref(func_index)?;
        self.push(funcref);
        Ok(())
    }
}
