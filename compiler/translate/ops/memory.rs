//! Linear memory: bounds-checked loads and stores (by comparison, or by the guard reservation in
//! guard mode), `memory.size`/`memory.grow` and the bulk memory operators (`memory.init` by the
//! runtime, `memory.copy` and `memory.fill` in line; each checks bounds before writing anything,
//! in both modes).

use super::super::alias::Storage;
use super::super::func::FuncTranslator;
use super::super::instance::set_alignment;
use super::super::{OutOfBoundsAccess, Result};
use crate::abi::{AbiType, RuntimeFn, MAX_PAGES64, MEMORY_GUARD_BYTES, PAGE_SIZE};
use crate::error::CompileError;
use crate::BoundsChecks;
use inkwell::types::BasicTypeEnum;
use inkwell::values::{BasicValueEnum, IntValue, PointerValue};
use inkwell::IntPredicate;
use wasmparser::MemArg;

/// Where a load or store of linear memory goes.
#[derive(Clone, Copy)]
pub struct LinearAddress<'ctx> {
    pub ptr: PointerValue<'ctx>,
    /// Whether the access is left to the guard: out of bounds, it faults rather than failing a
    /// check before it.
    pub faults: bool,
}

impl<'e, 'ctx, 'a> FuncTranslator<'e, 'ctx, 'a> {
    fn memory_base(&self, memory: u32) -> Result<PointerValue<'ctx>> {
        let slots = self.memory_slots[memory as usize];
        Ok(self
            .builder
            .build_load(self.env.types.ptr, slots.base, "mem_base")?
            .into_pointer_value())
    }

    pub fn memory_size(&self, memory: u32) -> Result<IntValue<'ctx>> {
        let slots = self.memory_slots[memory as usize];
        Ok(self.builder.build_load(self.env.types.i64, slots.size, "mem_size")?.into_int_value())
    }

    fn memory_index(memarg: &MemArg) -> Result<u32> {
        match memarg.target {
            wasmparser::MemArgTarget::Memory(index) => Ok(index),
            wasmparser::MemArgTarget::Array(_) => Err(CompileError::backend("GC array access")),
        }
    }

    /// Whether the guard reservation alone keeps an access to `memory` ending `access_end` bytes
    /// past its address in bounds: in guard mode, a 32-bit memory and an end within the guard,
    /// so that every address it can form lies inside the reservation.
    fn guard_covers(&self, memory: u32, access_end: u64) -> bool {
        self.env.bounds_checks == BoundsChecks::Guard
            && !self.env.info.memories[memory as usize].memory64
            && access_end <= MEMORY_GUARD_BYTES
    }

    /// Pops an address and returns where an access of `bytes` bytes at `address + memarg.offset`
    /// goes, after trapping unless the whole access lies in bounds. The check is in 64-bit
    /// arithmetic, where a 32-bit address and a 32-bit offset cannot wrap. Where the guard covers
    /// the access there is no check: past the memory's size the access faults in the guard, and
    /// the runtime's fault handler raises the same trap.
    pub fn checked_address(&mut self, memarg: &MemArg, bytes: u32) -> Result<LinearAddress<'ctx>> {
        let address = self.pop_int()?;
        let key = self.address_key(address);
        let i64_ty = self.env.types.i64;
        let memory = Self::memory_index(memarg)?;
        // A 64-bit memory's offset may reach past any memory, or even wrap with the size.
        let Some(access_end) =
            memarg.offset.checked_add(bytes as u64).filter(|end| *end <= MAX_PAGES64 * PAGE_SIZE)
        else {
            return self.always_out_of_bounds(memory, address, memarg.offset, bytes);
        };
        let faults = self.guard_covers(memory, access_end);
        let address = if faults {
            self.guarded_index(address, memory, access_end)?
        } else {
            self.check_bounds(key, address, memory, memarg.offset, bytes)?
        };
        let base = self.memory_base(memory)?;
        let effective = match memarg.offset {
            0 => address,
            offset => {
                self.builder.build_int_nuw_add(address, i64_ty.const_int(offset, false), "")?
            }
        };
        // SAFETY: `effective` is inside the memory (checked above) or, where the guard covers
        // the access, inside the memory's reservation, one mapping from `base` on.
        let ptr =
            unsafe { self.builder.build_in_bounds_gep(self.env.types.i8, base, &[effective], "")? };
        Ok(LinearAddress { ptr, faults })
    }

    /// An access no address can make fit: a trap always taken. The code after it is kept
    /// well-formed (with memory's base as a stand-in address) for the optimiser to drop.
    fn always_out_of_bounds(
        &mut self,
        memory: u32,
        address: IntValue<'ctx>,
        offset: u64,
        length: u32,
    ) -> Result<LinearAddress<'ctx>> {
        let always = self.env.context.bool_type().const_all_ones();
        let address =
            self.builder.build_int_z_extend_or_bit_cast(address, self.env.types.i64, "")?;
        let memory_size = self.memory_size(memory)?;
        let access = OutOfBoundsAccess { memory, memory_size, address, offset, length };
        self.trap_out_of_bounds_if(always, &access)?;
        Ok(LinearAddress { ptr: self.memory_base(memory)?, faults: false })
    }

    /// Loads a `ty` from `address`; Wasm alignment is only a hint. The caller anchors what it
    /// makes of the value (`anchor_load`).
    pub fn load_memory(
        &mut self,
        ty: BasicTypeEnum<'ctx>,
        address: LinearAddress<'ctx>,
    ) -> Result<BasicValueEnum<'ctx>> {
        let value = self.builder.build_load(ty, address.ptr, "")?;
        set_alignment(value, 1);
        self.env.types.alias.tag_value(value, Storage::LinearMemory);
        Ok(value)
    }

    /// Anchors `value`, the result of a load from `address` (extended, splatted or inserted into
    /// a vector, every loaded bit kept), when the load may fault (guard mode,
    /// `ModuleEnv::anchor_load`). Anchoring the result rather than the load lets the code
    /// generator still fold the load into the instruction that extends or splats it.
    pub fn anchor_load(
        &self,
        address: LinearAddress<'ctx>,
        value: BasicValueEnum<'ctx>,
    ) -> Result<()> {
        match address.faults {
            true => self.env.anchor_load(&self.builder, value),
            false => Ok(()),
        }
    }

    /// Loads `bits` bits and widens them to `ty` (sign- or zero-extending integers).
    pub fn translate_load(
        &mut self,
        memarg: &MemArg,
        ty: BasicTypeEnum<'ctx>,
        bits: u32,
        signed: bool,
    ) -> Result<()> {
        let address = self.checked_address(memarg, bits / 8)?;
        let value = match ty {
            BasicTypeEnum::IntType(int_ty) if int_ty.get_bit_width() != bits => {
                let narrow_ty = self.env.types.int_of_bits(bits);
                let narrow = self.load_memory(narrow_ty.into(), address)?.into_int_value();
                let wide = if signed {
                    self.builder.build_int_s_extend(narrow, int_ty, "")?
                } else {
                    self.builder.build_int_z_extend(narrow, int_ty, "")?
                };
                BasicValueEnum::from(wide)
            }
            _ => self.load_memory(ty, address)?,
        };
        self.anchor_load(address, value)?;
        self.push(value);
        Ok(())
    }

    /// Stores the low `bits` bits of the popped value.
    pub fn translate_store(&mut self, memarg: &MemArg, bits: u32) -> Result<()> {
        let value = self.pop()?;
        let address = self.checked_address(memarg, bits / 8)?;
        let value = match value {
            BasicValueEnum::IntValue(int) if int.get_type().get_bit_width() != bits => {
                let narrow_ty = self.env.types.int_of_bits(bits);
                self.builder.build_int_truncate(int, narrow_ty, "")?.into()
            }
            other => other,
        };
        self.store_memory(address, value)
    }

    /// Stores `value` at `address`, then fences the store in guard mode
    /// (`ModuleEnv::fence_store`).
    pub fn store_memory(
        &mut self,
        address: LinearAddress<'ctx>,
        value: BasicValueEnum<'ctx>,
    ) -> Result<()> {
        let store = self.builder.build_store(address.ptr, value)?;
        let _ = store.set_alignment(1);
        self.env.types.alias.tag(store, Storage::LinearMemory);
        self.env.fence_store(&self.builder)
    }

    pub fn translate_memory_size(&mut self, memory: u32) -> Result<()> {
        let size = self.memory_size(memory)?;
        let pages = self.builder.build_int_unsigned_div(
            size,
            self.env.types.i64.const_int(PAGE_SIZE, false),
            "",
        )?;
        let pages = match self.env.info.memories[memory as usize].memory64 {
            true => pages,
            false => self.builder.build_int_truncate(pages, self.env.types.i32, "")?,
        };
        self.push(pages);
        Ok(())
    }

    pub fn translate_memory_grow(&mut self, memory: u32) -> Result<()> {
        let delta = self.pop_int()?;
        let delta = self.env.fit_operand(&self.builder, delta.into(), AbiType::I64)?;
        let index = self.env.const_i32(memory);
        let args = [self.vmctx.into(), index.into(), delta.into()];
        let old_pages = self.env.call_runtime_value(&self.builder, RuntimeFn::MemoryGrow, &args)?;
        // -1 and every page count of a 32-bit memory survive the truncation.
        let old_pages = match self.env.info.memories[memory as usize].memory64 {
            true => old_pages,
            false => self
                .builder
                .build_int_truncate(old_pages.into_int_value(), self.env.types.i32, "")?
                .into(),
        };
        self.push(old_pages);
        self.reload_memory_cache()
    }

    /// Calls a void runtime function with the instance, `immediates` and then the popped
    /// operands (`operand_count` of them, in stack order).
    pub fn call_runtime_with_operands(
        &mut self,
        f: RuntimeFn,
        immediates: &[u32],
        operand_count: usize,
    ) -> Result<()> {
        let operands = self.pop_n(operand_count)?;
        let mut args: Vec<inkwell::values::BasicMetadataValueEnum> = vec![self.vmctx.into()];
        args.extend(
            immediates
                .iter()
                .map(|i| inkwell::values::BasicMetadataValueEnum::from(self.env.const_i32(*i))),
        );
        let operand_types = f.prototype().param_types().split_off(1 + immediates.len());
        for (operand, ty) in operands.into_iter().zip(operand_types) {
            args.push(self.env.fit_operand(&self.builder, operand, ty)?.into());
        }
        self.env.call_runtime(&self.builder, f, &args)?;
        Ok(())
    }

    pub fn translate_memory_init(&mut self, data_index: u32, memory: u32) -> Result<()> {
        self.call_runtime_with_operands(RuntimeFn::MemoryInit, &[memory, data_index], 3)
    }

    pub fn translate_data_drop(&mut self, data_index: u32) -> Result<()> {
        self.call_runtime_with_operands(RuntimeFn::DataDrop, &[data_index], 0)
    }

    /// `memory.copy` in line: both ranges checked, then LLVM's `memmove`, which it expands for a
    /// short constant length and otherwise calls the C library's. Compiled C's `memcpy` and
    /// `memmove` become this instruction (with bulk memory, on by default in current
    /// toolchains), so it is as frequent as they are and mostly short.
    pub fn translate_memory_copy(&mut self, dst_memory: u32, src_memory: u32) -> Result<()> {
        let [dst, src, len] = self.pop_bulk_operands()?;
        self.trap_unless_range_fits(dst_memory, dst, len)?;
        self.trap_unless_range_fits(src_memory, src, len)?;
        let to = self.bulk_address(dst_memory, dst)?;
        let from = self.bulk_address(src_memory, src)?;
        let copy = self
            .builder
            .build_memmove(to, 1, from, 1, len)
            .map_err(|e| CompileError::backend(format!("memmove: {e:?}")))?;
        self.bulk_access_done(copy)
    }

    /// `memory.fill` in line, as `memory.copy`.
    pub fn translate_memory_fill(&mut self, memory: u32) -> Result<()> {
        let [dst, value, len] = self.pop_bulk_operands()?;
        self.trap_unless_range_fits(memory, dst, len)?;
        let to = self.bulk_address(memory, dst)?;
        let byte = self.builder.build_int_truncate(value, self.env.context.i8_type(), "")?;
        let fill = self
            .builder
            .build_memset(to, 1, byte, len)
            .map_err(|e| CompileError::backend(format!("memset: {e:?}")))?;
        self.bulk_access_done(fill)
    }

    /// The three operands of a bulk memory operator, each zero-extended to 64 bits (the address
    /// of a 32-bit memory, a 32-bit length or value).
    fn pop_bulk_operands(&mut self) -> Result<[IntValue<'ctx>; 3]> {
        let mut operands = [self.env.types.i64.const_zero(); 3];
        for operand in operands.iter_mut().rev() {
            let value = self.pop_int()?;
            *operand =
                self.env.fit_operand(&self.builder, value.into(), AbiType::I64)?.into_int_value();
        }
        Ok(operands)
    }

    /// Traps unless `[start, start + len)` lies in `memory`: `len <= size` and `start <= size -
    /// len`, which no 64-bit operand can make wrap. Before anything is written, as the spec
    /// has it.
    fn trap_unless_range_fits(
        &mut self,
        memory: u32,
        start: IntValue<'ctx>,
        len: IntValue<'ctx>,
    ) -> Result<()> {
        let size = self.memory_size(memory)?;
        let too_long = self.builder.build_int_compare(IntPredicate::UGT, len, size, "")?;
        let room = self.builder.build_int_sub(size, len, "")?;
        let too_far = self.builder.build_int_compare(IntPredicate::UGT, start, room, "")?;
        let outside = self.builder.build_or(too_long, too_far, "")?;
        self.trap_if(outside, crate::abi::TrapCode::MemoryOutOfBounds)?;
        Ok(())
    }

    fn bulk_address(&self, memory: u32, address: IntValue<'ctx>) -> Result<PointerValue<'ctx>> {
        let base = self.memory_base(memory)?;
        let i8_ty = self.env.context.i8_type();
        // SAFETY: `address` was checked to lie within the memory at `base`.
        Ok(unsafe { self.builder.build_in_bounds_gep(i8_ty, base, &[address], "")? })
    }

    /// Tags a bulk operator's `memmove` or `memset` as touching linear memory only, and in guard
    /// mode fences it as a store, so that no access that may fault moves across it.
    fn bulk_access_done(&self, call: PointerValue<'ctx>) -> Result<()> {
        if let Some(instruction) = call.as_instruction() {
            self.env.types.alias.tag(instruction, Storage::LinearMemory);
        }
        self.env.fence_store(&self.builder)
    }
}
