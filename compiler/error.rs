//! Compile errors: one type with a kind, a message and the byte offset in the module.

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The input is neither a Wasm binary nor text.
    NotWasm,
    /// The text format did not parse.
    Text,
    /// The binary is malformed or the module is invalid (wasmparser's verdict).
    Invalid,
    /// Valid Wasm that uses something this compiler does not handle.
    Unsupported,
    /// LLVM refused something (a compiler bug, reported instead of aborting).
    Backend,
    /// The system linker, run while compiling (to merge the parts of a parallel compile),
    /// failed or wrote nothing.
    Link,
}

#[derive(Clone, Debug)]
pub struct CompileError {
    pub kind: ErrorKind,
    pub message: String,
    /// Byte offset in the module binary, where one is known.
    pub offset: Option<u64>,
}

impl CompileError {
    pub fn new(kind: ErrorKind, message: impl Into<String>, offset: Option<u64>) -> Self {
        CompileError { kind, message: message.into(), offset }
    }
    pub fn unsupported(message: impl Into<String>, offset: u64) -> Self {
        Self::new(ErrorKind::Unsupported, message, Some(offset))
    }
    pub fn backend(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Backend, message, None)
    }
}

impl fmt::Display for CompileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            ErrorKind::NotWasm => "not a WebAssembly module",
            ErrorKind::Text => "text format error",
            ErrorKind::Invalid => "invalid module",
            ErrorKind::Unsupported => "unsupported",
            ErrorKind::Backend => "internal compiler error",
            ErrorKind::Link => "linking",
        };
        match self.offset {
            Some(offset) => write!(f, "{what} at byte offset {offset:#x}: {}", self.message),
            None => write!(f, "{what}: {}", self.message),
        }
    }
}

impl std::error::Error for CompileError {}

impl From<wasmparser::BinaryReaderError> for CompileError {
    fn from(e: wasmparser::BinaryReaderError) -> Self {
        CompileError::new(ErrorKind::Invalid, e.message().to_string(), Some(e.offset()))
    }
}

impl From<inkwell::builder::BuilderError> for CompileError {
    fn from(e: inkwell::builder::BuilderError) -> Self {
        CompileError::backend(format!("LLVM builder: {e}"))
    }
}
