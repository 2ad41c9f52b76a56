//! `wasm2native inspect FILE`: for a compiled executable, object, static library or shared
//! object, prints the build information compiled into it, one record per module, records
//! separated by a blank line; for a Wasm module (binary or text), what compiling it takes: the
//! proposals it uses and the `--spec` that accepts it.

use std::io::Write as _;
use std::path::Path;
use wasm2native::library::build_records;
use wasm2native::{frontend, proposals_used, FeatureSet};

pub fn inspect(path: &Path) -> Result<(), String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let text = match frontend::to_binary(&bytes) {
        Ok(module) => describe_module(&module).map_err(|e| format!("{}: {e}", path.display()))?,
        Err(_) => describe_artifact(&bytes, path)?,
    };
    std::io::stdout()
        .lock()
        .write_all(text.as_bytes())
        .map_err(|e| format!("cannot write to standard output: {e}"))
}

fn describe_artifact(bytes: &[u8], path: &Path) -> Result<String, String> {
    let records = build_records(bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    if records.is_empty() {
        return Err(format!("no wasm2native build information in {}", path.display()));
    }
    Ok(records
        .iter()
        .map(|record| format!("{}\n", record.trim_end_matches('\n')))
        .collect::<Vec<_>>()
        .join("\n"))
}

/// Proposals (as `proposals_used` names them) no feature set has yet.
const UNSUPPORTED: &[&str] = &[
    "gc",
    "threads",
    "stack-switching",
    "wide-arithmetic",
    "memory-control",
    "shared-everything-threads",
    "custom-descriptors",
];

/// The proposals the module uses, and the smallest `--spec` whose validation it passes (or the
/// error of `latest`, which names what is missing).
fn describe_module(module: &[u8]) -> Result<String, String> {
    let used = proposals_used(module).map_err(|e| e.to_string())?;
    let proposals = if used.is_empty() { "none (Wasm 1.0)".to_string() } else { used.join(", ") };
    let spec = [("wasm1", FeatureSet::Wasm1), ("wasm2", FeatureSet::Wasm2)]
        .into_iter()
        .find(|(_, features)| frontend::parse(module, *features).is_ok())
        .map(|(name, _)| format!("--spec {name} and later"))
        .unwrap_or_else(|| match frontend::parse(module, FeatureSet::Latest) {
            Err(e) => format!("none: {e}"),
            // Validation lets operators of GC pass when no GC type is declared.
            Ok(_) => match used.iter().find(|p| UNSUPPORTED.contains(p)) {
                Some(proposal) => format!("none: the {proposal} proposal is not supported yet"),
                None => "--spec latest".to_string(),
            },
        });
    Ok(format!(
        "wasm module: {} bytes\nproposals: {proposals}\ncompiles with: {spec}\n",
        module.len()
    ))
}
