//! The `spectest` module the test suite imports from: print functions that print nothing (their
//! output is not checked and stdout belongs to the harness), four immutable globals, a table and
//! a memory. One host per file run, so no state leaks from one file into another.

use std::collections::HashMap;
use std::ffi::c_void;
use wasm2native::abi::{type_char, ExternKind};
use wasm2native::runtime::{ffi, Extern, Func, Global, Memory, Table, Value};

// Native entries: the C calling convention, the context pointer first.
extern "C" fn print(_vmctx: *mut c_void) {}
extern "C" fn print_i32(_vmctx: *mut c_void, _a: i32) {}
extern "C" fn print_i64(_vmctx: *mut c_void, _a: i64) {}
extern "C" fn print_f32(_vmctx: *mut c_void, _a: f32) {}
extern "C" fn print_f64(_vmctx: *mut c_void, _a: f64) {}
extern "C" fn print_i32_f32(_vmctx: *mut c_void, _a: i32, _b: f32) {}
extern "C" fn print_f64_f64(_vmctx: *mut c_void, _a: f64, _b: f64) {}

// Every print function has no results, so one array entry that leaves the slots alone fits all.
unsafe extern "C" fn print_array(_vmctx: *mut ffi::w2n_instance, _args: *mut ffi::w2n_value) {}

pub struct SpectestHost {
    exports: HashMap<&'static str, Extern>,
}

impl SpectestHost {
    /// Builds the module; `Err` when the runtime cannot allocate the table or memory.
    pub fn new() -> Result<SpectestHost, String> {
        let funcs: [(&'static str, &str, *const c_void); 7] = [
            ("print", ":", print as *const c_void),
            ("print_i32", "i:", print_i32 as *const c_void),
            ("print_i64", "I:", print_i64 as *const c_void),
            ("print_f32", "f:", print_f32 as *const c_void),
            ("print_f64", "F:", print_f64 as *const c_void),
            ("print_i32_f32", "if:", print_i32_f32 as *const c_void),
            ("print_f64_f64", "FF:", print_f64_f64 as *const c_void),
        ];
        let mut exports = HashMap::new();
        for (name, signature, code) in funcs {
            // SAFETY: each entry point takes exactly the parameters its signature names and
            // ignores the context pointer, which is null.
            let func = unsafe { Func::host(signature, code, print_array, std::ptr::null_mut()) }
                .ok_or_else(|| format!("cannot create spectest.{name}"))?;
            exports.insert(name, Extern::Func(func));
        }
        let globals = [
            ("global_i32", Value::I32(666)),
            ("global_i64", Value::I64(666)),
            ("global_f32", Value::F32(666.6f32.to_bits())),
            ("global_f64", Value::F64(666.6f64.to_bits())),
        ];
        for (name, value) in globals {
            exports.insert(name, Extern::Global(Global::host(value, false)));
        }
        let table = Table::host(type_char::FUNCREF, 10, Some(20))
            .map_err(|_| "cannot create spectest.table")?;
        exports.insert("table", Extern::Table(table));
        let memory = Memory::host(1, Some(2)).map_err(|_| "cannot create spectest.memory")?;
        exports.insert("memory", Extern::Memory(memory));
        Ok(SpectestHost { exports })
    }

    /// The export `name`; its kind is left for the runtime to check against the import.
    pub fn lookup(&self, name: &str, _kind: ExternKind) -> Option<Extern> {
        self.exports.get(name).cloned()
    }
}
