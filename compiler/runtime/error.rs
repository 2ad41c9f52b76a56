//! What can go wrong: traps, calls, instantiation, loading.

use super::ffi;
use std::fmt;
use std::path::PathBuf;

/// A trap reported by the runtime (or a WASI exit, which travels the same way).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trap {
    /// A `w2n_trap_code` value.
    pub code: u32,
    pub message: String,
    /// The exit status when `code` is `W2N_TRAP_EXIT`.
    pub exit_status: i32,
    /// The exception, when one left the call (`W2N_TRAP_UNCAUGHT_EXCEPTION`).
    pub exception: Option<super::Exception>,
}

impl Trap {
    pub(super) fn from_result(result: &ffi::w2n_result) -> Trap {
        Trap {
            code: result.trap,
            message: result_message(result),
            exit_status: result.exit_status,
            // SAFETY: the runtime's exception stays valid until the next one on this thread.
            exception: unsafe { super::Exception::read(result.exception) },
        }
    }

    pub fn is_exit(&self) -> bool {
        self.code == crate::abi::TrapCode::Exit as u32
    }
}

impl fmt::Display for Trap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Trap {}

/// Why a call did not produce results.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CallError {
    /// The instance has no function export of that name.
    UnknownExport(String),
    /// The arguments do not match the function's signature (or the signature is unreadable).
    Signature(String),
    Trap(Trap),
}

impl fmt::Display for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CallError::UnknownExport(name) => write!(f, "unknown function export {name:?}"),
            CallError::Signature(message) => write!(f, "signature mismatch: {message}"),
            CallError::Trap(trap) => write!(f, "trap: {trap}"),
        }
    }
}

impl std::error::Error for CallError {}

/// Why instantiation failed: imports that do not link, or a trap while initialising.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InstantiationError {
    Link(String),
    Trap(Trap),
}

impl fmt::Display for InstantiationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InstantiationError::Link(message) => write!(f, "link error: {message}"),
            InstantiationError::Trap(trap) => write!(f, "trap: {trap}"),
        }
    }
}

impl std::error::Error for InstantiationError {}

/// Why a memory, table or global refused what the embedder asked of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AccessError {
    /// Bytes [offset, offset + len) are not all inside the memory's `size` bytes.
    OutOfBounds { offset: u64, len: u64, size: u64 },
    /// No element `index` in a table of `size` elements.
    NoElement { index: u32, size: u32 },
    /// A write to an immutable global.
    Immutable,
    /// A value of type `found` for a global of type `expected` (signature characters).
    WrongType { expected: u8, found: u8 },
    /// The runtime could not allocate a host memory or table.
    OutOfMemory,
}

impl fmt::Display for AccessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AccessError::OutOfBounds { offset, len, size } => {
                write!(f, "bytes {offset}..{offset}+{len} are outside a memory of {size} bytes")
            }
            AccessError::NoElement { index, size } => {
                write!(f, "no element {index} in a table of {size}")
            }
            AccessError::Immutable => f.write_str("the global is immutable"),
            AccessError::WrongType { expected, found } => write!(
                f,
                "a value of type {} for a global of type {}",
                *found as char, *expected as char
            ),
            AccessError::OutOfMemory => f.write_str("out of memory"),
        }
    }
}

impl std::error::Error for AccessError {}

/// A module's shared object could not be used.
#[derive(Clone, Debug)]
pub struct LoadError {
    pub path: PathBuf,
    pub message: String,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot load {}: {}", self.path.display(), self.message)
    }
}

impl std::error::Error for LoadError {}

pub(super) fn result_message(result: &ffi::w2n_result) -> String {
    let bytes: Vec<u8> = result.message.iter().take_while(|&&c| c != 0).map(|&c| c as u8).collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

pub(super) fn empty_result() -> ffi::w2n_result {
    ffi::w2n_result {
        trap: ffi::W2N_TRAP_NONE,
        exit_status: 0,
        message: [0; 256],
        exception: std::ptr::null(),
        fault: Default::default(),
        frames: std::ptr::null(),
        num_frames: 0,
        frames_truncated: 0,
    }
}
