//! Direct and indirect calls. Defined functions are called directly; imports and table entries
//! through their `w2n_funcref` (code pointer plus the callee's own instance).

use super::super::alias::Storage;
use super::super::func::FuncTranslator;
use super::super::Result;
use crate::abi::TrapCode;
use inkwell::types::FunctionType;
use inkwell::values::{
    BasicMetadataValueEnum, BasicValueEnum, CallSiteValue, PointerValue, ValueKind,
};
use inkwell::IntPredicate;

impl<'e, 'ctx, 'a> FuncTranslator<'e, 'ctx, 'a> {
    fn call_arguments(
        &mut self,
        vmctx: PointerValue<'ctx>,
        param_count: usize,
    ) -> Result<Vec<BasicMetadataValueEnum<'ctx>>> {
        let params = self.pop_n(param_count)?;
        let mut args: Vec<BasicMetadataValueEnum> = vec![vmctx.into()];
        args.extend(params.into_iter().map(BasicMetadataValueEnum::from));
        Ok(args)
    }

    /// Pushes a call's results (unpacking a multi-value struct) and refreshes what the callee may
    /// have changed.
    fn finish_call(&mut self, call: CallSiteValue<'ctx>, result_count: usize) -> Result<()> {
        if let ValueKind::Basic(value) = call.try_as_basic_value() {
            if result_count == 1 {
                self.push(value);
            } else {
                let aggregate = value.into_struct_value();
                for i in 0..result_count as u32 {
                    let field: BasicValueEnum =
                        self.builder.build_extract_value(aggregate, i, "")?;
                    self.push(field);
                }
            }
        }
        self.reload_memory_cache()
    }

    pub fn translate_call(&mut self, func_index: u32) -> Result<()> {
        let ty = self.env.info.func_type(func_index).clone();
        let call = if self.env.info.is_imported_func(func_index) {
            let instance = self.instance();
            let funcref = instance.funcref(func_index)?;
            let code = instance.funcref_code(funcref)?;
            let callee_vmctx = instance.funcref_vmctx(funcref)?;
            let fn_type = self.env.fn_types[self.env.info.func_types[func_index as usize] as usize];
            let args = self.call_arguments(callee_vmctx, ty.params().len())?;
            self.builder.build_indirect_call(fn_type, code, &args, "")?
        } else {
            let callee =
                self.env.functions[(func_index - self.env.info.num_imported_funcs) as usize];
            let args = self.call_arguments(self.vmctx, ty.params().len())?;
            self.builder.build_call(callee, &args, "")?
        };
        self.finish_call(call, ty.results().len())
    }

    pub fn translate_call_indirect(&mut self, type_index: u32, table_index: u32) -> Result<()> {
        let index = self.pop_int()?;
        let slot = self.table_slot(table_index, index, TrapCode::UndefinedElement)?;
        let funcref = self.builder.build_load(self.env.types.ptr, slot, "")?;
        self.env.types.alias.tag_value(funcref, Storage::RuntimeData);
        let funcref = funcref.into_pointer_value();
        let is_null = self.builder.build_is_null(funcref, "")?;
        self.trap_if(is_null, TrapCode::UninitializedElement)?;
        let instance = self.instance();
        let actual = instance.funcref_type_id(funcref)?;
        let expected = instance.type_id(type_index)?;
        let code = instance.funcref_code(funcref)?;
        let callee_vmctx = instance.funcref_vmctx(funcref)?;
        let mismatch = self.builder.build_int_compare(IntPredicate::NE, actual, expected, "")?;
        self.trap_if(mismatch, TrapCode::IndirectCallTypeMismatch)?;
        let ty = self.env.info.types[type_index as usize].clone();
        let fn_type: FunctionType = self.env.fn_types[type_index as usize];
        let args = self.call_arguments(callee_vmctx, ty.params().len())?;
        let call = self.builder.build_indirect_call(fn_type, code, &args, "")?;
        self.finish_call(call, ty.results().len())
    }
}
