//! One pass over a function body before it is translated, for what the translation needs to
//! know ahead: whether the function calls any (func.rs gives a leaf no stack check) and which
//! locals each loop sets (facts.rs forgets, at a loop's start, what it knew of them).

use wasmparser::{BinaryReaderError, FunctionBody, Operator};

/// How many (loop, local) entries `Prescan::locals_set_in_loops` holds at most: a local set
/// inside many nested loops counts once in each, and a function of deeply nested loops setting
/// many locals would otherwise take time quadratic in its size.
const MAX_LOOP_SET_ENTRIES: usize = 1 << 20;

pub struct Prescan {
    /// Whether the body calls a function (directly, through a table or a reference, as a tail
    /// call or not).
    pub calls_functions: bool,
    /// The locals set (by `local.set` or `local.tee`) inside each loop, nested loops included,
    /// by the loop's position among the body's loops; `None` past `MAX_LOOP_SET_ENTRIES`.
    pub locals_set_in_loops: Option<Vec<Vec<u32>>>,
}

impl Prescan {
    pub fn of(body: &FunctionBody<'_>) -> Result<Self, BinaryReaderError> {
        let mut calls_functions = false;
        let mut sets: Option<Vec<Vec<u32>>> = Some(Vec::new());
        // Whether each enclosing frame is a loop, and the enclosing loops.
        let mut frames: Vec<bool> = Vec::new();
        let mut loops: Vec<usize> = Vec::new();
        let mut entries = 0;
        let mut reader = body.get_operators_reader()?;
        while !reader.eof() {
            match reader.read()? {
                Operator::Call { .. }
                | Operator::CallIndirect { .. }
                | Operator::CallRef { .. }
                | Operator::ReturnCall { .. }
                | Operator::ReturnCallIndirect { .. }
                | Operator::ReturnCallRef { .. } => calls_functions = true,
                Operator::Loop { .. } => {
                    frames.push(true);
                    if let Some(sets) = &mut sets {
                        loops.push(sets.len());
                        sets.push(Vec::new());
                    }
                }
                Operator::Block { .. }
                | Operator::If { .. }
                | Operator::Try { .. }
                | Operator::TryTable { .. } => frames.push(false),
                Operator::End | Operator::Delegate { .. } => {
                    let closes_loop = frames.pop() == Some(true);
                    loops.truncate(loops.len() - usize::from(closes_loop && sets.is_some()));
                }
                Operator::LocalSet { local_index } | Operator::LocalTee { local_index } => {
                    let Some(lists) = &mut sets else { continue };
                    for &loop_index in &loops {
                        if lists[loop_index].last() != Some(&local_index) {
                            lists[loop_index].push(local_index);
                            entries += 1;
                        }
                    }
                    if entries > MAX_LOOP_SET_ENTRIES {
                        sets = None;
                        loops.clear();
                    }
                }
                _ => {}
            }
        }
        Ok(Prescan { calls_functions, locals_set_in_loops: sets })
    }
}
