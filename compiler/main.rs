//! The `wasm2native` command line.

use clap::{Parser, ValueEnum};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use wasm2native::{compile, link, Emit, FeatureSet, OptLevel, Options};

#[derive(Parser)]
#[command(
    name = "wasm2native",
    version,
    about = "Ahead-of-time compiler from WebAssembly to native code",
    after_help = "Examples:\n  \
        wasm2native hello.wat -o hello && ./hello\n  \
        wasm2native app.wasm --emit obj -o app.o\n  \
        wasm2native app.wasm --emit llvm-ir -O0 -o app.ll\n  \
        wasm2native app.wasm --emit asm --cpu x86-64-v3 -o app.s"
)]
struct Cli {
    /// Input module: a .wasm binary or .wat text.
    input: PathBuf,
    /// Output file (default: the input's name with the extension the output kind uses).
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Kind of output.
    #[arg(long, value_enum, default_value_t = EmitKind::Exe)]
    emit: EmitKind,
    /// Optimisation level, -O0 to -O3.
    #[arg(short = 'O', value_name = "LEVEL", default_value_t = 2, value_parser = clap::value_parser!(u8).range(0..=3))]
    opt_level: u8,
    /// Target triple (default: the host).
    #[arg(long)]
    target: Option<String>,
    /// Target CPU (default: the host's CPU when compiling for the host).
    #[arg(long)]
    cpu: Option<String>,
    /// WebAssembly version the input may use.
    #[arg(long, value_enum, default_value_t = Spec::Latest)]
    spec: Spec,
    /// Internal: compile an empty module for --target/--cpu and exit (see `check_cpu`).
    #[arg(long, hide = true)]
    probe_cpu: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum EmitKind {
    /// A native executable running the module's `_start`.
    Exe,
    /// A relocatable object file defining the module.
    Obj,
    /// LLVM IR text, after optimisation.
    LlvmIr,
    /// Assembly text.
    Asm,
}

#[derive(Clone, Copy, ValueEnum)]
enum Spec {
    Wasm1,
    Wasm2,
    /// Wasm 2.0 plus multiple memories: everything this compiler implements.
    Latest,
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

fn run(cli: Cli) -> Result<(), String> {
    let options = Options {
        opt_level: [OptLevel::O0, OptLevel::O1, OptLevel::O2, OptLevel::O3][cli.opt_level as usize],
        target: cli.target,
        cpu: cli.cpu,
        features: match cli.spec {
            Spec::Wasm1 => FeatureSet::Wasm1,
            Spec::Wasm2 => FeatureSet::Wasm2,
            Spec::Latest => FeatureSet::Latest,
        },
    };
    if cli.probe_cpu {
        return compile(b"(module (func))", &options, Emit::Assembly).map(drop).map_err(|e| e.to_string());
    }
    check_cpu(&cli.input, &options)?;
    let input = std::fs::read(&cli.input).map_err(|e| format!("cannot read {}: {e}", cli.input.display()))?;
    let output = cli.output.unwrap_or_else(|| default_output(&cli.input, cli.emit));
    let emit = match cli.emit {
        EmitKind::Exe | EmitKind::Obj => Emit::Object,
        EmitKind::LlvmIr => Emit::LlvmIr,
        EmitKind::Asm => Emit::Assembly,
    };
    let bytes = compile(&input, &options, emit).map_err(|e| format!("{}: {e}", cli.input.display()))?;
    match cli.emit {
        EmitKind::Exe => link::link_executable(&bytes, &output).map_err(|e| e.to_string()),
        _ => write_atomically(&output, &bytes),
    }
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("wasm2native: error: {message}");
            ExitCode::FAILURE
        }
    }
}
