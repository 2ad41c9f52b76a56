//! The module descriptor (`w2n_module` in the C header) and the array-call entries it points to.
//! Each struct is built from its one Rust definition in `abi::c` (`c_constant`).

use super::instance::InstanceAccess;
use super::types::{ref_type_key, results_in_memory, signature_string, type_char};
use super::{ModuleEnv, Result};
use crate::abi;
use crate::abi::c::{self, CStruct, Field, FieldKind};
use crate::error::CompileError;
use crate::BoundsChecks;
use inkwell::module::Linkage;
use inkwell::types::{BasicType, BasicTypeEnum};
use inkwell::values::{
    BasicMetadataValueEnum, BasicValueEnum, FunctionValue, GlobalValue, PointerValue,
};
use wasmparser::FuncType;

impl<'ctx, 'a> ModuleEnv<'ctx, 'a> {
    /// A private constant array; a null pointer when empty.
    pub(super) fn constant_array(
        &self,
        elem_ty: BasicTypeEnum<'ctx>,
        values: &[BasicValueEnum<'ctx>],
        name: &str,
    ) -> PointerValue<'ctx> {
        if values.is_empty() {
            return self.types.ptr.const_null();
        }
        let array = match elem_ty {
            BasicTypeEnum::IntType(t) => {
                t.const_array(&values.iter().map(|v| v.into_int_value()).collect::<Vec<_>>())
            }
            BasicTypeEnum::PointerType(t) => {
                t.const_array(&values.iter().map(|v| v.into_pointer_value()).collect::<Vec<_>>())
            }
            BasicTypeEnum::StructType(t) => {
                t.const_array(&values.iter().map(|v| v.into_struct_value()).collect::<Vec<_>>())
            }
            _ => unreachable!("descriptor arrays hold integers, pointers or structs"),
        };
        let global = self.module.add_global(array.get_type(), None, name);
        global.set_initializer(&array);
        global.set_constant(true);
        global.set_linkage(Linkage::Private);
        global.as_pointer_value()
    }

    /// A private NUL-terminated byte string.
    pub(super) fn c_string(&self, bytes: &[u8]) -> PointerValue<'ctx> {
        self.bytes_global(bytes, true)
    }

    /// A C string, or NULL for `None`.
    fn optional_c_string(&self, text: Option<String>) -> BasicValueEnum<'ctx> {
        match text {
            Some(text) => self.c_string(text.as_bytes()).into(),
            None => self.types.ptr.const_null().into(),
        }
    }

    /// A private byte array (data segments), built in one piece however large.
    fn byte_array(&self, bytes: &[u8]) -> PointerValue<'ctx> {
        self.bytes_global(bytes, false)
    }

    fn bytes_global(&self, bytes: &[u8], null_terminated: bool) -> PointerValue<'ctx> {
        let value = self.context.const_string(bytes, null_terminated);
        let global = self.module.add_global(value.get_type(), None, "str");
        global.set_initializer(&value);
        global.set_constant(true);
        global.set_linkage(Linkage::Private);
        global.as_pointer_value()
    }

    /// A constant of the C struct `T` (abi::c) from the values of its fields in order, its
    /// padding fields left out (they are zero); its type follows from `T`'s fields.
    pub(super) fn c_constant<T: CStruct>(
        &self,
        values: &[BasicValueEnum<'ctx>],
    ) -> Result<BasicValueEnum<'ctx>> {
        self.c_struct_value(T::C_NAME, T::FIELDS, values)
    }

    fn c_struct_value(
        &self,
        name: &str,
        fields: &[Field],
        values: &[BasicValueEnum<'ctx>],
    ) -> Result<BasicValueEnum<'ctx>> {
        let misfit = || CompileError::backend(format!("the values do not fit {name}"));
        let mut given = values.iter();
        let mut all = Vec::with_capacity(fields.len());
        for field in fields {
            let ty = self.c_field_type(field.kind);
            let value = match field.is_padding() {
                true => ty.const_zero(),
                false => *given.next().filter(|value| value.get_type() == ty).ok_or_else(misfit)?,
            };
            all.push(value);
        }
        if given.next().is_some() {
            return Err(misfit());
        }
        Ok(self.context.const_struct(&all, false).into())
    }

    /// The LLVM type of a field of a C struct (a whole struct: `FieldKind::Struct`).
    pub(super) fn c_field_type(&self, kind: FieldKind) -> BasicTypeEnum<'ctx> {
        let t = &self.types;
        match kind {
            FieldKind::U8 => t.i8.into(),
            FieldKind::I32 | FieldKind::U32 => t.i32.into(),
            FieldKind::I64 | FieldKind::U64 => t.i64.into(),
            FieldKind::Ptr => t.ptr.into(),
            FieldKind::Bytes(count) => t.i8.array_type(count).into(),
            FieldKind::Struct(fields) => {
                let types: Vec<BasicTypeEnum> =
                    fields.iter().map(|field| self.c_field_type(field.kind)).collect();
                self.context.struct_type(&types, false).into()
            }
        }
    }

    fn limits(&self, min: u64, max: Option<u64>, address64: bool) -> Result<BasicValueEnum<'ctx>> {
        self.c_constant::<c::w2n_limits>(&[
            self.types.i64.const_int(min, false).into(),
            self.types.i64.const_int(max.unwrap_or(0), false).into(),
            self.types.i8.const_int(max.is_some() as u64, false).into(),
            self.types.i8.const_int(address64 as u64, false).into(),
        ])
    }

    pub(super) fn i32(&self, value: u32) -> BasicValueEnum<'ctx> {
        self.types.i32.const_int(value as u64, false).into()
    }

    /// Emits `void array_fn(vmctx, values)` calling `callee` of type `ty`: parameters are read
    /// from 16-byte slots, results written back from slot 0.
    pub fn emit_array_entry(
        &self,
        name: &str,
        callee: FunctionValue<'ctx>,
        ty: &FuncType,
    ) -> Result<FunctionValue<'ctx>> {
        let function =
            self.module.add_function(name, self.types.array_call(), Some(Linkage::Internal));
        let builder = self.context.create_builder();
        builder.position_at_end(self.context.append_basic_block(function, "entry"));
        self.describe_helper(function, &builder);
        let param = |i| function.get_nth_param(i).map(|p| p.into_pointer_value());
        let (vmctx, values) = param(0)
            .zip(param(1))
            .ok_or_else(|| CompileError::backend("array entry without parameters"))?;
        let slots = InstanceAccess { builder: &builder, types: &self.types, vmctx: values };
        let mut args: Vec<BasicMetadataValueEnum> = vec![vmctx.into()];
        let results_buffer = match results_in_memory(ty.results()) {
            true => Some(builder.build_alloca(self.results_struct(ty.results())?, "results")?),
            false => None,
        };
        if let Some(buffer) = results_buffer {
            args.push(buffer.into());
        }
        for (i, param_ty) in ty.params().iter().enumerate() {
            let slot = slots.offset_ptr(values, i as u32 * abi::VALUE_SLOT_SIZE)?;
            args.push(slots.load_value(self.types.value(*param_ty), slot)?.into());
        }
        let call = builder.build_call(callee, &args, "")?;
        call.set_call_convention(abi::WASM_CALLING_CONVENTION);
        let results = self.call_results(&builder, call, results_buffer, ty.results())?;
        for (i, value) in results.into_iter().enumerate() {
            let slot = slots.offset_ptr(values, i as u32 * abi::VALUE_SLOT_SIZE)?;
            let store = builder.build_store(slot, value)?;
            let _ = store.set_alignment(8);
        }
        builder.build_return(None)?;
        Ok(function)
    }
}

/// Emits the exported `w2n_module` descriptor and returns it.
pub fn emit_descriptor<'ctx>(
    env: &ModuleEnv<'ctx, '_>,
    initialize: FunctionValue<'ctx>,
) -> Result<GlobalValue<'ctx>> {
    let info = env.info;
    let (ptr, i32_ty, i8_ty) = (env.types.ptr, env.types.i32, env.types.i8);

    let signatures: Vec<BasicValueEnum> = info
        .types
        .iter()
        .map(|t| env.c_string(signature_string(&info.types, t).as_bytes()).into())
        .collect();
    let imports: Vec<BasicValueEnum> = info
        .imports
        .iter()
        .map(|i| {
            env.c_constant::<c::w2n_import>(&[
                env.c_string(i.module.as_bytes()).into(),
                env.c_string(i.name.as_bytes()).into(),
                env.i32(i.module.len() as u32),
                env.i32(i.name.len() as u32),
                env.i32(i.kind as u32),
                env.i32(i.index),
            ])
        })
        .collect::<Result<_>>()?;
    let exports: Vec<BasicValueEnum> = info
        .exports
        .iter()
        .map(|e| {
            env.c_constant::<c::w2n_export>(&[
                env.c_string(e.name.as_bytes()).into(),
                env.i32(e.name.len() as u32),
                env.i32(e.kind as u32),
                env.i32(e.index),
            ])
        })
        .collect::<Result<_>>()?;
    let func_types: Vec<BasicValueEnum> = info.func_types.iter().map(|t| env.i32(*t)).collect();
    let mut func_code = Vec::new();
    let mut func_array_code = Vec::new();
    for func_index in 0..info.func_types.len() as u32 {
        let function = if info.is_imported_func(func_index) {
            env.emit_host_view(func_index)?
        } else {
            env.functions[(func_index - info.num_imported_funcs) as usize]
        };
        func_code.push(function.as_global_value().as_pointer_value().into());
        let array_entry = if info.escaping_funcs[func_index as usize] {
            let ty = info.func_type(func_index);
            env.emit_array_entry(&format!("wasm_array_{func_index}"), function, ty)?
                .as_global_value()
                .as_pointer_value()
        } else {
            ptr.const_null()
        };
        func_array_code.push(array_entry.into());
    }
    let tables: Vec<BasicValueEnum> = info
        .tables
        .iter()
        .map(|t| {
            let elem = abi::type_char::of_ref(t.element_type);
            env.c_constant::<c::w2n_table_type>(&[
                env.limits(t.initial, t.maximum, t.table64)?,
                i8_ty.const_int(elem as u64, false).into(),
                env.optional_c_string(ref_type_key(&info.types, t.element_type)),
            ])
        })
        .collect::<Result<_>>()?;
    let memories: Vec<BasicValueEnum> = info
        .memories
        .iter()
        .map(|m| env.limits(m.initial, m.maximum, m.memory64))
        .collect::<Result<_>>()?;
    let globals: Vec<BasicValueEnum> = info
        .globals
        .iter()
        .map(|g| {
            let ref_type = match g.ty.content_type {
                wasmparser::ValType::Ref(r) => ref_type_key(&info.types, r),
                _ => None,
            };
            env.c_constant::<c::w2n_global_type>(&[
                i8_ty.const_int(type_char(g.ty.content_type) as u64, false).into(),
                i8_ty.const_int(g.ty.mutable as u64, false).into(),
                env.optional_c_string(ref_type),
            ])
        })
        .collect::<Result<_>>()?;
    let data_segments: Vec<BasicValueEnum> = info
        .data
        .iter()
        .map(|d| {
            let bytes = env.byte_array(d.bytes);
            env.c_constant::<c::w2n_data_segment>(&[bytes.into(), env.i32(d.bytes.len() as u32)])
        })
        .collect::<Result<_>>()?;
    let tag_types: Vec<BasicValueEnum> = info.tag_types.iter().map(|t| env.i32(*t)).collect();
    let elem_sizes: Vec<BasicValueEnum> =
        info.elements.iter().map(|e| env.i32(e.items.len() as u32)).collect();

    let struct_of = |values: &[BasicValueEnum<'ctx>]| -> BasicTypeEnum<'ctx> {
        values.first().map(|v| v.get_type()).unwrap_or_else(|| ptr.as_basic_type_enum())
    };
    let count = |n: usize| env.i32(n as u32);
    let fields: Vec<BasicValueEnum> = vec![
        env.i32(abi::ABI_VERSION),
        count(info.types.len()),
        env.constant_array(ptr.into(), &signatures, "type_signatures").into(),
        count(info.imports.len()),
        count(info.exports.len()),
        env.constant_array(struct_of(&imports), &imports, "imports").into(),
        env.constant_array(struct_of(&exports), &exports, "exports").into(),
        count(info.func_types.len()),
        env.i32(info.num_imported_funcs),
        env.constant_array(i32_ty.into(), &func_types, "func_types").into(),
        env.constant_array(ptr.into(), &func_code, "func_code").into(),
        env.constant_array(ptr.into(), &func_array_code, "func_array_code").into(),
        count(info.tables.len()),
        env.i32(info.num_imported_tables),
        env.constant_array(struct_of(&tables), &tables, "tables").into(),
        count(info.memories.len()),
        env.i32(info.num_imported_memories),
        env.constant_array(struct_of(&memories), &memories, "memories").into(),
        count(info.globals.len()),
        env.i32(info.num_imported_globals),
        env.constant_array(struct_of(&globals), &globals, "globals").into(),
        count(info.data.len()),
        count(info.elements.len()),
        env.constant_array(struct_of(&data_segments), &data_segments, "data_segments").into(),
        env.constant_array(i32_ty.into(), &elem_sizes, "elem_segment_sizes").into(),
        env.types.i64.const_int(info.start.map_or(u64::MAX, |s| s as u64), false).into(),
        initialize.as_global_value().as_pointer_value().into(),
        env.i32((env.bounds_checks == BoundsChecks::Guard) as u32),
        count(info.tag_types.len()),
        env.i32(info.num_imported_tags),
        env.constant_array(i32_ty.into(), &tag_types, "tag_types").into(),
    ];
    let descriptor = env.c_constant::<c::w2n_module>(&fields)?;
    let global = env.module.add_global(descriptor.get_type(), None, abi::MODULE_SYMBOL);
    global.set_initializer(&descriptor);
    global.set_constant(true);
    global.set_linkage(Linkage::External);
    Ok(global)
}
