//! The top-level form, `wasm2native FILE [flags]`: compile one module into the output kind asked.

use crate::{BuildArgs, EmitKind};
use std::path::{Path, PathBuf};
use wasm2native::capi::{default_prefix, valid_prefix};
use wasm2native::library::{self, LibraryKind};
use wasm2native::{compile, compile_library, compile_objects, link, Emit, Options};

pub fn build(args: BuildArgs) -> Result<(), String> {
    let options = args.code.options(args.input.as_deref(), args.target.clone(), args.cpu.clone());
    if args.probe_cpu {
        return compile(b"(module (func))", &options, Emit::Assembly)
            .map(drop)
            .map_err(|e| e.to_string());
    }
    let Some(input_path) = args.input.clone() else {
        return Err("no input module given".into());
    };
    let baked_options = args.grants.launch_options(None)?;
    if !baked_options.is_empty() && !matches!(args.emit, EmitKind::Exe) {
        return Err("--dir, --env and --inherit-env only apply to executables (--emit exe)".into());
    }
    let library_kind = match args.emit {
        EmitKind::Obj => Some(LibraryKind::Object),
        EmitKind::Staticlib => Some(LibraryKind::StaticLib),
        EmitKind::Shared => Some(LibraryKind::Shared),
        _ => None,
    };
    let library = &args.library;
    if library_kind.is_none()
        && (library.prefix.is_some()
            || library.header.is_some()
            || library.no_header
            || library.no_runtime)
    {
        return Err("--prefix, --header, --no-header and --no-runtime only apply to --emit obj, staticlib and shared".into());
    }
    if library.no_runtime && library_kind != Some(LibraryKind::Object) {
        return Err(
            "--no-runtime only applies to --emit obj (libraries always carry their runtime)".into(),
        );
    }
    let foreign = args
        .target
        .as_deref()
        .is_some_and(|triple| triple.split('-').next() != Some(std::env::consts::ARCH));
    let needs_runtime = matches!(args.emit, EmitKind::Exe | EmitKind::Staticlib | EmitKind::Shared)
        || (library_kind == Some(LibraryKind::Object) && !library.no_runtime);
    if foreign && needs_runtime {
        return Err(format!(
            "the runtime library is built for {} only: for --target {} use --emit obj --no-runtime (and link it with a runtime built for that target), --emit asm or --emit llvm-ir",
            std::env::consts::ARCH,
            args.target.as_deref().unwrap_or_default()
        ));
    }
    check_cpu(&input_path, &options)?;
    let input = std::fs::read(&input_path)
        .map_err(|e| format!("cannot read {}: {e}", input_path.display()))?;
    let output = args.output.clone().unwrap_or_else(|| default_output(&input_path, args.emit));
    if let Some(kind) = library_kind {
        return build_library(&args, kind, &input_path, &input, &output);
    }
    let emit = match args.emit {
        EmitKind::LlvmIr => Emit::LlvmIr,
        EmitKind::Asm => Emit::Assembly,
        _ => Emit::Object,
    };
    if matches!(args.emit, EmitKind::Exe) {
        let objects = compile_objects(&input, &options)
            .map_err(|e| format!("{}: {e}", input_path.display()))?;
        return link::link_executable_with_options(&objects, &baked_options, &output)
            .map_err(|e| e.to_string());
    }
    let bytes =
        compile(&input, &options, emit).map_err(|e| format!("{}: {e}", input_path.display()))?;
    write_atomically(&output, &bytes)
}

/// `--emit obj|staticlib|shared`: the module with its C API, linked as asked, and the header.
fn build_library(
    args: &BuildArgs,
    kind: LibraryKind,
    input_path: &Path,
    input: &[u8],
    output: &Path,
) -> Result<(), String> {
    let options = args.code.options(Some(input_path), args.target.clone(), args.cpu.clone());
    let output_stem = output.file_stem().and_then(|s| s.to_str()).unwrap_or("module");
    let prefix = args.library.prefix.clone().unwrap_or_else(|| default_prefix(output_stem));
    if !valid_prefix(&prefix) {
        return Err(format!("invalid --prefix {prefix:?}: a C identifier is needed (letters, digits and _, not starting with a digit)"));
    }
    let header_path = match (&args.library.header, args.library.no_header) {
        (_, true) => None,
        (Some(path), false) => Some(path.clone()),
        (None, false) => Some(output.with_file_name(format!("{prefix}.h"))),
    };
    if header_path.as_deref() == Some(output) {
        return Err(format!("the header and the library would both be {}", output.display()));
    }
    let source =
        input_path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let compiled = compile_library(input, &options, &prefix, &source)
        .map_err(|e| format!("{}: {e}", input_path.display()))?;
    let with_runtime = !args.library.no_runtime;
    library::write_library(
        &compiled.object,
        kind,
        &prefix,
        &compiled.api_symbols,
        with_runtime,
        output,
    )
    .map_err(|e| e.to_string())?;
    match header_path {
        Some(path) => write_atomically(&path, compiled.header.as_bytes()),
        None => Ok(()),
    }
}

fn default_output(input: &Path, emit: EmitKind) -> PathBuf {
    let stem = input.file_stem().map(PathBuf::from).unwrap_or_else(|| PathBuf::from("out"));
    match emit {
        EmitKind::Exe => stem,
        EmitKind::Obj => stem.with_extension("o"),
        EmitKind::Staticlib => PathBuf::from(format!("lib{}.a", stem.display())),
        EmitKind::Shared => PathBuf::from(format!("lib{}.so", stem.display())),
        EmitKind::LlvmIr => stem.with_extension("ll"),
        EmitKind::Asm => stem.with_extension("s"),
    }
}

/// Writes `bytes` to `path` through a temporary file in the same directory, so a failure never
/// leaves a half-written output.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), String> {
    library::write_atomically(path, bytes).map_err(|e| e.to_string())
}

/// LLVM cannot tell whether it knows a CPU name, and on some targets an unknown one aborts the
/// process mid-compile; so a named CPU is first tried in a child process of this program.
fn check_cpu(input: &Path, options: &Options) -> Result<(), String> {
    let Some(cpu) = &options.cpu else { return Ok(()) };
    let exe = std::env::current_exe().map_err(|e| format!("cannot find this program: {e}"))?;
    let mut probe = std::process::Command::new(exe);
    probe.arg(input).arg("--probe-cpu").arg("--cpu").arg(cpu);
    if let Some(target) = &options.target {
        probe.arg("--target").arg(target);
    }
    let out = probe.output().map_err(|e| format!("cannot check --cpu: {e}"))?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    if out.status.success() && !stderr.contains("not a recognized processor") {
        return Ok(());
    }
    let target = options.target.as_deref().unwrap_or("the host");
    Err(format!("unknown CPU {cpu:?} for {target} (llc-19 -mcpu=help lists the known ones)"))
}
