//! What the translator knows about addresses, so that accesses through the same address share
//! one bounds check (bounds.rs) and the arithmetic of an address kept in a local can be seen
//! through (address.rs): which local and version of it each value was read from, the value each
//! local was last set to and in which run of straight-line code, the checks made in that run and
//! those made in the control frames still open. Every operator passes through
//! `observe`: one that may transfer control ends the run, and one that opens or closes a frame
//! (or an arm of one) says which checks still hold.

use super::bounds::{AddressKey, BoundsCheck};
use inkwell::values::{BasicValueEnum, IntValue};
use std::collections::HashMap;
use wasmparser::Operator;

#[derive(Default)]
pub struct AddressFacts<'ctx> {
    /// Values read by `local.get`, with the local and how many times it had been set then.
    local_reads: HashMap<IntValue<'ctx>, (u32, u32)>,
    /// How many times each local has been set.
    local_versions: Vec<u32>,
    /// Counts the runs of straight-line code.
    straight_line_run: u32,
    /// The value each local was last set to, and the run that set it.
    local_values: Vec<Option<(u32, BasicValueEnum<'ctx>)>>,
    /// Values read by `local.get` in the run that set the local, with the value it was set to.
    local_sources: HashMap<IntValue<'ctx>, IntValue<'ctx>>,
    /// The last explicit bounds check of each address and memory, and the run it was made in:
    /// later accesses to its address in the same run may widen it.
    run_checks: HashMap<(AddressKey<'ctx>, u32), (u32, BoundsCheck<'ctx>)>,
    /// The locals each loop sets, by the loop's position among the function's loops, and how
    /// many loops have been seen. Without them (the prescan gave up) checks are not shared
    /// beyond straight-line code.
    locals_set_in_loops: Option<Vec<Vec<u32>>>,
    loops_seen: usize,
    /// The open control frames, outermost first, each named by a number no other frame had.
    open_frames: Vec<u32>,
    frames_opened: u32,
    /// What the checks made in frames still open cover, by address and memory.
    covers: HashMap<(AddressKey<'ctx>, u32), Vec<Cover<'ctx>>>,
}

/// A check passed in a control frame: while the frame is open, accesses to its address (its
/// base plus `delta`) ending up to `access_end` bytes past it are in bounds, and that address
/// zero-extended is `index`.
#[derive(Clone, Copy)]
struct Cover<'ctx> {
    /// How many frames were open, and the innermost one's number.
    depth: usize,
    frame: u32,
    delta: u32,
    access_end: u64,
    index: IntValue<'ctx>,
}

impl<'ctx> AddressFacts<'ctx> {
    /// Facts for a function of `locals` locals, whose loops set the locals `locals_set_in_loops`
    /// says (`prescan::Prescan`).
    pub fn new(locals: usize, locals_set_in_loops: Option<Vec<Vec<u32>>>) -> Self {
        AddressFacts {
            locals_set_in_loops,
            local_versions: vec![0; locals],
            local_values: vec![None; locals],
            // The function body's own frame, which its last `end` closes.
            open_frames: vec![0],
            frames_opened: 1,
            ..AddressFacts::default()
        }
    }

    /// Called for every operator before it is translated, reachable or not.
    pub fn observe(&mut self, op: &Operator<'_>) {
        if ends_straight_line(op) {
            self.straight_line_run += 1;
        }
        match op {
            Operator::Loop { .. } => {
                // A read in the loop may see a value set later in its body, on an earlier
                // iteration: the versions read before the loop no longer name it.
                let loop_index = self.loops_seen;
                self.loops_seen += 1;
                let sets = self.locals_set_in_loops.as_ref().and_then(|sets| sets.get(loop_index));
                for &local in sets.into_iter().flatten() {
                    self.local_versions[local as usize] += 1;
                }
                self.open_frames.push(self.frames_opened);
                self.frames_opened += 1;
            }
            Operator::Block { .. }
            | Operator::If { .. }
            | Operator::Try { .. }
            | Operator::TryTable { .. } => {
                self.open_frames.push(self.frames_opened);
                self.frames_opened += 1;
            }
            // A new arm is reached from the frame's start, not through the arm before it.
            Operator::Else | Operator::Catch { .. } | Operator::CatchAll => {
                if let Some(frame) = self.open_frames.last_mut() {
                    *frame = self.frames_opened;
                    self.frames_opened += 1;
                }
            }
            Operator::End | Operator::Delegate { .. } => {
                self.open_frames.pop();
            }
            _ => {}
        }
    }

    /// `value` was just read from local `index`.
    pub fn note_local_get(&mut self, index: u32, value: IntValue<'ctx>) {
        self.local_reads.insert(value, (index, self.local_versions[index as usize]));
        if let Some((run, BasicValueEnum::IntValue(set_to))) = self.local_values[index as usize] {
            if run == self.straight_line_run {
                self.local_sources.insert(value, set_to);
            }
        }
    }

    /// Local `index` was set to `value`: earlier reads of it no longer name the same address.
    pub fn note_local_set(&mut self, index: u32, value: BasicValueEnum<'ctx>) {
        self.local_versions[index as usize] += 1;
        self.local_values[index as usize] = Some((self.straight_line_run, value));
    }

    /// The value a read of a local set in the same run stands for.
    pub fn source_of(&self, value: IntValue<'ctx>) -> Option<IntValue<'ctx>> {
        self.local_sources.get(&value).copied()
    }

    /// The local and version `value` was read from.
    pub fn local_read(&self, value: IntValue<'ctx>) -> Option<(u32, u32)> {
        self.local_reads.get(&value).copied()
    }

    /// The last check of `address` in `memory`, if it was made in this run of straight-line
    /// code.
    pub fn check_in_run(
        &self,
        address: AddressKey<'ctx>,
        memory: u32,
    ) -> Option<BoundsCheck<'ctx>> {
        match self.run_checks.get(&(address, memory)) {
            Some((run, check)) if *run == self.straight_line_run => Some(*check),
            _ => None,
        }
    }

    pub fn note_check(&mut self, check: BoundsCheck<'ctx>) {
        self.run_checks.insert((check.address, check.memory), (self.straight_line_run, check));
        let cover = (check.delta, check.access_end, check.index);
        self.note_covered(check.address, check.memory, cover);
    }

    /// Whether the frame a cover was made in is still open.
    fn holds(&self, cover: &Cover<'ctx>) -> bool {
        cover.depth > 0 && self.open_frames.get(cover.depth - 1) == Some(&cover.frame)
    }

    /// An access to `address` plus `delta` in `memory` ending `access_end` bytes past that was
    /// checked here, `index` being that sum zero-extended.
    fn note_covered(
        &mut self,
        address: AddressKey<'ctx>,
        memory: u32,
        (delta, access_end, index): (u32, u64, IntValue<'ctx>),
    ) {
        let Some(&frame) = self.open_frames.last() else { return };
        if self.locals_set_in_loops.is_none() {
            return;
        }
        let cover = Cover { depth: self.open_frames.len(), frame, delta, access_end, index };
        let mut covers = self.covers.remove(&(address, memory)).unwrap_or_default();
        covers.retain(|earlier| self.holds(earlier));
        covers.push(cover);
        self.covers.insert((address, memory), covers);
    }

    /// If a check already covers an access to `address` plus `delta` in `memory` ending
    /// `access_end` bytes past that sum, one made earlier in a control frame still open: the
    /// checked sum, zero-extended, and how far above it the access's lies. A check of the same
    /// base with a delta `above` bytes lower covers the access when `above + access_end` is
    /// within its own end: the checked sum plus that fits, so it does not wrap. In structured code, the code of a frame up to a point is run before that point on
    /// every path reaching it: a frame is entered only at its start (a loop's branches back
    /// come from inside it, and `observe` gives the locals the loop sets new versions), and
    /// code after an inner frame is reached only through that frame. What a closed frame or
    /// another arm of an `if` checked is forgotten. Whatever ran in between (stores, calls,
    /// `memory.grow`), the access is in bounds, since a memory never shrinks.
    pub fn covering_check(
        &self,
        address: AddressKey<'ctx>,
        delta: u32,
        memory: u32,
        access_end: u64,
    ) -> Option<(IntValue<'ctx>, u32)> {
        self.covers.get(&(address, memory))?.iter().rev().find_map(|cover| {
            let above = delta.wrapping_sub(cover.delta);
            let fits = cover.access_end >= above as u64 + access_end;
            (self.holds(cover) && fits).then_some((cover.index, above))
        })
    }
}

/// Declares `ends_straight_line`, whether an operator may transfer control (so that the code
/// after it is not only reached from the code before it), from one list of operators; the unit
/// test below holds the list against wasmparser's.
macro_rules! control_transfers {
    ($($op:ident),* $(,)?) => {
        fn ends_straight_line(op: &Operator<'_>) -> bool {
            matches!(op, $(Operator::$op { .. })|*)
        }

        #[cfg(test)]
        const ENDS_STRAIGHT_LINE: &[&str] = &[$(stringify!($op)),*];
    };
}

control_transfers!(
    Loop,
    If,
    Else,
    End,
    Br,
    BrIf,
    BrTable,
    Return,
    Unreachable,
    Catch,
    CatchAll,
    Throw,
    Rethrow,
    Delegate,
    ThrowRef,
    BrOnNull,
    BrOnNonNull,
    BrOnCast,
    BrOnCastFail,
    BrOnCastDescEq,
    BrOnCastDescEqFail,
    ReturnCall,
    ReturnCallIndirect,
    ReturnCallRef,
    Suspend,
    Resume,
    ResumeThrow,
    ResumeThrowRef,
    Switch,
);

#[cfg(test)]
mod tests {
    use super::ENDS_STRAIGHT_LINE;

    /// Operators whose stack effect wasmparser leaves to be worked out ("arity custom") that
    /// nonetheless continue with the next operator.
    const CONTINUE_AFTER: &[(&str, &str)] = &[
        ("Block", "is entered only from the code before it"),
        ("Try", "is entered only from the code before it"),
        ("TryTable", "is entered only from the code before it"),
        ("Call", "returns to the next operator"),
        ("CallIndirect", "returns to the next operator"),
        ("CallRef", "returns to the next operator"),
        ("StructNew", "allocates"),
        ("StructNewDesc", "allocates"),
        ("ArrayNewFixed", "allocates"),
        ("TypedSelectMulti", "selects a value"),
        ("ContBind", "makes a continuation without running it"),
    ];

    /// (operator, whether wasmparser gives it a custom arity) for every operator it knows.
    macro_rules! list_operators {
        ($( @$proposal:ident $op:ident $({ $($arg:ident: $argty:ty),* })? => $visit:ident ($($ann:tt)*) )*) => {
            &[$( (stringify!($op), stringify!($($ann)*)), )*]
        };
    }
    const OPERATORS: &[(&str, &str)] = wasmparser::for_each_operator!(list_operators);

    /// A new control operator of wasmparser's (one with a custom arity, as every branch has)
    /// must be classed here, or facts from before it would be taken to hold after it.
    #[test]
    fn every_control_operator_of_wasmparser_ends_straight_line_code() {
        let mut unclassed = Vec::new();
        for (name, arity) in OPERATORS {
            let custom = arity.starts_with("arity custom");
            let continues = CONTINUE_AFTER.iter().any(|(op, _)| op == name);
            if custom && !continues && !ENDS_STRAIGHT_LINE.contains(name) {
                unclassed.push(*name);
            }
        }
        assert!(unclassed.is_empty(), "class these operators: {unclassed:?}");
        for name in ENDS_STRAIGHT_LINE {
            assert!(OPERATORS.iter().any(|(op, _)| op == name), "{name} is no operator");
        }
    }
}
