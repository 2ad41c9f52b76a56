//! The cache of `run`: one executable per (module, code generation settings, host, compiler
//! build), named by a 128-bit hash of all of these. Entries hold no launch options (those come
//! in through WASM2NATIVE_OPTIONS), and appear by rename, so concurrent runs never see half of
//! one.

use std::collections::hash_map::DefaultHasher;
use std::hash::Hasher;
use std::path::PathBuf;
use std::time::UNIX_EPOCH;
use wasm2native::Options;

/// Where an entry is, and whether it is already there.
pub struct Entry {
    pub path: PathBuf,
    pub present: bool,
}

/// The entry for `module` compiled with `options` for the host, in the cache directory (created
/// when missing). An error says why the cache cannot be used.
pub fn entry(module: &[u8], options: &Options) -> Result<Entry, String> {
    let dir = directory()?;
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let path = dir.join(key(module, options)?);
    if path.is_file() {
        return Ok(Entry { path, present: true });
    }
    // The linker reports an unwritable directory only as a failed link; find out first.
    tempfile::NamedTempFile::new_in(&dir)
        .map_err(|e| format!("cannot write in {}: {e}", dir.display()))?;
    Ok(Entry { path, present: false })
}

/// $WASM2NATIVE_CACHE_DIR, else $XDG_CACHE_HOME/wasm2native, else $HOME/.cache/wasm2native
/// (unset and empty variables alike are skipped).
fn directory() -> Result<PathBuf, String> {
    let variable =
        |name| std::env::var_os(name).filter(|value| !value.is_empty()).map(PathBuf::from);
    if let Some(dir) = variable("WASM2NATIVE_CACHE_DIR") {
        return Ok(dir);
    }
    if let Some(dir) = variable("XDG_CACHE_HOME") {
        return Ok(dir.join("wasm2native"));
    }
    match variable("HOME") {
        Some(home) => Ok(home.join(".cache").join("wasm2native")),
        None => Err("no cache directory: set WASM2NATIVE_CACHE_DIR".into()),
    }
}

/// What tells this compiler's builds apart: its version, and the size and modification time of
/// its executable, so that a rebuilt compiler never reuses the entries of an earlier build.
fn compiler_build() -> Result<String, String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot find this program: {e}"))?;
    let metadata =
        std::fs::metadata(&exe).map_err(|e| format!("cannot stat {}: {e}", exe.display()))?;
    let modified = metadata
        .modified()
        .ok()
        .and_then(|time| time.duration_since(UNIX_EPOCH).ok())
        .ok_or_else(|| format!("no modification time for {}", exe.display()))?;
    Ok(format!("{} {} {}", env!("CARGO_PKG_VERSION"), metadata.len(), modified.as_nanos()))
}

/// 32 hex digits: two 64-bit hashes of everything that shapes the executable, made independent
/// by a different first byte.
fn key(module: &[u8], options: &Options) -> Result<String, String> {
    use inkwell::targets::TargetMachine;
    let settings = format!(
        "{:?} {:?} {:?} {:?} {:?} {:?} {}",
        options.opt_level,
        options.features,
        options.bounds_checks,
        options.relaxed_simd,
        options.target,
        options.cpu,
        compiler_build()?
    );
    let host = [
        TargetMachine::get_default_triple().as_str().to_bytes().to_vec(),
        TargetMachine::get_host_cpu_name().to_bytes().to_vec(),
        TargetMachine::get_host_cpu_features().to_bytes().to_vec(),
    ];
    let parts: [&[u8]; 5] = [settings.as_bytes(), &host[0], &host[1], &host[2], module];
    let [first, second] = [0u8, 1].map(|seed| {
        let mut hasher = DefaultHasher::new();
        hasher.write_u8(seed);
        for part in parts {
            // Length first, so that no two different lists of parts hash the same bytes.
            hasher.write_usize(part.len());
            hasher.write(part);
        }
        hasher.finish()
    });
    Ok(format!("{first:016x}{second:016x}"))
}
