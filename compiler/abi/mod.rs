//! The runtime ABI, Rust side: the one place the compiler learns the instance layout, the
//! runtime's symbol names and prototypes, and the trap codes. Its C twin is
//! `runtime-lib/include/wasm2native.h`; tests/abi.rs compiles static assertions made from this
//! module (and `c.rs`, the C structs the translator builds) against the header, so neither side
//! can change alone.

/// Version stamped into every module descriptor; the runtime refuses others.
pub const ABI_VERSION: u32 = 7;
/// LLVM's calling convention of every compiled Wasm function and of `w2n_funcref.code`: `tailcc`,
/// which guarantees that a call in tail position marked `musttail` reuses the caller's frame
/// whatever the two signatures, so `return_call*` runs in constant stack. On x86-64 and AArch64
/// it passes arguments as the C convention does, but the callee pops its stack arguments, so host
/// code (C) is only ever called through a view (see `w2n_instance.host_funcs` in the header).
pub const WASM_CALLING_CONVENTION: u32 = 18;
/// Symbol of the module descriptor (`w2n_module`) a compiled module exports.
pub const MODULE_SYMBOL: &str = "wasm2native_module";
pub const PAGE_SIZE: u64 = 65536;
pub const MAX_PAGES: u64 = 65536;
/// The most pages a 32-bit memory holds (`W2N_MAX_USABLE_PAGES`): 4 GiB less one page, so that
/// no address that wrapped below 0 by at most a page is in bounds (`translate/bounds.rs` checks
/// `p - k` and `p` with one compare). The spec lets any `memory.grow` fail.
pub const MAX_USABLE_PAGES: u64 = 65535;
/// The most pages a 64-bit memory grows to (`W2N_MAX_PAGES64`): 256 TiB.
pub const MAX_PAGES64: u64 = 1 << 32;
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
    pub const HOST_FUNCS: u32 = 88;
    pub const TAGS: u32 = 96;
    /// Bytes of the fixed fields above.
    pub const SIZE: u32 = 104;
    /// The C struct and each offset above with its field (runtime_private comes after them):
    /// tests/abi.rs checks them against the header.
    pub const C_STRUCT: &str = "struct w2n_instance";
    pub const C_FIELDS: &[(&str, u32)] = &[
        ("stack_limit", STACK_LIMIT),
        ("memories", MEMORIES),
        ("tables", TABLES),
        ("globals", GLOBALS),
        ("funcs", FUNCS),
        ("type_ids", TYPE_IDS),
        ("elem_segments", ELEM_SEGMENTS),
        ("elem_segment_sizes", ELEM_SEGMENT_SIZES),
        ("data_segment_sizes", DATA_SEGMENT_SIZES),
        ("host_data", HOST_DATA),
        ("host_funcs", HOST_FUNCS),
        ("tags", TAGS),
        ("runtime_private", SIZE),
    ];
}

/// Library builds (`w2n_api_*` in the header): what generated API code reads and builds.
pub mod api {
    /// `struct w2n_api_host`, which `host_data` of a library instance points to.
    pub const HOST_CONTEXT: u32 = 0;
    pub const HOST_IMPORT_FUNCTIONS: u32 = 8;
    pub const HOST_C_STRUCT: &str = "w2n_api_host";
    pub const HOST_C_FIELDS: &[(&str, u32)] =
        &[("context", HOST_CONTEXT), ("import_functions", HOST_IMPORT_FUNCTIONS)];
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
    pub const C_STRUCT: &str = "w2n_memory";
    pub const C_FIELDS: &[(&str, u32)] = &[("base", BASE), ("size", SIZE)];
}

/// `struct w2n_table`.
pub mod table {
    pub const ELEMENTS: u32 = 0;
    pub const SIZE: u32 = 8;
    pub const C_STRUCT: &str = "w2n_table";
    pub const C_FIELDS: &[(&str, u32)] = &[("elements", ELEMENTS), ("size", SIZE)];
}

/// `struct w2n_funcref`.
pub mod funcref {
    pub const CODE: u32 = 0;
    pub const ARRAY_CODE: u32 = 8;
    pub const TYPE_ID: u32 = 16;
    pub const VMCTX: u32 = 24;
    pub const SIZE: u32 = 32;
    pub const C_STRUCT: &str = "w2n_funcref";
    pub const C_FIELDS: &[(&str, u32)] =
        &[("code", CODE), ("array_code", ARRAY_CODE), ("type_id", TYPE_ID), ("vmctx", VMCTX)];
}

/// `struct w2n_exception`: the tag, then the payload's value slots.
pub mod exception {
    pub const TAG: u32 = 0;
    pub const HOLDERS: u32 = 8;
    pub const VALUES: u32 = 16;
    pub const C_STRUCT: &str = "w2n_exception";
    pub const C_FIELDS: &[(&str, u32)] = &[("tag", TAG), ("holders", HOLDERS), ("values", VALUES)];
    /// Holders for `w2n_exception_hold` (`W2N_EXCEPTION_*`): an exnref; a legacy catch clause.
    pub const HELD_AS_EXNREF: u64 = 1;
    pub const HELD_BY_LEGACY_CATCH: u64 = 2;
    /// The thread-local pointer to the exception in flight (`w2n_exception_in_flight`).
    pub const IN_FLIGHT_SYMBOL: &str = "w2n_exception_in_flight";
}

/// The thread-local words a failed bounds check fills in before `w2n_trap_memory`
/// (`w2n_trap_access`): values in registers go through memory, which takes any register, so
/// that the trap call's argument registers bind nothing on the path that does not trap.
pub mod trap_access {
    pub const SYMBOL: &str = "w2n_trap_access";
    /// Indices of its `uint64_t` words.
    pub const ADDRESS: u64 = 0;
    pub const MEMORY_SIZE: u64 = 1;
    pub const WORDS: u32 = 2;
}

/// Size of one `w2n_value` slot (array calls, global cells).
pub const VALUE_SLOT_SIZE: u32 = 16;

pub mod c;

/// `w2n_extern_kind`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum ExternKind {
    Func = 0,
    Table = 1,
    Memory = 2,
    Global = 3,
    Tag = 4,
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
    /// `call_ref` or `return_call_ref` of a null reference.
    NullFunctionReference = 14,
    /// An exception left the outermost Wasm frame (the runtime's, never compiled code's).
    UncaughtException = 15,
    /// `throw_ref` of a null reference.
    NullExceptionReference = 16,
}

impl TrapCode {
    pub const ALL: [TrapCode; 16] = [
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
        TrapCode::NullFunctionReference,
        TrapCode::UncaughtException,
        TrapCode::NullExceptionReference,
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
            TrapCode::NullFunctionReference => "NULL_FUNCTION_REFERENCE",
            TrapCode::UncaughtException => "UNCAUGHT_EXCEPTION",
            TrapCode::NullExceptionReference => "NULL_EXCEPTION_REFERENCE",
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
    pub const EXNREF: u8 = b'x';

    /// The character of a reference type: every function reference (abstract or typed,
    /// nullable or not) is `FUNCREF`, every external one `EXTERNREF`, every exception one
    /// `EXNREF`.
    pub fn of_ref(ty: wasmparser::RefType) -> u8 {
        use wasmparser::{AbstractHeapType, HeapType};
        match ty.heap_type() {
            HeapType::Abstract {
                ty: AbstractHeapType::Extern | AbstractHeapType::NoExtern,
                ..
            } => EXTERNREF,
            HeapType::Abstract { ty: AbstractHeapType::Exn | AbstractHeapType::NoExn, .. } => {
                EXNREF
            }
            _ => FUNCREF,
        }
    }
}

/// The runtime functions compiled code calls, declared from this one list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RuntimeFn {
    Trap,
    TrapMemory,
    MemoryGrow,
    MemoryInit,
    DataDrop,
    TableInit,
    ElemDrop,
    TableCopy,
    TableGrow,
    TableFill,
    HostTrap,
    Throw,
    ExceptionRelease,
    ExceptionHold,
    ExceptionEndLegacy,
    ExnrefPin,
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
    ApiThrow,
    ApiCaught,
}

/// Argument and result kinds of runtime functions, as LLVM passes them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AbiType {
    Ptr,
    I32,
    I64,
}

impl AbiType {
    /// The kind of a C type of the runtime's prototypes; None for `void`.
    pub fn of_c(c_type: &str) -> Option<AbiType> {
        match c_type {
            "void" => None,
            "uint32_t" | "int32_t" => Some(AbiType::I32),
            "uint64_t" | "int64_t" => Some(AbiType::I64),
            pointer if pointer.ends_with('*') => Some(AbiType::Ptr),
            other => panic!("runtime prototypes use no C type {other}"),
        }
    }
}

/// A runtime function's prototype as `wasm2native.h` declares it: parameters as (name, C type).
/// tests/abi.rs compiles a check of every one against the header.
#[derive(Clone, Copy, Debug)]
pub struct Prototype {
    pub symbol: &'static str,
    pub params: &'static [(&'static str, &'static str)],
    pub result: &'static str,
}

impl Prototype {
    pub fn param_types(&self) -> Vec<AbiType> {
        self.params
            .iter()
            .map(|(_, c_type)| AbiType::of_c(c_type).expect("no void parameter"))
            .collect()
    }

    pub fn result_type(&self) -> Option<AbiType> {
        AbiType::of_c(self.result)
    }
}

impl RuntimeFn {
    pub const ALL: [RuntimeFn; 30] = [
        RuntimeFn::Trap,
        RuntimeFn::TrapMemory,
        RuntimeFn::MemoryGrow,
        RuntimeFn::MemoryInit,
        RuntimeFn::DataDrop,
        RuntimeFn::TableInit,
        RuntimeFn::ElemDrop,
        RuntimeFn::TableCopy,
        RuntimeFn::TableGrow,
        RuntimeFn::TableFill,
        RuntimeFn::HostTrap,
        RuntimeFn::Throw,
        RuntimeFn::ExceptionRelease,
        RuntimeFn::ExceptionHold,
        RuntimeFn::ExceptionEndLegacy,
        RuntimeFn::ExnrefPin,
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
        RuntimeFn::ApiThrow,
        RuntimeFn::ApiCaught,
    ];

    pub fn prototype(self) -> Prototype {
        const VMCTX: (&str, &str) = ("vmctx", "w2n_instance *");
        const INSTANCE: (&str, &str) = ("instance", "w2n_instance *");
        const U32: &str = "uint32_t";
        // Addresses and lengths in a memory are 64-bit for both address types.
        const U64: &str = "uint64_t";
        let (symbol, params, result): (_, &'static [(&str, &str)], _) = match self {
            RuntimeFn::Trap => ("w2n_trap", &[("code", U32)], "void"),
            RuntimeFn::TrapMemory => (
                "w2n_trap_memory",
                &[("memory_index", U32), ("offset", U64), ("length", U32)],
                "void",
            ),
            RuntimeFn::MemoryGrow => (
                "w2n_memory_grow",
                &[VMCTX, ("memory_index", U32), ("delta_pages", U64)],
                "int64_t",
            ),
            RuntimeFn::MemoryInit => (
                "w2n_memory_init",
                &[
                    VMCTX,
                    ("memory_index", U32),
                    ("data_index", U32),
                    ("dst", U64),
                    ("src", U32),
                    ("len", U32),
                ],
                "void",
            ),
            RuntimeFn::DataDrop => ("w2n_data_drop", &[VMCTX, ("data_index", U32)], "void"),
            RuntimeFn::TableInit => (
                "w2n_table_init",
                &[
                    VMCTX,
                    ("table_index", U32),
                    ("elem_index", U32),
                    ("dst", U32),
                    ("src", U32),
                    ("len", U32),
                ],
                "void",
            ),
            RuntimeFn::ElemDrop => ("w2n_elem_drop", &[VMCTX, ("elem_index", U32)], "void"),
            RuntimeFn::TableCopy => (
                "w2n_table_copy",
                &[
                    VMCTX,
                    ("dst_table", U32),
                    ("src_table", U32),
                    ("dst", U32),
                    ("src", U32),
                    ("len", U32),
                ],
                "void",
            ),
            RuntimeFn::TableGrow => (
                "w2n_table_grow",
                &[VMCTX, ("table_index", U32), ("init", "void *"), ("delta", U32)],
                "int32_t",
            ),
            RuntimeFn::TableFill => (
                "w2n_table_fill",
                &[VMCTX, ("table_index", U32), ("dst", U32), ("value", "void *"), ("len", U32)],
                "void",
            ),
            RuntimeFn::HostTrap => ("w2n_host_trap", &[("message", "const char *")], "void"),
            RuntimeFn::Throw => {
                ("w2n_throw", &[VMCTX, ("tag_index", U32), ("values", "const w2n_value *")], "void")
            }
            RuntimeFn::ExceptionRelease => {
                ("w2n_exception_release", &[("exception", "w2n_exception *")], "void")
            }
            RuntimeFn::ExceptionHold => {
                ("w2n_exception_hold", &[("exception", "w2n_exception *"), ("holder", U32)], "void")
            }
            RuntimeFn::ExceptionEndLegacy => {
                ("w2n_exception_end_legacy", &[("exception", "w2n_exception *")], "void")
            }
            RuntimeFn::ExnrefPin => {
                ("w2n_exnref_pin", &[("exception", "const w2n_exception *")], "void")
            }
            // Library builds: the generic half of the generated C API (api.c).
            RuntimeFn::ApiNew => (
                "w2n_api_new",
                &[
                    ("api", "const w2n_api_module *"),
                    ("config", "const w2n_api_config *"),
                    ("result", "w2n_result *"),
                ],
                "w2n_instance *",
            ),
            RuntimeFn::ApiFree => ("w2n_api_free", &[INSTANCE], "void"),
            RuntimeFn::ApiCall => (
                "w2n_api_call",
                &[INSTANCE, ("func_index", U32), ("values", "w2n_value *")],
                "uint32_t",
            ),
            RuntimeFn::ApiLastTrap => {
                ("w2n_api_last_trap", &[("instance", "const w2n_instance *")], "const w2n_result *")
            }
            RuntimeFn::ApiContext => {
                ("w2n_api_context", &[("instance", "const w2n_instance *")], "void *")
            }
            RuntimeFn::ApiMemoryData => {
                ("w2n_api_memory_data", &[INSTANCE, ("memory_index", U32)], "uint8_t *")
            }
            RuntimeFn::ApiMemorySize => {
                ("w2n_api_memory_size", &[INSTANCE, ("memory_index", U32)], "uint64_t")
            }
            RuntimeFn::ApiMemoryAt => (
                "w2n_api_memory_at",
                &[INSTANCE, ("memory_index", U32), ("offset", "uint64_t"), ("length", "uint64_t")],
                "void *",
            ),
            RuntimeFn::ApiGlobal => {
                ("w2n_api_global", &[INSTANCE, ("global_index", U32)], "void *")
            }
            RuntimeFn::ApiTableSize => {
                ("w2n_api_table_size", &[INSTANCE, ("table_index", U32)], "uint32_t")
            }
            RuntimeFn::ApiTableGet => {
                ("w2n_api_table_get", &[INSTANCE, ("table_index", U32), ("index", U32)], "void *")
            }
            RuntimeFn::ApiTableSet => (
                "w2n_api_table_set",
                &[INSTANCE, ("table_index", U32), ("index", U32), ("value", "void *")],
                "int32_t",
            ),
            RuntimeFn::ApiThrow => (
                "w2n_api_throw",
                &[INSTANCE, ("tag_index", U32), ("values", "const w2n_value *")],
                "void",
            ),
            RuntimeFn::ApiCaught => (
                "w2n_api_caught",
                &[
                    ("instance", "const w2n_instance *"),
                    ("tag_index", U32),
                    ("values", "w2n_value *"),
                ],
                "int32_t",
            ),
        };
        Prototype { symbol, params, result }
    }
}
