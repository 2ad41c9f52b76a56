//! The code behind a library build's C API (`capi::Surface`): a wrapper per exported function
//! that enters Wasm through the runtime's trap-catching call, an adapter per function import that
//! calls the embedder's C function, the accessors, and the `w2n_api_module` table that the
//! runtime's `w2n_api_new` reads. Every API function's C signature holds only scalars and
//! pointers, so the LLVM types below are the C calling convention as they stand.

use super::instance::{set_alignment, InstanceAccess};
use super::{returned_value, ModuleEnv, Result};
use crate::abi::c::{self, CStruct, FieldKind};
use crate::abi::{self, AbiType, RuntimeFn};
use crate::capi::{fixed, ApiTag, CSignature, CType, ImportBinding, ResultPassing, Surface};
use crate::error::CompileError;
use inkwell::attributes::AttributeLoc;
use inkwell::builder::Builder;
use inkwell::module::Linkage;
use inkwell::types::{BasicMetadataTypeEnum, BasicType, BasicTypeEnum, FunctionType};
use inkwell::values::{
    BasicMetadataValueEnum, BasicValueEnum, FunctionValue, GlobalValue, IntValue, PointerValue,
};
use inkwell::IntPredicate;

/// Emits the whole API of `surface` around the module's `descriptor` and `build_info` record.
pub fn emit_api<'ctx>(
    env: &ModuleEnv<'ctx, '_>,
    surface: &Surface,
    descriptor: GlobalValue<'ctx>,
    build_info: GlobalValue<'ctx>,
) -> Result<()> {
    let api = Api { env, builder: env.context.create_builder() };
    let imports = api.import_table(surface)?;
    let table = env.c_constant::<c::w2n_api_module>(&[
        descriptor.as_pointer_value().into(),
        imports.into(),
        build_info.as_pointer_value().into(),
    ])?;
    let api_module = env.module.add_global(table.get_type(), None, "wasm2native_api_module");
    api_module.set_initializer(&table);
    api_module.set_constant(true);
    api_module.set_linkage(Linkage::Private);
    api.lifecycle(surface, api_module.as_pointer_value(), build_info.as_pointer_value())?;
    for function in &surface.functions {
        api.export_wrapper(&function.symbol, function.func_index, &function.signature)?;
    }
    for memory in &surface.memories {
        api.forwarder(&memory.data, RuntimeFn::ApiMemoryData, Some(memory.memory_index))?;
        api.forwarder(&memory.size, RuntimeFn::ApiMemorySize, Some(memory.memory_index))?;
        api.forwarder(&memory.at, RuntimeFn::ApiMemoryAt, Some(memory.memory_index))?;
    }
    for global in &surface.globals {
        api.forwarder(&global.symbol, RuntimeFn::ApiGlobal, Some(global.global_index))?;
    }
    for table in &surface.tables {
        api.forwarder(&table.size, RuntimeFn::ApiTableSize, Some(table.table_index))?;
        api.forwarder(&table.get, RuntimeFn::ApiTableGet, Some(table.table_index))?;
        if let Some(set) = &table.set {
            api.forwarder(set, RuntimeFn::ApiTableSet, Some(table.table_index))?;
        }
    }
    for tag in &surface.tags {
        api.tag_throw(tag)?;
        api.tag_caught(tag)?;
    }
    if let Some(keep) = &surface.exnref_keep {
        api.forwarder(keep, RuntimeFn::ExnrefPin, None)?;
    }
    Ok(())
}

struct Api<'e, 'ctx, 'a> {
    env: &'e ModuleEnv<'ctx, 'a>,
    builder: Builder<'ctx>,
}

impl<'e, 'ctx, 'a> Api<'e, 'ctx, 'a> {
    /// A C value as an LLVM type: v128 travels by pointer.
    fn c_type(&self, ty: CType) -> BasicTypeEnum<'ctx> {
        let types = &self.env.types;
        match ty {
            CType::I32 => types.i32.into(),
            CType::I64 => types.i64.into(),
            CType::F32 => types.f32.into(),
            CType::F64 => types.f64.into(),
            CType::V128 | CType::FuncRef | CType::ExternRef | CType::ExnRef => types.ptr.into(),
        }
    }

    /// The native (in-register) type of a Wasm value of C type `ty`.
    fn value_type(&self, ty: CType) -> BasicTypeEnum<'ctx> {
        match ty {
            CType::V128 => self.env.types.v128.into(),
            other => self.c_type(other),
        }
    }

    /// Alignment of a C field of type `ty` (v128 is a byte array in C).
    fn c_align(ty: CType) -> u32 {
        ty.size_align().1
    }

    fn start(&self, function: FunctionValue<'ctx>) {
        self.builder.position_at_end(self.env.context.append_basic_block(function, "entry"));
        self.env.describe_helper(function, &self.builder);
    }

    fn param(function: FunctionValue<'ctx>, index: u32) -> Result<BasicValueEnum<'ctx>> {
        function
            .get_nth_param(index)
            .ok_or_else(|| CompileError::backend("API function without its parameters"))
    }

    /// A stack buffer of `bytes` bytes, 16-aligned.
    fn buffer(&self, bytes: u32) -> Result<PointerValue<'ctx>> {
        let ty = self.env.types.i8.array_type(bytes.max(1));
        let buffer = self.builder.build_alloca(ty, "")?;
        if let Some(alloca) = buffer.as_instruction() {
            let _ = alloca.set_alignment(16);
        }
        Ok(buffer)
    }

    fn at(&self, base: PointerValue<'ctx>, offset: u32) -> Result<PointerValue<'ctx>> {
        InstanceAccess { builder: &self.builder, types: &self.env.types, vmctx: base }
            .offset_ptr(base, offset)
    }

    fn load(
        &self,
        ty: BasicTypeEnum<'ctx>,
        ptr: PointerValue<'ctx>,
        align: u32,
    ) -> Result<BasicValueEnum<'ctx>> {
        let value = self.builder.build_load(ty, ptr, "")?;
        set_alignment(value, align);
        Ok(value)
    }

    fn store(
        &self,
        ptr: PointerValue<'ctx>,
        value: BasicValueEnum<'ctx>,
        align: u32,
    ) -> Result<()> {
        let store = self.builder.build_store(ptr, value)?;
        let _ = store.set_alignment(align);
        Ok(())
    }

    /// The C type of an import's host function:
    /// `R fn(instance, context, params..., [results])`.
    fn host_fn_type(&self, signature: &CSignature) -> FunctionType<'ctx> {
        let ptr = self.env.types.ptr;
        let mut params: Vec<BasicMetadataTypeEnum> = vec![ptr.into(), ptr.into()];
        params
            .extend(signature.params.iter().map(|t| BasicMetadataTypeEnum::from(self.c_type(*t))));
        match &signature.passing {
            ResultPassing::Single(ty) => self.c_type(*ty).fn_type(&params, false),
            ResultPassing::None => self.env.context.void_type().fn_type(&params, false),
            ResultPassing::OutPointer(_) | ResultPassing::Struct(_) => {
                params.push(ptr.into());
                self.env.context.void_type().fn_type(&params, false)
            }
        }
    }

    /// Size of the C struct or value that receives `signature`'s results through a pointer.
    fn results_size(signature: &CSignature) -> u32 {
        match &signature.passing {
            ResultPassing::Struct(s) => s
                .offsets
                .iter()
                .zip(&signature.results)
                .map(|(offset, ty)| offset + ty.size_align().0)
                .max()
                .unwrap_or(0),
            _ => 16,
        }
    }

    /// Byte offset of result `index` where results are written through a pointer.
    fn result_offset(signature: &CSignature, index: usize) -> u32 {
        match &signature.passing {
            ResultPassing::Struct(s) => s.offsets[index],
            _ => 0,
        }
    }

    /// `w2n_api_import` entries, one per module import, and the adapters they point to.
    fn import_table(&self, surface: &Surface) -> Result<PointerValue<'ctx>> {
        let (ptr, i32_ty) = (self.env.types.ptr, self.env.types.i32);
        let null = ptr.const_null();
        let mut entries = Vec::new();
        for (import_index, binding) in surface.imports.iter().enumerate() {
            let (code, array_code, linked, slot, flags) = match binding {
                ImportBinding::Func { symbol, slot, signature, wasi, .. } => {
                    let func_index = self.env.info.imports[import_index].index;
                    let adapter =
                        self.import_adapter(import_index as u32, func_index, signature)?;
                    let ty = self.env.info.func_type(func_index);
                    let array_entry = self.env.emit_array_entry(
                        &format!("wasm_import_array_{import_index}"),
                        adapter,
                        ty,
                    )?;
                    // Weak: an embedder who gives the function at run time need not define it.
                    let linked = self.env.module.add_function(
                        symbol,
                        self.host_fn_type(signature),
                        Some(Linkage::ExternalWeak),
                    );
                    let flags = if *wasi { abi::api::IMPORT_WASI } else { 0 };
                    let pointer = |f: FunctionValue<'ctx>| f.as_global_value().as_pointer_value();
                    (pointer(adapter), pointer(array_entry), pointer(linked), *slot, flags)
                }
                ImportBinding::Global { slot, .. } => (null, null, null, *slot, 0),
                ImportBinding::Created { .. } => (null, null, null, abi::api::NO_SLOT, 0),
            };
            entries.push(self.env.c_constant::<c::w2n_api_import>(&[
                code.into(),
                array_code.into(),
                linked.into(),
                i32_ty.const_int(slot as u64, false).into(),
                i32_ty.const_int(flags as u64, false).into(),
            ])?);
        }
        let entry_type = self.env.c_field_type(FieldKind::Struct(c::w2n_api_import::FIELDS));
        Ok(self.env.constant_array(entry_type, &entries, "api_imports"))
    }

    /// The function compiled code calls for import `import_index`: it has the import's native
    /// signature and calls the embedder's function bound to the instance, converting v128
    /// values and several results to the pointers the C signature uses.
    fn import_adapter(
        &self,
        import_index: u32,
        func_index: u32,
        signature: &CSignature,
    ) -> Result<FunctionValue<'ctx>> {
        let env = self.env;
        // The adapter is host code, which the view of the import calls (`host_view`).
        let native = env.types.host_function(env.info.func_type(func_index));
        let adapter = env.module.add_function(
            &format!("wasm_import_adapter_{import_index}"),
            native,
            Some(Linkage::Internal),
        );
        self.start(adapter);
        let vmctx = Self::param(adapter, 0)?.into_pointer_value();
        let access = InstanceAccess { builder: &self.builder, types: &env.types, vmctx };
        let host_function = access.api_import_function(import_index)?;
        let mut args: Vec<BasicMetadataValueEnum> =
            vec![vmctx.into(), access.api_context()?.into()];
        for (i, ty) in signature.params.iter().enumerate() {
            let value = Self::param(adapter, i as u32 + 1)?;
            self.pin_if_exnref(*ty, value)?;
            if ty.by_value() {
                args.push(value.into());
            } else {
                let copy = self.buffer(16)?;
                self.store(copy, value, 16)?;
                args.push(copy.into());
            }
        }
        let out = match signature.passing {
            ResultPassing::OutPointer(_) | ResultPassing::Struct(_) => {
                let out = self.buffer(Self::results_size(signature))?;
                args.push(out.into());
                Some(out)
            }
            _ => None,
        };
        let call = self.builder.build_indirect_call(
            self.host_fn_type(signature),
            host_function,
            &args,
            "",
        )?;
        match (&signature.passing, out) {
            (ResultPassing::None, _) => self.builder.build_return(None)?,
            (ResultPassing::Single(_), _) => {
                let value = returned_value(call, "an import")?;
                self.builder.build_return(Some(&value))?
            }
            (_, Some(out)) => {
                let mut values = Vec::new();
                for (i, ty) in signature.results.iter().enumerate() {
                    let field = self.at(out, Self::result_offset(signature, i))?;
                    values.push(self.load(self.value_type(*ty), field, Self::c_align(*ty))?);
                }
                let value = match values.as_slice() {
                    [one] => *one,
                    _ => {
                        let ty = native
                            .get_return_type()
                            .ok_or_else(|| CompileError::backend("results without a type"))?;
                        let mut aggregate = ty.into_struct_type().get_undef();
                        for (i, value) in values.iter().enumerate() {
                            aggregate = self
                                .builder
                                .build_insert_value(aggregate, *value, i as u32, "")?
                                .into_struct_value();
                        }
                        aggregate.into()
                    }
                };
                self.builder.build_return(Some(&value))?
            }
            (_, None) => unreachable!("results through a pointer always have a buffer"),
        };
        Ok(adapter)
    }

    /// `wasm2native_trap PREFIX_f(instance, params..., [results])`: fills the value slots,
    /// enters through `w2n_api_call`, and copies the results out when the call returned.
    fn export_wrapper(&self, symbol: &str, func_index: u32, signature: &CSignature) -> Result<()> {
        let env = self.env;
        let has_out = !matches!(signature.passing, ResultPassing::None);
        let wrapper = self.value_function(symbol, &signature.params, has_out, true)?;
        let instance = Self::param(wrapper, 0)?;
        let slot_count = signature.params.len().max(signature.results.len()) as u32;
        let slots = self.buffer(slot_count * abi::VALUE_SLOT_SIZE)?;
        self.store_values(wrapper, &signature.params, slots)?;
        let args = [instance.into(), env.const_i32(func_index).into(), slots.into()];
        let code =
            env.call_runtime_value(&self.builder, RuntimeFn::ApiCall, &args)?.into_int_value();
        if has_out {
            let returned =
                self.builder.build_int_compare(IntPredicate::EQ, code, env.const_i32(0), "")?;
            let out = Self::param(wrapper, signature.params.len() as u32 + 1)?;
            self.copy_out(wrapper, returned, slots, out.into_pointer_value(), signature)?;
        }
        self.builder.build_return(Some(&code))?;
        Ok(())
    }

    /// `void PREFIX_t_throw(instance, values...)`: the payload into value slots, then
    /// `w2n_api_throw`.
    fn tag_throw(&self, tag: &ApiTag) -> Result<()> {
        let env = self.env;
        let function = self.value_function(&tag.throw, &tag.payload.params, false, false)?;
        let slots = self.buffer(tag.payload.params.len() as u32 * abi::VALUE_SLOT_SIZE)?;
        self.store_values(function, &tag.payload.params, slots)?;
        let instance = Self::param(function, 0)?;
        let args = [instance.into(), env.const_i32(tag.tag_index).into(), slots.into()];
        env.call_runtime(&self.builder, RuntimeFn::ApiThrow, &args)?;
        self.builder.build_return(None)?;
        Ok(())
    }

    /// `int PREFIX_t_caught(instance, [payload])`: `w2n_api_caught` fills the value slots when
    /// the last call's uncaught exception has the tag; they are copied out as results are.
    fn tag_caught(&self, tag: &ApiTag) -> Result<()> {
        let env = self.env;
        let has_out = !matches!(tag.payload.passing, ResultPassing::None);
        let function = self.value_function(&tag.caught, &[], has_out, true)?;
        let slots = self.buffer(tag.payload.results.len() as u32 * abi::VALUE_SLOT_SIZE)?;
        let instance = Self::param(function, 0)?;
        let args = [instance.into(), env.const_i32(tag.tag_index).into(), slots.into()];
        let caught =
            env.call_runtime_value(&self.builder, RuntimeFn::ApiCaught, &args)?.into_int_value();
        if has_out {
            let is_caught =
                self.builder.build_int_compare(IntPredicate::NE, caught, env.const_i32(0), "")?;
            let out = Self::param(function, 1)?.into_pointer_value();
            self.copy_out(function, is_caught, slots, out, &tag.payload)?;
        }
        self.builder.build_return(Some(&caught))?;
        Ok(())
    }

    /// An external API function `fn(instance, values..., [out])` returning an i32 or nothing,
    /// with the builder at its start.
    fn value_function(
        &self,
        symbol: &str,
        values: &[CType],
        out: bool,
        returns: bool,
    ) -> Result<FunctionValue<'ctx>> {
        let ptr = self.env.types.ptr;
        let mut params: Vec<BasicMetadataTypeEnum> = vec![ptr.into()];
        params.extend(values.iter().map(|t| BasicMetadataTypeEnum::from(self.c_type(*t))));
        if out {
            params.push(ptr.into());
        }
        let ty = match returns {
            true => self.env.types.i32.fn_type(&params, false),
            false => self.env.context.void_type().fn_type(&params, false),
        };
        let function = self.env.module.add_function(symbol, ty, Some(Linkage::External));
        self.start(function);
        Ok(function)
    }

    /// An exnref the embedder gets may be kept for good: the collector must not free it.
    fn pin_if_exnref(&self, ty: CType, value: BasicValueEnum<'ctx>) -> Result<()> {
        if ty == CType::ExnRef {
            self.env.call_runtime(&self.builder, RuntimeFn::ExnrefPin, &[value.into()])?;
        }
        Ok(())
    }

    /// Stores `function`'s value parameters (from the second on, v128 by pointer) into `slots`.
    fn store_values(
        &self,
        function: FunctionValue<'ctx>,
        types: &[CType],
        slots: PointerValue<'ctx>,
    ) -> Result<()> {
        for (i, ty) in types.iter().enumerate() {
            let mut value = Self::param(function, i as u32 + 1)?;
            if !ty.by_value() {
                value = self.load(self.env.types.v128.into(), value.into_pointer_value(), 1)?;
            }
            self.store(self.at(slots, i as u32 * abi::VALUE_SLOT_SIZE)?, value, 8)?;
        }
        Ok(())
    }

    /// When `condition` holds and `out` is not NULL, copies the value slots of `signature`'s
    /// results to `out` in their C layout; the builder continues after.
    fn copy_out(
        &self,
        function: FunctionValue<'ctx>,
        condition: IntValue<'ctx>,
        slots: PointerValue<'ctx>,
        out: PointerValue<'ctx>,
        signature: &CSignature,
    ) -> Result<()> {
        let context = self.env.context;
        let wanted = self.builder.build_is_not_null(out, "")?;
        let copy = context.append_basic_block(function, "copy_results");
        let done = context.append_basic_block(function, "done");
        let both = self.builder.build_and(condition, wanted, "")?;
        self.builder.build_conditional_branch(both, copy, done)?;
        self.builder.position_at_end(copy);
        for (i, ty) in signature.results.iter().enumerate() {
            let slot = self.at(slots, i as u32 * abi::VALUE_SLOT_SIZE)?;
            let value = self.load(self.value_type(*ty), slot, 8)?;
            self.pin_if_exnref(*ty, value)?;
            self.store(
                self.at(out, Self::result_offset(signature, i))?,
                value,
                Self::c_align(*ty),
            )?;
        }
        self.builder.build_unconditional_branch(done)?;
        self.builder.position_at_end(done);
        Ok(())
    }

    /// An API function that calls `runtime` with the same arguments, plus the constant `index`
    /// as the runtime function's second argument when given.
    fn forwarder(&self, symbol: &str, runtime: RuntimeFn, index: Option<u32>) -> Result<()> {
        let prototype = runtime.prototype();
        let mut params: Vec<AbiType> = prototype.param_types();
        if index.is_some() {
            params.remove(1);
        }
        let function = self.env.module.add_function(
            symbol,
            self.env.abi_fn_type(&params, prototype.result_type()),
            Some(Linkage::External),
        );
        self.start(function);
        let mut args: Vec<BasicMetadataValueEnum> =
            function.get_param_iter().map(BasicMetadataValueEnum::from).collect();
        if let Some(index) = index {
            args.insert(1, self.env.const_i32(index).into());
        }
        self.finish_call(runtime, &args, prototype.result_type().is_some())
    }

    /// Calls `runtime` and returns its value (or nothing).
    fn finish_call(
        &self,
        runtime: RuntimeFn,
        args: &[BasicMetadataValueEnum<'ctx>],
        returns: bool,
    ) -> Result<()> {
        if returns {
            let value = self.env.call_runtime_value(&self.builder, runtime, args)?;
            self.builder.build_return(Some(&value))?;
        } else {
            self.env.call_runtime(&self.builder, runtime, args)?;
            self.builder.build_return(None)?;
        }
        Ok(())
    }

    /// `PREFIX_new`, `_free`, `_last_trap`, `_context`, `_trap` and `_build_info`.
    fn lifecycle(
        &self,
        surface: &Surface,
        api_module: PointerValue<'ctx>,
        build_info: PointerValue<'ctx>,
    ) -> Result<()> {
        let env = self.env;
        let ptr = env.types.ptr;
        let new = env.module.add_function(
            &surface.fixed(fixed::NEW),
            env.abi_fn_type(&[AbiType::Ptr; 2], Some(AbiType::Ptr)),
            None,
        );
        self.start(new);
        let args = [api_module.into(), Self::param(new, 0)?.into(), Self::param(new, 1)?.into()];
        self.finish_call(RuntimeFn::ApiNew, &args, true)?;
        self.forwarder(&surface.fixed(fixed::FREE), RuntimeFn::ApiFree, None)?;
        self.forwarder(&surface.fixed(fixed::LAST_TRAP), RuntimeFn::ApiLastTrap, None)?;
        self.forwarder(&surface.fixed(fixed::CONTEXT), RuntimeFn::ApiContext, None)?;

        let trap = env.module.add_function(
            &surface.fixed(fixed::TRAP),
            env.abi_fn_type(&[AbiType::Ptr; 2], None),
            None,
        );
        trap.add_attribute(AttributeLoc::Function, env.enum_attribute("noreturn"));
        self.start(trap);
        env.call_runtime(&self.builder, RuntimeFn::HostTrap, &[Self::param(trap, 1)?.into()])?;
        self.builder.build_unreachable()?;

        let info = env.module.add_function(
            &surface.fixed(fixed::BUILD_INFO),
            ptr.fn_type(&[], false),
            None,
        );
        self.start(info);
        self.builder.build_return(Some(&build_info))?;
        Ok(())
    }
}
