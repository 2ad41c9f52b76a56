//! wasm-smith modules compiled by wasm2native and run against the wasmi interpreter: every
//! export called with generated arguments, results, traps and the state of every exported
//! global, memory and table compared after each call (see `differential`).
#![no_main]

use libfuzzer_sys::arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use wasm2native_fuzz::{differential, generate};

fuzz_target!(|data: &[u8]| {
    // The first byte picks the optimisation level and the bounds checks.
    let Some((&settings, rest)) = data.split_first() else { return };
    let mut u = Unstructured::new(rest);
    let Ok(wasm) = generate::smith_module(&mut u, generate::config(), true) else { return };
    if !generate::reference_can_run(&wasm) {
        return;
    }
    differential::run(
        &wasm,
        &wasm2native_fuzz::options(settings),
        wasm2native_fuzz::seed(data),
        differential::Reference::Wasmi,
    );
});
