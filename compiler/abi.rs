//! The runtime ABI, Rust side: the one place the compiler learns the instance layout, the
//! runtime's symbol names and the trap codes. Its C twin is `runtime-lib/include/wasm2native.h`,
//! and `runtime-lib/src/abi_check.c` pins the same offsets with `_Static_assert`.

/// Version stamped into every module descriptor; the runtime refuses others.
pub const ABI_VERSION: u32 = 1;
/// Symbol of the module descriptor (`w2n_module`) a compiled module exports.
pub const MODULE_SYMBOL: &str = "wasm2native_module";
pub const PAGE_SIZE: u64 = 65536;
pub const MAX_PAGES: u64 = 65536;
/// Inaccessible address space after the 4 GiB a memory of a guard-mode module
/// (`BoundsChecks::Guard`) can address: an access whose static offset plus size is at most this
/// needs no bounds check. `w2n_module.memory_guard` asks the runtime for such reservations.
pub const MEMORY_GUARD_BYTES: u64 = 1 << 32;

/// Byte offsets of `struct w2n_instance` fields read by compiled code.
pub mod instance {
    pub const STACK_LIMIT: u32 = 8;
    pub const MEMORIES: u32 = 16;
    pub const TABLES: u32 = 24;
    pub const GLOBALS: u32 = 32;
    pub const FUNCS: u32 = 40;
    pub const TYPE_IDS: u32 = 48;
    pub const ELEM_SEGMENTS: u32 = 56;
    pub const ELEM_SEGMENT_SIZES: u32 = 64;
    pub const DATA_SEGMENT_SIZES: u32 = 72;
    pub const HOST_DATA: u32 = 80;
    /// Bytes of the fixed fields above.
    pub const SIZE: u32 = 88;
}

/// Library builds (`w2n_api_*` in the header): what generated API code reads and builds.
pub mod api {
    /// `struct w2n_api_host`, which `host_data` of a library instance points to.
    pub const HOST_CONTEXT: u32 = 0;
    pub const HOST_IMPORT_FUNCTIONS: u32 = 8;
    /// `w2n_api_import.slot` of an import with no field in `PREFIX_imports`.
    pub const NO_SLOT: u32 = 0xffff_ffff;
    /// `w2n_api_import.flags`: a WASI import the runtime may supply.
    pub const IMPORT_WASI: u32 = 1;
}

/// Section holding the NUL-terminated build record of every compiled module.
pub const BUILD_INFO_SECTION: &str = ".wasm2native.build";
/// Symbol of that record (made local and prefixed in library builds).
pub const BUILD_INFO_SYMBOL: &str = "wasm2native_build_info";

/// `struct w2n_memory`.
pub mod memory {
    pub const BASE: u32 = 0;
    pub const SIZE: u32 = 8;
}

/// `struct w2n_table`.
pub mod table {
    pub const ELEMENTS: u32 = 0;
    pub const SIZE: u32 = 8;
}

/// `struct w2n_funcref`.
pub mod funcref {
    pub const CODE: u32 = 0;
    pub const ARRAY_CODE: u32 = 8;
    pub const TYPE_ID: u32 = 16;
    pub const VMCTX: u32 = 24;
    pub const SIZE: u32 = 32;
}

/// Size of one `w2n_value` slot (array calls, global cells).
pub const VALUE_SLOT_SIZE: u32 = 16;

/// `w2n_extern_kind`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum ExternKind {
    Func = 0,
    Table = 1,
    Memory = 2,
    Global = 3,
}

/// `w2n_trap_code`: one list for compiler and runtime.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u32)]
pub enum TrapCode {
    Unreachable = 1,
    MemoryOutOfBounds = 2,
    IntegerDivideByZero = 3,
    IntegerOverflow = 4,
    InvalidConversion = 5,
    UndefinedElement = 6,
    UninitializedElement = 7,
    IndirectCallTypeMismatch = 8,
    StackExhausted = 9,
    TableOutOfBounds = 10,
    NullReference = 11,
    /// Raised by a host function (never by compiled code).
    Host = 12,
    /// WASI `proc_exit`: ends the call with an exit status (never raised by compiled code).
    Exit = 13,
}

impl TrapCode {
    pub const ALL: [TrapCode; 13] = [
        TrapCode::Unreachable,
        TrapCode::MemoryOutOfBounds,
        TrapCode::IntegerDivideByZero,
        TrapCode::IntegerOverflow,
        TrapCode::InvalidConversion,
        TrapCode::UndefinedElement,
        TrapCode::UninitializedElement,
        TrapCode::IndirectCallTypeMismatch,
        TrapCode::StackExhausted,
        TrapCode::TableOutOfBounds,
        TrapCode::NullReference,
        TrapCode::Host,
        TrapCode::Exit,
    ];

    /// The name after `W2N_TRAP_` (and `WASM2NATIVE_TRAP_` in generated headers).
    pub fn c_name(self) -> &'static str {
        match self {
            TrapCode::Unreachable => "UNREACHABLE",
            TrapCode::MemoryOutOfBounds => "MEMORY_OUT_OF_BOUNDS",
            TrapCode::IntegerDivideByZero => "INTEGER_DIVIDE_BY_ZERO",
            TrapCode::IntegerOverflow => "INTEGER_OVERFLOW",
            TrapCode::InvalidConversion => "INVALID_CONVERSION",
            TrapCode::UndefinedElement => "UNDEFINED_ELEMENT",
            TrapCode::UninitializedElement => "UNINITIALIZED_ELEMENT",
            TrapCode::IndirectCallTypeMismatch => "INDIRECT_CALL_TYPE_MISMATCH",
            TrapCode::StackExhausted => "STACK_EXHAUSTED",
            TrapCode::TableOutOfBounds => "TABLE_OUT_OF_BOUNDS",
            TrapCode::NullReference => "NULL_REFERENCE",
            TrapCode::Host => "HOST",
            TrapCode::Exit => "EXIT",
        }
    }
}

/// Signature characters (`W2N_TYPE_*`).
pub mod type_char {
    pub const I32: u8 = b'i';
    pub const I64: u8 = b'I';
    pub const F32: u8 = b'f';
    pub const F64: u8 = b'F';
    pub const V128: u8 = b'v';
    pub const FUNCREF: u8 = b'r';
    pub const EXTERNREF: u8 = b'e';
}

/// The runtime functions compiled code calls, declared from this one list.
/// Each entry: (symbol, parameter kinds, result kind); `P` is a pointer, `I` an i32.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RuntimeFn {
    Trap,
    MemoryGrow,
    MemoryInit,
    DataDrop,
    MemoryCopy,
    MemoryFill,
    TableInit,
    ElemDrop,
    TableCopy,
    TableGrow,
    TableFill,
    HostTrap,
    ApiNew,
    ApiFree,
    ApiCall,
    ApiLastTrap,
    ApiContext,
    ApiMemoryData,
    ApiMemorySize,
    ApiMemoryAt,
    ApiGlobal,
    ApiTableSize,
    ApiTableGet,
    ApiTableSet,
}

/// Argument and result kinds of runtime functions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AbiType {
    Ptr,
    I32,
    I64,
}

impl RuntimeFn {
    pub const ALL: [RuntimeFn; 24] = [
        RuntimeFn::Trap,
        RuntimeFn::MemoryGrow,
        RuntimeFn::MemoryInit,
        RuntimeFn::DataDrop,
        RuntimeFn::MemoryCopy,
        RuntimeFn::MemoryFill,
        RuntimeFn::TableInit,
        RuntimeFn::ElemDrop,
        RuntimeFn::TableCopy,
        RuntimeFn::TableGrow,
        RuntimeFn::TableFill,
        RuntimeFn::HostTrap,
        RuntimeFn::ApiNew,
        RuntimeFn::ApiFree,
        RuntimeFn::ApiCall,
        RuntimeFn::ApiLastTrap,
        RuntimeFn::ApiContext,
        RuntimeFn::ApiMemoryData,
        RuntimeFn::ApiMemorySize,
        RuntimeFn::ApiMemoryAt,
        RuntimeFn::ApiGlobal,
        RuntimeFn::ApiTableSize,
        RuntimeFn::ApiTableGet,
        RuntimeFn::ApiTableSet,
    ];

    /// (symbol, params, result)
    pub fn signature(self) -> (&'static str, &'static [AbiType], Option<AbiType>) {
        use AbiType::{Ptr, I32, I64};
        match self {
            RuntimeFn::Trap => ("w2n_trap", &[I32], None),
            RuntimeFn::MemoryGrow => ("w2n_memory_grow", &[Ptr, I32, I32], Some(I32)),
            RuntimeFn::MemoryInit => ("w2n_memory_init", &[Ptr, I32, I32, I32, I32, I32], None),
            RuntimeFn::DataDrop => ("w2n_data_drop", &[Ptr, I32], None),
            RuntimeFn::MemoryCopy => ("w2n_memory_copy", &[Ptr, I32, I32, I32, I32, I32], None),
            RuntimeFn::MemoryFill => ("w2n_memory_fill", &[Ptr, I32, I32, I32, I32], None),
            RuntimeFn::TableInit => ("w2n_table_init", &[Ptr, I32, I32, I32, I32, I32], None),
            RuntimeFn::ElemDrop => ("w2n_elem_drop", &[Ptr, I32], None),
            RuntimeFn::TableCopy => ("w2n_table_copy", &[Ptr, I32, I32, I32, I32, I32], None),
            RuntimeFn::TableGrow => ("w2n_table_grow", &[Ptr, I32, Ptr, I32], Some(I32)),
            RuntimeFn::TableFill => ("w2n_table_fill", &[Ptr, I32, I32, Ptr, I32], None),
            RuntimeFn::HostTrap => ("w2n_host_trap", &[Ptr], None),
            // Library builds: the generic half of the generated C API (api.c).
            RuntimeFn::ApiNew => ("w2n_api_new", &[Ptr, Ptr, Ptr], Some(Ptr)),
            RuntimeFn::ApiFree => ("w2n_api_free", &[Ptr], None),
            RuntimeFn::ApiCall => ("w2n_api_call", &[Ptr, I32, Ptr], Some(I32)),
            RuntimeFn::ApiLastTrap => ("w2n_api_last_trap", &[Ptr], Some(Ptr)),
            RuntimeFn::ApiContext => ("w2n_api_context", &[Ptr], Some(Ptr)),
            RuntimeFn::ApiMemoryData => ("w2n_api_memory_data", &[Ptr, I32], Some(Ptr)),
            RuntimeFn::ApiMemorySize => ("w2n_api_memory_size", &[Ptr, I32], Some(I64)),
            RuntimeFn::ApiMemoryAt => ("w2n_api_memory_at", &[Ptr, I32, I64, I64], Some(Ptr)),
            RuntimeFn::ApiGlobal => ("w2n_api_global", &[Ptr, I32], Some(Ptr)),
            RuntimeFn::ApiTableSize => ("w2n_api_table_size", &[Ptr, I32], Some(I32)),
            RuntimeFn::ApiTableGet => ("w2n_api_table_get", &[Ptr, I32, I32], Some(Ptr)),
            RuntimeFn::ApiTableSet => ("w2n_api_table_set", &[Ptr, I32, I32, Ptr], Some(I32)),
        }
    }
}
