//! V8 as a reference engine: the Node.js on PATH (`WASM2NATIVE_FUZZ_NODE` names another), in a
//! child process (`fuzz/v8_reference.js`, with the protocol of the Wasmtime reference; `child`
//! speaks it). Node.js 20's V8 runs the legacy exception instructions, which Wasmtime does not.
//!
//! Values cross JavaScript on the way, which cannot carry a v128 nor promise a NaN's payload, so
//! this reference is for modules whose exported functions and globals have no v128 and whose
//! floats at the boundary are never NaN: those of `legacy_exceptions`, whose floats all come from
//! integers. A v128 at the boundary is the reference's error, which stops the run.

use super::child::ChildReference;
use crate::TrapKind;
use std::process::Command;

/// The V8 child process, for `ChildReference::load`.
pub static V8: ChildReference = ChildReference::new("V8", command, trap_kind);

fn command() -> Command {
    let node = std::env::var("WASM2NATIVE_FUZZ_NODE").unwrap_or_else(|_| "node".into());
    let mut command = Command::new(node);
    // Type reflection tells the server the types of a function's results and a global's value.
    command.arg("--experimental-wasm-type-reflection");
    command.arg(concat!(env!("CARGO_MANIFEST_DIR"), "/v8_reference.js"));
    command
}

/// The class of a trap V8 reports: the message of its `WebAssembly.RuntimeError` (V8's own
/// wording, found by running each trap under Node.js 20), or the server's name for an exception
/// or a stack overflow.
fn trap_kind(what: &str) -> TrapKind {
    match what {
        "unreachable" => TrapKind::Unreachable,
        "memory access out of bounds" | "data segment out of bounds" => TrapKind::MemoryOutOfBounds,
        "table index is out of bounds" | "element segment out of bounds" => {
            TrapKind::TableOutOfBounds
        }
        "divide by zero" | "remainder by zero" => TrapKind::IntegerDivideByZero,
        "divide result unrepresentable" => TrapKind::IntegerOverflow,
        "float unrepresentable in integer range" => TrapKind::InvalidConversion,
        "dereferencing a null pointer" => TrapKind::NullReference,
        "stack-exhausted" => TrapKind::StackExhausted,
        "uncaught-exception" => TrapKind::UncaughtException,
        // Among them "null function or function signature mismatch", which is two classes here
        // (no module run under V8 has an indirect call).
        other => TrapKind::Other(format!("v8: {other}")),
    }
}
