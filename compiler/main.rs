//! The `wasm2native` command line: `wasm2native FILE ...` compiles a module, `wasm2native run
//! FILE ...` compiles it through a cache and runs it at once.

mod cli {
    pub mod build;
    pub mod cache;
    pub mod grants;
    pub mod inspect;
    pub mod run;
}

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::ffi::OsString;
use std::path::PathBuf;
use wasm2native::{BoundsChecks, FeatureSet, OptLevel, Options, RelaxedSimd};

/// mimalloc, which with its "override" feature (Cargo.toml) also serves LLVM's C++ allocations.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "wasm2native",
    version,
    about = "Ahead-of-time compiler from WebAssembly to native code",
    override_usage = "wasm2native [OPTIONS] <INPUT>\n       \
        wasm2native run [OPTIONS] <FILE> [ARGS]...\n       \
        wasm2native inspect <FILE>\n       \
        wasm2native runtime -o <FILE>",
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true,
    disable_help_subcommand = true,
    after_help = "The executable gets what --dir, --env and --inherit-env grant it (--emit exe only);\n\
        the variable WASM2NATIVE_OPTIONS, when set as it starts, replaces all of that, as in\n  \
        WASM2NATIVE_OPTIONS=\"--dir data --env MODE=test\" ./app\n\
        To compile a file named `run`, write it `./run`.\n\n\
        Examples:\n  \
        wasm2native hello.wat -o hello && ./hello\n  \
        wasm2native app.wasm -o app --dir data::/data --env LANG=C\n  \
        wasm2native run --dir . app.wasm input.txt\n  \
        wasm2native lib.wasm --emit staticlib -o libfoo.a    # and foo.h, the C API\n  \
        wasm2native lib.wasm --emit shared --prefix codec -o libcodec.so\n  \
        wasm2native app.wasm --emit obj -o app.o\n  \
        wasm2native app.wasm --emit llvm-ir -O0 -o app.ll\n  \
        wasm2native app.wasm --emit asm --cpu x86-64-v3 -o app.s"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    build: BuildArgs,
}

#[derive(Subcommand)]
enum Command {
    /// Compile a module into a native executable (cached) and run it at once.
    #[command(
        after_help = "Executables are cached in $WASM2NATIVE_CACHE_DIR, else $XDG_CACHE_HOME/wasm2native,\n\
            else $HOME/.cache/wasm2native, keyed by the module, -O, --spec, --bounds-checks,\n\
            --relaxed-simd, the host CPU and this compiler's build. The program's exit status (or\n\
            the signal that ended it) is this command's own.\n\n\
            Examples:\n  \
            wasm2native run --dir data app.wasm --verbose input.txt\n  \
            wasm2native run --invoke add math.wat 2 3"
    )]
    Run(RunArgs),
    /// Print how a compiled file (executable, object, library) was built.
    Inspect {
        /// An executable, object file, static library or shared object made by wasm2native.
        file: PathBuf,
    },
    /// Write the runtime library that objects built with --no-runtime link against.
    #[command(after_help = "Example:\n  \
        wasm2native a.wasm --emit obj --no-runtime -o a.o\n  \
        wasm2native b.wasm --emit obj --no-runtime -o b.o\n  \
        wasm2native runtime -o libwasm2native.a\n  \
        cc app.c a.o b.o libwasm2native.a -lm -lpthread")]
    Runtime {
        /// Output archive.
        #[arg(short, long, default_value = "libwasm2native.a")]
        output: PathBuf,
    },
}

/// The top-level form: compile one module.
#[derive(Args)]
pub struct BuildArgs {
    /// Input module: a .wasm binary or .wat text.
    #[arg(required = true)]
    pub input: Option<PathBuf>,
    /// Output file (default: the input's name with the extension the output kind uses).
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Kind of output.
    #[arg(long, value_enum, default_value_t = EmitKind::Exe)]
    pub emit: EmitKind,
    #[command(flatten)]
    pub code: CodeArgs,
    /// Target triple (default: the host).
    #[arg(long)]
    pub target: Option<String>,
    /// Target CPU (default: the host's CPU when compiling for the host).
    #[arg(long)]
    pub cpu: Option<String>,
    #[command(flatten)]
    pub grants: cli::grants::Grants,
    #[command(flatten)]
    pub library: LibraryArgs,
    /// Internal: compile an empty module for --target/--cpu and exit (see `check_cpu`).
    #[arg(long, hide = true)]
    pub probe_cpu: bool,
}

/// How a library build (--emit obj, staticlib or shared) is made.
#[derive(Args)]
pub struct LibraryArgs {
    /// Prefix of every symbol the library exports (default: the output file's name without
    /// `lib` and extension).
    #[arg(long, value_name = "NAME")]
    pub prefix: Option<String>,
    /// Where to write the C header (default: PREFIX.h next to the output).
    #[arg(long, value_name = "FILE")]
    pub header: Option<PathBuf>,
    /// Do not write the C header.
    #[arg(long, conflicts_with = "header")]
    pub no_header: bool,
    /// Leave the runtime out of an object (--emit obj); link it with `wasm2native runtime`.
    #[arg(long)]
    pub no_runtime: bool,
}

/// `run`: compile and run one module.
#[derive(Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub grants: cli::grants::Grants,
    /// Call export NAME (after `_initialize`, if any) instead of running the program: ARGS are
    /// its parameters and its results are printed one per line.
    #[arg(long, value_name = "NAME")]
    pub invoke: Option<OsString>,
    #[command(flatten)]
    pub code: CodeArgs,
    /// Compile afresh into a temporary directory instead of using the cache.
    #[arg(long)]
    pub no_cache: bool,
    /// Module to run: a .wasm binary or .wat text; the program's argv[0].
    #[arg(value_name = "FILE")]
    pub input: PathBuf,
    /// The program's arguments: everything after FILE, passed on untouched.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, value_name = "ARGS")]
    pub args: Vec<OsString>,
}

/// How the module's code is generated, for both forms.
#[derive(Args)]
pub struct CodeArgs {
    /// Optimisation level, -O0 to -O3.
    #[arg(short = 'O', value_name = "LEVEL", default_value_t = 2, value_parser = clap::value_parser!(u8).range(0..=3))]
    pub opt_level: u8,
    /// WebAssembly version the input may use.
    #[arg(long, value_enum, default_value_t = Spec::Latest)]
    pub spec: Spec,
    /// How loads and stores are kept inside linear memory.
    #[arg(long, value_enum, value_name = "MODE", default_value_t = Bounds::Explicit)]
    pub bounds_checks: Bounds,
    /// How relaxed SIMD instructions pick among the results the spec allows them.
    #[arg(long, value_enum, value_name = "MODE", default_value_t = Relaxed::Native)]
    pub relaxed_simd: Relaxed,
    /// Check the LLVM IR built from the module before optimising it (always on in debug
    /// builds): a compiler bug then ends in an error instead of a crash inside LLVM.
    #[arg(long)]
    pub verify_ir: bool,
    /// Leave out the debug information (line tables of Wasm offsets) the output carries by
    /// default.
    #[arg(long)]
    pub strip_debug: bool,
}

impl CodeArgs {
    /// The options of a compile of `input` (which names the file in line tables).
    pub fn options(
        &self,
        input: Option<&std::path::Path>,
        target: Option<String>,
        cpu: Option<String>,
    ) -> Options {
        let module_file = input
            .and_then(|path| path.file_name())
            .map_or("module.wasm".into(), |name| name.to_string_lossy().into_owned());
        Options {
            opt_level: [OptLevel::O0, OptLevel::O1, OptLevel::O2, OptLevel::O3]
                [self.opt_level as usize],
            target,
            cpu,
            features: match self.spec {
                Spec::Wasm1 => FeatureSet::Wasm1,
                Spec::Wasm2 => FeatureSet::Wasm2,
                Spec::Wasm3 => FeatureSet::Wasm3,
                Spec::Latest => FeatureSet::Latest,
            },
            bounds_checks: match self.bounds_checks {
                Bounds::Explicit => BoundsChecks::Explicit,
                Bounds::Guard => BoundsChecks::Guard,
            },
            relaxed_simd: match self.relaxed_simd {
                Relaxed::Native => RelaxedSimd::Native,
                Relaxed::Deterministic => RelaxedSimd::Deterministic,
            },
            show_progress: true,
            verify_ir: self.verify_ir || cfg!(debug_assertions),
            line_tables: (!self.strip_debug).then_some(module_file),
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
pub enum EmitKind {
    /// A native executable running the module's `_start`.
    Exe,
    /// A relocatable object: the module, its C API and (unless --no-runtime) a private runtime.
    Obj,
    /// A static library (libNAME.a): the module, its C API and a private runtime.
    Staticlib,
    /// A shared object (libNAME.so) exporting only the module's C API.
    Shared,
    /// LLVM IR text, after optimisation.
    LlvmIr,
    /// Assembly text.
    Asm,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Bounds {
    /// Compare every access with the memory's size.
    Explicit,
    /// Leave bounds to a guard reservation of 8 GiB per memory and the runtime's fault handler:
    /// faster loads and stores, on 64-bit targets only.
    Guard,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Relaxed {
    /// The target's fastest instruction for each: fused multiply-add where the CPU has FMA,
    /// pshufb, blendv, cvttps2dq, ... on x86-64; results may differ between hosts.
    Native,
    /// The same bits on every host: each as the standard SIMD instruction it relaxes, the
    /// multiply-adds fused.
    Deterministic,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Spec {
    Wasm1,
    Wasm2,
    /// Wasm 3.0, validated exactly: its GC is refused, naming the proposal.
    Wasm3,
    /// Everything this compiler implements: Wasm 3.0 but GC, plus the legacy exception
    /// instructions.
    Latest,
}

fn main() {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Some(Command::Run(args)) => cli::run::run(args).map(|never| match never {}),
        Some(Command::Inspect { file }) => cli::inspect::inspect(&file),
        Some(Command::Runtime { output }) => {
            wasm2native::library::write_runtime_library(&output).map_err(|e| e.to_string())
        }
        None => cli::build::build(cli.build),
    };
    let status = match outcome {
        Ok(()) => 0,
        Err(message) => {
            eprintln!("wasm2native: error: {message}");
            1
        }
    };
    exit_now(status)
}

/// Ends the process with `status` once stdout is flushed, without running the destructors of
/// LLVM's static objects (command-line options, pass registries): they only free memory, which
/// takes time every compile would pay. Every output file is complete and closed by now,
/// and temporary files were removed when their owners were dropped.
fn exit_now(status: i32) -> ! {
    use std::io::Write;
    let _ = std::io::stdout().flush();
    wasm2native::report_pass_statistics();
    extern "C" {
        fn _exit(status: i32) -> !;
    }
    // SAFETY: `_exit` ends the process at once; nothing after this point relies on cleanup.
    unsafe { _exit(status) }
}
