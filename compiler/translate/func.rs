//! Per-function translation driver: sets up the entry block (locals, instance caches, the stack
//! check), walks the operators, skips unreachable code in one place and dispatches each operator
//! to its handler in `ops/` or `control`.
//!
//! A function's translation state is in three parts: the function's environment here (the
//! module's, the builder, the locals' and memories' slots, the shared trap blocks), the value
//! and control stacks (`state::ControlState`) and what is known about addresses
//! (`facts::AddressFacts`).

use super::control::{Frame, FrameKind};
use super::debug_lines::FunctionLines;
use super::facts::AddressFacts;
use super::instance::InstanceAccess;
use super::prescan::Prescan;
use super::state::ControlState;
use super::{ModuleEnv, OutOfBoundsAccess, Result};
use crate::abi::TrapCode;
use crate::error::CompileError;
use inkwell::basic_block::BasicBlock;
use inkwell::builder::Builder;
use inkwell::types::BasicTypeEnum;
use inkwell::values::{
    BasicValueEnum, FloatValue, FunctionValue, InstructionOpcode, IntValue, PointerValue,
};
use inkwell::IntPredicate;
use std::collections::HashSet;
use wasmparser::{FunctionBody, Operator};

/// Stack slots holding one memory's base and byte size. Reads go through them so that a reload
/// after a call or `memory.grow` is one store, and mem2reg turns them into SSA values and phis.
#[derive(Clone, Copy)]
pub struct MemorySlots<'ctx> {
    pub base: PointerValue<'ctx>,
    pub size: PointerValue<'ctx>,
}

pub struct FuncTranslator<'e, 'ctx, 'a> {
    pub env: &'e ModuleEnv<'ctx, 'a>,
    pub builder: Builder<'ctx>,
    pub(super) function: FunctionValue<'ctx>,
    func_index: u32,
    pub vmctx: PointerValue<'ctx>,
    /// Where this function stores its results, when they go through memory
    /// (`types::results_in_memory`): the caller's struct.
    pub results: Option<PointerValue<'ctx>>,
    /// Stack slot and type of every local, parameters first.
    pub locals: Vec<(PointerValue<'ctx>, BasicTypeEnum<'ctx>)>,
    /// The blocks that raise "out of bounds memory access" (`is_out_of_bounds_trap`).
    out_of_bounds_traps: HashSet<BasicBlock<'ctx>>,
    pub memory_slots: Vec<MemorySlots<'ctx>>,
    /// The value and control stacks.
    pub state: ControlState<'ctx>,
    /// What is known about addresses in the current straight-line code.
    pub facts: AddressFacts<'ctx>,
    /// Byte offset of the operator being translated, for errors.
    offset: u64,
    /// The block that returns with an exception in flight, once something needs it.
    pub(super) propagate: Option<BasicBlock<'ctx>>,
    /// The function's line tables, when the module gets them (`debug_lines`).
    pub(super) lines: Option<FunctionLines<'ctx, 'a>>,
    /// The slot holding the native address of the source's frame in linear memory, and the
    /// Wasm local or global that holds its Wasm address, when variables are described there
    /// (`debug_variables`).
    pub(super) frame_address: Option<(PointerValue<'ctx>, crate::source_debug::FrameBase)>,
}

pub fn translate_function<'ctx, 'a>(
    env: &ModuleEnv<'ctx, 'a>,
    func_index: u32,
    body: &FunctionBody<'a>,
) -> Result<()> {
    let function = env.functions[(func_index - env.info.num_imported_funcs) as usize];
    let lines = env.describe_function(func_index, function, body.range().start as u32);
    let builder = env.context.create_builder();
    let entry = env.context.append_basic_block(function, "entry");
    builder.position_at_end(entry);
    let vmctx = function
        .get_nth_param(0)
        .map(|p| p.into_pointer_value())
        .ok_or_else(|| CompileError::backend("function without its instance parameter"))?;
    let (results, _) = super::types::wasm_params(function, env.info.func_type(func_index))?;
    let mut translator = FuncTranslator {
        env,
        builder,
        function,
        func_index,
        vmctx,
        results,
        locals: Vec::new(),
        out_of_bounds_traps: HashSet::new(),
        memory_slots: Vec::new(),
        state: ControlState::new(),
        facts: AddressFacts::default(),
        offset: body.range().start,
        propagate: None,
        lines,
        frame_address: None,
    };
    translator.locate_prologue();
    translator.emit_prologue(func_index, body)?;
    translator.translate_body(body)
}

impl<'e, 'ctx, 'a> FuncTranslator<'e, 'ctx, 'a> {
    fn emit_prologue(&mut self, func_index: u32, body: &FunctionBody<'a>) -> Result<()> {
        let ty = self.env.info.func_type(func_index).clone();
        let (_, first_param) = super::types::wasm_params(self.function, &ty)?;
        for (i, param_ty) in ty.params().iter().enumerate() {
            let llvm_ty = self.env.types.value(*param_ty);
            let slot = self.builder.build_alloca(llvm_ty, "param")?;
            let value = self
                .function
                .get_nth_param(i as u32 + first_param)
                .ok_or_else(|| CompileError::backend("parameter count mismatch"))?;
            self.builder.build_store(slot, value)?;
            self.locals.push((slot, llvm_ty));
        }
        let mut locals_reader = body.get_locals_reader()?;
        for _ in 0..locals_reader.get_count() {
            let offset = locals_reader.original_position();
            let (count, local_ty) = locals_reader.read()?;
            crate::proposals::check_value_type(local_ty, offset)?;
            let llvm_ty = self.env.types.value(local_ty);
            for _ in 0..count {
                let slot = self.builder.build_alloca(llvm_ty, "local")?;
                self.builder.build_store(slot, llvm_ty.const_zero())?;
                self.locals.push((slot, llvm_ty));
            }
        }
        let prescan = Prescan::of(body)?;
        self.facts = AddressFacts::new(self.locals.len(), prescan.locals_set_in_loops);
        for _ in 0..self.env.info.memories.len() {
            let base = self.builder.build_alloca(self.env.types.ptr, "mem_base")?;
            let size = self.builder.build_alloca(self.env.types.i64, "mem_size")?;
            self.memory_slots.push(MemorySlots { base, size });
        }
        self.declare_variables()?;
        self.reload_memory_cache()?;
        if prescan.calls_functions {
            self.emit_stack_check()?;
        }

        let return_block = self.new_block("return");
        let result_phis = self.create_phis(return_block, ty.results())?;
        self.state.push_frame(Frame {
            kind: FrameKind::Function,
            next: return_block,
            result_phis,
            height: 0,
            next_reachable: false,
        });
        Ok(())
    }

    /// Traps with "call stack exhausted" when this frame starts below the instance's stack limit,
    /// so that deep recursion ends in a trap instead of a fault. A function that calls no
    /// function has none (`Prescan::calls_functions`): it cannot recurse, and its caller's check left the
    /// stack's margin (256 KiB) below the caller's frame, so the leaf's frame fits there unless
    /// the two are that large, when the pages probed or touched reach the stack's guard page and
    /// the runtime's fault handler raises the same trap. The frame's start is the address
    /// of its return address: unlike the frame address, it needs no frame pointer (which would
    /// take a register from every function), and it is one value for a function and everything
    /// inlined into it, so the checks of inlined callees fold into the caller's. The fast
    /// instruction selector cannot take that address, though, and would hand the whole entry
    /// block to the slow one (a measurable share of -O0 code generation), so -O0 code takes the frame
    /// address, 8 bytes lower, and keeps a frame pointer.
    fn emit_stack_check(&mut self) -> Result<()> {
        let ptr = self.env.types.ptr.into();
        let frame_start = match self.env.fast_isel {
            true => self.call_intrinsic("llvm.frameaddress", &[ptr], &[self.env.i32(0).into()])?,
            false => self.call_intrinsic("llvm.addressofreturnaddress", &[ptr], &[])?,
        };
        let address = self.builder.build_ptr_to_int(
            frame_start.into_pointer_value(),
            self.env.types.i64,
            "frame_start",
        )?;
        let limit = self.instance().stack_limit()?;
        let exhausted = self.builder.build_int_compare(IntPredicate::ULT, address, limit, "")?;
        self.trap_if(exhausted, TrapCode::StackExhausted)?;
        Ok(())
    }

    fn translate_body(&mut self, body: &FunctionBody<'a>) -> Result<()> {
        let mut reader = body.get_operators_reader()?;
        while !reader.eof() {
            self.offset = reader.original_position();
            self.locate(self.offset);
            let op = reader.read()?;
            self.facts.observe(&op);
            if self.state.is_reachable() {
                self.translate_operator(op)?;
            } else {
                self.skip_unreachable(op)?;
            }
        }
        Ok(())
    }

    /// Gives the entry block's set-up the location of the function's start: its first offset,
    /// or in source terms line 0, so that a debugger's breakpoint on the function comes after
    /// it, when the slots variables are described in are written.
    fn locate_prologue(&mut self) {
        if let (Some(tables), Some(lines)) = (&self.env.line_tables, &self.lines) {
            let location = match lines.source {
                Some(_) => tables.location(self.env.context, lines.subprogram, 0),
                None => tables.location(self.env.context, lines.subprogram, self.offset as u32),
            };
            self.builder.set_current_debug_location(location);
        }
    }

    /// Gives what is built from now on the location of module offset `offset`.
    fn locate(&mut self, offset: u64) {
        if let (Some(tables), Some(lines)) = (&self.env.line_tables, &mut self.lines) {
            let location = tables.operator_location(self.env.context, lines, offset);
            self.builder.set_current_debug_location(location);
        }
    }

    /// While unreachable, only the `else` and `end` that close a live frame matter.
    fn skip_unreachable(&mut self, op: Operator<'a>) -> Result<()> {
        match op {
            Operator::Block { .. }
            | Operator::Loop { .. }
            | Operator::If { .. }
            | Operator::TryTable { .. }
            | Operator::Try { .. } => self.state.open_dead_frame(),
            Operator::Else if !self.state.in_dead_frame() => self.translate_else()?,
            Operator::Catch { tag_index } if !self.state.in_dead_frame() => {
                self.translate_catch(Some(tag_index))?
            }
            Operator::CatchAll if !self.state.in_dead_frame() => self.translate_catch(None)?,
            Operator::End if !self.state.in_dead_frame() => self.translate_end()?,
            Operator::Delegate { relative_depth } if !self.state.in_dead_frame() => {
                self.end_frame(Some(relative_depth))?
            }
            Operator::End | Operator::Delegate { .. } => self.state.close_dead_frame(),
            _ => {}
        }
        Ok(())
    }

    fn translate_operator(&mut self, op: Operator<'a>) -> Result<()> {
        if super::ops::translate(self, &op)? {
            return Ok(());
        }
        Err(crate::proposals::unsupported_operator(&op, self.offset))
    }

    // ---- helpers shared by the operator handlers ----

    /// The Wasm type of the function being translated.
    pub fn function_type(&self) -> &'a wasmparser::FuncType {
        self.env.info.func_type(self.func_index)
    }

    pub fn instance(&self) -> InstanceAccess<'_, 'ctx> {
        InstanceAccess { builder: &self.builder, types: &self.env.types, vmctx: self.vmctx }
    }

    /// A stack slot of `ty` made in the entry block, so that a slot taken inside a loop is one
    /// slot, not one per iteration.
    pub fn entry_alloca(&self, ty: BasicTypeEnum<'ctx>, name: &str) -> Result<PointerValue<'ctx>> {
        let entry = self
            .function
            .get_first_basic_block()
            .ok_or_else(|| CompileError::backend("function without an entry block"))?;
        let builder = self.env.context.create_builder();
        match entry.get_first_instruction() {
            Some(first) => builder.position_before(&first),
            None => builder.position_at_end(entry),
        }
        Ok(builder.build_alloca(ty, name)?)
    }

    pub fn new_block(&self, name: &str) -> BasicBlock<'ctx> {
        self.env.context.append_basic_block(self.function, name)
    }

    pub fn current_block(&self) -> Result<BasicBlock<'ctx>> {
        self.builder.get_insert_block().ok_or_else(|| CompileError::backend("builder has no block"))
    }

    pub fn push(&mut self, value: impl Into<BasicValueEnum<'ctx>>) {
        self.state.push(value.into());
    }

    pub fn pop(&mut self) -> Result<BasicValueEnum<'ctx>> {
        self.state.pop()
    }

    pub fn pop_int(&mut self) -> Result<IntValue<'ctx>> {
        Ok(self.pop()?.into_int_value())
    }

    pub fn pop_float(&mut self) -> Result<FloatValue<'ctx>> {
        Ok(self.pop()?.into_float_value())
    }

    /// Pops `n` values, returned in stack order (deepest first).
    pub fn pop_n(&mut self, n: usize) -> Result<Vec<BasicValueEnum<'ctx>>> {
        self.state.pop_n(n)
    }

    /// The top `n` values, deepest first, left on the stack.
    pub fn peek_n(&self, n: usize) -> Result<&[BasicValueEnum<'ctx>]> {
        self.state.peek_n(n)
    }

    /// Wasm's truth test of an i32 condition, as an i1.
    pub fn is_nonzero(&self, value: IntValue<'ctx>) -> Result<IntValue<'ctx>> {
        // A comparison's result, widened to i32 (`bool_to_i32`), is tested as it is: loop
        // analyses that run before InstCombine (`codegen`) read exit conditions only then.
        if let Some(widened) =
            value.as_instruction().filter(|i| i.get_opcode() == InstructionOpcode::ZExt)
        {
            if let Some(condition) =
                widened.get_operand(0).and_then(|o| o.value()).map(|v| v.into_int_value())
            {
                if condition.get_type().get_bit_width() == 1 {
                    return Ok(condition);
                }
            }
        }
        let zero = value.get_type().const_zero();
        Ok(self.builder.build_int_compare(IntPredicate::NE, value, zero, "")?)
    }

    /// Branches to a shared cold block that raises `code` when `condition` holds; code after it
    /// continues in a fresh block. Returns the branch.
    pub fn trap_if(
        &mut self,
        condition: IntValue<'ctx>,
        code: TrapCode,
    ) -> Result<inkwell::values::InstructionValue<'ctx>> {
        let trap_block = self.trap_block(code)?;
        self.branch_to_trap(condition, trap_block)
    }

    /// As `trap_if` for "out of bounds memory access", telling the runtime which `access` it
    /// was. Only the cold trap block gets the arguments; the check itself is the same
    /// branch (the loop passes read its shape, compiler/passes/contract.h). Returns the trap
    /// call, whose access a widened check updates.
    pub fn trap_out_of_bounds_if(
        &mut self,
        condition: IntValue<'ctx>,
        access: &OutOfBoundsAccess<'ctx>,
    ) -> Result<inkwell::values::InstructionValue<'ctx>> {
        let block = self.new_block("trap");
        let resume = self.current_block()?;
        self.builder.position_at_end(block);
        let call = self.env.emit_memory_trap(&self.builder, access)?;
        self.builder.position_at_end(resume);
        self.out_of_bounds_traps.insert(block);
        self.branch_to_trap(condition, block)?;
        Ok(call)
    }

    /// Branches to `trap_block` when `condition` holds, weighted cold, and goes on in a fresh
    /// block.
    fn branch_to_trap(
        &mut self,
        condition: IntValue<'ctx>,
        trap_block: BasicBlock<'ctx>,
    ) -> Result<inkwell::values::InstructionValue<'ctx>> {
        let continue_block = self.new_block("");
        let branch =
            self.builder.build_conditional_branch(condition, trap_block, continue_block)?;
        self.mark_unlikely(branch)?;
        self.builder.position_at_end(continue_block);
        Ok(branch)
    }

    /// Whether `block` is one that raises "out of bounds memory access".
    pub fn is_out_of_bounds_trap(&self, block: BasicBlock<'ctx>) -> bool {
        self.out_of_bounds_traps.contains(&block)
    }

    /// A block that raises `code`, for one check: every check has its own, which LLVM keeps
    /// apart (`ModuleEnv::emit_trap`), so that the address a trap is raised from tells which
    /// operator trapped (the line tables of `debug_lines` map it back). The blocks are laid out
    /// cold, after the code that does not trap.
    fn trap_block(&mut self, code: TrapCode) -> Result<BasicBlock<'ctx>> {
        let block = self.new_block("trap");
        let resume = self.current_block()?;
        self.builder.position_at_end(block);
        self.env.emit_trap(&self.builder, code)?;
        self.builder.position_at_end(resume);
        if code == TrapCode::MemoryOutOfBounds {
            self.out_of_bounds_traps.insert(block);
        }
        Ok(block)
    }

    /// Weights a conditional branch so its true edge (a trap) is laid out cold.
    pub fn mark_unlikely(&self, branch: inkwell::values::InstructionValue<'ctx>) -> Result<()> {
        let context = self.env.context;
        let weights = context.metadata_node(&[
            context.metadata_string("branch_weights").into(),
            self.env.types.i32.const_int(1, false).into(),
            self.env.types.i32.const_int(1 << 20, false).into(),
        ]);
        let kind = context.get_kind_id("prof");
        branch
            .set_metadata(weights, kind)
            .map_err(|e| CompileError::backend(format!("branch weights: {e:?}")))
    }

    /// Calls an LLVM intrinsic, overloaded on `types`.
    pub fn call_intrinsic(
        &self,
        name: &str,
        types: &[BasicTypeEnum<'ctx>],
        args: &[inkwell::values::BasicMetadataValueEnum<'ctx>],
    ) -> Result<BasicValueEnum<'ctx>> {
        let intrinsic = inkwell::intrinsics::Intrinsic::find(name)
            .ok_or_else(|| CompileError::backend(format!("unknown intrinsic {name}")))?;
        let declaration = intrinsic
            .get_declaration(&self.env.module, types)
            .ok_or_else(|| CompileError::backend(format!("cannot declare {name}")))?;
        super::returned_value(self.builder.build_call(declaration, args, "")?, name)
    }

    /// Re-reads every memory's base and size from the instance: after anything that may have
    /// grown a memory (calls, `memory.grow`).
    pub fn reload_memory_cache(&mut self) -> Result<()> {
        for (index, slots) in self.memory_slots.iter().enumerate() {
            let instance = self.instance();
            let memory = instance.memory(index as u32)?;
            let base = instance.memory_base(memory)?;
            let size = instance.memory_size(memory, self.env.info.memories[index].memory64)?;
            self.builder.build_store(slots.base, base)?;
            self.builder.build_store(slots.size, size)?;
        }
        self.update_frame_address()
    }
}
