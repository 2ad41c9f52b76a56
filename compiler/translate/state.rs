//! The function's value and control stacks, as Cranelift keeps them apart from the rest of a
//! function's translation: the operand values, the open frames, whether the code being
//! translated is reachable, and the frames opened in unreachable code still to close.

use super::control::{Frame, FrameKind};
use super::Result;
use crate::error::CompileError;
use inkwell::basic_block::BasicBlock;
use inkwell::values::BasicValueEnum;

pub struct ControlState<'ctx> {
    values: Vec<BasicValueEnum<'ctx>>,
    frames: Vec<Frame<'ctx>>,
    /// False after `br`, `return`, `unreachable`...: operators are skipped until the matching
    /// `else` or `end`.
    reachable: bool,
    /// Blocks opened while unreachable, still to be closed.
    dead_depth: u32,
    /// How many of `frames` are loops.
    open_loops: u32,
}

fn underflow() -> CompileError {
    CompileError::backend("value stack underflow")
}

impl<'ctx> ControlState<'ctx> {
    pub fn new() -> Self {
        ControlState {
            values: Vec::new(),
            frames: Vec::new(),
            reachable: true,
            dead_depth: 0,
            open_loops: 0,
        }
    }

    // ---- values ----

    pub fn push(&mut self, value: BasicValueEnum<'ctx>) {
        self.values.push(value);
    }

    pub fn pop(&mut self) -> Result<BasicValueEnum<'ctx>> {
        self.values.pop().ok_or_else(underflow)
    }

    /// Pops `n` values, returned in stack order (deepest first).
    pub fn pop_n(&mut self, n: usize) -> Result<Vec<BasicValueEnum<'ctx>>> {
        let from = self.values.len().checked_sub(n).ok_or_else(underflow)?;
        Ok(self.values.split_off(from))
    }

    /// The top `n` values, deepest first, left on the stack.
    pub fn peek_n(&self, n: usize) -> Result<&[BasicValueEnum<'ctx>]> {
        let from = self.values.len().checked_sub(n).ok_or_else(underflow)?;
        Ok(&self.values[from..])
    }

    /// How many values the stack holds.
    pub fn height(&self) -> usize {
        self.values.len()
    }

    /// Drops the values above `height` and pushes `values`: a frame's results or parameters.
    pub fn reset_to(&mut self, height: usize, values: Vec<BasicValueEnum<'ctx>>) {
        self.values.truncate(height);
        self.values.extend(values);
    }

    // ---- frames ----

    pub fn push_frame(&mut self, frame: Frame<'ctx>) {
        if matches!(frame.kind, FrameKind::Loop { .. }) {
            self.open_loops += 1;
        }
        self.frames.push(frame);
    }

    pub fn pop_frame(&mut self) -> Result<Frame<'ctx>> {
        let frame = self.frames.pop().ok_or_else(|| CompileError::backend("end without frame"))?;
        if matches!(frame.kind, FrameKind::Loop { .. }) {
            self.open_loops -= 1;
        }
        Ok(frame)
    }

    pub fn top_frame(&mut self) -> Result<&mut Frame<'ctx>> {
        self.frames.last_mut().ok_or_else(|| CompileError::backend("control stack underflow"))
    }

    /// The frame a branch of relative depth `depth` targets (0: the innermost).
    pub fn frame_at_depth(&mut self, depth: u32) -> Result<&mut Frame<'ctx>> {
        let index = self
            .frames
            .len()
            .checked_sub(depth as usize + 1)
            .ok_or_else(|| CompileError::backend("branch depth out of range"))?;
        Ok(&mut self.frames[index])
    }

    /// The handler of the innermost open `try_table`, now in use; None outside every one.
    pub fn innermost_handler(&mut self) -> Option<BasicBlock<'ctx>> {
        self.handler_from_depth(0)
    }

    /// The handler of the innermost open `try_table`, or legacy `try` still in its body, at
    /// relative depth `depth` or further out; now in use.
    pub fn handler_from_depth(&mut self, depth: u32) -> Option<BasicBlock<'ctx>> {
        let end = self.frames.len().saturating_sub(depth as usize);
        self.frames[..end].iter_mut().rev().find_map(|frame| match &mut frame.kind {
            FrameKind::TryTable { handler, handler_used, .. }
            | FrameKind::LegacyTry { handler, handler_used, in_catch: false, .. } => {
                *handler_used = true;
                Some(*handler)
            }
            _ => None,
        })
    }

    /// The depth of the function's own frame, which `return` branches to.
    pub fn function_depth(&self) -> u32 {
        self.frames.len() as u32 - 1
    }

    pub fn in_loop(&self) -> bool {
        self.open_loops > 0
    }

    // ---- reachability ----

    pub fn is_reachable(&self) -> bool {
        self.reachable
    }

    pub fn set_reachable(&mut self, reachable: bool) {
        self.reachable = reachable;
    }

    /// A block, loop or if opened in unreachable code.
    pub fn open_dead_frame(&mut self) {
        self.dead_depth += 1;
    }

    /// Whether an `else` or `end` met in unreachable code closes a live frame; if not, an `end`
    /// closes the innermost dead one (`closes_dead_frame`).
    pub fn in_dead_frame(&self) -> bool {
        self.dead_depth > 0
    }

    pub fn close_dead_frame(&mut self) {
        self.dead_depth -= 1;
    }
}
