//! Modules of the legacy exception instructions (`try`, `catch`, `catch_all`, `rethrow`,
//! `delegate`), which neither wasmi nor Wasmtime runs, compiled by wasm2native and run against
//! V8 (Node.js, in a child process, see `reference::v8`), compared as the differential target
//! compares them with wasmi. Every input makes a module of `legacy_exceptions`.
#![no_main]

use libfuzzer_sys::arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use wasm2native_fuzz::differential::{self, Reference};
use wasm2native_fuzz::legacy_exceptions;

fuzz_target!(|data: &[u8]| {
    // The first byte picks the optimisation level and the bounds checks (bits 0 and 1).
    let Some((&settings, rest)) = data.split_first() else { return };
    let Ok(text) = legacy_exceptions::module(&mut Unstructured::new(rest)) else { return };
    let wasm = match wasm2native::frontend::to_binary(text.as_bytes()) {
        Ok(wasm) => wasm.into_owned(),
        Err(error) => panic!("a generated module does not assemble: {error}\n{text}"),
    };
    let (options, seed) = (wasm2native_fuzz::options(settings), wasm2native_fuzz::seed(data));
    differential::run(&wasm, &options, seed, Reference::V8);
});
