//! The C types of `wasm2native.h` on the Rust side, defined once under their C names (so that
//! each is found in the header): the Rust embedding (runtime/ffi.rs) uses them all, and the
//! translator builds the module descriptor's and the library API's as constants in every module
//! (translate/descriptor.rs, translate/api.rs) from the field lists `c_struct!` makes
//! (`CStruct::FIELDS`). tests/abi.rs checks every field against the header.
#![allow(non_camel_case_types, reason = "the C names of wasm2native.h")]

use std::ffi::{c_char, c_int, c_void};

/// `w2n_value`: one 16-byte call slot or global cell.
#[repr(C)]
#[derive(Clone, Copy)]
pub union w2n_value {
    pub i32: i32,
    pub i64: i64,
    pub f32: f32,
    pub f64: f64,
    pub v128: [u8; 16],
    pub ref_: *mut c_void,
}

/// Opaque `struct w2n_instance`; the embedding never reads its fields.
#[repr(C)]
pub struct w2n_instance {
    _opaque: [u8; 0],
}

pub type w2n_array_fn = unsafe extern "C" fn(vmctx: *mut w2n_instance, args: *mut w2n_value);

#[repr(C)]
#[derive(Clone, Copy)]
pub struct w2n_funcref {
    pub code: *const c_void,
    pub array_code: Option<w2n_array_fn>,
    pub type_id: u32,
    pub reserved: u32,
    pub vmctx: *mut c_void,
}

#[repr(C)]
pub struct w2n_memory {
    pub base: *mut u8,
    pub size: u64,
    pub max_pages: u64,
    pub reserved: u64,
}

#[repr(C)]
pub struct w2n_table {
    pub elements: *mut *mut c_void,
    pub size: u32,
    pub max: u32,
    pub capacity: u32,
    pub elem_type: u8,
    pub address64: u8,
    pub pad: [u8; 2],
    pub ref_type: *const c_char,
}

pub type w2n_global = w2n_value;

/// `w2n_tag`: an exception tag, whose identity is its address.
#[repr(C)]
pub struct w2n_tag {
    pub signature: *const c_char,
    pub owner: *mut c_void,
}

/// `w2n_extern`: the union is one pointer wide, so it is written as one pointer here.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct w2n_extern {
    pub kind: u32,
    pub of: *mut c_void,
    pub global_type: w2n_global_type,
}

pub type w2n_resolver = unsafe extern "C" fn(
    user: *mut c_void,
    import: *const w2n_import,
    out: *mut w2n_extern,
) -> c_int;

/// `w2n_memory_fault`: where an out-of-bounds access went.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct w2n_memory_fault {
    pub address: u64,
    pub memory_size: u64,
    pub memory: u32,
    pub length: u32,
    pub known: u32,
    pub pad: u32,
}

/// `w2n_frame`: one Wasm frame of a trap's backtrace.
#[repr(C)]
pub struct w2n_frame {
    pub function: *const c_char,
    pub module: *const c_char,
    pub offset: u32,
    pub source_line: u32,
    pub source_file: *const c_char,
}

#[repr(C)]
pub struct w2n_result {
    pub trap: u32,
    pub exit_status: i32,
    pub message: [c_char; 256],
    pub exception: *const w2n_exception,
    pub fault: w2n_memory_fault,
    pub frames: *const w2n_frame,
    pub num_frames: u32,
    pub frames_truncated: u32,
}

/// `w2n_exception`: the tag, who holds it, and `num_values` value slots after the header.
#[repr(C)]
pub struct w2n_exception {
    pub tag: *const w2n_tag,
    pub holders: u32,
    pub num_values: u32,
}

/// `W2N_TRAP_NONE`: no trap (the other codes are `crate::abi::TrapCode`).
pub const W2N_TRAP_NONE: u32 = 0;

/// What a field of a C struct is, as the translator builds it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldKind {
    U8,
    I32,
    U32,
    U64,
    I64,
    Ptr,
    /// A padding array of that many bytes.
    Bytes(u32),
    /// A nested struct.
    Struct(&'static [Field]),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Field {
    pub name: &'static str,
    pub kind: FieldKind,
    /// Its offset in the Rust struct, which tests/abi.rs holds against the C one.
    pub offset: usize,
}

impl Field {
    /// Whether the field only pads (its value is always zero).
    pub fn is_padding(&self) -> bool {
        matches!(self.name, "pad" | "reserved")
    }
}

/// A C struct of the header, with its fields in order.
pub trait CStruct {
    /// Its name in `wasm2native.h`.
    const C_NAME: &'static str;
    const FIELDS: &'static [Field];
    const SIZE: usize;
}

/// The kind of a field's Rust type.
pub trait CKind {
    const KIND: FieldKind;
}

macro_rules! c_kind {
    ($($ty:ty => $kind:expr),* $(,)?) => { $(impl CKind for $ty { const KIND: FieldKind = $kind; })* };
}
c_kind!(
    u8 => FieldKind::U8,
    i32 => FieldKind::I32,
    u32 => FieldKind::U32,
    u64 => FieldKind::U64,
    i64 => FieldKind::I64,
    usize => FieldKind::U64,
    Option<unsafe extern "C" fn(vmctx: *mut w2n_instance)> => FieldKind::Ptr,
);
impl<T> CKind for *const T {
    const KIND: FieldKind = FieldKind::Ptr;
}
impl<T> CKind for *mut T {
    const KIND: FieldKind = FieldKind::Ptr;
}
impl<const N: usize> CKind for [u8; N] {
    const KIND: FieldKind = FieldKind::Bytes(N as u32);
}

/// Declares a `#[repr(C)]` struct and its `CStruct::FIELDS`.
macro_rules! c_struct {
    ($(#[$attr:meta])* pub struct $name:ident { $(pub $field:ident: $ty:ty,)* }) => {
        $(#[$attr])*
        #[repr(C)]
        pub struct $name {
            $(pub $field: $ty,)*
        }

        impl CStruct for $name {
            const C_NAME: &'static str = stringify!($name);
            const FIELDS: &'static [Field] = &[$(Field {
                name: stringify!($field),
                kind: <$ty as CKind>::KIND,
                offset: std::mem::offset_of!($name, $field),
            },)*];
            const SIZE: usize = std::mem::size_of::<$name>();
        }

        impl CKind for $name {
            const KIND: FieldKind = FieldKind::Struct(<$name as CStruct>::FIELDS);
        }
    };
}

c_struct! {
    #[derive(Clone, Copy)]
    pub struct w2n_limits {
        pub min: u64,
        pub max: u64,
        pub has_max: u8,
        pub address64: u8,
        pub pad: [u8; 6],
    }
}

c_struct! {
    #[derive(Clone, Copy)]
    pub struct w2n_table_type {
        pub limits: w2n_limits,
        pub elem_type: u8,
        pub pad: [u8; 7],
        pub ref_type: *const c_char,
    }
}

c_struct! {
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct w2n_global_type {
        pub value_type: u8,
        pub mutable_: u8,
        pub pad: [u8; 6],
        pub ref_type: *const c_char,
    }
}

c_struct! {
    pub struct w2n_import {
        pub module: *const c_char,
        pub name: *const c_char,
        pub module_len: u32,
        pub name_len: u32,
        pub kind: u32,
        pub index: u32,
    }
}

c_struct! {
    pub struct w2n_export {
        pub name: *const c_char,
        pub name_len: u32,
        pub kind: u32,
        pub index: u32,
        pub pad: u32,
    }
}

c_struct! {
    pub struct w2n_data_segment {
        pub bytes: *const u8,
        pub size: u32,
        pub pad: u32,
    }
}

c_struct! {
    pub struct w2n_module {
        pub abi_version: u32,
        pub num_types: u32,
        pub type_signatures: *const *const c_char,
        pub num_imports: u32,
        pub num_exports: u32,
        pub imports: *const w2n_import,
        pub exports: *const w2n_export,
        pub num_funcs: u32,
        pub num_imported_funcs: u32,
        pub func_types: *const u32,
        pub func_code: *const *const c_void,
        pub func_array_code: *const Option<w2n_array_fn>,
        pub num_tables: u32,
        pub num_imported_tables: u32,
        pub tables: *const w2n_table_type,
        pub num_memories: u32,
        pub num_imported_memories: u32,
        pub memories: *const w2n_limits,
        pub num_globals: u32,
        pub num_imported_globals: u32,
        pub globals: *const w2n_global_type,
        pub num_data_segments: u32,
        pub num_elem_segments: u32,
        pub data_segments: *const w2n_data_segment,
        pub elem_segment_sizes: *const u32,
        pub start_func: i64,
        pub initialize: Option<unsafe extern "C" fn(vmctx: *mut w2n_instance)>,
        pub memory_guard: u32,
        pub num_tags: u32,
        pub num_imported_tags: u32,
        pub pad: u32,
        pub tag_types: *const u32,
    }
}

// Library builds: what the generated API hands to w2n_api_new (translate/api.rs builds the
// first two; the generated header declares the others under its own names).

c_struct! {
    pub struct w2n_api_import {
        pub code: *const c_void,
        pub array_code: *const c_void,
        pub linked: *const c_void,
        pub slot: u32,
        pub flags: u32,
    }
}

c_struct! {
    pub struct w2n_api_module {
        pub module: *const w2n_module,
        pub imports: *const w2n_api_import,
        pub build_info: *const c_char,
    }
}

c_struct! {
    pub struct w2n_api_wasi_dir {
        pub host_path: *const c_char,
        pub guest_path: *const c_char,
        pub flags: u32,
    }
}

c_struct! {
    pub struct w2n_api_wasi {
        pub argc: c_int,
        pub argv: *const *const c_char,
        pub env: *const *const c_char,
        pub dirs: *const w2n_api_wasi_dir,
        pub num_dirs: usize,
    }
}

c_struct! {
    pub struct w2n_api_config {
        pub context: *mut c_void,
        pub imports: *const *mut c_void,
        pub wasi: *const w2n_api_wasi,
    }
}
