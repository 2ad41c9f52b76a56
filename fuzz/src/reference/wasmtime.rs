//! Wasmtime as a reference engine: the PyPI package the Makefile pins, in a child process
//! (`fuzz/wasmtime_reference.py`, which documents the protocol; `child` speaks it).

use super::child::ChildReference;
use crate::TrapKind;
use std::process::Command;

/// The Wasmtime child process, for `ChildReference::load`.
pub static WASMTIME: ChildReference = ChildReference::new("Wasmtime", command, trap_kind);

/// The Python that has the `wasmtime` package (`WASM2NATIVE_FUZZ_PYTHON`, or else the venv
/// `make wasi-venv` makes) running the server script.
fn command() -> Command {
    let python = std::env::var("WASM2NATIVE_FUZZ_PYTHON").unwrap_or_else(|_| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/../target/wasi-venv/bin/python").into()
    });
    let mut command = Command::new(python);
    command.arg(concat!(env!("CARGO_MANIFEST_DIR"), "/wasmtime_reference.py"));
    command
}

/// The class of a trap Wasmtime reports by the name of its trap code, or as `other:MESSAGE`
/// (an instantiation that failed with an error rather than a trap).
fn trap_kind(code: &str) -> TrapKind {
    match code {
        "UNREACHABLE" => TrapKind::Unreachable,
        "MEMORY_OUT_OF_BOUNDS" => TrapKind::MemoryOutOfBounds,
        "TABLE_OUT_OF_BOUNDS" => TrapKind::TableOutOfBounds,
        "INDIRECT_CALL_TO_NULL" => TrapKind::UninitializedElement,
        "BAD_SIGNATURE" => TrapKind::IndirectCallTypeMismatch,
        "INTEGER_DIVISION_BY_ZERO" => TrapKind::IntegerDivideByZero,
        "INTEGER_OVERFLOW" => TrapKind::IntegerOverflow,
        "BAD_CONVERSION_TO_INTEGER" => TrapKind::InvalidConversion,
        "STACK_OVERFLOW" => TrapKind::StackExhausted,
        "NULL_REFERENCE" => TrapKind::NullReference,
        "UNCAUGHT_EXCEPTION" => TrapKind::UncaughtException,
        // Wasmtime's error for an exception that left the call carries no trap code.
        other if other.contains("thrown Wasm exception") => TrapKind::UncaughtException,
        other if other.contains("out of bounds table access") => TrapKind::TableOutOfBounds,
        other if other.contains("out of bounds memory access") => TrapKind::MemoryOutOfBounds,
        other => TrapKind::Other(format!("wasmtime: {other}")),
    }
}
