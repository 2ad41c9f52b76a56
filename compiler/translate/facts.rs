//! What the translator knows about addresses in the current run of straight-line code, so that
//! accesses through the same address share one bounds check (bounds.rs) and the arithmetic of an
//! address kept in a local can be seen through (address.rs): which local and version of it each
//! value was read from, the value each local was last set to and in which run, and the last
//! explicit bounds check. Every operator passes through `observe`, and one that may transfer
//! control ends the run: what was known before it does not hold after it.

use super::bounds::BoundsCheck;
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
    /// The last explicit bounds check, which later accesses to its address may widen.
    last_check: Option<BoundsCheck<'ctx>>,
}

impl<'ctx> AddressFacts<'ctx> {
    pub fn new(locals: usize) -> Self {
        AddressFacts {
            local_versions: vec![0; locals],
            local_values: vec![None; locals],
            ..AddressFacts::default()
        }
    }

    /// Called for every operator before it is translated.
    pub fn observe(&mut self, op: &Operator<'_>) {
        if ends_straight_line(op) {
            self.straight_line_run += 1;
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

    pub fn last_check(&self) -> Option<BoundsCheck<'ctx>> {
        self.last_check
    }

    pub fn set_last_check(&mut self, check: BoundsCheck<'ctx>) {
        self.last_check = Some(check);
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
    Block,
    Loop,
    If,
    Else,
    End,
    Br,
    BrIf,
    BrTable,
    Return,
    Unreachable,
    Try,
    Catch,
    CatchAll,
    Throw,
    Rethrow,
    Delegate,
    TryTable,
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
