//! What the fuzz targets share: the modules they generate (`generate`, `typed_refs`,
//! `legacy_exceptions`), the engines that run them (`native`, wasm2native's compiled code, and
//! `reference`, the wasmi interpreter, Wasmtime or V8) and the comparison of the two
//! (`differential`).

pub mod differential;
pub mod generate;
pub mod legacy_exceptions;
pub mod native;
pub mod reference;
pub mod sandbox;
pub mod typed_refs;

use wasm2native::abi::TrapCode;

/// A value as both engines can report it. Floats are bits (wasm-smith's NaN canonicalisation
/// makes every NaN an operator produces the canonical one, so bits compare exactly); a
/// reference is compared only as null or not, since each engine has its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Val {
    I32(i32),
    I64(i64),
    F32(u32),
    F64(u64),
    V128(u128),
    FuncRef { null: bool },
    ExternRef { null: bool },
    ExnRef { null: bool },
}

/// Why a call or an instantiation trapped, in the classes both engines tell apart. wasmi has
/// one class for `undefined element` and `out of bounds table access`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TrapKind {
    Unreachable,
    MemoryOutOfBounds,
    TableOutOfBounds,
    UninitializedElement,
    IndirectCallTypeMismatch,
    IntegerDivideByZero,
    IntegerOverflow,
    InvalidConversion,
    StackExhausted,
    /// A null reference where the instruction needs one (`ref.as_non_null`, `call_ref`,
    /// `throw_ref`): the spec's three messages are one trap code in Wasmtime.
    NullReference,
    /// An exception left the called function.
    UncaughtException,
    /// Anything else, as the engine said it (neither engine should ever give one here).
    Other(String),
}

impl TrapKind {
    /// The class of a wasm2native trap code.
    pub fn of_native(code: u32, message: &str) -> TrapKind {
        match TrapCode::ALL.into_iter().find(|known| *known as u32 == code) {
            Some(TrapCode::Unreachable) => TrapKind::Unreachable,
            Some(TrapCode::MemoryOutOfBounds) => TrapKind::MemoryOutOfBounds,
            Some(TrapCode::UndefinedElement | TrapCode::TableOutOfBounds) => {
                TrapKind::TableOutOfBounds
            }
            Some(TrapCode::UninitializedElement) => TrapKind::UninitializedElement,
            Some(TrapCode::IndirectCallTypeMismatch) => TrapKind::IndirectCallTypeMismatch,
            Some(TrapCode::IntegerDivideByZero) => TrapKind::IntegerDivideByZero,
            Some(TrapCode::IntegerOverflow) => TrapKind::IntegerOverflow,
            Some(TrapCode::InvalidConversion) => TrapKind::InvalidConversion,
            Some(TrapCode::StackExhausted) => TrapKind::StackExhausted,
            Some(
                TrapCode::NullReference
                | TrapCode::NullFunctionReference
                | TrapCode::NullExceptionReference,
            ) => TrapKind::NullReference,
            Some(TrapCode::UncaughtException) => TrapKind::UncaughtException,
            _ => TrapKind::Other(format!("wasm2native trap {code}: {message}")),
        }
    }
}

/// How a call (or an instantiation, with no values) ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Returned(Vec<Val>),
    Trapped(TrapKind),
}

/// What an engine shows of an instance between calls: every export other than functions
/// (wasm-smith is told to export everything).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExportState {
    Global(Val),
    /// Size in bytes and contents.
    Memory(Vec<u8>),
    /// Size in bytes and the contents' CRC-32: what a reference in another process reports,
    /// rather than up to a megabyte per memory after every call.
    MemoryDigest {
        size: usize,
        crc32: u32,
    },
    /// Whether each element is null.
    Table(Vec<bool>),
}

impl ExportState {
    /// The state as `MemoryDigest` if it is a memory's.
    pub fn digest(self) -> ExportState {
        match self {
            ExportState::Memory(bytes) => {
                ExportState::MemoryDigest { size: bytes.len(), crc32: crc32fast::hash(&bytes) }
            }
            other => other,
        }
    }
}

/// A Wasm value type, as the targets generate arguments for it. `FuncRef` and `ExternRef` stand
/// for every nullable reference of their hierarchy (arguments are null references).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValType {
    I32,
    I64,
    F32,
    F64,
    V128,
    FuncRef,
    ExternRef,
    /// A non-nullable reference, or one of another hierarchy: no argument can be made for it,
    /// since the engines share no objects, and a function taking one is not called.
    Unpassable,
}

/// The compile options a target's first input byte picks: bit 0 the optimisation level (-O0
/// or -O2), bit 1 the bounds checks (explicit or guard). The IR is verified before optimising.
pub fn options(settings: u8) -> wasm2native::Options {
    use wasm2native::{BoundsChecks, OptLevel};
    wasm2native::Options {
        opt_level: if settings & 1 == 0 { OptLevel::O0 } else { OptLevel::O2 },
        bounds_checks: if settings & 2 == 0 { BoundsChecks::Explicit } else { BoundsChecks::Guard },
        verify_ir: true,
        // The bits every host gives, which are the reference's.
        relaxed_simd: wasm2native::RelaxedSimd::Deterministic,
        ..wasm2native::Options::default()
    }
}

/// A seed for argument values, from the whole input (FNV-1a): the same input, the same calls.
pub fn seed(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ *byte as u64).wrapping_mul(0x100_0000_01b3)
    })
}

/// With `WASM2NATIVE_FUZZ_SHOW=PATH` in the environment, writes the module an input makes to
/// PATH as text, for reading a failure: `WASM2NATIVE_FUZZ_SHOW=m.wat target/fuzz/.../sandbox CRASH`.
pub fn show(wasm: &[u8]) {
    if let Some(path) = std::env::var_os("WASM2NATIVE_FUZZ_SHOW") {
        let text =
            wasmprinter::print_bytes(wasm).unwrap_or_else(|e| format!("(; not printable: {e} ;)"));
        let _ = std::fs::write(path, text);
    }
}
