//! wasm2native: an ahead-of-time compiler from WebAssembly to native code through LLVM.
//!
//! `compile` turns a module (binary or text) into a relocatable object that defines the module
//! descriptor of `abi::MODULE_SYMBOL`; `link` turns that object into an executable (with the
//! runtime library embedded in this crate) or a shared object to load into a process that already
//! carries the runtime (`runtime`).

pub mod abi;
pub mod error;
pub mod link;
pub mod runtime;

pub use error::CompileError;

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
    let _ = (input, options, emit);
    Err(CompileError::unsupported("compiler not written yet", 0))
}
