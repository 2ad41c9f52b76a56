//! The source's local variables, at -O0, where module DWARF says where they live for the whole
//! of their function: in a Wasm local (declared on the local's slot), or in linear memory at
//! an offset from the frame base, a Wasm local or global holding the frame's Wasm address.
//!
//! A native debugger cannot add the memory's base to a Wasm address by itself, so each such
//! function keeps the frame's native address (base plus frame base) in a stack slot of its own,
//! and each variable is declared on that slot with the expression `DW_OP_deref,
//! DW_OP_plus_uconst OFFSET`: the variable is at the address the slot holds, plus its offset.
//! The slot is written where the frame base is set and wherever the memory's base is reloaded
//! (the function's start, after calls and `memory.grow`, which may move the memory), so it is
//! right whenever the debugger stops at a line. Only -O0 keeps a declared slot in memory for
//! the whole function; optimised code gets lines and inlined calls, not variables.

use super::func::FuncTranslator;
use super::Result;
use crate::source_debug::{FrameBase, VariableLocation};
use inkwell::debug_info::{AsDIScope, DIFlags, DIFlagsConstants};
use inkwell::types::BasicTypeEnum;
use inkwell::values::PointerValue;

const DW_OP_DEREF: i64 = 0x06;
const DW_OP_CONSTU: i64 = 0x10;
const DW_OP_MINUS: i64 = 0x1c;
const DW_OP_PLUS_UCONST: i64 = 0x23;

impl<'e, 'ctx, 'a> FuncTranslator<'e, 'ctx, 'a> {
    /// Declares the variables module DWARF gives this function, in its entry block, where the
    /// builder is.
    pub(super) fn declare_variables(&mut self) -> Result<()> {
        let env = self.env;
        let (true, Some(tables), Some(lines)) =
            (env.source_variables, &env.line_tables, &self.lines)
        else {
            return Ok(());
        };
        let (Some(source), Some(function)) = (&tables.source, lines.source) else {
            return Ok(());
        };
        let subprogram = lines.subprogram;
        let Some(block) = self.builder.get_insert_block() else { return Ok(()) };
        for variable in &function.variables {
            let Some(ty) = source.type_of(&tables.builder, tables.unit, variable.type_index, 0)
            else {
                continue;
            };
            let (storage, expression) = match variable.location {
                VariableLocation::Frame(offset) => {
                    let Some(slot) = self.frame_slot(function.frame_base)? else { continue };
                    let expression = match offset {
                        0.. => vec![DW_OP_DEREF, DW_OP_PLUS_UCONST, offset],
                        _ => vec![DW_OP_DEREF, DW_OP_CONSTU, offset.wrapping_neg(), DW_OP_MINUS],
                    };
                    (slot, expression)
                }
                VariableLocation::Local(index) => {
                    let Some(&(slot, local_ty)) = self.locals.get(index as usize) else { continue };
                    let bytes = source.byte_size(variable.type_index, 0);
                    if bytes != Some(bit_width(local_ty) / 8) {
                        continue;
                    }
                    (slot, Vec::new())
                }
            };
            let scope = subprogram.as_debug_info_scope();
            let file = source.file(&tables.builder, variable.declared.file, tables.unit.get_file());
            let line = variable.declared.line;
            let described = match variable.argument {
                Some(argument) => tables.builder.create_parameter_variable(
                    scope,
                    &variable.name,
                    argument,
                    file,
                    line,
                    ty,
                    true,
                    DIFlags::ZERO,
                ),
                None => tables.builder.create_auto_variable(
                    scope,
                    &variable.name,
                    file,
                    line,
                    ty,
                    true,
                    DIFlags::ZERO,
                    0,
                ),
            };
            let location = tables.builder.create_debug_location(env.context, line, 0, scope, None);
            let expression = tables.builder.create_expression(expression);
            tables.builder.insert_declare_at_end(
                storage,
                Some(described),
                Some(expression),
                location,
                block,
            );
        }
        Ok(())
    }

    /// The slot holding the frame's native address, made on first use, when the frame base is
    /// a 32-bit local or global of a function with a 32-bit memory.
    fn frame_slot(&mut self, frame_base: Option<FrameBase>) -> Result<Option<PointerValue<'ctx>>> {
        if let Some((slot, _)) = self.frame_address {
            return Ok(Some(slot));
        }
        let Some(frame_base) = frame_base else { return Ok(None) };
        let is_i32 = |ty: BasicTypeEnum<'ctx>| ty == self.env.types.i32.into();
        let usable = match frame_base {
            FrameBase::Local(index) => self.locals.get(index as usize).is_some_and(|l| is_i32(l.1)),
            FrameBase::Global(index) => self
                .env
                .info
                .globals
                .get(index as usize)
                .is_some_and(|global| global.ty.content_type == wasmparser::ValType::I32),
        };
        let memory_is_32_bit = self.env.info.memories.first().is_some_and(|m| !m.memory64);
        if !usable || !memory_is_32_bit {
            return Ok(None);
        }
        let slot = self.builder.build_alloca(self.env.types.ptr, "source_frame")?;
        self.frame_address = Some((slot, frame_base));
        Ok(Some(slot))
    }

    /// Writes the frame's native address into its slot, if the function has one.
    pub(super) fn update_frame_address(&mut self) -> Result<()> {
        let Some((slot, frame_base)) = self.frame_address else { return Ok(()) };
        let i32_type = self.env.types.i32;
        let wasm_address = match frame_base {
            FrameBase::Local(index) => {
                self.builder.build_load(i32_type, self.locals[index as usize].0, "")?
            }
            FrameBase::Global(index) => {
                let instance = self.instance();
                let cell = instance.global_cell(index)?;
                instance.load_value(i32_type.into(), cell)?
            }
        };
        let offset = self.builder.build_int_z_extend(
            wasm_address.into_int_value(),
            self.env.types.i64,
            "",
        )?;
        let base = self.builder.build_load(self.env.types.ptr, self.memory_slots[0].base, "")?;
        // SAFETY: an address computed for the debugger, never loaded from by the code.
        let address = unsafe {
            self.builder.build_gep(
                self.env.context.i8_type(),
                base.into_pointer_value(),
                &[offset],
                "",
            )?
        };
        self.builder.build_store(slot, address)?;
        Ok(())
    }

    /// Keeps the frame's native address up to date after a set of `set`.
    pub(super) fn note_frame_base_set(&mut self, set: FrameBase) -> Result<()> {
        match self.frame_address {
            Some((_, frame_base)) if frame_base == set => self.update_frame_address(),
            _ => Ok(()),
        }
    }
}

fn bit_width(ty: BasicTypeEnum<'_>) -> u64 {
    match ty {
        BasicTypeEnum::IntType(int) => int.get_bit_width() as u64,
        BasicTypeEnum::FloatType(float) => match float.get_context().f32_type() == float {
            true => 32,
            false => 64,
        },
        _ => 0,
    }
}
