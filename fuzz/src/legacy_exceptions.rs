//! Modules of the legacy exception instructions (`try`, `catch`, `catch_all`, `rethrow`,
//! `delegate`, with `throw`), for the V8 comparison: neither wasm-smith nor Wasmtime knows them,
//! so this generator writes them, as text, in the nestings where a compiler can go wrong.
//!
//! Each module has five tags (no payload; an i32; an i32 and an i64; an f64; and an i32 again,
//! so that a tag is told apart by identity and not by its signature), an exported mutable i32
//! global and an exported page of memory that the statements mark as they run (so that the path
//! taken, not only the result, is compared after each call), and two to five functions of type
//! `(param i32) (result i32)`, each exported through a wrapper. A function calls only later ones
//! and loops only on counters that count down, and every function body costs one unit of fuel
//! that each export call refills, so every call ends, and soon.
//!
//! A function body is a tree of statements on the locals `$x` (i32, the value returned), `$y`
//! (i64), `$z` (f64) and one counter per loop: marks, arithmetic, throws of every tag (some
//! conditional), calls that may throw, traps (`unreachable`, division by zero, an access past
//! the memory: never caught, not even by `catch_all`), `br`, `br_if` and `br_table` to any
//! label in scope (the function's own included), `return`, `rethrow` of any enclosing clause's
//! exception, and nested `block`, `loop`, `if`, `try` with `catch` clauses that use their
//! payload and `catch_all`, and `try ... delegate` to any enclosing label (a `try` in its body
//! or in a clause, a `block`, `loop` or `if`, or the function itself). `block`, `if` and `try`
//! are sometimes typed `(result i32)`, `block` and `try` also `(param i32) (result i32)` with
//! the parameter beneath the body's code, and a `try` sometimes has a value of the code around
//! it beneath it. Labels are numbers, counted from a stack of the labels in scope, so every
//! module validates; one that does not is a bug here (the target panics). Floats come only from
//! integers, so no NaN reaches the boundary (V8 reads values through JavaScript).

use libfuzzer_sys::arbitrary::{Result, Unstructured};
use std::fmt::Write;

/// The tags' parameters, in order (`$t0` to `$t4`).
const TAGS: &[&str] = &["", " (param i32)", " (param i32 i64)", " (param f64)", " (param i32)"];
/// Function bodies one export call may run (each call refills it).
const FUEL: u32 = 64;
/// Labels in scope at most, the function's own not counted.
const MAX_LABELS: usize = 7;

/// What a label in scope is; a `try` is `Try` in its body and `Catch` in its clauses, where
/// `rethrow` may name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Block,
    /// With the index of its counter local.
    Loop(usize),
    If,
    Try,
    Catch,
}

#[derive(Clone, Copy, Debug)]
struct Label {
    kind: Kind,
    /// Whether a branch to it carries an i32 (`(result i32)`; loops never do).
    typed: bool,
}

/// One function's body, being written.
struct Body<'a, 'b> {
    u: &'a mut Unstructured<'b>,
    out: String,
    /// The labels in scope, innermost last.
    labels: Vec<Label>,
    /// This function's index and how many there are (it calls only later ones).
    index: usize,
    functions: usize,
    /// Loop counters declared so far.
    counters: usize,
    /// Statements still to write.
    budget: u32,
    /// The positions in `labels` of the blocks whose i32 parameter is still beneath their body's
    /// code (innermost last).
    params: Vec<usize>,
    /// The next mark's number, unique in the module.
    mark: &'a mut u32,
}

impl Body<'_, '_> {
    fn line(&mut self, text: &str) {
        let indent = 4 + 2 * self.labels.len();
        writeln!(self.out, "{:indent$}{text}", "").unwrap();
    }

    /// The depth of `labels[at]` as a branch counts it.
    fn depth(&self, at: usize) -> usize {
        self.labels.len() - 1 - at
    }

    fn push(&mut self, kind: Kind, typed: bool) {
        self.labels.push(Label { kind, typed });
    }

    fn pop(&mut self) {
        self.labels.pop().expect("a label to close");
    }

    fn constant(&mut self) -> Result<i32> {
        Ok(match self.u.int_in_range(0..=3)? {
            0 => self.u.int_in_range(-4..=4)?,
            1 => self.u.int_in_range(0..=255)?,
            _ => self.u.arbitrary()?,
        })
    }

    /// A condition on the state, true or false in turn as arguments and `$x` vary.
    fn condition(&mut self) -> Result<String> {
        let bit = 1u32 << self.u.int_in_range(0..=4)?;
        Ok(match self.u.int_in_range(0..=6)? {
            0 => format!("(i32.and (local.get $x) (i32.const {bit}))"),
            1 => format!("(i32.eqz (i32.and (local.get $x) (i32.const {bit})))"),
            2 => format!("(i32.and (local.get $p) (i32.const {bit}))"),
            3 => format!("(i32.lt_u (local.get $x) (i32.const {}))", self.u.int_in_range(0..=64)?),
            4 => format!("(i32.and (global.get $g) (i32.const {bit}))"),
            5 => "(i32.const 1)".into(),
            _ => "(i32.const 0)".into(),
        })
    }

    /// A call of a later function with an argument from `$x`, if there is a later one.
    fn call(&mut self) -> Result<Option<String>> {
        if self.index + 1 == self.functions {
            return Ok(None);
        }
        let callee = self.u.int_in_range(self.index + 1..=self.functions - 1)?;
        let k = self.constant()?;
        Ok(Some(format!("(call $f{callee} (i32.add (local.get $x) (i32.const {k})))")))
    }

    /// An i32 value: mostly `$x`, sometimes from a call (which may throw where it stands).
    fn value(&mut self) -> Result<String> {
        Ok(match self.u.int_in_range(0..=5)? {
            0 => format!("(i32.add (local.get $x) (i32.const {}))", self.constant()?),
            1 => match self.call()? {
                Some(call) => call,
                None => "(local.get $p)".into(),
            },
            _ => "(local.get $x)".into(),
        })
    }

    /// `throw` of a tag, with a payload from the locals.
    fn throw(&mut self) -> Result<String> {
        let k = self.constant()?;
        Ok(match self.u.int_in_range(0..=TAGS.len() - 1)? {
            0 => "(throw $t0)".into(),
            1 => format!("(throw $t1 (i32.add (local.get $x) (i32.const {k})))"),
            2 => format!(
                "(throw $t2 (local.get $x) (i64.mul (i64.extend_i32_s (local.get $p)) (i64.const {k})))"
            ),
            3 => format!(
                "(throw $t3 (f64.add (f64.convert_i32_s (local.get $x)) (f64.const {}.5)))",
                k % 1000
            ),
            _ => format!("(throw $t4 (i32.xor (local.get $x) (i32.const {k})))"),
        })
    }

    /// Takes a caught payload of tag `tag` off the stack into the state, or drops it.
    fn take_payload(&mut self, tag: usize) -> Result<()> {
        let drop = self.u.ratio(1, 6)?;
        let lines: &[&str] = match (tag, drop) {
            (0, _) => &[],
            (1 | 4, true) => &["drop"],
            (1, false) => &["local.get $x", "i32.add", "local.set $x"],
            (4, false) => &["local.get $x", "i32.const 3", "i32.mul", "i32.xor", "local.set $x"],
            (2, true) => &["drop", "drop"],
            (2, false) => &[
                "local.set $y",
                "local.set $x",
                "(local.set $x (i32.add (local.get $x) (i32.wrap_i64 (i64.shr_u (local.get $y) (i64.const 7)))))",
                "(i64.store offset=8 (i32.and (local.get $x) (i32.const 0xff0)) (local.get $y))",
            ],
            (3, true) => &["drop"],
            _ => &[
                "local.set $z",
                "(local.set $x (i32.sub (local.get $x) (i32.trunc_sat_f64_s (local.get $z))))",
                "(f64.store offset=16 (i32.and (local.get $x) (i32.const 0xff0)) (local.get $z))",
            ],
        };
        for line in lines {
            self.line(line);
        }
        Ok(())
    }

    /// `count` statements at most, while the budget lasts.
    fn statements(&mut self, count: u32) -> Result<()> {
        for _ in 0..self.u.int_in_range(0..=count)? {
            if self.budget == 0 {
                break;
            }
            self.statement()?;
        }
        Ok(())
    }

    /// Writes `(if COND (then ...))` with `then` written by `inner` inside the `if`'s label.
    fn guarded(&mut self, inner: impl FnOnce(&mut Self) -> Result<()>) -> Result<()> {
        let condition = self.condition()?;
        self.line(&condition);
        self.line("if");
        self.push(Kind::If, false);
        inner(self)?;
        self.pop();
        self.line("end");
        Ok(())
    }

    fn statement(&mut self) -> Result<()> {
        self.budget -= 1;
        let can_nest = self.labels.len() < MAX_LABELS && self.budget > 1;
        match self.u.int_in_range(0..=25)? {
            0..=2 => self.mark(),
            3..=4 => self.arithmetic(),
            5..=6 => {
                // A throw, mostly conditional.
                let throw = self.throw()?;
                if self.u.ratio(1, 6)? {
                    self.line(&throw);
                    Ok(())
                } else {
                    self.guarded(|body| {
                        body.line(&throw);
                        Ok(())
                    })
                }
            }
            7..=8 => match self.call()? {
                Some(call) => {
                    self.line(&format!("(local.set $x (i32.xor (local.get $x) {call}))"));
                    Ok(())
                }
                None => self.mark(),
            },
            9 => self.trap(),
            10..=11 => self.branch(),
            12 => {
                let value = self.value()?;
                self.guarded(|body| {
                    body.line(&format!("(return {value})"));
                    Ok(())
                })
            }
            13..=14 => self.rethrow(),
            _ if !can_nest => self.mark(),
            15 => self.block(),
            16 => self.looped(),
            17 => self.if_else(),
            18..=22 => self.try_catch(),
            _ => self.try_delegate(),
        }
    }

    /// Marks the path: the global and a word of memory change with a number unique to this
    /// statement and with `$x`.
    fn mark(&mut self) -> Result<()> {
        let mark = *self.mark;
        *self.mark += 1;
        self.line(&format!(
            "(global.set $g (i32.add (i32.mul (global.get $g) (i32.const 31)) (i32.const {mark})))"
        ));
        if self.u.ratio(1, 2)? {
            self.line(&format!(
                "(i32.store (i32.const {}) (i32.add (local.get $x) (global.get $g)))",
                4 * (mark % 1024)
            ));
        }
        Ok(())
    }

    fn arithmetic(&mut self) -> Result<()> {
        let k = self.constant()?;
        let line = match self.u.int_in_range(0..=4)? {
            0 => format!("(local.set $x (i32.add (local.get $x) (i32.const {k})))"),
            1 => format!("(local.set $x (i32.mul (local.get $x) (i32.const {k})))"),
            2 => "(local.set $x (i32.xor (local.get $x) (i32.rotl (local.get $p) (local.get $x))))"
                .into(),
            3 => format!(
                "(local.set $y (i64.add (local.get $y) (i64.extend_i32_u (i32.xor (local.get $x) (i32.const {k})))))"
            ),
            _ => "(local.set $x (i32.add (local.get $x) (i32.load (i32.and (local.get $p) (i32.const 0xffc)))))"
                .into(),
        };
        self.line(&line);
        Ok(())
    }

    /// A trap, conditional or not: no handler may catch it.
    fn trap(&mut self) -> Result<()> {
        let line = match self.u.int_in_range(0..=4)? {
            0 => {
                return self.guarded(|body| {
                    body.line("unreachable");
                    Ok(())
                })
            }
            1 => "unreachable",
            2 => "(local.set $x (i32.div_u (i32.const 1000) (i32.and (local.get $x) (i32.const 3))))",
            3 => "(local.set $x (i32.div_s (local.get $x) (i32.or (local.get $p) (i32.const -2))))",
            _ => "(local.set $x (i32.add (local.get $x) (i32.load (i32.and (local.get $x) (i32.const 0x1fffc)))))",
        };
        self.line(line);
        Ok(())
    }

    /// The label a branch of `depth` goes to; `depth` = labels in scope is the function's own.
    fn target(&self, depth: usize) -> Label {
        match depth == self.labels.len() {
            true => Label { kind: Kind::Block, typed: true },
            false => self.labels[self.labels.len() - 1 - depth],
        }
    }

    /// `br`, `br_if` or `br_table` to labels in scope or to the function's own.
    fn branch(&mut self) -> Result<()> {
        if self.u.ratio(1, 5)? {
            return self.branch_table();
        }
        let depth = self.u.int_in_range(0..=self.labels.len())?;
        let label = self.target(depth);
        if let Kind::Loop(counter) = label.kind {
            // Back to the loop's start while its counter lasts.
            self.line(&format!(
                "(br_if {depth} (i32.gt_s (local.tee $c{counter} (i32.sub (local.get $c{counter}) (i32.const 1))) (i32.const 0)))"
            ));
            return Ok(());
        }
        let value = if label.typed { format!(" {}", self.value()?) } else { String::new() };
        if self.u.ratio(1, 4)? {
            self.line(&format!("(br {depth}{value})"));
        } else {
            let condition = self.condition()?;
            self.line(&format!("(br_if {depth}{value} {condition})"));
            if label.typed {
                self.line("drop");
            }
        }
        Ok(())
    }

    /// `br_table` to up to four labels of one type, never a loop's (whose counter it would not
    /// count down).
    fn branch_table(&mut self) -> Result<()> {
        let typed = self.u.ratio(1, 3)?;
        let targets: Vec<usize> = (0..=self.labels.len())
            .filter(|&depth| {
                let label = self.target(depth);
                !matches!(label.kind, Kind::Loop(_)) && label.typed == typed
            })
            .collect();
        if targets.is_empty() {
            return self.mark();
        }
        let mut depths = String::new();
        for _ in 0..self.u.int_in_range(1..=4)? {
            write!(depths, "{} ", self.u.choose(&targets)?).unwrap();
        }
        let value = if typed { format!("{} ", self.value()?) } else { String::new() };
        let selector = *self.u.choose(&[
            "(i32.and (local.get $x) (i32.const 3))",
            "(local.get $p)",
            "(i32.rem_u (global.get $g) (i32.const 5))",
        ])?;
        self.line(&format!("(br_table {depths}{value}{selector})"));
        Ok(())
    }

    /// `rethrow` of an enclosing clause's exception, if there is a clause around.
    fn rethrow(&mut self) -> Result<()> {
        let clauses: Vec<usize> =
            (0..self.labels.len()).filter(|&at| self.labels[at].kind == Kind::Catch).collect();
        if clauses.is_empty() {
            return self.throw().map(|throw| self.line(&throw));
        }
        let at = *self.u.choose(&clauses)?;
        if self.u.ratio(1, 3)? {
            let depth = self.depth(at);
            self.line(&format!("rethrow {depth}"));
            Ok(())
        } else {
            self.guarded(|body| {
                let depth = body.depth(at);
                body.line(&format!("rethrow {depth}"));
                Ok(())
            })
        }
    }

    /// The value that ends a typed block or clause, added to the block's parameter if it has one
    /// (only the body of a `try` has it, not its clauses).
    fn end_value(&mut self, typed: bool) -> Result<()> {
        if typed {
            let value = self.value()?;
            self.line(&value);
        }
        if self.params.last() == Some(&(self.labels.len() - 1)) {
            self.params.pop();
            self.line("i32.add");
        }
        Ok(())
    }

    /// After a typed construct's `end`: its value into `$x`.
    fn take_value(&mut self, typed: bool) {
        if typed {
            self.line("local.set $x");
        }
    }

    fn result(typed: bool) -> &'static str {
        if typed {
            " (result i32)"
        } else {
            ""
        }
    }

    /// A block type for a `block` or `try`: none, `(result i32)`, or `(param i32) (result i32)`,
    /// whose parameter is pushed here, stays beneath the body's code and is added to its value
    /// at the end (`end_value`). Returns the type's text and whether it is typed.
    fn block_type(&mut self) -> Result<(&'static str, bool)> {
        Ok(match self.u.int_in_range(0..=5)? {
            0..=2 => ("", false),
            3..=4 => (" (result i32)", true),
            _ => {
                let param = self.value()?;
                self.line(&param);
                self.params.push(self.labels.len());
                (" (param i32) (result i32)", true)
            }
        })
    }

    fn block(&mut self) -> Result<()> {
        let (block_type, typed) = self.block_type()?;
        self.line(&format!("block{block_type}"));
        self.push(Kind::Block, typed);
        self.statements(5)?;
        self.end_value(typed)?;
        self.pop();
        self.line("end");
        self.take_value(typed);
        Ok(())
    }

    /// A loop on a counter of its own, with a branch back at its end.
    fn looped(&mut self) -> Result<()> {
        let counter = self.counters;
        self.counters += 1;
        let count = self.u.int_in_range(1..=3)?;
        self.line(&format!("(local.set $c{counter} (i32.const {count}))"));
        self.line("loop");
        self.push(Kind::Loop(counter), false);
        self.statements(5)?;
        self.line(&format!(
            "(br_if 0 (i32.gt_s (local.tee $c{counter} (i32.sub (local.get $c{counter}) (i32.const 1))) (i32.const 0)))"
        ));
        self.pop();
        self.line("end");
        Ok(())
    }

    fn if_else(&mut self) -> Result<()> {
        let typed = self.u.ratio(1, 3)?;
        let condition = self.condition()?;
        self.line(&condition);
        self.line(&format!("if{}", Self::result(typed)));
        self.push(Kind::If, typed);
        self.statements(4)?;
        self.end_value(typed)?;
        self.line("else");
        self.statements(4)?;
        self.end_value(typed)?;
        self.pop();
        self.line("end");
        self.take_value(typed);
        Ok(())
    }

    /// `try` with up to three `catch` clauses and perhaps a `catch_all`, sometimes with a value of
    /// the code around it beneath it on the stack, which a caught exception must leave in place.
    fn try_catch(&mut self) -> Result<()> {
        let beneath = self.u.ratio(1, 3)?;
        if beneath {
            self.line("local.get $x");
        }
        let (block_type, typed) = self.block_type()?;
        self.line(&format!("try{block_type}"));
        self.push(Kind::Try, typed);
        self.statements(6)?;
        self.end_value(typed)?;
        self.labels.last_mut().expect("the try's label").kind = Kind::Catch;
        for _ in 0..self.u.int_in_range(0..=3)? {
            let tag = self.u.int_in_range(0..=TAGS.len() - 1)?;
            self.labels.pop();
            self.line(&format!("catch $t{tag}"));
            self.push(Kind::Catch, typed);
            self.take_payload(tag)?;
            self.statements(4)?;
            self.end_value(typed)?;
        }
        if self.u.ratio(2, 3)? {
            self.labels.pop();
            self.line("catch_all");
            self.push(Kind::Catch, typed);
            self.statements(4)?;
            self.end_value(typed)?;
        }
        self.pop();
        self.line("end");
        if typed {
            if beneath {
                let combine = *self.u.choose(&["i32.add", "i32.xor", "i32.sub"])?;
                self.line(combine);
            }
            self.line("local.set $x");
        } else if beneath {
            self.line("local.set $x");
        }
        Ok(())
    }

    /// `try ... delegate` to any label in scope outside it, or to the caller.
    fn try_delegate(&mut self) -> Result<()> {
        let target = self.u.int_in_range(0..=self.labels.len())?;
        let (block_type, typed) = self.block_type()?;
        self.line(&format!("try{block_type}"));
        self.push(Kind::Try, typed);
        self.statements(6)?;
        self.end_value(typed)?;
        self.pop();
        self.line(&format!("delegate {target}"));
        self.take_value(typed);
        Ok(())
    }
}

/// Function `$f{index}` of `functions`, and its export.
fn function(
    u: &mut Unstructured<'_>,
    index: usize,
    functions: usize,
    mark: &mut u32,
    out: &mut String,
) -> Result<()> {
    let budget = u.int_in_range(4..=40)?;
    let mut body = Body {
        u,
        out: String::new(),
        labels: Vec::new(),
        index,
        functions,
        counters: 0,
        budget,
        params: Vec::new(),
        mark,
    };
    while body.budget > 0 {
        body.statement()?;
        if body.u.is_empty() {
            break;
        }
    }
    let value = body.value()?;
    body.line(&value);
    let counters: String = (0..body.counters).map(|c| format!(" (local $c{c} i32)")).collect();
    writeln!(
        out,
        "  (func $f{index} (param $p i32) (result i32) (local $x i32) (local $y i64) (local $z f64){counters}\n    \
         (if (i32.eqz (global.get $fuel)) (then (return (local.get $p))))\n    \
         (global.set $fuel (i32.sub (global.get $fuel) (i32.const 1)))\n    \
         (local.set $x (local.get $p))\n{}  )",
        body.out
    )
    .unwrap();
    writeln!(
        out,
        "  (func (export \"f{index}\") (param i32) (result i32)\n    \
         (global.set $fuel (i32.const {FUEL}))\n    (call $f{index} (local.get 0)))"
    )
    .unwrap();
    Ok(())
}

/// A module as described above, as text.
pub fn module(u: &mut Unstructured<'_>) -> Result<String> {
    let mut out = String::from("(module\n");
    for (index, params) in TAGS.iter().enumerate() {
        writeln!(out, "  (tag $t{index}{params})").unwrap();
    }
    writeln!(out, "  (global $g (export \"g\") (mut i32) (i32.const {}))", u.arbitrary::<i32>()?)
        .unwrap();
    out.push_str("  (global $fuel (mut i32) (i32.const 0))\n");
    out.push_str("  (memory (export \"mem\") 1 1)\n");
    let functions = u.int_in_range(2..=5)?;
    let mut mark = 0;
    for index in 0..functions {
        function(u, index, functions, &mut mark, &mut out)?;
    }
    out.push_str(")\n");
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Modules from a thousand byte strings all assemble and validate, and between them reach
    /// every legacy instruction and every kind of `delegate` target.
    #[test]
    fn modules_validate() {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut seen = String::new();
        for length in 0..1000 {
            let data: Vec<u8> = (0..length * 4)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    state as u8
                })
                .collect();
            let text = module(&mut Unstructured::new(&data)).expect("a module");
            let wasm = wasm2native::frontend::to_binary(text.as_bytes())
                .unwrap_or_else(|error| panic!("{error}\n{text}"));
            wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
                .validate_all(&wasm)
                .unwrap_or_else(|error| panic!("{error}\n{text}"));
            seen.push_str(&text);
        }
        for instruction in [
            "try (result i32)",
            "try (param i32) (result i32)",
            "catch $t2",
            "catch_all",
            "rethrow 1",
            "delegate 2",
            "br_table",
        ] {
            assert!(seen.contains(instruction), "no {instruction}");
        }
    }
}
