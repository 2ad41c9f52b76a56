//! The same module compiled twice gives the same bytes: wasm-smith modules of up to 200
//! functions, split into parts compiled on parallel threads, at -O0 or -O2.
#![no_main]

use libfuzzer_sys::arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use wasm2native::{compile, Emit};
use wasm2native_fuzz::generate;

fuzz_target!(|data: &[u8]| {
    let Some((&settings, rest)) = data.split_first() else { return };
    let mut config = generate::config();
    config.max_funcs = 200;
    config.max_instructions = 1_000;
    let Ok(wasm) = generate::smith_module(&mut Unstructured::new(rest), config, false) else {
        return;
    };
    let options = wasm2native_fuzz::options(settings);
    let first = compile(&wasm, &options, Emit::Object);
    let second = compile(&wasm, &options, Emit::Object);
    match (first, second) {
        (Ok(first), Ok(second)) => assert!(
            first == second,
            "two compiles differ ({} and {} bytes)",
            first.len(),
            second.len()
        ),
        (first, second) => {
            panic!("a valid module failed to compile: {:?} / {:?}", first.err(), second.err())
        }
    }
});
