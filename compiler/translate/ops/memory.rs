//! Linear memory: bounds-checked loads and stores, `memory.size`/`memory.grow` and the bulk
//! memory operators (which the runtime carries out, checking bounds before writing anything).

use super::super::func::FuncTranslator;
use super::super::instance::set_alignment;
use super::super::Result;
use crate::abi::{RuntimeFn, TrapCode, PAGE_SIZE};
use inkwell::types::BasicTypeEnum;
use inkwell::values::{BasicValueEnum, IntValue, PointerValue};
use inkwell::IntPredicate;
use wasmparser::MemArg;

impl<'e, 'ctx, 'a> FuncTranslator<'e, 'ctx, 'a> {
    fn memory_base_and_size(&self, memory: u32) -> Result<(PointerValue<'ctx>, IntValue<'ctx>)> {
        let slots = self.memory_slots[memory as usize];
        let base = self.builder.build_load(self.env.types.ptr, slots.base, "mem_base")?;
        let size = self.builder.build_load(self.env.types.i64, slots.size, "mem_size")?;
        Ok((base.into_pointer_value(), size.into_int_value()))
    }

    fn memory_index(memarg: &MemArg) -> Result<u32> {
        match memarg.target {
            wasmparser::MemArgTarget::Memory(index) => Ok(index),
            wasmparser::MemArgTarget::Array(_) => Err(crate::error::CompileError::backend("GC array access")),
        }
    }

    /// Pops an address and returns the host pointer for an access of `bytes` bytes at
    /// `address + memarg.offset`, after trapping unless the whole access lies in bounds. The
    /// check is in 64-bit arithmetic, where a 32-bit address plus a 32-bit offset cannot wrap.
    pub fn checked_address(&mut self, memarg: &MemArg, bytes: u32) -> Result<PointerValue<'ctx>> {
        let address = self.pop_int()?;
        let i64_ty = self.env.types.i64;
        let address = self.builder.build_int_z_extend(address, i64_ty, "")?;
        let (base, size) = self.memory_base_and_size(Self::memory_index(memarg)?)?;
        let end = self.builder.build_int_add(address, i64_ty.const_int(memarg.offset + bytes as u64, false), "")?;
        let out_of_bounds = self.builder.build_int_compare(IntPredicate::UGT, end, size, "")?;
        self.trap_if(out_of_bounds, TrapCode::MemoryOutOfBounds)?;
        let effective = self.builder.build_int_add(address, i64_ty.const_int(memarg.offset, false), "")?;
        // SAFETY: the bounds check above keeps `effective` inside the memory.
        Ok(unsafe { self.builder.build_in_bounds_gep(self.env.types.i8, base, &[effective], "")? })
    }

    /// Loads `bits` bits and widens them to `ty` (sign- or zero-extending integers).
    pub fn translate_load(&mut self, memarg: &MemArg, ty: BasicTypeEnum<'ctx>, bits: u32, signed: bool) -> Result<()> {
        let ptr = self.checked_address(memarg, bits / 8)?;
        let value = match ty {
            BasicTypeEnum::IntType(int_ty) if int_ty.get_bit_width() != bits => {
                let narrow_ty = self.env.types.int_of_bits(bits);
                let narrow = self.builder.build_load(narrow_ty, ptr, "")?;
                set_alignment(narrow, 1);
                let narrow = narrow.into_int_value();
                let wide = if signed {
                    self.builder.build_int_s_extend(narrow, int_ty, "")?
                } else {
                    self.builder.build_int_z_extend(narrow, int_ty, "")?
                };
                BasicValueEnum::from(wide)
            }
            _ => {
                let value = self.builder.build_load(ty, ptr, "")?;
                set_alignment(value, 1);
                value
            }
        };
        self.push(value);
        Ok(())
    }

    /// Stores the low `bits` bits of the popped value.
    pub fn translate_store(&mut self, memarg: &MemArg, bits: u32) -> Result<()> {
        let value = self.pop()?;
        let ptr = self.checked_address(memarg, bits / 8)?;
        let value = match value {
            BasicValueEnum::IntValue(int) if int.get_type().get_bit_width() != bits => {
                let narrow_ty = self.env.types.int_of_bits(bits);
                self.builder.build_int_truncate(int, narrow_ty, "")?.into()
            }
            other => other,
        };
        let store = self.builder.build_store(ptr, value)?;
        let _ = store.set_alignment(1);
        Ok(())
    }

    pub fn translate_memory_size(&mut self, memory: u32) -> Result<()> {
        let (_, size) = self.memory_base_and_size(memory)?;
        let pages = self.builder.build_int_unsigned_div(size, self.env.types.i64.const_int(PAGE_SIZE, false), "")?;
        let pages = self.builder.build_int_truncate(pages, self.env.types.i32, "")?;
        self.push(pages);
        Ok(())
    }

    pub fn translate_memory_grow(&mut self, memory: u32) -> Result<()> {
        let delta = self.pop_int()?;
        let memory = self.env.const_i32(memory);
        let args = [self.vmctx.into(), memory.into(), delta.into()];
        let old_pages = self.env.call_runtime_value(&self.builder, RuntimeFn::MemoryGrow, &args)?;
        self.push(old_pages);
        self.reload_memory_cache()
    }

    /// Calls a void runtime function with the instance, `immediates` and then the popped
    /// operands (`operand_count` of them, in stack order).
    pub fn call_runtime_with_operands(&mut self, f: RuntimeFn, immediates: &[u32], operand_count: usize) -> Result<()> {
        let operands = self.pop_n(operand_count)?;
        let mut args: Vec<inkwell::values::BasicMetadataValueEnum> = vec![self.vmctx.into()];
        args.extend(immediates.iter().map(|i| inkwell::values::BasicMetadataValueEnum::from(self.env.const_i32(*i))));
        args.extend(operands.into_iter().map(inkwell::values::BasicMetadataValueEnum::from));
        self.env.call_runtime(&self.builder, f, &args)?;
        Ok(())
    }

    pub fn translate_memory_init(&mut self, data_index: u32, memory: u32) -> Result<()> {
        self.call_runtime_with_operands(RuntimeFn::MemoryInit, &[memory, data_index], 3)
    }

    pub fn translate_data_drop(&mut self, data_index: u32) -> Result<()> {
        self.call_runtime_with_operands(RuntimeFn::DataDrop, &[data_index], 0)
    }

    pub fn translate_memory_copy(&mut self, dst_memory: u32, src_memory: u32) -> Result<()> {
        self.call_runtime_with_operands(RuntimeFn::MemoryCopy, &[dst_memory, src_memory], 3)
    }

    pub fn translate_memory_fill(&mut self, memory: u32) -> Result<()> {
        self.call_runtime_with_operands(RuntimeFn::MemoryFill, &[memory], 3)
    }
}
