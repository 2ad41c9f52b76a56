//! The legacy exception instructions older toolchains emitted: `try` with `catch` and
//! `catch_all` clauses, `rethrow` and `delegate`, on the machinery of `exceptions`. A `try`
//! frame's handler is where its body's exceptions go; each clause adds its tag test to the
//! chain that starts there, so the test for the next clause goes where the last one failed,
//! and at `end` what no clause took goes on outward (`delegate`: to the handler at its depth).
//! A clause holds the exception it took in a stack slot for `rethrow`, marked held so that no
//! other catch frees it, and frees it when it falls through to its `end`.

use super::control::FrameKind;
use super::func::FuncTranslator;
use super::Result;
use crate::abi::{self, RuntimeFn};
use crate::error::CompileError;
use inkwell::basic_block::BasicBlock;
use wasmparser::BlockType;

impl<'e, 'ctx, 'a> FuncTranslator<'e, 'ctx, 'a> {
    pub fn translate_try(&mut self, ty: BlockType) -> Result<()> {
        let caught = self.entry_alloca(self.env.types.ptr.into(), "caught")?;
        let handler = self.new_block("legacy_handler");
        let kind = FrameKind::LegacyTry {
            handler,
            handler_used: false,
            dispatch: Some(handler),
            caught,
            in_catch: false,
        };
        self.open_block_frame(ty, kind, "try_end")
    }

    /// `catch $tag` (`Some`) or `catch_all`: ends the body or the clause before, and starts a
    /// clause that the handler's chain reaches when the tag matches.
    pub fn translate_catch(&mut self, tag: Option<u32>) -> Result<()> {
        self.finish_legacy_catch()?;
        self.fall_through_to_end()?;
        let frame = self.state.top_frame()?;
        let height = frame.height;
        let FrameKind::LegacyTry { handler_used, dispatch, caught, in_catch, .. } = &mut frame.kind
        else {
            return Err(CompileError::backend("catch outside try"));
        };
        *in_catch = true;
        let (used, test_block, caught) = (*handler_used, *dispatch, *caught);
        self.state.reset_to(height, Vec::new());
        // Nothing in the body throws (or a catch_all came first): no exception reaches it.
        let Some(test_block) = test_block.filter(|_| used) else {
            self.state.set_reachable(false);
            return Ok(());
        };
        self.builder.position_at_end(test_block);
        let exception = self.load_exception_in_flight()?;
        let clause = self.new_block("legacy_catch");
        let next_test = match tag {
            Some(tag) => {
                let next_test = self.new_block("legacy_next_clause");
                self.branch_on_tag(exception, tag, clause, next_test)?;
                Some(next_test)
            }
            None => {
                self.builder.build_unconditional_branch(clause)?;
                None
            }
        };
        if let FrameKind::LegacyTry { dispatch, .. } = &mut self.state.top_frame()?.kind {
            *dispatch = next_test;
        }
        self.builder.position_at_end(clause);
        self.set_exception_in_flight(self.env.types.ptr.const_null())?;
        self.builder.build_store(caught, exception)?;
        self.hold_exception(exception, abi::exception::HELD_BY_LEGACY_CATCH)?;
        let payload = match tag {
            Some(tag) => self.load_payload(exception, tag)?,
            None => Vec::new(),
        };
        self.state.reset_to(height, payload);
        self.state.set_reachable(true);
        Ok(())
    }

    /// At the end of a clause that falls through: it lets go of the exception it took.
    pub(super) fn finish_legacy_catch(&mut self) -> Result<()> {
        if !self.state.is_reachable() {
            return Ok(());
        }
        let caught = match &self.state.top_frame()?.kind {
            FrameKind::LegacyTry { caught, in_catch: true, .. } => *caught,
            _ => return Ok(()),
        };
        let exception = self.builder.build_load(self.env.types.ptr, caught, "")?;
        let exception = exception.into_pointer_value();
        let end = RuntimeFn::ExceptionEndLegacy;
        self.env.call_runtime(&self.builder, end, &[exception.into()])?;
        Ok(())
    }

    /// After a closed `try`'s last clause test (or its body, without clauses): what no clause
    /// took goes on to the enclosing handler, or at `delegate` to the handler at that depth.
    pub(super) fn emit_legacy_dispatch_end(
        &mut self,
        handler: BasicBlock<'ctx>,
        handler_used: bool,
        last_test: BasicBlock<'ctx>,
        delegate_depth: Option<u32>,
    ) -> Result<()> {
        if last_test == handler && !handler_used {
            return handler
                .remove_from_function()
                .map_err(|_| CompileError::backend("dangling handler"));
        }
        let resume = self.builder.get_insert_block();
        self.builder.position_at_end(last_test);
        let target = match delegate_depth {
            Some(depth) => match self.state.handler_from_depth(depth) {
                Some(handler) => handler,
                None => self.propagate_block()?,
            },
            None => self.exception_target()?,
        };
        self.builder.build_unconditional_branch(target)?;
        if let Some(resume) = resume {
            self.builder.position_at_end(resume);
        }
        Ok(())
    }

    /// `rethrow`: the exception the clause at `depth` took goes in flight again; that clause
    /// still holds it.
    pub fn translate_rethrow(&mut self, depth: u32) -> Result<()> {
        let caught = match &self.state.frame_at_depth(depth)?.kind {
            FrameKind::LegacyTry { caught, in_catch: true, .. } => *caught,
            _ => return Err(CompileError::backend("rethrow outside a catch clause")),
        };
        let exception = self.builder.build_load(self.env.types.ptr, caught, "")?;
        self.set_exception_in_flight(exception.into_pointer_value())?;
        let target = self.exception_target()?;
        self.builder.build_unconditional_branch(target)?;
        self.state.set_reachable(false);
        Ok(())
    }
}
