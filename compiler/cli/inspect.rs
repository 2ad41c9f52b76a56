//! `wasm2native inspect FILE`: prints the build information compiled into an executable, object,
//! static library or shared object, one record per module, records separated by a blank line.

use std::io::Write as _;
use std::path::Path;
use wasm2native::library::build_records;

pub fn inspect(path: &Path) -> Result<(), String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let records = build_records(&bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    if records.is_empty() {
        return Err(format!("no wasm2native build information in {}", path.display()));
    }
    let text = records
        .iter()
        .map(|record| format!("{}\n", record.trim_end_matches('\n')))
        .collect::<Vec<_>>()
        .join("\n");
    std::io::stdout()
        .lock()
        .write_all(text.as_bytes())
        .map_err(|e| format!("cannot write to standard output: {e}"))
}
