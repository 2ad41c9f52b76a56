//! The runtime functions of `wasm2native.h` the embedding calls; the C types they take are
//! defined once, in crate::abi::c (re-exported here). tests/abi.rs checks them against the header.

use std::ffi::{c_char, c_int, c_void};

pub use crate::abi::c::*;

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
    pub fn w2n_host_throw(tag: *const w2n_tag, values: *const w2n_value);
    /// The host keeps an exnref: the runtime's collector never frees its exception.
    pub fn w2n_exnref_pin(exception: *const w2n_exception);
    /// Installs the runtime's fault handler process-wide (once; the previous handlers,
    /// Rust's stack-overflow report among them, still get every fault outside Wasm).
    pub fn w2n_install_fault_handler() -> c_int;
    /// Gives the calling thread an alternate signal stack unless it has one.
    pub fn w2n_rt_ensure_alternate_stack() -> c_int;
    pub fn w2n_memory_new(min_pages: u64, max_pages: u64, has_max: c_int) -> *mut w2n_memory;
    pub fn w2n_table_new(elem_type: u8, min: u32, max: u32, has_max: c_int) -> *mut w2n_table;
}
