//! The C declarations of `wasm2native.h` that the embedding uses, under their C names (so that
//! each is found in the header). tests/abi.rs checks the layout of every struct here against it.
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
    pub pad: [u8; 3],
}

pub type w2n_global = w2n_value;

// The module descriptor's structs, which the translator builds too, are defined once in
// crate::abi::c.
pub use crate::abi::c::{
    w2n_api_config, w2n_api_import, w2n_api_module, w2n_api_wasi, w2n_api_wasi_dir,
    w2n_data_segment, w2n_export, w2n_global_type, w2n_import, w2n_limits, w2n_module,
    w2n_table_type,
};

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

#[repr(C)]
pub struct w2n_result {
    pub trap: u32,
    pub exit_status: i32,
    pub message: [c_char; 256],
}

/// `W2N_TRAP_NONE`: no trap (the other codes are `crate::abi::TrapCode`).
pub const W2N_TRAP_NONE: u32 = 0;

extern "C" {
    pub fn w2n_intern_signature(signature: *const c_char) -> u32;
    pub fn w2n_trap_message(code: u32) -> *const c_char;
    pub fn w2n_instantiate(
        module: *const w2n_module,
        resolver: w2n_resolver,
        user: *mut c_void,
        result: *mut w2n_result,
    ) -> *mut w2n_instance;
    pub fn w2n_instance_free(instance: *mut w2n_instance);
    pub fn w2n_failed_start_is_freed(module: *const w2n_module) -> c_int;
    pub fn w2n_instance_export(
        instance: *mut w2n_instance,
        name: *const c_char,
        name_len: usize,
        kind: u32,
        out: *mut w2n_extern,
    ) -> c_int;
    pub fn w2n_call(func: *mut w2n_funcref, values: *mut w2n_value, result: *mut w2n_result)
        -> u32;
    pub fn w2n_host_trap(message: *const c_char) -> !;
    /// Installs the runtime's fault handler process-wide (once; the previous handlers,
    /// Rust's stack-overflow report among them, still get every fault outside Wasm).
    pub fn w2n_install_fault_handler() -> c_int;
    /// Gives the calling thread an alternate signal stack unless it has one.
    pub fn w2n_rt_ensure_alternate_stack() -> c_int;
    pub fn w2n_memory_new(min_pages: u64, max_pages: u64, has_max: c_int) -> *mut w2n_memory;
    pub fn w2n_table_new(elem_type: u8, min: u32, max: u32, has_max: c_int) -> *mut w2n_table;
}
