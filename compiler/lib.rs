//! wasm2native: an ahead-of-time compiler from WebAssembly to native code through LLVM.
//!
//! `compile` turns a module (binary or text) into a relocatable object that defines the module
//! descriptor of `abi::MODULE_SYMBOL`; `link` turns that object into an executable (with the
//! runtime library embedded in this crate) or a shared object to load into a process that already
//! carries the runtime (`runtime`).

pub mod abi;
mod codegen;
pub mod error;
pub mod frontend;
pub mod link;
pub mod runtime;
mod translate;

pub use error::CompileError;
pub use frontend::FeatureSet;

/// LLVM optimisation level (`-O0` .. `-O3`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum OptLevel {
    O0,
    O1,
    #[default]
    O2,
    O3,
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
    let context = inkwell::context::Context::create();
    let module = translate::translate_module(&context, &info)?;
    codegen::emit(&module, options, emit)
}
