//! The generated instance initialiser: evaluates global initialisers, fills tables that have an
//! initialiser with its value, evaluates element items, then applies active element and data
//! segments in order, as instantiation does (a segment out of bounds traps and leaves earlier
//! segments' writes in place).

use super::instance::InstanceAccess;
use super::{ModuleEnv, Result};
use crate::abi::{AbiType, RuntimeFn};
use crate::error::CompileError;
use crate::frontend::{DataMode, ElementItem, ElementMode};
use inkwell::builder::Builder;
use inkwell::module::Linkage;
use inkwell::values::{BasicValueEnum, FunctionValue};
use wasmparser::{ConstExpr, Operator};

/// Emits `void initialize(vmctx)` and returns it.
pub fn emit_initializer<'ctx>(env: &ModuleEnv<'ctx, '_>) -> Result<FunctionValue<'ctx>> {
    let fn_type = env.context.void_type().fn_type(&[env.types.ptr.into()], false);
    let function = env.module.add_function("wasm_initialize", fn_type, Some(Linkage::Internal));
    let builder = env.context.create_builder();
    builder.position_at_end(env.context.append_basic_block(function, "entry"));
    let vmctx = function
        .get_nth_param(0)
        .ok_or_else(|| CompileError::backend("initializer without instance"))?
        .into_pointer_value();
    let instance = InstanceAccess { builder: &builder, types: &env.types, vmctx };
    let init = Initializer { env, builder: &builder, instance: &instance };

    for (index, global) in env.info.globals.iter().enumerate() {
        if let Some(expr) = &global.init {
            let value = init.eval(expr)?;
            let store = builder.build_store(instance.global_cell(index as u32)?, value)?;
            env.types.alias.tag(store, super::alias::Storage::RuntimeData);
        }
    }
    for (index, init_expr) in env.info.table_inits.iter().enumerate() {
        if let Some(expr) = init_expr {
            let value = init.eval(expr)?;
            let size = env.const_i32(env.info.tables[index].initial as u32);
            let args = [
                vmctx.into(),
                env.const_i32(index as u32).into(),
                env.const_i32(0).into(),
                value.into(),
                size.into(),
            ];
            env.call_runtime(&builder, RuntimeFn::TableFill, &args)?;
        }
    }
    for (segment, element) in env.info.elements.iter().enumerate() {
        for (i, item) in element.items.iter().enumerate() {
            let value = match item {
                ElementItem::Func(f) => instance.funcref(*f)?.into(),
                ElementItem::Expr(expr) => init.eval(expr)?,
            };
            builder.build_store(instance.elem_segment_slot(segment as u32, i as u32)?, value)?;
        }
    }
    for (segment, element) in env.info.elements.iter().enumerate() {
        let segment = segment as u32;
        match &element.mode {
            ElementMode::Active { table, offset } => {
                let offset = env.fit_operand(&builder, init.eval(offset)?, AbiType::I32)?;
                let len = env.const_i32(element.items.len() as u32);
                let args = [
                    vmctx.into(),
                    env.const_i32(*table).into(),
                    env.const_i32(segment).into(),
                    offset.into(),
                    env.const_i32(0).into(),
                    len.into(),
                ];
                env.call_runtime(&builder, RuntimeFn::TableInit, &args)?;
                env.call_runtime(
                    &builder,
                    RuntimeFn::ElemDrop,
                    &[vmctx.into(), env.const_i32(segment).into()],
                )?;
            }
            ElementMode::Declared => {
                env.call_runtime(
                    &builder,
                    RuntimeFn::ElemDrop,
                    &[vmctx.into(), env.const_i32(segment).into()],
                )?;
            }
            ElementMode::Passive => {}
        }
    }
    for (segment, data) in env.info.data.iter().enumerate() {
        if let DataMode::Active { memory, offset } = &data.mode {
            let segment = env.const_i32(segment as u32);
            let offset = env.fit_operand(&builder, init.eval(offset)?, AbiType::I64)?;
            let len = env.const_i32(data.bytes.len() as u32);
            let args = [
                vmctx.into(),
                env.const_i32(*memory).into(),
                segment.into(),
                offset.into(),
                env.const_i32(0).into(),
                len.into(),
            ];
            env.call_runtime(&builder, RuntimeFn::MemoryInit, &args)?;
            env.call_runtime(&builder, RuntimeFn::DataDrop, &[vmctx.into(), segment.into()])?;
        }
    }
    builder.build_return(None)?;
    Ok(function)
}

struct Initializer<'r, 'ctx, 'a> {
    env: &'r ModuleEnv<'ctx, 'a>,
    builder: &'r Builder<'ctx>,
    instance: &'r InstanceAccess<'r, 'ctx>,
}

impl<'r, 'ctx, 'a> Initializer<'r, 'ctx, 'a> {
    /// Evaluates a constant expression at instantiation time.
    fn eval(&self, expr: &ConstExpr<'_>) -> Result<BasicValueEnum<'ctx>> {
        let types = &self.env.types;
        let mut stack: Vec<BasicValueEnum<'ctx>> = Vec::new();
        let mut reader = expr.get_operators_reader();
        while !reader.eof() {
            let offset = reader.original_position();
            let op = reader.read()?;
            let value: BasicValueEnum = match op {
                Operator::End => break,
                Operator::I32Const { value } => {
                    types.i32.const_int(value as u32 as u64, false).into()
                }
                Operator::I64Const { value } => types.i64.const_int(value as u64, false).into(),
                Operator::F32Const { value } => self.builder.build_bit_cast(
                    types.i32.const_int(value.bits() as u64, false),
                    types.f32,
                    "",
                )?,
                Operator::F64Const { value } => self.builder.build_bit_cast(
                    types.i64.const_int(value.bits(), false),
                    types.f64,
                    "",
                )?,
                Operator::V128Const { value } => {
                    let bits = value.i128() as u128;
                    let lanes = [
                        types.i64.const_int(bits as u64, false),
                        types.i64.const_int((bits >> 64) as u64, false),
                    ];
                    inkwell::types::VectorType::const_vector(&lanes).into()
                }
                Operator::RefNull { .. } => types.ptr.const_null().into(),
                Operator::RefFunc { function_index } => {
                    self.instance.funcref(function_index)?.into()
                }
                Operator::GlobalGet { global_index } => {
                    let ty =
                        types.value(self.env.info.globals[global_index as usize].ty.content_type);
                    self.instance.load_value(ty, self.instance.global_cell(global_index)?)?
                }
                Operator::I32Add
                | Operator::I64Add
                | Operator::I32Sub
                | Operator::I64Sub
                | Operator::I32Mul
                | Operator::I64Mul => {
                    let (rhs, lhs) =
                        (pop(&mut stack)?.into_int_value(), pop(&mut stack)?.into_int_value());
                    match op {
                        Operator::I32Add | Operator::I64Add => {
                            self.builder.build_int_add(lhs, rhs, "")?
                        }
                        Operator::I32Sub | Operator::I64Sub => {
                            self.builder.build_int_sub(lhs, rhs, "")?
                        }
                        _ => self.builder.build_int_mul(lhs, rhs, "")?,
                    }
                    .into()
                }
                other => {
                    return Err(CompileError::unsupported(
                        format!("constant expression {other:?}"),
                        offset,
                    ))
                }
            };
            stack.push(value);
        }
        pop(&mut stack)
    }
}

fn pop<'ctx>(stack: &mut Vec<BasicValueEnum<'ctx>>) -> Result<BasicValueEnum<'ctx>> {
    stack.pop().ok_or_else(|| CompileError::backend("empty constant expression"))
}
