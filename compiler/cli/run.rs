//! `wasm2native run [flags] FILE [ARGS...]`: compile FILE (through the cache) and replace this
//! process with the executable, so that its signals and exit status are the command's own. The
//! grants reach it in WASM2NATIVE_OPTIONS, which replaces whatever the caller had set there.

use super::cache;
use crate::RunArgs;
use std::convert::Infallible;
use std::ffi::OsString;
use std::fs::File;
use std::os::fd::AsRawFd;
use std::os::unix::ffi::OsStringExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use wasm2native::{compile_objects, link, Options};

const OPTIONS_VARIABLE: &str = "WASM2NATIVE_OPTIONS";

/// A compiled program ready to run.
enum Program {
    /// A cache entry.
    Cached(PathBuf),
    /// An open executable whose file is already deleted, run through /proc/self/fd, so that
    /// nothing is left behind once this process has become the program.
    Unlinked(File),
}

/// Returns only on failure; on success this process has become the program.
pub fn run(args: RunArgs) -> Result<Infallible, String> {
    let launch_options = args.grants.launch_options(args.invoke.as_deref())?;
    let module = std::fs::read(&args.input)
        .map_err(|e| format!("cannot read {}: {e}", args.input.display()))?;
    let options = args.code.options(Some(&args.input), None, None);
    let program = if args.no_cache {
        compile_unlinked(&args.input, &module, &options)?
    } else {
        match cache::entry(&module, &options) {
            Ok(entry) if entry.present => Program::Cached(entry.path),
            Ok(entry) => {
                compile_into(&args.input, &module, &options, &entry.path)?;
                Program::Cached(entry.path)
            }
            Err(reason) => {
                eprintln!("wasm2native: warning: cannot use the cache ({reason}); compiling into a temporary directory");
                compile_unlinked(&args.input, &module, &options)?
            }
        }
    };
    let path = match &program {
        Program::Cached(path) => path.clone(),
        Program::Unlinked(file) => PathBuf::from(format!("/proc/self/fd/{}", file.as_raw_fd())),
    };
    let error = Command::new(&path)
        .arg0(&args.input)
        .args(&args.args)
        .env(OPTIONS_VARIABLE, OsString::from_vec(launch_options))
        .exec();
    Err(format!("cannot run {} (compiled as {}): {error}", args.input.display(), path.display()))
}

fn compile_into(
    input: &Path,
    module: &[u8],
    options: &Options,
    output: &Path,
) -> Result<(), String> {
    let objects =
        compile_objects(module, options).map_err(|e| format!("{}: {e}", input.display()))?;
    link::link_executable(&objects, output).map_err(|e| e.to_string())
}

/// Compiles into a temporary directory, opens the executable and removes the directory.
fn compile_unlinked(input: &Path, module: &[u8], options: &Options) -> Result<Program, String> {
    let dir = tempfile::Builder::new()
        .prefix("wasm2native-run")
        .tempdir()
        .map_err(|e| format!("cannot create a temporary directory: {e}"))?;
    let path = dir.path().join("program");
    compile_into(input, module, options, &path)?;
    let file = File::open(&path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    Ok(Program::Unlinked(file))
}
