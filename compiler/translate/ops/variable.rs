//! Locals, globals and the parametric `select`.

use super::super::alias::Storage;
use super::super::func::FuncTranslator;
use super::super::Result;
use crate::source_debug::FrameBase;
use inkwell::values::BasicValueEnum;

impl<'e, 'ctx, 'a> FuncTranslator<'e, 'ctx, 'a> {
    /// Loads the local's slot (SROA turns slots into SSA values). A read of an integer local set
    /// earlier in the same straight-line code also notes the value it was set to, so that the
    /// arithmetic of an address kept in a local (`local.tee`, then `local.get`) can be seen
    /// through (`address`).
    pub fn translate_local_get(&mut self, index: u32) -> Result<()> {
        let (slot, ty) = self.locals[index as usize];
        let value = self.builder.build_load(ty, slot, "")?;
        if let BasicValueEnum::IntValue(int) = value {
            self.facts.note_local_get(index, int);
        }
        self.push(value);
        Ok(())
    }

    pub fn translate_local_set(&mut self, index: u32) -> Result<()> {
        let value = self.pop()?;
        self.builder.build_store(self.locals[index as usize].0, value)?;
        self.facts.note_local_set(index, value);
        self.note_frame_base_set(FrameBase::Local(index))
    }

    pub fn translate_local_tee(&mut self, index: u32) -> Result<()> {
        let value = *self
            .peek_n(1)?
            .first()
            .ok_or_else(|| crate::error::CompileError::backend("empty stack"))?;
        self.builder.build_store(self.locals[index as usize].0, value)?;
        self.facts.note_local_set(index, value);
        self.note_frame_base_set(FrameBase::Local(index))
    }

    pub fn translate_global_get(&mut self, index: u32) -> Result<()> {
        let ty = self.env.types.value(self.env.info.globals[index as usize].ty.content_type);
        let instance = self.instance();
        let cell = instance.global_cell(index)?;
        let value = instance.load_value(ty, cell)?;
        self.push(value);
        Ok(())
    }

    pub fn translate_global_set(&mut self, index: u32) -> Result<()> {
        let value = self.pop()?;
        let cell = self.instance().global_cell(index)?;
        let store = self.builder.build_store(cell, value)?;
        self.env.types.alias.tag(store, Storage::RuntimeData);
        self.env.fence_store(&self.builder)?;
        self.note_frame_base_set(FrameBase::Global(index))
    }

    pub fn translate_select(&mut self) -> Result<()> {
        let condition = self.pop_int()?;
        let if_false = self.pop()?;
        let if_true = self.pop()?;
        let is_true = self.is_nonzero(condition)?;
        let result = self.builder.build_select(is_true, if_true, if_false, "")?;
        self.push(result);
        Ok(())
    }
}
