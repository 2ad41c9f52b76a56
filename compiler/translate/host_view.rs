//! The code of a host import's view: what an instance binds in place of a host function (C) it
//! imports, so that every funcref compiled code reaches has the Wasm calling convention (see
//! `abi::WASM_CALLING_CONVENTION` and `w2n_instance.host_funcs` in the header). One adapter per
//! imported function, in the Wasm convention with the import's signature, calls the host's code
//! in the C convention with the host's vmctx.

use super::instance::InstanceAccess;
use super::types::wasm_params;
use super::{ModuleEnv, Result};
use crate::abi::WASM_CALLING_CONVENTION;
use crate::error::CompileError;
use inkwell::module::Linkage;
use inkwell::values::{BasicMetadataValueEnum, FunctionValue, ValueKind};

impl<'ctx> ModuleEnv<'ctx, '_> {
    /// Emits the view adapter of imported function `func_index`.
    pub fn emit_host_view(&self, func_index: u32) -> Result<FunctionValue<'ctx>> {
        let ty = self.info.func_type(func_index);
        let fn_type = self.fn_types[self.info.func_types[func_index as usize] as usize];
        let function = self.module.add_function(
            &format!("wasm_host_view_{func_index}"),
            fn_type,
            Some(Linkage::Internal),
        );
        function.set_call_conventions(WASM_CALLING_CONVENTION);
        let builder = self.context.create_builder();
        builder.position_at_end(self.context.append_basic_block(function, "entry"));
        let params = function.get_params();
        let vmctx = params
            .first()
            .ok_or_else(|| CompileError::backend("view without its instance parameter"))?
            .into_pointer_value();
        let instance = InstanceAccess { builder: &builder, types: &self.types, vmctx };
        let host = instance.host_func(func_index)?;
        let code = instance.funcref_code(host)?;
        let (results, first_param) = wasm_params(function, ty)?;
        let mut args: Vec<BasicMetadataValueEnum> = vec![instance.funcref_vmctx(host)?.into()];
        args.extend(
            params[first_param as usize..].iter().map(|p| BasicMetadataValueEnum::from(*p)),
        );
        let call = builder.build_indirect_call(self.types.host_function(ty), code, &args, "")?;
        match (results, call.try_as_basic_value()) {
            (Some(results), _) => {
                let values = self.call_results(&builder, call, None, ty.results())?;
                self.store_results(&builder, results, ty.results(), &values)?;
                builder.build_return(None)?
            }
            (None, ValueKind::Basic(value)) => builder.build_return(Some(&value))?,
            (None, _) => builder.build_return(None)?,
        };
        Ok(function)
    }
}
