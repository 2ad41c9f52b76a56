//! Modules with typed function references or exception handling, which wasmi does not run,
//! compiled by wasm2native and run against Wasmtime (in a child process, see
//! `reference::wasmtime`), compared as the differential target compares them with wasmi. Half of
//! the inputs make modules of `typed_refs`, written to reach every typed-reference instruction;
//! a quarter make wasm-smith modules with exception handling, and a quarter wasm-smith modules
//! with exception handling and GC's type system, kept when they use nothing else of GC.
#![no_main]

use libfuzzer_sys::arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use wasm2native_fuzz::differential::{self, Reference};
use wasm2native_fuzz::{generate, typed_refs};

fuzz_target!(|data: &[u8]| {
    // The first byte picks the optimisation level and the bounds checks (bits 0 and 1) and the
    // generator (bits 2 and 3).
    let Some((&settings, rest)) = data.split_first() else { return };
    let mut u = Unstructured::new(rest);
    let wasm = if settings & 4 == 0 {
        let Ok(text) = typed_refs::module(&mut u) else { return };
        match wasm2native::frontend::to_binary(text.as_bytes()) {
            Ok(wasm) => wasm.into_owned(),
            Err(error) => panic!("a generated module does not assemble: {error}\n{text}"),
        }
    } else {
        let config = generate::wasmtime_config(settings & 8 == 0);
        let Ok(wasm) = generate::smith_module(&mut u, config, true) else {
            return;
        };
        if !generate::for_wasmtime(&wasm) {
            return;
        }
        wasm
    };
    let (options, seed) = (wasm2native_fuzz::options(settings), wasm2native_fuzz::seed(data));
    differential::run(&wasm, &options, seed, Reference::Wasmtime);
});
