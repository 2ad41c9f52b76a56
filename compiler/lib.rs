//! wasm2native: an ahead-of-time compiler from WebAssembly to native code through LLVM.
//!
//! `compile` turns a module (binary or text) into a relocatable object that defines the module
//! descriptor of `abi::MODULE_SYMBOL`; `link` turns that object into an executable (with the
//! runtime library embedded in this crate) or a shared object to load into a process that already
//! carries the runtime (`runtime`).

pub mod abi;
pub mod capi;
mod codegen;
mod contract;
pub mod error;
pub mod frontend;
pub mod library;
pub mod link;
mod parallel;
mod pipeline;
mod progress;
mod source_debug;
use source_debug::SourceDebug;
mod proposals;
mod symbols;
pub use proposals::used as proposals_used;
pub mod runtime;
mod throws;
mod translate;

pub use codegen::report_pass_statistics;
pub use error::CompileError;
pub use frontend::FeatureSet;

/// LLVM optimisation level (`-O0` .. `-O3`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum OptLevel {
    O0,
    O1,
    #[default]
    O2,
    O3,
}

/// How loads and stores are kept inside linear memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum BoundsChecks {
    /// Every access compares its end with the memory's size and traps past it.
    #[default]
    Explicit,
    /// Every memory sits in a reservation of 4 GiB plus `abi::MEMORY_GUARD_BYTES` of
    /// inaccessible address space, so an access whose static offset and size fit in the guard
    /// needs no check: past the memory's size it faults, and the runtime's fault handler turns
    /// that into the trap. Needs a 64-bit target.
    Guard,
}

impl BoundsChecks {
    /// The name in `--bounds-checks` and in the build record.
    pub fn name(self) -> &'static str {
        match self {
            BoundsChecks::Explicit => "explicit",
            BoundsChecks::Guard => "guard",
        }
    }
}

/// How relaxed SIMD instructions (`f32x4.relaxed_madd`, `i8x16.relaxed_swizzle`, ...) pick
/// among the results the spec allows them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum RelaxedSimd {
    /// Each as the target's fastest instruction for it computes (docs/semantics.md#relaxed-simd).
    #[default]
    Native,
    /// The same bits on every target: each as the standard instruction it relaxes, the
    /// multiply-adds fused, the dot products signed.
    Deterministic,
}

impl RelaxedSimd {
    /// The name in `--relaxed-simd` and in the build record.
    pub fn name(self) -> &'static str {
        match self {
            RelaxedSimd::Native => "native",
            RelaxedSimd::Deterministic => "deterministic",
        }
    }
}

/// What to compile for and how.
#[derive(Clone, Debug, Default)]
pub struct Options {
    pub opt_level: OptLevel,
    /// Target triple; `None` is the host.
    pub target: Option<String>,
    /// Target CPU name; `None` is the host CPU when the target is the host.
    pub cpu: Option<String>,
    /// Which WebAssembly version the input may use.
    pub features: FeatureSet,
    pub bounds_checks: BoundsChecks,
    pub relaxed_simd: RelaxedSimd,
    /// Show `compiling: DONE/TOTAL functions` on stderr while compiling, when stderr is a
    /// terminal and the compile has run for more than a second.
    pub show_progress: bool,
    /// Check the LLVM IR the translator built before optimising it, so that a translator bug
    /// is an error rather than a crash or wrong code inside LLVM. It costs a few percent of a
    /// -O0 compile (docs/architecture.md); debug builds, the tests and the fuzzers turn it on.
    pub verify_ir: bool,
    /// Line tables mapping the code to Wasm offsets, shown as the lines of a file of this name
    /// (`translate/debug_lines.rs`); `None` leaves them out.
    pub line_tables: Option<String>,
}

/// The kinds of output `compile` can produce.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Emit {
    Object,
    Assembly,
    LlvmIr,
}

/// Compiles a Wasm module (binary, or text when it does not start with the binary magic) into
/// the requested output, as bytes.
pub fn compile(input: &[u8], options: &Options, emit: Emit) -> Result<Vec<u8>, CompileError> {
    let binary = frontend::to_binary(input)?;
    let info = frontend::parse(&binary, options.features)?;
    let source = source_debug(&info, options);
    let record = build_record(&binary, options, None, source.as_ref())?;
    parallel::compile_module(&info, &record, options, emit, None, source.as_ref())
}

/// Compiles a Wasm module into relocatable objects, one per part compiled in parallel (see
/// `parallel`), for linking into an executable: the linker takes them together, which saves
/// merging them first.
pub fn compile_objects(input: &[u8], options: &Options) -> Result<Vec<Vec<u8>>, CompileError> {
    let binary = frontend::to_binary(input)?;
    let info = frontend::parse(&binary, options.features)?;
    let source = source_debug(&info, options);
    let record = build_record(&binary, options, None, source.as_ref())?;
    parallel::compile_parts(&info, &record, options, Emit::Object, None, source.as_ref())
}

/// A module compiled for linking into C: the object with its API, and what describes that API.
pub struct CompiledLibrary {
    /// Relocatable object defining the module and the `PREFIX_*` API; it references the runtime.
    pub object: Vec<u8>,
    /// The C header declaring the API.
    pub header: String,
    /// The symbols the API defines: the only ones a library built from `object` exports.
    pub api_symbols: Vec<String>,
}

/// Compiles a module with the C API of prefix `prefix` (see `capi`); `source` names the module in
/// the header's opening comment.
pub fn compile_library(
    input: &[u8],
    options: &Options,
    prefix: &str,
    source: &str,
) -> Result<CompiledLibrary, CompileError> {
    if !capi::valid_prefix(prefix) {
        return Err(CompileError::new(
            error::ErrorKind::Unsupported,
            format!("prefix {prefix:?} is not a C identifier (letters, digits and _, not starting with a digit)"),
            None,
        ));
    }
    let binary = frontend::to_binary(input)?;
    let info = frontend::parse(&binary, options.features)?;
    let surface = capi::Surface::new(&info, prefix);
    let module_dwarf = source_debug(&info, options);
    let record = build_record(&binary, options, Some(prefix), module_dwarf.as_ref())?;
    let object = parallel::compile_module(
        &info,
        &record,
        options,
        Emit::Object,
        Some(&surface),
        module_dwarf.as_ref(),
    )?;
    Ok(CompiledLibrary {
        object,
        header: capi::header::render(&surface, source),
        api_symbols: surface.defined_symbols(),
    })
}

/// The module's own DWARF, read when the output gets line tables and the module has it.
fn source_debug(info: &frontend::ModuleInfo<'_>, options: &Options) -> Option<SourceDebug> {
    options.line_tables.as_ref()?;
    source_debug::read(info)
}

/// The build record every artifact carries (see `abi::BUILD_INFO_SECTION`): one `key: value`
/// per line, enough to tell exactly what code ran. Fails when the target cannot run the
/// requested bounds checks.
fn build_record(
    binary: &[u8],
    options: &Options,
    prefix: Option<&str>,
    source: Option<&SourceDebug>,
) -> Result<String, CompileError> {
    let machine = codegen::target_machine(options)?;
    // A guard reservation spans 8 GiB of address space, which only 64-bit pointers reach.
    if options.bounds_checks == BoundsChecks::Guard
        && machine.get_target_data().get_pointer_byte_size(None) < 8
    {
        return Err(CompileError::new(
            error::ErrorKind::Unsupported,
            format!(
                "--bounds-checks=guard needs a 64-bit target, not {}",
                machine.get_triple().as_str().to_string_lossy()
            ),
            None,
        ));
    }
    let (major, minor, patch) = inkwell::support::get_llvm_version();
    let features = match options.features {
        FeatureSet::Wasm1 => "wasm1",
        FeatureSet::Wasm2 => "wasm2 (bulk memory, reference types, multi-value, SIMD, ...)",
        FeatureSet::Wasm3 => "wasm3 (GC refused)",
        FeatureSet::Latest => {
            "latest (wasm3 without GC: tail calls, typed function references, memory64, relaxed \
             SIMD, exception handling and its legacy instructions, multi-memory, extended \
             constants, ...)"
        }
    };
    let proposals = match proposals::used(binary)?.join(", ") {
        used if used.is_empty() => "none (Wasm 1.0)".to_string(),
        used => used,
    };
    // FNV-1a: a stable fingerprint of the input, to match an artifact with its module.
    let fingerprint = binary.iter().fold(0xcbf2_9ce4_8422_2325u64, |hash, byte| {
        (hash ^ *byte as u64).wrapping_mul(0x100_0000_01b3)
    });
    let mut record = format!(
        "wasm2native build\ncompiler: wasm2native {}\nllvm: {major}.{minor}.{patch}\ntarget: {}\ncpu: {}\n\
         cpu-features: {}\nopt-level: {:?}\nbounds-checks: {}\nfeatures: {features}\n\
         relaxed-simd: {}\nmodule: {} bytes, fnv1a-64 {fingerprint:016x}\nproposals: {proposals}\n",
        env!("CARGO_PKG_VERSION"),
        machine.get_triple().as_str().to_string_lossy(),
        machine.get_cpu().to_string_lossy(),
        enabled_features(&machine.get_feature_string().to_string_lossy()),
        options.opt_level,
        options.bounds_checks.name(),
        options.relaxed_simd.name(),
        binary.len(),
    );
    record.push_str(match (&options.line_tables, source, options.opt_level) {
        (None, ..) => "debug-info: none\n",
        (Some(_), None, _) => "debug-info: line tables (Wasm offsets), function names\n",
        (Some(_), Some(_), OptLevel::O0) => {
            "debug-info: source lines from module DWARF (Wasm offsets where it has none), \
             functions, inlined calls, local variables\n"
        }
        (Some(_), Some(_), _) => {
            "debug-info: source lines from module DWARF (Wasm offsets where it has none), \
             functions, inlined calls\n"
        }
    });
    if let Some(prefix) = prefix {
        record.push_str(&format!("prefix: {prefix}\n"));
    }
    Ok(record)
}

/// The `+feature` entries of an LLVM feature string, sorted: what the code may use.
fn enabled_features(features: &str) -> String {
    let mut enabled: Vec<&str> = features.split(',').filter_map(|f| f.strip_prefix('+')).collect();
    enabled.sort_unstable();
    if enabled.is_empty() {
        "(the CPU's defaults)".to_string()
    } else {
        enabled.join(",")
    }
}
