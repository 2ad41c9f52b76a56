//! From an LLVM module to bytes: target selection, the optimisation pipeline and emission.

use crate::error::CompileError;
use crate::pipeline;
use crate::translate::{RelaxedLowering, X86Features};
use crate::{BoundsChecks, Emit, OptLevel, Options, RelaxedSimd};
use inkwell::module::Module;
use inkwell::passes::PassBuilderOptions;
use inkwell::targets::{
    CodeModel, FileType, InitializationConfig, RelocMode, Target, TargetMachine, TargetTriple,
};
use inkwell::OptimizationLevel;
use std::sync::Once;

fn initialize_targets() {
    static INIT: Once = Once::new();
    INIT.call_once(|| {
        // Only the architectures `target_machine_at` accepts (see the inkwell features).
        Target::initialize_x86(&InitializationConfig::default());
        Target::initialize_aarch64(&InitializationConfig::default());
        set_llvm_options(LLVM_OPTIONS);
        // SAFETY: plain settings calls, made once before any pass runs.
        unsafe { w2n_configure_pass_diagnostics(std::env::var_os(PASS_DEBUG_VARIABLE).is_some()) };
    });
}

/// Set, these make the compiler's own loop passes (compiler/passes/) print their LLVM_DEBUG
/// trace as they run, and their counters (STATISTIC) when the compiler ends.
pub const PASS_DEBUG_VARIABLE: &str = "WASM2NATIVE_PASS_DEBUG";
pub const PASS_STATISTICS_VARIABLE: &str = "WASM2NATIVE_PASS_STATISTICS";

/// Prints the loop passes' counters on stderr when `PASS_STATISTICS_VARIABLE` asks for them.
pub fn report_pass_statistics() {
    if std::env::var_os(PASS_STATISTICS_VARIABLE).is_some() {
        // SAFETY: reads the counters, which the passes update atomically.
        unsafe { w2n_report_pass_statistics() }
    }
}

/// LLVM settings for every compile, set once per process before any code is generated:
/// - x86 domain reassignment (moving integer work to mask registers) takes time quadratic in a
///   function's size (a large function body spent most of its compile there: docs/architecture.md,
///   measurements), and it makes ordinary code no faster.
const LLVM_OPTIONS: &[&str] = &["-disable-x86-domain-reassignment"];

/// Hands `options` to LLVM's command-line parser, as if given to `llc`.
fn set_llvm_options(options: &[&str]) {
    let arguments: Vec<std::ffi::CString> = std::iter::once("wasm2native")
        .chain(options.iter().copied())
        .filter_map(|argument| std::ffi::CString::new(argument).ok())
        .collect();
    let pointers: Vec<*const std::os::raw::c_char> =
        arguments.iter().map(|argument| argument.as_ptr()).collect();
    // SAFETY: `pointers` holds NUL-terminated strings that outlive the call; the parser runs
    // once, before any other LLVM work of this process, as it requires.
    unsafe {
        inkwell::llvm_sys::support::LLVMParseCommandLineOptions(
            pointers.len() as i32,
            pointers.as_ptr(),
            std::ptr::null(),
        )
    };
}

/// The target machine `options` ask for: the host (CPU and features included) unless a triple
/// or CPU is given.
pub fn target_machine(options: &Options) -> Result<TargetMachine, CompileError> {
    target_machine_at(options, options.opt_level)
}

/// The inline-assembly constraint naming a vector register of the target `options` compile for
/// (x86-64 or AArch64, which `target_machine_at` enforces).
pub fn vector_register_constraint(options: &Options) -> &'static str {
    let triple = match &options.target {
        Some(triple) => triple.clone(),
        None => TargetMachine::get_default_triple().as_str().to_string_lossy().into_owned(),
    };
    if triple.starts_with("aarch64") {
        "w"
    } else {
        "x"
    }
}

/// How relaxed SIMD is lowered for `options`: as the standard operators when asked for
/// deterministic results, else as the target's own instructions, those its CPU has.
pub fn relaxed_simd_lowering(options: &Options) -> Result<RelaxedLowering, CompileError> {
    if options.relaxed_simd == RelaxedSimd::Deterministic {
        return Ok(RelaxedLowering::Deterministic);
    }
    let machine = target_machine(options)?;
    if machine.get_triple().as_str().to_string_lossy().starts_with("aarch64") {
        return Ok(RelaxedLowering::AArch64);
    }
    let has = |features: &str| has_features(&machine, features);
    Ok(RelaxedLowering::X86(X86Features {
        ssse3: has("+ssse3"),
        sse41: has("+sse4.1"),
        fma: has("+fma"),
        avx512vl: has("+avx512f,+avx512vl"),
        vnni: has("+avxvnni") || has("+avx512vnni,+avx512vl"),
    }))
}

/// Whether `machine`'s CPU has every feature of `features` (`+ssse3,+sse4.1`), those its CPU
/// name implies included.
fn has_features(machine: &TargetMachine, features: &str) -> bool {
    let Ok(features) = std::ffi::CString::new(features) else { return false };
    // SAFETY: `machine` is a live target machine and `features` a NUL-terminated string, both
    // only read during the call.
    unsafe { w2n_target_has_features(machine.as_mut_ptr(), features.as_ptr()) }
}

/// As `target_machine`, generating machine code at `level`.
fn target_machine_at(options: &Options, level: OptLevel) -> Result<TargetMachine, CompileError> {
    initialize_targets();
    let host_triple = TargetMachine::get_default_triple();
    let triple = match &options.target {
        Some(t) => TargetTriple::create(t),
        None => TargetMachine::get_default_triple(),
    };
    let is_host = triple == host_triple;
    // Compiled functions find their frame through `llvm.addressofreturnaddress` (see the stack
    // check in `translate::func`), which LLVM lowers for these two architectures only.
    let triple_name = triple.as_str().to_string_lossy().into_owned();
    if !["x86_64", "aarch64"].contains(&triple_name.split('-').next().unwrap_or("")) {
        return Err(CompileError::new(
            crate::error::ErrorKind::Unsupported,
            format!("target {triple_name}: wasm2native compiles for x86_64 and aarch64 only"),
            None,
        ));
    }
    let target = Target::from_triple(&triple).map_err(|e| {
        CompileError::new(crate::error::ErrorKind::Unsupported, format!("target: {e}"), None)
    })?;
    let (cpu, mut features) = match (&options.cpu, is_host) {
        (Some(cpu), _) => (cpu.clone(), String::new()),
        (None, true) => (
            TargetMachine::get_host_cpu_name().to_string(),
            TargetMachine::get_host_cpu_features().to_string_lossy().into_owned(),
        ),
        (None, false) => ("generic".to_string(), String::new()),
    };
    // Every Wasm load is an offset from one memory base, so the vectorisers see table lookups
    // as gathers; on x86 those are slower than the scalar loads they replace (a CRC-32 with
    // slicing-by-8 ran 3x slower), so x86 code is tuned not to form them, as native builds do.
    if triple.as_str().to_str().is_ok_and(|t| t.starts_with("x86_64") || t.starts_with("i686")) {
        let tuning = "+prefer-no-gather,+prefer-no-scatter";
        features =
            if features.is_empty() { tuning.to_string() } else { format!("{features},{tuning}") };
    }
    let level = match level {
        OptLevel::O0 => OptimizationLevel::None,
        OptLevel::O1 => OptimizationLevel::Less,
        OptLevel::O2 => OptimizationLevel::Default,
        OptLevel::O3 => OptimizationLevel::Aggressive,
    };
    target
        .create_target_machine(&triple, &cpu, &features, level, RelocMode::PIC, CodeModel::Default)
        .ok_or_else(|| {
            CompileError::new(
                crate::error::ErrorKind::Unsupported,
                format!("no target machine for CPU {cpu:?}"),
                None,
            )
        })
}

extern "C" {
    /// The stage before the standard pipeline at -O2 and -O3 (passes/checked_loops.cpp): loop
    /// versioning on bounds checks, then loop splitting where checks remain in loops.
    fn w2n_optimise_checked_loops(
        module: inkwell::llvm_sys::prelude::LLVMModuleRef,
        machine: inkwell::llvm_sys::target_machine::LLVMTargetMachineRef,
        guard_pages: bool,
    );
    /// Whether a target machine has all of a list of features (passes/subtarget.cpp).
    fn w2n_target_has_features(
        machine: inkwell::llvm_sys::target_machine::LLVMTargetMachineRef,
        features: *const std::ffi::c_char,
    ) -> bool;
    /// The loop passes' LLVM_DEBUG trace and counters (passes/checked_loops.cpp).
    fn w2n_configure_pass_diagnostics(debug: bool);
    fn w2n_report_pass_statistics();
}

/// Whether a part compiled with `options` whose largest function body is
/// `largest_function_bytes` gets its loops versioned and split on their bounds checks (see
/// `w2n_optimise_checked_loops`).
pub fn versions_loops(options: &Options, largest_function_bytes: usize) -> bool {
    options.opt_level >= OptLevel::O2 && !is_huge(largest_function_bytes)
}

/// Function bodies above this size are optimised as at -O1 at most and get their machine code
/// generated as at -O0: at -O2, constraint elimination, alias queries, instruction scheduling
/// and two-address rewriting take time quadratic in a block's size, while these settings stay
/// close to linear (docs/architecture.md, "Compiling on all cores", has the figures).
pub const HUGE_FUNCTION_BYTES: usize = 64 * 1024;

/// Whether a part whose largest function body is `largest_function_bytes` is compiled with the
/// settings for huge functions (see `HUGE_FUNCTION_BYTES`).
fn is_huge(largest_function_bytes: usize) -> bool {
    largest_function_bytes > HUGE_FUNCTION_BYTES
}

/// The level machine code is generated at for a part whose largest function body is
/// `largest_function_bytes` (see `HUGE_FUNCTION_BYTES`).
pub fn machine_code_level(options: &Options, largest_function_bytes: usize) -> OptLevel {
    match is_huge(largest_function_bytes) {
        true => OptLevel::O0,
        false => options.opt_level,
    }
}

/// Verifies (when asked), optimises and emits `module`; `largest_function_bytes` is the size of
/// its largest function body in Wasm (see `HUGE_FUNCTION_BYTES`).
pub fn emit(
    module: &Module<'_>,
    options: &Options,
    emit: Emit,
    largest_function_bytes: usize,
) -> Result<Vec<u8>, CompileError> {
    let ir_level = match is_huge(largest_function_bytes) {
        true => options.opt_level.min(OptLevel::O1),
        false => options.opt_level,
    };
    let machine = target_machine_at(options, machine_code_level(options, largest_function_bytes))?;
    module.set_triple(&machine.get_triple());
    module.set_data_layout(&machine.get_target_data().get_data_layout());
    if options.verify_ir {
        module
            .verify()
            .map_err(|e| CompileError::backend(format!("invalid LLVM IR: {}", e.to_string())))?;
    }
    let guard_pages = options.bounds_checks == BoundsChecks::Guard;
    let versions_loops = versions_loops(options, largest_function_bytes);
    // With guard pages, a vector access faulting part-way past the end of memory would leave
    // undone the stores of its lanes that fit; the versioning stage lets only loops proven in
    // bounds be vectorised, and without it none is.
    let vectorise_loops = !guard_pages || versions_loops;
    let run = |pipeline: &str| {
        let pass_options = PassBuilderOptions::create();
        pass_options.set_loop_vectorization(vectorise_loops);
        module
            .run_passes(pipeline, &machine, pass_options)
            .map_err(|e| CompileError::backend(format!("optimisation: {}", e.to_string())))
    };
    if versions_loops {
        // SAFETY: `module` and `machine` are valid and not in use elsewhere while the stage runs.
        unsafe {
            w2n_optimise_checked_loops(module.as_mut_ptr(), machine.as_mut_ptr(), guard_pages)
        };
    }
    // -O0 runs no IR pass: its pipeline only inlines `alwaysinline` functions, which the
    // translator never makes, and looking for them scans every instruction.
    match ir_level {
        OptLevel::O0 => {}
        OptLevel::O1 => run("default<O1>")?,
        OptLevel::O2 => run(&pipeline::o2(vectorise_loops))?,
        OptLevel::O3 => run("default<O3>")?,
    }
    let buffer = match emit {
        Emit::LlvmIr => return Ok(module.print_to_string().to_bytes().to_vec()),
        Emit::Object => machine.write_to_memory_buffer(module, FileType::Object),
        Emit::Assembly => machine.write_to_memory_buffer(module, FileType::Assembly),
    };
    let buffer =
        buffer.map_err(|e| CompileError::backend(format!("code generation: {}", e.to_string())))?;
    Ok(buffer.as_slice().to_vec())
}
