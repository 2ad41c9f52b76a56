//! Exception handling (docs/exceptions.md). An exception in flight is the runtime's thread-local
//! `w2n_exception_in_flight`; a function goes to its innermost handler when it throws, or when a
//! call that can throw (`ModuleInfo::throws`) returns with one in flight, and returns at once
//! when no handler is open. A `try_table`'s handler is emitted at its `end`, once the frames its
//! catch clauses branch to are the open ones: it compares the exception's tag with each clause's
//! in order, and passes the exception on outward when none matches.

use super::control::FrameKind;
use super::func::FuncTranslator;
use super::Result;
use crate::abi::{self, RuntimeFn, TrapCode};
use inkwell::basic_block::BasicBlock;
use inkwell::types::BasicType;
use inkwell::values::{BasicValueEnum, PointerValue};
use inkwell::IntPredicate;
use wasmparser::{Catch, TryTable};

impl<'e, 'ctx, 'a> FuncTranslator<'e, 'ctx, 'a> {
    /// Where an exception raised here goes: the innermost open `try_table`'s handler, or the
    /// block that returns from the function with it still in flight.
    pub(super) fn exception_target(&mut self) -> Result<BasicBlock<'ctx>> {
        match self.state.innermost_handler() {
            Some(handler) => Ok(handler),
            None => self.propagate_block(),
        }
    }

    /// Returns from the function with the exception in flight; the results are never read.
    pub(super) fn propagate_block(&mut self) -> Result<BasicBlock<'ctx>> {
        if let Some(block) = self.propagate {
            return Ok(block);
        }
        let block = self.new_block("propagate");
        let resume = self.builder.get_insert_block();
        self.builder.position_at_end(block);
        match self.function.get_type().get_return_type() {
            None => self.builder.build_return(None)?,
            Some(ty) => self.builder.build_return(Some(&ty.const_zero()))?,
        };
        if let Some(resume) = resume {
            self.builder.position_at_end(resume);
        }
        self.propagate = Some(block);
        Ok(block)
    }

    pub(super) fn load_exception_in_flight(&self) -> Result<PointerValue<'ctx>> {
        let in_flight = self.env.exception_in_flight();
        Ok(self
            .builder
            .build_load(self.env.types.ptr, in_flight, "exception")?
            .into_pointer_value())
    }

    pub(super) fn set_exception_in_flight(&self, exception: PointerValue<'ctx>) -> Result<()> {
        self.builder.build_store(self.env.exception_in_flight(), exception)?;
        Ok(())
    }

    /// After a call that can throw: to the handler when it returned with an exception in flight.
    pub fn check_exception_after_call(&mut self) -> Result<()> {
        let target = self.exception_target()?;
        let exception = self.load_exception_in_flight()?;
        let thrown = self.builder.build_is_not_null(exception, "")?;
        let go_on = self.new_block("no_exception");
        let branch = self.builder.build_conditional_branch(thrown, target, go_on)?;
        self.mark_unlikely(branch)?;
        self.builder.position_at_end(go_on);
        Ok(())
    }

    pub fn translate_try_table(&mut self, try_table: &TryTable) -> Result<()> {
        let kind = FrameKind::TryTable {
            handler: self.new_block("handler"),
            catches: try_table.catches.clone(),
            handler_used: false,
        };
        self.open_block_frame(try_table.ty, kind, "try_table_end")
    }

    /// Branches to `caught` when `exception` is of tag `tag`, else to `other`.
    pub(super) fn branch_on_tag(
        &mut self,
        exception: PointerValue<'ctx>,
        tag: u32,
        caught: BasicBlock<'ctx>,
        other: BasicBlock<'ctx>,
    ) -> Result<()> {
        let expected = self.instance().tag(tag)?;
        let actual = self.instance().exception_tag(exception)?;
        let matches = self.builder.build_int_compare(IntPredicate::EQ, actual, expected, "")?;
        self.builder.build_conditional_branch(matches, caught, other)?;
        Ok(())
    }

    /// Emits the handler of a `try_table` whose frame was just closed, if anything goes to it.
    pub fn emit_handler(
        &mut self,
        handler: BasicBlock<'ctx>,
        catches: &[Catch],
        used: bool,
    ) -> Result<()> {
        if !used {
            return handler
                .remove_from_function()
                .map_err(|_| crate::error::CompileError::backend("dangling handler"));
        }
        let resume = self.builder.get_insert_block();
        self.builder.position_at_end(handler);
        let exception = self.load_exception_in_flight()?;
        let mut caught_all = false;
        for catch in catches {
            let (label, tag, with_ref) = match *catch {
                Catch::One { tag, label } => (label, Some(tag), false),
                Catch::OneRef { tag, label } => (label, Some(tag), true),
                Catch::All { label } => (label, None, false),
                Catch::AllRef { label } => (label, None, true),
            };
            let mut values = Vec::new();
            if let Some(tag) = tag {
                let caught = self.new_block("caught");
                let next_clause = self.new_block("next_clause");
                self.branch_on_tag(exception, tag, caught, next_clause)?;
                self.builder.position_at_end(caught);
                values = self.load_payload(exception, tag)?;
                self.finish_catch(exception, with_ref, &mut values)?;
                let target = self.branch_with_values(label, &values)?;
                self.builder.build_unconditional_branch(target)?;
                self.builder.position_at_end(next_clause);
            } else {
                self.finish_catch(exception, with_ref, &mut values)?;
                let target = self.branch_with_values(label, &values)?;
                self.builder.build_unconditional_branch(target)?;
                caught_all = true;
                break;
            }
        }
        if !caught_all {
            // No clause matched: the exception goes on to the enclosing handler.
            let outer = self.exception_target()?;
            self.builder.build_unconditional_branch(outer)?;
        }
        if let Some(resume) = resume {
            self.builder.position_at_end(resume);
        }
        Ok(())
    }

    /// A clause caught `exception`: it is no longer in flight; a `_ref` clause hands it out as
    /// an `exnref` (the last branch value), any other is done with it.
    fn finish_catch(
        &mut self,
        exception: PointerValue<'ctx>,
        with_ref: bool,
        values: &mut Vec<BasicValueEnum<'ctx>>,
    ) -> Result<()> {
        self.set_exception_in_flight(self.env.types.ptr.const_null())?;
        if with_ref {
            self.hold_exception(exception, abi::exception::HELD_AS_EXNREF)?;
            values.push(exception.into());
        } else {
            self.env.call_runtime(
                &self.builder,
                RuntimeFn::ExceptionRelease,
                &[exception.into()],
            )?;
        }
        Ok(())
    }

    /// `exception` gets a holder (`abi::exception::HELD_*`): the runtime's collector frees it.
    pub(super) fn hold_exception(&self, exception: PointerValue<'ctx>, holder: u64) -> Result<()> {
        let holder = self.env.types.i32.const_int(holder, false);
        let args = [exception.into(), holder.into()];
        self.env.call_runtime(&self.builder, RuntimeFn::ExceptionHold, &args)?;
        Ok(())
    }

    pub(super) fn tag_params(&self, tag: u32) -> Vec<wasmparser::ValType> {
        let type_index = self.env.info.tag_types[tag as usize];
        self.env.info.types[type_index as usize].params().to_vec()
    }

    pub(super) fn load_payload(
        &mut self,
        exception: PointerValue<'ctx>,
        tag: u32,
    ) -> Result<Vec<BasicValueEnum<'ctx>>> {
        let instance = self.instance();
        let values = instance.exception_values(exception)?;
        self.tag_params(tag)
            .iter()
            .enumerate()
            .map(|(i, ty)| {
                let slot = instance.offset_ptr(values, i as u32 * abi::VALUE_SLOT_SIZE)?;
                instance.load_value(self.env.types.value(*ty), slot)
            })
            .collect()
    }

    /// `throw`: the runtime makes the exception from the payload, put in value slots.
    pub fn translate_throw(&mut self, tag: u32) -> Result<()> {
        let params = self.tag_params(tag);
        let values = self.pop_n(params.len())?;
        let slot_bytes = (params.len().max(1) as u32) * abi::VALUE_SLOT_SIZE;
        let slots_ty = self.env.types.i8.array_type(slot_bytes).as_basic_type_enum();
        let slots = self.entry_alloca(slots_ty, "payload")?;
        for (i, value) in values.iter().enumerate() {
            let slot = self.instance().offset_ptr(slots, i as u32 * abi::VALUE_SLOT_SIZE)?;
            let store = self.builder.build_store(slot, *value)?;
            let _ = store.set_alignment(8);
        }
        self.env.call_runtime(
            &self.builder,
            RuntimeFn::Throw,
            &[self.vmctx.into(), self.env.i32(tag).into(), slots.into()],
        )?;
        let target = self.exception_target()?;
        self.builder.build_unconditional_branch(target)?;
        self.state.set_reachable(false);
        Ok(())
    }

    /// `throw_ref`: the exception goes in flight again.
    pub fn translate_throw_ref(&mut self) -> Result<()> {
        let exception = self.pop()?.into_pointer_value();
        let is_null = self.builder.build_is_null(exception, "")?;
        self.trap_if(is_null, TrapCode::NullExceptionReference)?;
        self.set_exception_in_flight(exception)?;
        let target = self.exception_target()?;
        self.builder.build_unconditional_branch(target)?;
        self.state.set_reachable(false);
        Ok(())
    }
}
