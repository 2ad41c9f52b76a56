//! Rust embedding of the C runtime linked into this crate (`runtime-lib/`): load a compiled
//! module's shared object, instantiate it against imports chosen by a resolver, call its exports
//! and read its globals and memories, and provide host functions, globals, tables and memories.
//!
//! `ffi` mirrors `runtime-lib/include/wasm2native.h` field for field; everything above it is safe
//! to use. Ownership: every handle (`Func`, `Table`, `Memory`, `Global`) keeps its owner alive (the
//! instance that exported it, or the host allocation behind it), and an instance keeps alive every
//! handle bound to its imports and the shared object its code lives in. Raw references that leave
//! this API as `Value::FuncRef` carry no ownership: they are valid while their instance lives.
//!
//! The parts: `ffi` (the runtime's functions, and the C types of crate::abi::c), `value` (values
//! and signatures), `error` (what can go
//! wrong, each a type of its own), `module` (a loaded module and its descriptor), `externs`
//! (functions, tables, memories, globals) and `instance`.

mod error;
mod exception;
mod externs;
pub mod ffi;
mod instance;
mod module;
mod value;

pub use error::{AccessError, CallError, InstantiationError, LoadError, Trap};
pub use exception::{host_throw, Exception};
pub use externs::{Extern, Func, Global, Memory, Table, Tag};
pub use instance::{host_trap, Instance};
pub use module::{ExportDesc, ImportDesc, LoadedModule};
pub use value::{Signature, Value};

use crate::abi::ExternKind;
use error::empty_result;
use std::ffi::{c_char, CStr, CString};

/// Reads a name of the descriptor, `len` bytes of UTF-8; `None` for a null pointer.
///
/// # Safety
/// `text` is null or valid for `len` bytes that outlive the returned borrow.
unsafe fn name_str<'a>(text: *const c_char, len: u32) -> Option<&'a str> {
    if text.is_null() {
        return None;
    }
    // SAFETY: guaranteed by the caller.
    let bytes = unsafe { std::slice::from_raw_parts(text.cast::<u8>(), len as usize) };
    std::str::from_utf8(bytes).ok()
}

/// Reads a C string of the descriptor; `None` for a null pointer.
///
/// # Safety
/// `text` is null or points to a NUL-terminated string that outlives the returned borrow.
unsafe fn c_str<'a>(text: *const c_char) -> Option<&'a str> {
    if text.is_null() {
        return None;
    }
    // The compiler writes names from validated (UTF-8) Wasm; anything else reads as absent.
    unsafe { CStr::from_ptr(text) }.to_str().ok()
}

/// The spec's message for a trap code, from the runtime.
pub fn trap_message(code: u32) -> String {
    // SAFETY: the runtime returns a static string (or null for codes it does not know).
    unsafe { c_str(ffi::w2n_trap_message(code)) }.unwrap_or("unknown trap").to_string()
}

/// Interns a signature string to the process-wide type id compiled code compares.
pub fn intern_signature(signature: &str) -> Option<u32> {
    let text = CString::new(signature).ok()?;
    // SAFETY: `text` is a valid C string for the duration of the call.
    Some(unsafe { ffi::w2n_intern_signature(text.as_ptr()) })
}

fn extern_kind(raw: u32) -> Option<ExternKind> {
    match raw {
        0 => Some(ExternKind::Func),
        1 => Some(ExternKind::Table),
        2 => Some(ExternKind::Memory),
        3 => Some(ExternKind::Global),
        4 => Some(ExternKind::Tag),
        _ => None,
    }
}
