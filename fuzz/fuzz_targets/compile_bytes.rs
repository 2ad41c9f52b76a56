//! Arbitrary bytes into the whole compiler, front end and back end: every input ends in an
//! object or an error value, never a panic, an abort inside LLVM or a hang.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wasm2native::{compile, Emit, OptLevel, Options};

fuzz_target!(|data: &[u8]| {
    // The first byte picks the optimisation level, so both code generators see every shape.
    let Some((&level, module)) = data.split_first() else { return };
    let options = Options {
        opt_level: if level & 1 == 0 { OptLevel::O0 } else { OptLevel::O2 },
        verify_ir: true,
        ..Options::default()
    };
    let _ = compile(module, &options, Emit::Object);
});
