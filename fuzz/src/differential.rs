//! Running one module in both engines and comparing everything: instantiation, every call's
//! results or trap, and after each call every exported global, memory and table. A difference
//! panics with what differed, which libFuzzer records as a crash with the input that caused it.

use crate::generate::Arguments;
use crate::native::Native;
use crate::reference::v8::V8;
use crate::reference::wasmi::Wasmi;
use crate::reference::wasmtime::WASMTIME;
use crate::reference::{self, ReferenceEngine};
use crate::{ExportState, Outcome, TrapKind, ValType};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use wasm2native::Options;

/// Calls made per instance: every exported function once in order, then exports picked at
/// random, so that state (memory growth above all) builds up between calls; `CALLS_PER_EXPORT`
/// for each exported function on average, `MAX_CALLS` at most.
const CALLS_PER_EXPORT: usize = 16;
const MAX_CALLS: usize = 256;

/// Counts for the whole process, printed when it exits (`stat::w2n_*` lines, beside libFuzzer's).
static INSTANCES: AtomicU64 = AtomicU64::new(0);
static CALLS: AtomicU64 = AtomicU64::new(0);
static CUT_SHORT: AtomicU64 = AtomicU64::new(0);

extern "C" {
    fn atexit(callback: extern "C" fn()) -> std::os::raw::c_int;
}

extern "C" fn at_exit() {
    print_counts();
    let _ = std::fs::remove_dir_all(work_dir());
}

fn print_counts() {
    eprintln!("stat::w2n_instances: {}", INSTANCES.load(Ordering::Relaxed));
    eprintln!("stat::w2n_differential_calls: {}", CALLS.load(Ordering::Relaxed));
    eprintln!("stat::w2n_instances_cut_short: {}", CUT_SHORT.load(Ordering::Relaxed));
}

/// Where compiled modules are written before loading (each removed once loaded); made, and the
/// exit report registered, on first use.
fn work_dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("wasm2native-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a directory for compiled modules");
        // SAFETY: registers a function with no captured state, once.
        unsafe { atexit(at_exit) };
        dir
    })
}

/// Whether a difference between `reference` and `native` is one the two engines may have: stack
/// depth is each engine's own limit. After such a difference the two instances no longer match
/// and the comparison ends.
fn allowed_difference(reference: &Outcome, native: &Outcome) -> bool {
    let is =
        |outcome: &Outcome, kind: &TrapKind| matches!(outcome, Outcome::Trapped(k) if k == kind);
    is(reference, &TrapKind::StackExhausted) || is(native, &TrapKind::StackExhausted)
}

fn describe_difference(what: &str, reference: &ExportState, native: &ExportState) -> String {
    match (reference, native) {
        (ExportState::Memory(r), ExportState::Memory(n)) if r.len() == n.len() => {
            let at = r.iter().zip(n).position(|(a, b)| a != b).unwrap_or(0);
            format!("{what}: memory differs first at byte {at:#x}: reference {:#04x}, wasm2native {:#04x}", r[at], n[at])
        }
        (ExportState::Memory(r), ExportState::Memory(n)) => {
            format!("{what}: memory size: reference {} bytes, wasm2native {}", r.len(), n.len())
        }
        _ => format!("{what}: reference {reference:?}, wasm2native {native:?}"),
    }
}

/// The engine wasm2native is compared with.
#[derive(Clone, Copy, Debug)]
pub enum Reference {
    /// wasmi, in process: fast, for the features it has.
    Wasmi,
    /// Wasmtime, in a child process: for what wasmi lacks.
    Wasmtime,
    /// V8, in a child process: for the legacy exception instructions, with no v128 and no NaN
    /// at the boundary (see `reference::v8`).
    V8,
}

/// Export `name`'s state in `native`, as `expected` has it (a digest if it is one); panics
/// with where the two differ if they do.
fn compare_state(reference: &mut dyn ReferenceEngine, native: &Native, name: &str, when: &str) {
    let expected = reference.state(name);
    let Some(got) = native.state(name) else {
        panic!("export {name:?} missing from wasm2native's instance")
    };
    let matches = match expected {
        ExportState::MemoryDigest { .. } => got.clone().digest() == expected,
        _ => got == expected,
    };
    if matches {
        return;
    }
    let expected = match expected {
        ExportState::MemoryDigest { .. } => ExportState::Memory(reference.memory_bytes(name)),
        other => other,
    };
    panic!("{}", describe_difference(&format!("{when}, export {name:?}"), &expected, &got));
}

/// Runs `wasm` (valid, importing nothing) in wasm2native, compiled with `options`, and in
/// `reference`, with arguments drawn from `seed`; panics on the first difference. Returns the
/// calls compared. Functions that take a reference no argument can be made for are not called.
pub fn run(wasm: &[u8], options: &Options, seed: u64, reference: Reference) -> usize {
    crate::show(wasm);
    let exports = reference::exports(wasm, wasmparser::WasmFeatures::all())
        .unwrap_or_else(|error| panic!("a generated module is invalid: {error}"));
    let engine: Result<Box<dyn ReferenceEngine>, String> = match reference {
        Reference::Wasmi => Wasmi::new(wasm).map(|engine| Box::new(engine) as _),
        Reference::Wasmtime => WASMTIME.load(wasm).map(|engine| Box::new(engine) as _),
        Reference::V8 => V8.load(wasm).map(|engine| Box::new(engine) as _),
    };
    let mut reference = match engine {
        Ok(engine) => engine,
        Err(error) => panic!("the reference engine rejects a generated module: {error}"),
    };
    let mut native = match Native::new(wasm, options, work_dir()) {
        Ok(native) => native,
        Err(error) => panic!("wasm2native rejects a valid module: {error}"),
    };
    // A running count too, since a run stopped by a signal never reaches `at_exit`.
    if INSTANCES.fetch_add(1, Ordering::Relaxed) % 10_000 == 9_999 {
        print_counts();
    }
    let (expected, got) = (reference.instantiate(), native.instantiate());
    if allowed_difference(&expected, &got) {
        CUT_SHORT.fetch_add(1, Ordering::Relaxed);
        return 0;
    }
    assert_eq!(expected, got, "instantiation: reference, then wasm2native");
    if matches!(expected, Outcome::Trapped(_)) {
        return 0;
    }
    let functions: Vec<_> = exports
        .iter()
        .filter_map(|e| Some((&e.name, e.signature.as_ref()?)))
        .filter(|(_, (params, _))| !params.contains(&ValType::Unpassable))
        .collect();
    let others: Vec<_> =
        exports.iter().filter(|e| e.signature.is_none()).map(|e| &e.name).collect();
    let mut arguments = Arguments::new(seed);
    let calls =
        if functions.is_empty() { 0 } else { MAX_CALLS.min(functions.len() * CALLS_PER_EXPORT) };
    for call in 0..calls {
        let index = if call < functions.len() { call } else { arguments.below(functions.len()) };
        let (name, (params, results)) = functions[index];
        let args: Vec<_> = params.iter().map(|ty| arguments.value(*ty)).collect();
        let (expected, got) =
            (reference.call(name, &args, results.len()), native.call(name, &args));
        CALLS.fetch_add(1, Ordering::Relaxed);
        if allowed_difference(&expected, &got) {
            CUT_SHORT.fetch_add(1, Ordering::Relaxed);
            return call + 1;
        }
        assert_eq!(expected, got, "call {call}: {name}{args:?}: reference, then wasm2native");
        for other in &others {
            compare_state(
                &mut *reference,
                &native,
                other,
                &format!("after call {call} ({name}{args:?})"),
            );
        }
    }
    calls
}
