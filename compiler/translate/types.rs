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

    /// Native signature of a Wasm function: `RESULT (ptr vmctx, PARAMS...)`.
    pub fn function(&self, ty: &FuncType) -> FunctionType<'ctx> {
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

pub fn type_char(ty: ValType) -> u8 {
    match ty {
        ValType::I32 => type_char::I32,
        ValType::I64 => type_char::I64,
        ValType::F32 => type_char::F32,
        ValType::F64 => type_char::F64,
        ValType::V128 => type_char::V128,
        ValType::Ref(r) if r.is_func_ref() => type_char::FUNCREF,
        ValType::Ref(_) => type_char::EXTERNREF,
    }
}

/// `"PARAMS:RESULTS"`, one character per value: the runtime's canonical signature key.
pub fn signature_string(ty: &FuncType) -> String {
    let chars = |types: &[ValType]| types.iter().map(|t| type_char(*t) as char).collect::<String>();
    format!("{}:{}", chars(ty.params()), chars(ty.results()))
}
