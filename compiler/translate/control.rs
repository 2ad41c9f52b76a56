//! Structured control flow. Every frame knows where a branch to it goes and which phis receive
//! the branch's values: a loop's header and parameter phis, or the block after the frame and its
//! result phis. One recipe for merges: phis are created when a frame opens, every branch adds an
//! incoming pair, and a continuation nothing branched to is deleted.

use super::func::FuncTranslator;
use super::Result;
use crate::abi::TrapCode;
use crate::error::CompileError;
use inkwell::basic_block::BasicBlock;
use inkwell::values::{BasicValue, BasicValueEnum, PhiValue};
use std::collections::HashMap;
use wasmparser::{BlockType, BrTable, ValType};

pub enum FrameKind<'ctx> {
    /// The function body; its continuation is the return block.
    Function,
    Block,
    Loop {
        header: BasicBlock<'ctx>,
        param_phis: Vec<PhiValue<'ctx>>,
    },
    /// `else_block` is taken (None) once the `else` arm has started.
    If {
        else_block: Option<BasicBlock<'ctx>>,
        else_params: Vec<BasicValueEnum<'ctx>>,
    },
    /// A block whose exceptions go to `handler` (`exceptions`), emitted at its `end` if
    /// anything went there.
    TryTable {
        handler: BasicBlock<'ctx>,
        catches: Vec<wasmparser::Catch>,
        handler_used: bool,
    },
    /// A legacy `try` (`legacy_exceptions`): exceptions of its body go to `handler`, where the
    /// `catch` clauses test their tags in turn; `dispatch` is where the next clause's test goes
    /// (None after `catch_all`). In a clause (`in_catch`), `caught` holds the exception it took,
    /// for `rethrow`.
    LegacyTry {
        handler: BasicBlock<'ctx>,
        handler_used: bool,
        dispatch: Option<BasicBlock<'ctx>>,
        caught: inkwell::values::PointerValue<'ctx>,
        in_catch: bool,
    },
}

pub struct Frame<'ctx> {
    pub kind: FrameKind<'ctx>,
    /// The code after the frame's `end`.
    pub next: BasicBlock<'ctx>,
    pub result_phis: Vec<PhiValue<'ctx>>,
    /// Value-stack height below the frame's parameters.
    pub height: usize,
    /// Whether any edge reaches `next` yet.
    pub next_reachable: bool,
}

impl<'ctx> Frame<'ctx> {
    /// Where `br` to this frame goes, and the phis that receive its values.
    fn br_destination(&self) -> (BasicBlock<'ctx>, &[PhiValue<'ctx>]) {
        match &self.kind {
            FrameKind::Loop { header, param_phis } => (*header, param_phis),
            _ => (self.next, &self.result_phis),
        }
    }
}

impl<'e, 'ctx, 'a> FuncTranslator<'e, 'ctx, 'a> {
    pub(super) fn block_signature(&self, ty: BlockType) -> (Vec<ValType>, Vec<ValType>) {
        match ty {
            BlockType::Empty => (vec![], vec![]),
            BlockType::Type(t) => (vec![], vec![t]),
            BlockType::FuncType(index) => {
                let ty = &self.env.info.types[index as usize];
                (ty.params().to_vec(), ty.results().to_vec())
            }
        }
    }

    /// Creates one phi per type at the start of the (still empty) `block`.
    pub fn create_phis(
        &self,
        block: BasicBlock<'ctx>,
        types: &[ValType],
    ) -> Result<Vec<PhiValue<'ctx>>> {
        let resume = self.builder.get_insert_block();
        self.builder.position_at_end(block);
        let phis = types
            .iter()
            .map(|t| self.builder.build_phi(self.env.types.value(*t), ""))
            .collect::<std::result::Result<Vec<_>, _>>()?;
        if let Some(resume) = resume {
            self.builder.position_at_end(resume);
        }
        Ok(phis)
    }

    fn phi_values(phis: &[PhiValue<'ctx>]) -> Vec<BasicValueEnum<'ctx>> {
        phis.iter().map(|p| p.as_basic_value()).collect()
    }

    pub fn translate_block(&mut self, ty: BlockType) -> Result<()> {
        self.open_block_frame(ty, FrameKind::Block, "block_end")
    }

    /// Opens a frame of `kind` that ends like a block (`block`, `try_table`, legacy `try`): its
    /// parameters stay on the stack, and its continuation `next_name` gets a phi per result.
    pub(super) fn open_block_frame(
        &mut self,
        ty: BlockType,
        kind: FrameKind<'ctx>,
        next_name: &str,
    ) -> Result<()> {
        let (params, results) = self.block_signature(ty);
        let next = self.new_block(next_name);
        let result_phis = self.create_phis(next, &results)?;
        let height = self.state.height() - params.len();
        self.state.push_frame(Frame { kind, next, result_phis, height, next_reachable: false });
        Ok(())
    }

    pub fn translate_loop(&mut self, ty: BlockType) -> Result<()> {
        let (params, results) = self.block_signature(ty);
        let header = self.new_block("loop");
        let next = self.new_block("loop_end");
        let param_phis = self.create_phis(header, &params)?;
        let result_phis = self.create_phis(next, &results)?;
        let entry_values = self.pop_n(params.len())?;
        let from = self.current_block()?;
        for (phi, value) in param_phis.iter().zip(&entry_values) {
            phi.add_incoming(&[(value as &dyn BasicValue, from)]);
        }
        self.builder.build_unconditional_branch(header)?;
        self.builder.position_at_end(header);
        let height = self.state.height();
        self.state.reset_to(height, Self::phi_values(&param_phis));
        self.state.push_frame(Frame {
            kind: FrameKind::Loop { header, param_phis },
            next,
            result_phis,
            height,
            next_reachable: false,
        });
        Ok(())
    }

    pub fn translate_if(&mut self, ty: BlockType) -> Result<()> {
        let (params, results) = self.block_signature(ty);
        let condition = self.pop_int()?;
        let then_block = self.new_block("then");
        let else_block = self.new_block("else");
        let next = self.new_block("if_end");
        let result_phis = self.create_phis(next, &results)?;
        let is_true = self.is_nonzero(condition)?;
        self.builder.build_conditional_branch(is_true, then_block, else_block)?;
        self.builder.position_at_end(then_block);
        let else_params = self.peek_n(params.len())?.to_vec();
        let height = self.state.height() - params.len();
        self.state.push_frame(Frame {
            kind: FrameKind::If { else_block: Some(else_block), else_params },
            next,
            result_phis,
            height,
            next_reachable: false,
        });
        Ok(())
    }

    /// Falls through from the current block to the top frame's continuation (for a loop too,
    /// which a branch would send back to its header).
    pub(super) fn fall_through_to_end(&mut self) -> Result<()> {
        if !self.state.is_reachable() {
            return Ok(());
        }
        let from = self.current_block()?;
        let arity = self.state.top_frame()?.result_phis.len();
        let values = self.peek_n(arity)?.to_vec();
        let frame = self.state.top_frame()?;
        for (phi, value) in frame.result_phis.iter().zip(&values) {
            phi.add_incoming(&[(value as &dyn BasicValue, from)]);
        }
        frame.next_reachable = true;
        let next = frame.next;
        self.builder.build_unconditional_branch(next)?;
        Ok(())
    }

    pub fn translate_else(&mut self) -> Result<()> {
        self.fall_through_to_end()?;
        let frame = self.state.top_frame()?;
        let height = frame.height;
        let FrameKind::If { else_block, else_params } = &mut frame.kind else {
            return Err(CompileError::backend("else outside if"));
        };
        let block = else_block.take().ok_or_else(|| CompileError::backend("second else"))?;
        let params = std::mem::take(else_params);
        self.state.reset_to(height, params);
        self.builder.position_at_end(block);
        self.state.set_reachable(true);
        Ok(())
    }

    pub fn translate_end(&mut self) -> Result<()> {
        self.end_frame(None)
    }

    /// Closes the top frame: at `end`, or at `delegate` (`delegate_depth`), which closes a
    /// legacy `try` and sends its exceptions to the handler at that depth.
    pub(super) fn end_frame(&mut self, delegate_depth: Option<u32>) -> Result<()> {
        self.finish_legacy_catch()?;
        self.fall_through_to_end()?;
        let mut frame = self.state.pop_frame()?;
        match &frame.kind {
            FrameKind::TryTable { handler, catches, handler_used } => {
                self.emit_handler(*handler, catches, *handler_used)?;
            }
            FrameKind::LegacyTry { handler, handler_used, dispatch: Some(last_test), .. } => {
                self.emit_legacy_dispatch_end(*handler, *handler_used, *last_test, delegate_depth)?;
            }
            _ => {}
        }
        if let FrameKind::If { else_block: Some(else_block), else_params } = &frame.kind {
            // An `if` without `else`: the false edge carries the parameters through.
            self.builder.position_at_end(*else_block);
            for (phi, value) in frame.result_phis.iter().zip(else_params) {
                phi.add_incoming(&[(value as &dyn BasicValue, *else_block)]);
            }
            self.builder.build_unconditional_branch(frame.next)?;
            frame.next_reachable = true;
        }
        if !frame.next_reachable {
            self.state.reset_to(frame.height, Vec::new());
            frame
                .next
                .remove_from_function()
                .map_err(|_| CompileError::backend("dangling block"))?;
            self.state.set_reachable(false);
            return Ok(());
        }
        self.builder.position_at_end(frame.next);
        let results = Self::phi_values(&frame.result_phis);
        if let FrameKind::Function = frame.kind {
            self.state.reset_to(frame.height, Vec::new());
            self.build_return(&results)?;
            self.state.set_reachable(false);
        } else {
            self.state.reset_to(frame.height, results);
            self.state.set_reachable(true);
        }
        Ok(())
    }

    fn build_return(&mut self, results: &[BasicValueEnum<'ctx>]) -> Result<()> {
        if let Some(pointer) = self.results {
            let ty = self.function_type().results().to_vec();
            self.env.store_results(&self.builder, pointer, &ty, results)?;
            self.builder.build_return(None)?;
            return Ok(());
        }
        match results {
            [] => self.builder.build_return(None)?,
            [one] => self.builder.build_return(Some(one))?,
            many => self.builder.build_aggregate_return(many)?,
        };
        Ok(())
    }

    /// Adds the top values as incoming to the phis of the frame `depth` levels up, from the
    /// current block, and returns the block to branch to.
    fn branch_to_depth(&mut self, depth: u32) -> Result<BasicBlock<'ctx>> {
        let arity = self.state.frame_at_depth(depth)?.br_destination().1.len();
        let values = self.peek_n(arity)?.to_vec();
        self.branch_with_values(depth, &values)
    }

    /// Adds `values` as incoming to the phis of the frame `depth` levels up, from the current
    /// block, and returns the block to branch to.
    pub(super) fn branch_with_values(
        &mut self,
        depth: u32,
        values: &[BasicValueEnum<'ctx>],
    ) -> Result<BasicBlock<'ctx>> {
        let from = self.current_block()?;
        let (target, phis) = {
            let (target, phis) = self.state.frame_at_depth(depth)?.br_destination();
            (target, phis.to_vec())
        };
        for (phi, value) in phis.iter().zip(values) {
            phi.add_incoming(&[(value as &dyn BasicValue, from)]);
        }
        let frame = self.state.frame_at_depth(depth)?;
        if !matches!(frame.kind, FrameKind::Loop { .. }) {
            frame.next_reachable = true;
        }
        Ok(target)
    }

    pub fn translate_br(&mut self, depth: u32) -> Result<()> {
        let target = self.branch_to_depth(depth)?;
        self.builder.build_unconditional_branch(target)?;
        self.state.set_reachable(false);
        Ok(())
    }

    pub fn translate_br_if(&mut self, depth: u32) -> Result<()> {
        let condition = self.pop_int()?;
        let target = self.branch_to_depth(depth)?;
        let continue_block = self.new_block("br_if_else");
        let is_true = self.is_nonzero(condition)?;
        self.builder.build_conditional_branch(is_true, target, continue_block)?;
        self.builder.position_at_end(continue_block);
        Ok(())
    }

    /// `br_on_null`: branches with the values under the reference when it is null, else goes on
    /// with it.
    pub fn translate_br_on_null(&mut self, depth: u32) -> Result<()> {
        let reference = self.pop()?;
        let is_null = self.builder.build_is_null(reference.into_pointer_value(), "")?;
        let target = self.branch_to_depth(depth)?;
        let continue_block = self.new_block("br_on_null_else");
        self.builder.build_conditional_branch(is_null, target, continue_block)?;
        self.builder.position_at_end(continue_block);
        self.push(reference);
        Ok(())
    }

    /// `br_on_non_null`: branches with the reference (and the values under it) when it is not
    /// null, else drops it and goes on.
    pub fn translate_br_on_non_null(&mut self, depth: u32) -> Result<()> {
        let reference = self.peek_n(1)?[0];
        let is_null = self.builder.build_is_null(reference.into_pointer_value(), "")?;
        let target = self.branch_to_depth(depth)?;
        self.pop()?;
        let continue_block = self.new_block("br_on_non_null_else");
        self.builder.build_conditional_branch(is_null, continue_block, target)?;
        self.builder.position_at_end(continue_block);
        Ok(())
    }

    /// Each distinct target gets its own edge block, so a phi never sees two edges from the
    /// same switch.
    pub fn translate_br_table(&mut self, table: &BrTable<'a>) -> Result<()> {
        let index = self.pop_int()?;
        let from = self.current_block()?;
        let mut edges: HashMap<u32, BasicBlock<'ctx>> = HashMap::new();
        let mut edge_for = |this: &mut Self, depth: u32| -> Result<BasicBlock<'ctx>> {
            if let Some(block) = edges.get(&depth) {
                return Ok(*block);
            }
            let edge = this.new_block("br_table_edge");
            this.builder.position_at_end(edge);
            let target = this.branch_to_depth(depth)?;
            this.builder.build_unconditional_branch(target)?;
            edges.insert(depth, edge);
            Ok(edge)
        };
        let default = edge_for(self, table.default())?;
        let mut cases = Vec::new();
        for (i, depth) in table.targets().enumerate() {
            let block = edge_for(self, depth?)?;
            cases.push((self.env.types.i32.const_int(i as u64, false), block));
        }
        self.builder.position_at_end(from);
        self.builder.build_switch(index, default, &cases)?;
        self.state.set_reachable(false);
        Ok(())
    }

    pub fn translate_return(&mut self) -> Result<()> {
        self.translate_br(self.state.function_depth())
    }

    pub fn translate_unreachable(&mut self) -> Result<()> {
        self.env.emit_trap(&self.builder, TrapCode::Unreachable)?;
        self.state.set_reachable(false);
        Ok(())
    }
}
