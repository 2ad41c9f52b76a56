//! The top-level form, `wasm2native FILE [flags]`: compile one module into the output kind asked.

use crate::{BuildArgs, EmitKind};
use std::path::{Path, PathBuf};
use wasm2native::{compile, link, Emit, Options};

pub fn build(args: BuildArgs) -> Result<(), String> {
    let options = args.code.options(args.target, args.cpu);
    if args.probe_cpu {
        return compile(b"(module (func))", &options, Emit::Assembly).map(drop).map_err(|e| e.to_string());
    }
    let Some(input_path) = args.input else {
        return Err("no input module given".into());
    };
    let baked_options = args.grants.launch_options(None)?;
    if !baked_options.is_empty() && !matches!(args.emit, EmitKind::Exe) {
        return Err("--dir, --env and --inherit-env only apply to executables (--emit exe)".into());
    }
    check_cpu(&input_path, &options)?;
    let input = std::fs::read(&input_path).map_err(|e| format!("cannot read {}: {e}", input_path.display()))?;
    let output = args.output.unwrap_or_else(|| default_output(&input_path, args.emit));
    let emit = match args.emit {
        EmitKind::Exe | EmitKind::Obj => Emit::Object,
        EmitKind::LlvmIr => Emit::LlvmIr,
        EmitKind::Asm => Emit::Assembly,
    };
    let bytes = compile(&input, &options, emit).map_err(|e| format!("{}: {e}", input_path.display()))?;
    match args.emit {
        EmitKind::Exe => {
            link::link_executable_with_options(&bytes, &baked_options, &output).map_err(|e| e.to_string())
        }
        _ => write_atomically(&output, &bytes),
    }
}

fn default_output(input: &Path, emit: EmitKind) -> PathBuf {
    let stem = input.file_stem().map(PathBuf::from).unwrap_or_else(|| PathBuf::from("out"));
    match emit {
        EmitKind::Exe => stem,
        EmitKind::Obj => stem.with_extension("o"),
        EmitKind::LlvmIr => stem.with_extension("ll"),
        EmitKind::Asm => stem.with_extension("s"),
    }
}

/// Writes `bytes` to `path` through a temporary file in the same directory, so a failure never
/// leaves a half-written output.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut file = tempfile::NamedTempFile::new_in(dir)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    std::io::Write::write_all(&mut file, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    file.persist(path).map_err(|e| format!("cannot write {}: {}", path.display(), e.error))?;
    Ok(())
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
