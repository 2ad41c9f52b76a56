//! The runtime ABI, Rust side: the one place the compiler learns the instance layout, the
//! runtime's symbol names and the trap codes. Its C twin is `runtime-lib/include/wasm2native.h`,
//! and `runtime-lib/src/abi_check.c` pins the same offsets with `_Static_assert`.

/// Version stamped into every module descriptor; the runtime refuses others.
pub const ABI_VERSION: u32 = 1;
/// Symbol of the module descriptor (`w2n_module`) a compiled module exports.
pub const MODULE_SYMBOL: &str = "wasm2native_module";
pub const PAGE_SIZE: u64 = 65536;
pub const MAX_PAGES: u64 = 65536;

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
}

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
}

/// Argument and result kinds of runtime functions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AbiType {
    Ptr,
    I32,
}

impl RuntimeFn {
    pub const ALL: [RuntimeFn; 11] = [
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
    ];

    /// (symbol, params, result)
    pub fn signature(self) -> (&'static str, &'static [AbiType], Option<AbiType>) {
        use AbiType::{I32, Ptr};
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
        }
    }
}
