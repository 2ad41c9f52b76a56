//! Values as the embedding sees them, and signature strings.

use super::{ffi, CallError};
use crate::abi;
use std::ffi::c_void;
use std::mem::size_of;
use std::ptr::{self, NonNull};

/// A Wasm value as the embedding sees it. Floats are kept as bits so NaN payloads survive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Value {
    I32(i32),
    I64(i64),
    F32(u32),
    F64(u64),
    V128(u128),
    /// A `w2n_funcref`, valid while the instance (or host object) that made it lives.
    FuncRef(Option<NonNull<ffi::w2n_funcref>>),
    /// The host's opaque pointer; `None` is `ref.null extern`.
    ExternRef(Option<NonNull<c_void>>),
    /// A `w2n_exception`, valid while the exception lives (see docs/exceptions.md); `None` is
    /// `ref.null exn`.
    ExnRef(Option<NonNull<c_void>>),
}

impl Value {
    /// Whether this is a null reference.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::FuncRef(None) | Value::ExternRef(None) | Value::ExnRef(None))
    }

    /// The signature character (`W2N_TYPE_*`) of this value's type.
    pub fn type_char(&self) -> u8 {
        match self {
            Value::I32(_) => abi::type_char::I32,
            Value::I64(_) => abi::type_char::I64,
            Value::F32(_) => abi::type_char::F32,
            Value::F64(_) => abi::type_char::F64,
            Value::V128(_) => abi::type_char::V128,
            Value::FuncRef(_) => abi::type_char::FUNCREF,
            Value::ExternRef(_) => abi::type_char::EXTERNREF,
            Value::ExnRef(_) => abi::type_char::EXNREF,
        }
    }

    pub(crate) fn to_slot(self) -> ffi::w2n_value {
        // Written as bytes (floats too: a float register move may quiet a signalling NaN).
        let mut bytes = [0u8; 16];
        let pointer = |p: *mut c_void| (p as usize).to_le_bytes();
        match self {
            Value::I32(v) => bytes[..4].copy_from_slice(&v.to_le_bytes()),
            Value::I64(v) => bytes[..8].copy_from_slice(&v.to_le_bytes()),
            Value::F32(bits) => bytes[..4].copy_from_slice(&bits.to_le_bytes()),
            Value::F64(bits) => bytes[..8].copy_from_slice(&bits.to_le_bytes()),
            Value::V128(v) => bytes = v.to_le_bytes(),
            Value::FuncRef(r) => {
                let p = r.map_or(ptr::null_mut(), |p| p.as_ptr().cast());
                bytes[..size_of::<usize>()].copy_from_slice(&pointer(p));
            }
            Value::ExternRef(r) | Value::ExnRef(r) => {
                let p = r.map_or(ptr::null_mut(), |p| p.as_ptr());
                bytes[..size_of::<usize>()].copy_from_slice(&pointer(p));
            }
        }
        ffi::w2n_value { v128: bytes }
    }

    /// Reads a slot as the type named by a signature character; `None` for an unknown character.
    pub(crate) fn from_slot(type_char: u8, slot: &ffi::w2n_value) -> Option<Value> {
        // SAFETY: every member of the union is plain data valid for any bit pattern; the bytes
        // are read through the array member so float NaN payloads are not touched.
        let bytes = unsafe { slot.v128 };
        let word = |n: usize| -> [u8; 8] {
            let mut out = [0; 8];
            out[..n].copy_from_slice(&bytes[..n]);
            out
        };
        let ptr = usize::from_le_bytes(word(size_of::<usize>()));
        Some(match type_char {
            abi::type_char::I32 => {
                Value::I32(u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) as i32)
            }
            abi::type_char::I64 => Value::I64(i64::from_le_bytes(word(8))),
            abi::type_char::F32 => {
                Value::F32(u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
            }
            abi::type_char::F64 => Value::F64(u64::from_le_bytes(word(8))),
            abi::type_char::V128 => Value::V128(u128::from_le_bytes(bytes)),
            abi::type_char::FUNCREF => Value::FuncRef(NonNull::new(ptr as *mut ffi::w2n_funcref)),
            abi::type_char::EXTERNREF => Value::ExternRef(NonNull::new(ptr as *mut c_void)),
            abi::type_char::EXNREF => {
                // A `Value` may be kept for as long as the host likes (docs/exceptions.md).
                // SAFETY: a non-null exnref slot holds a live exception.
                unsafe { ffi::w2n_exnref_pin(ptr as *const ffi::w2n_exception) };
                Value::ExnRef(NonNull::new(ptr as *mut c_void))
            }
            _ => return None,
        })
    }
}

/// A parsed signature string `"PARAMS:RESULTS"`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signature {
    pub params: Vec<u8>,
    pub results: Vec<u8>,
    /// For each parameter, whether it is a non-null reference (`r!`, `e!`): a null given for
    /// one is refused, since compiled code relies on validation and does not check again.
    pub non_null_params: Vec<bool>,
}

impl Signature {
    /// Parses `text` and checks `args` against its parameters: their kinds, and no null for a
    /// non-null reference (compiled code relies on validation and does not check again).
    /// `callee` names what takes them in the error.
    pub(crate) fn check_arguments(
        text: &str,
        args: &[Value],
        callee: &str,
    ) -> Result<Signature, CallError> {
        let sig = Signature::parse(text)
            .ok_or_else(|| CallError::Signature(format!("unreadable \"{text}\"")))?;
        let given: Vec<u8> = args.iter().map(Value::type_char).collect();
        if given != sig.params {
            return Err(CallError::Signature(format!(
                "{callee} takes ({}), given ({})",
                String::from_utf8_lossy(&sig.params),
                String::from_utf8_lossy(&given)
            )));
        }
        let null_for_non_null = args
            .iter()
            .zip(&sig.non_null_params)
            .position(|(arg, &non_null)| non_null && arg.is_null());
        if let Some(index) = null_for_non_null {
            return Err(CallError::Signature(format!(
                "parameter {index} is a non-null reference, given null"
            )));
        }
        Ok(sig)
    }

    /// Reads a signature string as the host sees it: one value kind per value. The
    /// refinements of typed references (`!` for non-null, a referenced type's key in angle
    /// brackets) say which references the function takes, not how they are passed.
    pub fn parse(text: &str) -> Option<Signature> {
        let mut lists = [Vec::new(), Vec::new()];
        let mut non_null_params = Vec::new();
        let (mut list, mut depth) = (0, 0u32);
        for c in text.bytes() {
            match c {
                b'<' => depth += 1,
                b'>' => depth = depth.checked_sub(1)?,
                _ if depth > 0 => {}
                b':' if list == 0 => list = 1,
                b'!' if matches!(lists[list].last(), Some(b'r' | b'e' | b'x')) => {
                    if list == 0 {
                        *non_null_params.last_mut()? = true;
                    }
                }
                b'i' | b'I' | b'f' | b'F' | b'v' | b'r' | b'e' | b'x' => {
                    lists[list].push(c);
                    if list == 0 {
                        non_null_params.push(false);
                    }
                }
                _ => return None,
            }
        }
        let [params, results] = lists;
        (list == 1 && depth == 0).then_some(Signature { params, results, non_null_params })
    }
}
