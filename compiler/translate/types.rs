//! How Wasm types map to LLVM types, and to the signature strings the runtime interns.

use super::alias::AliasTags;
use crate::abi::type_char;
use inkwell::context::Context;
use inkwell::types::{BasicMetadataTypeEnum, BasicType, BasicTypeEnum, FunctionType};
use wasmparser::{FuncType, ValType};

/// The LLVM types compiled code uses, created once per module.
#[derive(Clone, Copy)]
pub struct LlvmTypes<'ctx> {
    pub context: &'ctx Context,
    pub i8: inkwell::types::IntType<'ctx>,
    pub i32: inkwell::types::IntType<'ctx>,
    pub i64: inkwell::types::IntType<'ctx>,
    pub f32: inkwell::types::FloatType<'ctx>,
    pub f64: inkwell::types::FloatType<'ctx>,
    /// v128 travels as `<2 x i64>`; SIMD operators bitcast to their lane shape.
    pub v128: inkwell::types::VectorType<'ctx>,
    pub ptr: inkwell::types::PointerType<'ctx>,
    /// The type-based alias tags and invariance marks loads and stores carry.
    pub alias: AliasTags<'ctx>,
}

impl<'ctx> LlvmTypes<'ctx> {
    pub fn new(context: &'ctx Context) -> Self {
        LlvmTypes {
            context,
            i8: context.i8_type(),
            i32: context.i32_type(),
            i64: context.i64_type(),
            f32: context.f32_type(),
            f64: context.f64_type(),
            v128: context.i64_type().vec_type(2),
            ptr: context.ptr_type(inkwell::AddressSpace::default()),
            alias: AliasTags::new(context),
        }
    }

    /// The integer type of 8, 16, 32 or 64 bits.
    pub fn int_of_bits(&self, bits: u32) -> inkwell::types::IntType<'ctx> {
        match bits {
            8 => self.i8,
            16 => self.context.i16_type(),
            32 => self.i32,
            _ => self.i64,
        }
    }

    pub fn value(&self, ty: ValType) -> BasicTypeEnum<'ctx> {
        match ty {
            ValType::I32 => self.i32.into(),
            ValType::I64 => self.i64.into(),
            ValType::F32 => self.f32.into(),
            ValType::F64 => self.f64.into(),
            ValType::V128 => self.v128.into(),
            ValType::Ref(_) => self.ptr.into(),
        }
    }

    /// The return type for a list of results: none, the value itself, or a struct of them.
    pub fn results(&self, results: &[ValType]) -> Option<BasicTypeEnum<'ctx>> {
        match results {
            [] => None,
            [one] => Some(self.value(*one)),
            many => {
                let fields: Vec<BasicTypeEnum> = many.iter().map(|t| self.value(*t)).collect();
                Some(self.context.struct_type(&fields, false).into())
            }
        }
    }

    /// Signature of a compiled Wasm function, in the Wasm calling convention:
    /// `RESULT (ptr vmctx, PARAMS...)`, or with results that do not fit in return registers
    /// (`results_in_memory`), `void (ptr vmctx, ptr results, PARAMS...)`, where the callee
    /// stores them into the caller's `results` struct. LLVM would pass such results through a
    /// hidden pointer of its own, which a `musttail` call cannot forward; this one the caller's
    /// own `results` is, in a tail call.
    pub fn function(&self, ty: &FuncType) -> FunctionType<'ctx> {
        if !results_in_memory(ty.results()) {
            return self.host_function(ty);
        }
        let mut params: Vec<BasicMetadataTypeEnum> = vec![self.ptr.into(), self.ptr.into()];
        params.extend(ty.params().iter().map(|t| BasicMetadataTypeEnum::from(self.value(*t))));
        self.context.void_type().fn_type(&params, false)
    }

    /// Signature of a host function (C) of Wasm type `ty`: `RESULT (ptr vmctx, PARAMS...)`,
    /// several results as one struct.
    pub fn host_function(&self, ty: &FuncType) -> FunctionType<'ctx> {
        let mut params: Vec<BasicMetadataTypeEnum> = vec![self.ptr.into()];
        params.extend(ty.params().iter().map(|t| BasicMetadataTypeEnum::from(self.value(*t))));
        match self.results(ty.results()) {
            None => self.context.void_type().fn_type(&params, false),
            Some(ret) => ret.fn_type(&params, false),
        }
    }

    /// `void (ptr vmctx, ptr values)`: the array-call entry.
    pub fn array_call(&self) -> FunctionType<'ctx> {
        self.context.void_type().fn_type(&[self.ptr.into(), self.ptr.into()], false)
    }
}

/// Where the results struct and the first Wasm parameter of `function`, in the Wasm calling
/// convention with type `ty`, are (`LlvmTypes::function`): the struct, when its results go
/// through memory, is the parameter after the instance, and the Wasm parameters follow.
pub fn wasm_params<'ctx>(
    function: inkwell::values::FunctionValue<'ctx>,
    ty: &FuncType,
) -> Result<(Option<inkwell::values::PointerValue<'ctx>>, u32), crate::error::CompileError> {
    if !results_in_memory(ty.results()) {
        return Ok((None, 1));
    }
    let results = function.get_nth_param(1).map(|p| p.into_pointer_value()).ok_or_else(|| {
        crate::error::CompileError::backend("function without its results parameter")
    })?;
    Ok((Some(results), 2))
}

/// Whether a function's results come back through memory (`LlvmTypes::function`): more than
/// two integers or references, or more than two floats and vectors, which is what both x86-64
/// and AArch64 return in registers.
pub fn results_in_memory(results: &[ValType]) -> bool {
    let floats =
        results.iter().filter(|t| matches!(t, ValType::F32 | ValType::F64 | ValType::V128));
    let floats = floats.count();
    floats > 2 || results.len() - floats > 2
}

/// The value kind a host sees: one `W2N_TYPE_*` character per value, every function reference
/// (abstract or typed, nullable or not) `FUNCREF`, every external one `EXTERNREF`.
pub fn type_char(ty: ValType) -> u8 {
    match ty {
        ValType::I32 => type_char::I32,
        ValType::I64 => type_char::I64,
        ValType::F32 => type_char::F32,
        ValType::F64 => type_char::F64,
        ValType::V128 => type_char::V128,
        ValType::Ref(r) => type_char::of_ref(r),
    }
}

/// `"PARAMS:RESULTS"`: the runtime's canonical key of a function type, which it interns into the
/// type id that `call_indirect` and import matching compare. One `type_char` per value; a
/// reference that cannot be null adds `!`, and one to a concrete type adds that type's key in
/// angle brackets (`r!<i:i>` is `(ref $t)` for `$t` = `(func (param i32) (result i32))`), so
/// two types get one id exactly when they are equivalent. `types` is the module's type section,
/// which typed references index.
pub fn signature_string(types: &[FuncType], ty: &FuncType) -> String {
    let mut key = String::new();
    write_signature(types, ty, &mut Vec::new(), &mut key);
    key
}

/// A reference type in full, as the header's `W2N_REF_TYPE` writes it; `None` for `funcref` and
/// `externref`, which their `type_char` says alone.
pub fn ref_type_key(types: &[FuncType], ty: wasmparser::RefType) -> Option<String> {
    let mut key = String::new();
    write_value(types, ValType::Ref(ty), &mut Vec::new(), &mut key);
    (key.len() > 1).then_some(key)
}

/// `enclosing` holds the types being written, outermost first: a reference back to one of them
/// (a recursive type) is written `#N`, N levels up, instead of expanding without end.
fn write_signature(types: &[FuncType], ty: &FuncType, enclosing: &mut Vec<u32>, key: &mut String) {
    for value in ty.params() {
        write_value(types, *value, enclosing, key);
    }
    key.push(':');
    for value in ty.results() {
        write_value(types, *value, enclosing, key);
    }
}

fn write_value(types: &[FuncType], value: ValType, enclosing: &mut Vec<u32>, key: &mut String) {
    key.push(type_char(value) as char);
    let ValType::Ref(r) = value else { return };
    if !r.is_nullable() {
        key.push('!');
    }
    let Some(index) = r.type_index().and_then(|i| i.as_module_index()) else { return };
    if let Some(level) = enclosing.iter().rev().position(|&e| e == index) {
        key.push_str(&format!("<#{level}>"));
    } else if let Some(target) = types.get(index as usize) {
        key.push('<');
        enclosing.push(index);
        write_signature(types, target, enclosing, key);
        enclosing.pop();
        key.push('>');
    }
}
