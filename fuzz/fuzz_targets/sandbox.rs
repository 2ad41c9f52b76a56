//! Loads, stores and bulk operations near every bound of a growing memory (see `sandbox`),
//! compiled by wasm2native and compared with the wasmi interpreter call by call.
#![no_main]

use libfuzzer_sys::arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use wasm2native_fuzz::{differential, sandbox};

fuzz_target!(|data: &[u8]| {
    let Some((&settings, rest)) = data.split_first() else { return };
    let Ok(text) = sandbox::module(&mut Unstructured::new(rest)) else { return };
    let wasm = match wasm2native::frontend::to_binary(text.as_bytes()) {
        Ok(wasm) => wasm,
        Err(error) => panic!("a generated module does not assemble: {error}\n{text}"),
    };
    differential::run(
        &wasm,
        &wasm2native_fuzz::options(settings),
        wasm2native_fuzz::seed(data),
        differential::Reference::Wasmi,
    );
});
