//! Calls: direct, through a table (`call_indirect`) and through a typed reference (`call_ref`),
//! each also as a tail call (`return_call*`). Defined functions are called directly; imports,
//! table entries and references through their `w2n_funcref` (code pointer plus the callee's own
//! instance). Every compiled function has the Wasm calling convention
//! (`abi::WASM_CALLING_CONVENTION`, LLVM's `tailcc`), under which a `musttail` call reuses the
//! caller's frame whatever the two signatures: that is what makes `return_call*` run in constant
//! stack, across modules too.

use super::super::alias::Storage;
use super::super::func::FuncTranslator;
use super::super::types::results_in_memory;
use super::super::Result;
use crate::abi::{TrapCode, WASM_CALLING_CONVENTION};
use inkwell::types::FunctionType;
use inkwell::values::{
    BasicMetadataValueEnum, CallSiteValue, FunctionValue, PointerValue, ValueKind,
};
use inkwell::IntPredicate;
use wasmparser::FuncType;

/// Whether a call returns to this function (`call*`) or replaces its frame (`return_call*`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum CallKind {
    Ordinary,
    Tail,
}

/// What a call goes to: a defined function of this module, or code behind a funcref.
enum Callee<'ctx> {
    Direct(FunctionValue<'ctx>),
    Code { code: PointerValue<'ctx>, vmctx: PointerValue<'ctx> },
}

impl<'e, 'ctx, 'a> FuncTranslator<'e, 'ctx, 'a> {
    /// Pops the arguments of `ty`, calls `callee` and, for an ordinary call, pushes its results
    /// (unpacking a multi-value struct, or reading results that come through memory) and
    /// refreshes what the callee may have changed; a tail call returns what the callee returns,
    /// passing on where this function's own caller wants results that go through memory.
    ///
    /// `can_throw`: whether the callee can return with an exception in flight, which an ordinary
    /// call then tests for (a tail call leaves that to this function's caller).
    fn emit_call(
        &mut self,
        callee: Callee<'ctx>,
        type_index: u32,
        kind: CallKind,
        can_throw: bool,
    ) -> Result<()> {
        let ty: FuncType = self.env.info.types[type_index as usize].clone();
        let fn_type: FunctionType = self.env.fn_types[type_index as usize];
        let params = self.pop_n(ty.params().len())?;
        let vmctx = match callee {
            Callee::Direct(_) => self.vmctx,
            Callee::Code { vmctx, .. } => vmctx,
        };
        let mut args: Vec<BasicMetadataValueEnum> = vec![vmctx.into()];
        let results_buffer = match (results_in_memory(ty.results()), kind) {
            (false, _) => None,
            // Validation makes the callee's results this function's own.
            (true, CallKind::Tail) => self.results,
            (true, CallKind::Ordinary) => {
                let struct_ty = self.env.results_struct(ty.results())?;
                Some(self.entry_alloca(struct_ty.into(), "results")?)
            }
        };
        if let Some(buffer) = results_buffer {
            args.push(buffer.into());
        }
        args.extend(params.into_iter().map(BasicMetadataValueEnum::from));
        let call: CallSiteValue = match callee {
            Callee::Direct(function) => self.builder.build_call(function, &args, "")?,
            Callee::Code { code, .. } => {
                self.builder.build_indirect_call(fn_type, code, &args, "")?
            }
        };
        call.set_call_convention(WASM_CALLING_CONVENTION);
        if kind == CallKind::Tail {
            call.set_tail_call_kind(inkwell::values::LLVMTailCallKind::LLVMTailCallKindMustTail);
            let value = match call.try_as_basic_value() {
                ValueKind::Basic(value) => Some(value),
                _ => None,
            };
            self.builder
                .build_return(value.as_ref().map(|v| v as &dyn inkwell::values::BasicValue))?;
            self.state.set_reachable(false);
            return Ok(());
        }
        if can_throw {
            // Before the test: a handler reached from here sees the memory the callee left.
            self.reload_memory_cache()?;
            self.check_exception_after_call()?;
        }
        for value in self.env.call_results(&self.builder, call, results_buffer, ty.results())? {
            self.push(value);
        }
        if can_throw {
            return Ok(());
        }
        self.reload_memory_cache()
    }

    pub fn translate_call(&mut self, func_index: u32, kind: CallKind) -> Result<()> {
        let type_index = self.env.info.func_types[func_index as usize];
        let callee = if self.env.info.is_imported_func(func_index) {
            let instance = self.instance();
            let funcref = instance.funcref(func_index)?;
            Callee::Code {
                code: instance.funcref_code(funcref)?,
                vmctx: instance.funcref_vmctx(funcref)?,
            }
        } else {
            Callee::Direct(
                self.env.functions[(func_index - self.env.info.num_imported_funcs) as usize],
            )
        };
        let can_throw = self.env.info.throws.func_can_throw(func_index);
        self.emit_call(callee, type_index, kind, can_throw)
    }

    pub fn translate_call_indirect(
        &mut self,
        type_index: u32,
        table_index: u32,
        kind: CallKind,
    ) -> Result<()> {
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
        let vmctx = instance.funcref_vmctx(funcref)?;
        let mismatch = self.builder.build_int_compare(IntPredicate::NE, actual, expected, "")?;
        self.trap_if(mismatch, TrapCode::IndirectCallTypeMismatch)?;
        let can_throw = self.env.info.throws.indirect_can_throw();
        self.emit_call(Callee::Code { code, vmctx }, type_index, kind, can_throw)
    }

    /// `call_ref`: the reference's type is the callee's, so only null needs a check.
    pub fn translate_call_ref(&mut self, type_index: u32, kind: CallKind) -> Result<()> {
        let funcref = self.pop()?.into_pointer_value();
        let is_null = self.builder.build_is_null(funcref, "")?;
        self.trap_if(is_null, TrapCode::NullFunctionReference)?;
        let instance = self.instance();
        let code = instance.funcref_code(funcref)?;
        let vmctx = instance.funcref_vmctx(funcref)?;
        let can_throw = self.env.info.throws.indirect_can_throw();
        self.emit_call(Callee::Code { code, vmctx }, type_index, kind, can_throw)
    }
}
