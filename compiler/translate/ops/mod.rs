//! Operator dispatch: decodes an operator and calls its handler. Handlers live in one file per
//! instruction class; this file holds no translation logic of its own.

mod call;
mod convert;
mod memory;
mod numeric;
mod simd;
mod table;
mod variable;

use super::func::FuncTranslator;
use super::Result;
use convert::{FloatToInt, IntToFloat};
use inkwell::{FloatPredicate as F, IntPredicate as I};
use numeric::{FloatBinary, FloatUnary, IntBinary, IntUnary};
use wasmparser::Operator as Op;

/// Width in bits of an integer or float operand class.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Width {
    W32,
    W64,
}

/// Translates `op`; returns false when no handler exists for it.
pub fn translate<'a>(t: &mut FuncTranslator<'_, '_, 'a>, op: &Op<'a>) -> Result<bool> {
    use call::CallKind::{Ordinary, Tail};
    use Width::{W32, W64};
    match *op {
        // control
        Op::Nop => {}
        Op::Unreachable => t.translate_unreachable()?,
        Op::Block { blockty } => t.translate_block(blockty)?,
        Op::Loop { blockty } => t.translate_loop(blockty)?,
        Op::If { blockty } => t.translate_if(blockty)?,
        Op::Else => t.translate_else()?,
        Op::End => t.translate_end()?,
        Op::Br { relative_depth } => t.translate_br(relative_depth)?,
        Op::BrIf { relative_depth } => t.translate_br_if(relative_depth)?,
        Op::BrTable { ref targets } => t.translate_br_table(targets)?,
        Op::Return => t.translate_return()?,
        Op::BrOnNull { relative_depth } => t.translate_br_on_null(relative_depth)?,
        Op::BrOnNonNull { relative_depth } => t.translate_br_on_non_null(relative_depth)?,

        // exceptions
        Op::TryTable { ref try_table } => t.translate_try_table(try_table)?,
        Op::Throw { tag_index } => t.translate_throw(tag_index)?,
        Op::ThrowRef => t.translate_throw_ref()?,
        Op::Try { blockty } => t.translate_try(blockty)?,
        Op::Catch { tag_index } => t.translate_catch(Some(tag_index))?,
        Op::CatchAll => t.translate_catch(None)?,
        Op::Rethrow { relative_depth } => t.translate_rethrow(relative_depth)?,
        Op::Delegate { relative_depth } => t.end_frame(Some(relative_depth))?,

        // calls
        Op::Call { function_index } => t.translate_call(function_index, Ordinary)?,
        Op::CallIndirect { type_index, table_index } => {
            t.translate_call_indirect(type_index, table_index, Ordinary)?
        }
        Op::CallRef { type_index } => t.translate_call_ref(type_index, Ordinary)?,
        Op::ReturnCall { function_index } => t.translate_call(function_index, Tail)?,
        Op::ReturnCallIndirect { type_index, table_index } => {
            t.translate_call_indirect(type_index, table_index, Tail)?
        }
        Op::ReturnCallRef { type_index } => t.translate_call_ref(type_index, Tail)?,

        // parametric and variables
        Op::Drop => {
            t.pop()?;
        }
        Op::Select | Op::TypedSelect { .. } => t.translate_select()?,
        Op::LocalGet { local_index } => t.translate_local_get(local_index)?,
        Op::LocalSet { local_index } => t.translate_local_set(local_index)?,
        Op::LocalTee { local_index } => t.translate_local_tee(local_index)?,
        Op::GlobalGet { global_index } => t.translate_global_get(global_index)?,
        Op::GlobalSet { global_index } => t.translate_global_set(global_index)?,

        // memory
        Op::I32Load { memarg } => t.translate_load(&memarg, t.env.types.i32.into(), 32, false)?,
        Op::I64Load { memarg } => t.translate_load(&memarg, t.env.types.i64.into(), 64, false)?,
        Op::F32Load { memarg } => t.translate_load(&memarg, t.env.types.f32.into(), 32, false)?,
        Op::F64Load { memarg } => t.translate_load(&memarg, t.env.types.f64.into(), 64, false)?,
        Op::I32Load8S { memarg } => t.translate_load(&memarg, t.env.types.i32.into(), 8, true)?,
        Op::I32Load8U { memarg } => t.translate_load(&memarg, t.env.types.i32.into(), 8, false)?,
        Op::I32Load16S { memarg } => t.translate_load(&memarg, t.env.types.i32.into(), 16, true)?,
        Op::I32Load16U { memarg } => {
            t.translate_load(&memarg, t.env.types.i32.into(), 16, false)?
        }
        Op::I64Load8S { memarg } => t.translate_load(&memarg, t.env.types.i64.into(), 8, true)?,
        Op::I64Load8U { memarg } => t.translate_load(&memarg, t.env.types.i64.into(), 8, false)?,
        Op::I64Load16S { memarg } => t.translate_load(&memarg, t.env.types.i64.into(), 16, true)?,
        Op::I64Load16U { memarg } => {
            t.translate_load(&memarg, t.env.types.i64.into(), 16, false)?
        }
        Op::I64Load32S { memarg } => t.translate_load(&memarg, t.env.types.i64.into(), 32, true)?,
        Op::I64Load32U { memarg } => {
            t.translate_load(&memarg, t.env.types.i64.into(), 32, false)?
        }
        Op::I32Store { memarg } | Op::F32Store { memarg } => t.translate_store(&memarg, 32)?,
        Op::I64Store { memarg } | Op::F64Store { memarg } => t.translate_store(&memarg, 64)?,
        Op::I32Store8 { memarg } | Op::I64Store8 { memarg } => t.translate_store(&memarg, 8)?,
        Op::I32Store16 { memarg } | Op::I64Store16 { memarg } => t.translate_store(&memarg, 16)?,
        Op::I64Store32 { memarg } => t.translate_store(&memarg, 32)?,
        Op::MemorySize { mem } => t.translate_memory_size(mem)?,
        Op::MemoryGrow { mem } => t.translate_memory_grow(mem)?,
        Op::MemoryInit { data_index, mem } => t.translate_memory_init(data_index, mem)?,
        Op::DataDrop { data_index } => t.translate_data_drop(data_index)?,
        Op::MemoryCopy { dst_mem, src_mem } => t.translate_memory_copy(dst_mem, src_mem)?,
        Op::MemoryFill { mem } => t.translate_memory_fill(mem)?,

        // tables and references
        Op::TableGet { table } => t.translate_table_get(table)?,
        Op::TableSet { table } => t.translate_table_set(table)?,
        Op::TableSize { table } => t.translate_table_size(table)?,
        Op::TableGrow { table } => t.translate_table_grow(table)?,
        Op::TableFill { table } => t.translate_table_fill(table)?,
        Op::TableInit { elem_index, table } => t.translate_table_init(elem_index, table)?,
        Op::TableCopy { dst_table, src_table } => t.translate_table_copy(dst_table, src_table)?,
        Op::ElemDrop { elem_index } => t.translate_elem_drop(elem_index)?,
        Op::RefNull { .. } => t.push(t.env.types.ptr.const_null()),
        Op::RefIsNull => t.translate_ref_is_null()?,
        Op::RefFunc { function_index } => t.translate_ref_func(function_index)?,
        Op::RefAsNonNull => t.translate_ref_as_non_null()?,

        // constants
        Op::I32Const { value } => t.push(t.env.types.i32.const_int(value as u32 as u64, false)),
        Op::I64Const { value } => t.push(t.env.types.i64.const_int(value as u64, false)),
        Op::F32Const { value } => t.push_f32_bits(value.bits())?,
        Op::F64Const { value } => t.push_f64_bits(value.bits())?,

        // integer arithmetic
        Op::I32Eqz | Op::I64Eqz => t.int_unary(IntUnary::Eqz)?,
        Op::I32Clz | Op::I64Clz => t.int_unary(IntUnary::Clz)?,
        Op::I32Ctz | Op::I64Ctz => t.int_unary(IntUnary::Ctz)?,
        Op::I32Popcnt | Op::I64Popcnt => t.int_unary(IntUnary::Popcnt)?,
        Op::I32Extend8S | Op::I64Extend8S => t.int_unary(IntUnary::ExtendS(8))?,
        Op::I32Extend16S | Op::I64Extend16S => t.int_unary(IntUnary::ExtendS(16))?,
        Op::I64Extend32S => t.int_unary(IntUnary::ExtendS(32))?,
        Op::I32Add | Op::I64Add => t.int_binary(IntBinary::Add)?,
        Op::I32Sub | Op::I64Sub => t.int_binary(IntBinary::Sub)?,
        Op::I32Mul | Op::I64Mul => t.int_binary(IntBinary::Mul)?,
        Op::I32DivS | Op::I64DivS => t.int_binary(IntBinary::DivS)?,
        Op::I32DivU | Op::I64DivU => t.int_binary(IntBinary::DivU)?,
        Op::I32RemS | Op::I64RemS => t.int_binary(IntBinary::RemS)?,
        Op::I32RemU | Op::I64RemU => t.int_binary(IntBinary::RemU)?,
        Op::I32And | Op::I64And => t.int_binary(IntBinary::And)?,
        Op::I32Or | Op::I64Or => t.int_binary(IntBinary::Or)?,
        Op::I32Xor | Op::I64Xor => t.int_binary(IntBinary::Xor)?,
        Op::I32Shl | Op::I64Shl => t.int_binary(IntBinary::Shl)?,
        Op::I32ShrS | Op::I64ShrS => t.int_binary(IntBinary::ShrS)?,
        Op::I32ShrU | Op::I64ShrU => t.int_binary(IntBinary::ShrU)?,
        Op::I32Rotl | Op::I64Rotl => t.int_binary(IntBinary::Rotl)?,
        Op::I32Rotr | Op::I64Rotr => t.int_binary(IntBinary::Rotr)?,
        Op::I32Eq | Op::I64Eq => t.int_compare(I::EQ)?,
        Op::I32Ne | Op::I64Ne => t.int_compare(I::NE)?,
        Op::I32LtS | Op::I64LtS => t.int_compare(I::SLT)?,
        Op::I32LtU | Op::I64LtU => t.int_compare(I::ULT)?,
        Op::I32GtS | Op::I64GtS => t.int_compare(I::SGT)?,
        Op::I32GtU | Op::I64GtU => t.int_compare(I::UGT)?,
        Op::I32LeS | Op::I64LeS => t.int_compare(I::SLE)?,
        Op::I32LeU | Op::I64LeU => t.int_compare(I::ULE)?,
        Op::I32GeS | Op::I64GeS => t.int_compare(I::SGE)?,
        Op::I32GeU | Op::I64GeU => t.int_compare(I::UGE)?,

        // float arithmetic
        Op::F32Abs | Op::F64Abs => t.float_unary(FloatUnary::Abs)?,
        Op::F32Neg | Op::F64Neg => t.float_unary(FloatUnary::Neg)?,
        Op::F32Sqrt | Op::F64Sqrt => t.float_unary(FloatUnary::Sqrt)?,
        Op::F32Ceil | Op::F64Ceil => t.float_unary(FloatUnary::Ceil)?,
        Op::F32Floor | Op::F64Floor => t.float_unary(FloatUnary::Floor)?,
        Op::F32Trunc | Op::F64Trunc => t.float_unary(FloatUnary::Trunc)?,
        Op::F32Nearest | Op::F64Nearest => t.float_unary(FloatUnary::Nearest)?,
        Op::F32Add | Op::F64Add => t.float_binary(FloatBinary::Add)?,
        Op::F32Sub | Op::F64Sub => t.float_binary(FloatBinary::Sub)?,
        Op::F32Mul | Op::F64Mul => t.float_binary(FloatBinary::Mul)?,
        Op::F32Div | Op::F64Div => t.float_binary(FloatBinary::Div)?,
        Op::F32Min | Op::F64Min => t.float_binary(FloatBinary::Min)?,
        Op::F32Max | Op::F64Max => t.float_binary(FloatBinary::Max)?,
        Op::F32Copysign | Op::F64Copysign => t.float_binary(FloatBinary::Copysign)?,
        Op::F32Eq | Op::F64Eq => t.float_compare(F::OEQ)?,
        Op::F32Ne | Op::F64Ne => t.float_compare(F::UNE)?,
        Op::F32Lt | Op::F64Lt => t.float_compare(F::OLT)?,
        Op::F32Gt | Op::F64Gt => t.float_compare(F::OGT)?,
        Op::F32Le | Op::F64Le => t.float_compare(F::OLE)?,
        Op::F32Ge | Op::F64Ge => t.float_compare(F::OGE)?,

        // conversions
        Op::I32WrapI64 => t.translate_wrap()?,
        Op::I64ExtendI32S => t.translate_extend_i32(true)?,
        Op::I64ExtendI32U => t.translate_extend_i32(false)?,
        Op::I32TruncF32S | Op::I32TruncF64S => {
            t.float_to_int(FloatToInt { to: W32, signed: true, saturating: false })?
        }
        Op::I32TruncF32U | Op::I32TruncF64U => {
            t.float_to_int(FloatToInt { to: W32, signed: false, saturating: false })?
        }
        Op::I64TruncF32S | Op::I64TruncF64S => {
            t.float_to_int(FloatToInt { to: W64, signed: true, saturating: false })?
        }
        Op::I64TruncF32U | Op::I64TruncF64U => {
            t.float_to_int(FloatToInt { to: W64, signed: false, saturating: false })?
        }
        Op::I32TruncSatF32S | Op::I32TruncSatF64S => {
            t.float_to_int(FloatToInt { to: W32, signed: true, saturating: true })?
        }
        Op::I32TruncSatF32U | Op::I32TruncSatF64U => {
            t.float_to_int(FloatToInt { to: W32, signed: false, saturating: true })?
        }
        Op::I64TruncSatF32S | Op::I64TruncSatF64S => {
            t.float_to_int(FloatToInt { to: W64, signed: true, saturating: true })?
        }
        Op::I64TruncSatF32U | Op::I64TruncSatF64U => {
            t.float_to_int(FloatToInt { to: W64, signed: false, saturating: true })?
        }
        Op::F32ConvertI32S | Op::F32ConvertI64S => {
            t.int_to_float(IntToFloat { to: W32, signed: true })?
        }
        Op::F32ConvertI32U | Op::F32ConvertI64U => {
            t.int_to_float(IntToFloat { to: W32, signed: false })?
        }
        Op::F64ConvertI32S | Op::F64ConvertI64S => {
            t.int_to_float(IntToFloat { to: W64, signed: true })?
        }
        Op::F64ConvertI32U | Op::F64ConvertI64U => {
            t.int_to_float(IntToFloat { to: W64, signed: false })?
        }
        Op::F32DemoteF64 => t.translate_demote()?,
        Op::F64PromoteF32 => t.translate_promote()?,
        Op::I32ReinterpretF32 => t.reinterpret(t.env.types.i32.into())?,
        Op::I64ReinterpretF64 => t.reinterpret(t.env.types.i64.into())?,
        Op::F32ReinterpretI32 => t.reinterpret(t.env.types.f32.into())?,
        Op::F64ReinterpretI64 => t.reinterpret(t.env.types.f64.into())?,

        _ => return simd::translate(t, op),
    }
    Ok(true)
}
