//! Rust embedding of the C runtime linked into this crate (`runtime-lib/`): load a compiled
//! module's shared object, instantiate it against imports chosen by a resolver, call its exports
//! and read its globals and memories, and provide host functions, globals, tables and memories.
//!
//! `ffi` mirrors `runtime-lib/include/wasm2native.h` field for field; everything above it is safe
//! to use. Ownership: every handle (`Func`, `Table`, `Memory`, `Global`) keeps its owner alive (the
//! instance that exported it, or the host allocation behind it), and an instance keeps alive every
//! handle bound to its imports and the shared object its code lives in. Raw references that leave
//! this API as `Value::FuncRef` carry no ownership: they are valid while their instance lives.

use crate::abi::{self, ExternKind};
use std::any::Any;
use std::cell::UnsafeCell;
use std::ffi::{c_char, c_int, c_void, CStr, CString};
use std::fmt;
use std::mem::size_of;
use std::path::{Path, PathBuf};
use std::ptr::{self, NonNull};
use std::rc::Rc;
use std::sync::Arc;

/// The C declarations of `wasm2native.h` that the embedding uses.
#[allow(
    non_camel_case_types,
    reason = "the C names of wasm2native.h, so that each is found in the header"
)]
pub mod ffi {
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

    #[repr(C)]
    #[derive(Clone, Copy)]
    pub struct w2n_limits {
        pub min: u64,
        pub max: u64,
        pub has_max: u8,
        pub pad: [u8; 7],
    }

    #[repr(C)]
    #[derive(Clone, Copy)]
    pub struct w2n_table_type {
        pub limits: w2n_limits,
        pub elem_type: u8,
        pub pad: [u8; 7],
    }

    #[repr(C)]
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct w2n_global_type {
        pub value_type: u8,
        pub mutable_: u8,
        pub pad: [u8; 6],
    }

    #[repr(C)]
    pub struct w2n_import {
        pub module: *const c_char,
        pub name: *const c_char,
        pub module_len: u32,
        pub name_len: u32,
        pub kind: u32,
        pub index: u32,
    }

    #[repr(C)]
    pub struct w2n_export {
        pub name: *const c_char,
        pub name_len: u32,
        pub kind: u32,
        pub index: u32,
        pub pad: u32,
    }

    #[repr(C)]
    pub struct w2n_data_segment {
        pub bytes: *const u8,
        pub size: u32,
        pub pad: u32,
    }

    #[repr(C)]
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

    #[repr(C)]
    pub struct w2n_result {
        pub trap: u32,
        pub exit_status: i32,
        pub message: [c_char; 256],
    }

    /// `W2N_TRAP_NONE`: no trap (the other codes are `crate::abi::TrapCode`).
    pub const W2N_TRAP_NONE: u32 = 0;

    // tests/abi.rs checks the layout of every struct here against the header.

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
        pub fn w2n_call(
            func: *mut w2n_funcref,
            values: *mut w2n_value,
            result: *mut w2n_result,
        ) -> u32;
        pub fn w2n_host_trap(message: *const c_char) -> !;
        /// Installs the runtime's fault handler process-wide (once; the previous handlers,
        /// Rust's stack-overflow report among them, still get every fault outside Wasm).
        pub fn w2n_install_fault_handler() -> c_int;
        /// Gives the calling thread an alternate signal stack unless it has one.
        pub fn w2n_rt_ensure_alternate_stack() -> c_int;
        pub fn w2n_memory_new(min_pages: u64, max_pages: u64, has_max: c_int) -> *mut w2n_memory;
        pub fn w2n_table_new(elem_type: u8, min: u32, max: u32, has_max: c_int) -> *mut w2n_table;
    }
}

// ------------------------------------------------------------------------------------ values ---

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
}

impl Value {
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
        }
    }

    fn to_slot(self) -> ffi::w2n_value {
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
            Value::ExternRef(r) => {
                let p = r.map_or(ptr::null_mut(), |p| p.as_ptr());
                bytes[..size_of::<usize>()].copy_from_slice(&pointer(p));
            }
        }
        ffi::w2n_value { v128: bytes }
    }

    /// Reads a slot as the type named by a signature character; `None` for an unknown character.
    fn from_slot(type_char: u8, slot: &ffi::w2n_value) -> Option<Value> {
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
            _ => return None,
        })
    }
}

/// A parsed signature string `"PARAMS:RESULTS"`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signature {
    pub params: Vec<u8>,
    pub results: Vec<u8>,
}

impl Signature {
    pub fn parse(text: &str) -> Option<Signature> {
        let (params, results) = text.split_once(':')?;
        let known = |s: &str| s.bytes().all(|c| b"iIfFvre".contains(&c));
        if !known(params) || !known(results) {
            return None;
        }
        Some(Signature { params: params.as_bytes().to_vec(), results: results.as_bytes().to_vec() })
    }
}

// ------------------------------------------------------------------------------------ errors ---

/// A trap reported by the runtime (or a WASI exit, which travels the same way).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trap {
    /// A `w2n_trap_code` value.
    pub code: u32,
    pub message: String,
    /// The exit status when `code` is `W2N_TRAP_EXIT`.
    pub exit_status: i32,
}

impl Trap {
    fn from_result(result: &ffi::w2n_result) -> Trap {
        Trap { code: result.trap, message: result_message(result), exit_status: result.exit_status }
    }

    pub fn is_exit(&self) -> bool {
        self.code == crate::abi::TrapCode::Exit as u32
    }
}

impl fmt::Display for Trap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Trap {}

/// Why a call did not produce results.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CallError {
    /// The instance has no function export of that name.
    UnknownExport(String),
    /// The arguments do not match the function's signature (or the signature is unreadable).
    Signature(String),
    Trap(Trap),
}

impl fmt::Display for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CallError::UnknownExport(name) => write!(f, "unknown function export {name:?}"),
            CallError::Signature(message) => write!(f, "signature mismatch: {message}"),
            CallError::Trap(trap) => write!(f, "trap: {trap}"),
        }
    }
}

impl std::error::Error for CallError {}

/// Why instantiation failed: imports that do not link, or a trap while initialising.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InstantiationError {
    Link(String),
    Trap(Trap),
}

impl fmt::Display for InstantiationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InstantiationError::Link(message) => write!(f, "link error: {message}"),
            InstantiationError::Trap(trap) => write!(f, "trap: {trap}"),
        }
    }
}

impl std::error::Error for InstantiationError {}

/// A module's shared object could not be used.
#[derive(Clone, Debug)]
pub struct LoadError {
    pub path: PathBuf,
    pub message: String,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot load {}: {}", self.path.display(), self.message)
    }
}

impl std::error::Error for LoadError {}

fn result_message(result: &ffi::w2n_result) -> String {
    let bytes: Vec<u8> = result.message.iter().take_while(|&&c| c != 0).map(|&c| c as u8).collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

fn empty_result() -> ffi::w2n_result {
    ffi::w2n_result { trap: ffi::W2N_TRAP_NONE, exit_status: 0, message: [0; 256] }
}

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
        _ => None,
    }
}

// ---------------------------------------------------------------------------- loaded module ---

/// A compiled module's shared object, loaded and checked. Cheap to clone; the library stays
/// mapped while any clone or any instance of it lives.
#[derive(Clone)]
pub struct LoadedModule {
    inner: Arc<ModuleInner>,
}

struct ModuleInner {
    descriptor: NonNull<ffi::w2n_module>,
    path: PathBuf,
    // Declared last so the descriptor is never used after unmapping.
    _library: libloading::Library,
}

// SAFETY: the descriptor is immutable data inside the library, which `inner` keeps mapped.
unsafe impl Send for ModuleInner {}
unsafe impl Sync for ModuleInner {}

/// One import of a module, from its descriptor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportDesc {
    pub module: String,
    pub name: String,
    pub kind: ExternKind,
    pub index: u32,
}

/// One export of a module, from its descriptor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportDesc {
    pub name: String,
    pub kind: ExternKind,
    pub index: u32,
}

impl LoadedModule {
    /// Maps a module built by `link::link_shared_module` and finds its descriptor. The runtime
    /// symbols it needs resolve against this process, which carries the runtime.
    pub fn load(path: &Path) -> Result<LoadedModule, LoadError> {
        let error = |message: String| LoadError { path: path.to_path_buf(), message };
        // SAFETY: loading runs the object's initialisers; a compiled module has none of its own.
        let library = unsafe { open_library(path) }.map_err(|e| error(e.to_string()))?;
        let symbol = format!("{}\0", abi::MODULE_SYMBOL);
        // SAFETY: the symbol is data; `get::<*mut T>` yields its address.
        let address = unsafe { library.get::<*mut ffi::w2n_module>(symbol.as_bytes()) }
            .map(|s| *s)
            .map_err(|e| error(e.to_string()))?;
        let descriptor =
            NonNull::new(address).ok_or_else(|| error("null module descriptor".to_string()))?;
        // SAFETY: the symbol names a `w2n_module` the compiler emitted.
        let version = unsafe { descriptor.as_ref() }.abi_version;
        if version != abi::ABI_VERSION {
            return Err(error(format!("ABI version {version}, expected {}", abi::ABI_VERSION)));
        }
        let inner = ModuleInner { descriptor, path: path.to_path_buf(), _library: library };
        Ok(LoadedModule { inner: Arc::new(inner) })
    }

    fn raw(&self) -> &ffi::w2n_module {
        // SAFETY: checked non-null at load; lives as long as the library `inner` holds.
        unsafe { self.inner.descriptor.as_ref() }
    }

    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// Reads entry `index` of a descriptor array of `len` entries; `None` when out of range.
    fn entry<T>(&self, array: *const T, len: u32, index: u32) -> Option<&T> {
        if array.is_null() || index >= len {
            return None;
        }
        // SAFETY: the descriptor's arrays hold `len` entries, checked above.
        Some(unsafe { &*array.add(index as usize) })
    }

    pub fn imports(&self) -> Vec<ImportDesc> {
        let m = self.raw();
        (0..m.num_imports)
            .filter_map(|i| {
                let import = self.entry(m.imports, m.num_imports, i)?;
                // SAFETY: descriptor strings are NUL-terminated and live in the library.
                Some(ImportDesc {
                    module: unsafe { name_str(import.module, import.module_len) }?.to_string(),
                    name: unsafe { name_str(import.name, import.name_len) }?.to_string(),
                    kind: extern_kind(import.kind)?,
                    index: import.index,
                })
            })
            .collect()
    }

    pub fn exports(&self) -> Vec<ExportDesc> {
        let m = self.raw();
        (0..m.num_exports).filter_map(|i| self.export_desc(i)).collect()
    }

    fn export_desc(&self, i: u32) -> Option<ExportDesc> {
        let m = self.raw();
        let export = self.entry(m.exports, m.num_exports, i)?;
        Some(ExportDesc {
            // SAFETY: as in `imports`.
            name: unsafe { name_str(export.name, export.name_len) }?.to_string(),
            kind: extern_kind(export.kind)?,
            index: export.index,
        })
    }

    /// The export of that name, if any.
    pub fn find_export(&self, name: &str) -> Option<ExportDesc> {
        (0..self.raw().num_exports).filter_map(|i| self.export_desc(i)).find(|e| e.name == name)
    }

    /// The signature string (`"PARAMS:RESULTS"`) of type `type_index`.
    pub fn type_signature(&self, type_index: u32) -> Option<&str> {
        let m = self.raw();
        let text = self.entry(m.type_signatures, m.num_types, type_index)?;
        // SAFETY: as in `imports`.
        unsafe { c_str(*text) }
    }

    /// The signature string of function `func_index` (imports first).
    pub fn func_signature(&self, func_index: u32) -> Option<&str> {
        let m = self.raw();
        let type_index = *self.entry(m.func_types, m.num_funcs, func_index)?;
        self.type_signature(type_index)
    }

    /// The type of global `global_index` (imports first): value character and mutability.
    pub fn global_type(&self, global_index: u32) -> Option<(u8, bool)> {
        let m = self.raw();
        let ty = self.entry(m.globals, m.num_globals, global_index)?;
        Some((ty.value_type, ty.mutable_ != 0))
    }

    pub fn num_funcs(&self) -> u32 {
        self.raw().num_funcs
    }
}

#[cfg(unix)]
unsafe fn open_library(path: &Path) -> Result<libloading::Library, libloading::Error> {
    use libloading::os::unix::{Library, RTLD_LOCAL, RTLD_NOW};
    // Bind every symbol now so a missing runtime function is a load error, not a crash later.
    unsafe { Library::open(Some(path), RTLD_NOW | RTLD_LOCAL) }.map(Into::into)
}

#[cfg(not(unix))]
unsafe fn open_library(path: &Path) -> Result<libloading::Library, libloading::Error> {
    unsafe { libloading::Library::new(path) }
}

// ----------------------------------------------------------------------------------- externs ---

/// What keeps a handle's target alive: an instance, or a host allocation.
type Owner = Rc<dyn Any>;

/// A function value with its signature.
#[derive(Clone)]
pub struct Func {
    raw: NonNull<ffi::w2n_funcref>,
    signature: Rc<str>,
    _owner: Owner,
}

/// A table, the instance's own or a host one.
#[derive(Clone)]
pub struct Table {
    raw: NonNull<ffi::w2n_table>,
    _owner: Owner,
}

/// A linear memory, the instance's own or a host one.
#[derive(Clone)]
pub struct Memory {
    raw: NonNull<ffi::w2n_memory>,
    _owner: Owner,
}

/// A global cell with its type.
#[derive(Clone)]
pub struct Global {
    raw: NonNull<ffi::w2n_value>,
    ty: ffi::w2n_global_type,
    _owner: Owner,
}

/// Something an import can be bound to.
#[derive(Clone)]
pub enum Extern {
    Func(Func),
    Table(Table),
    Memory(Memory),
    Global(Global),
}

impl Extern {
    pub fn kind(&self) -> ExternKind {
        match self {
            Extern::Func(_) => ExternKind::Func,
            Extern::Table(_) => ExternKind::Table,
            Extern::Memory(_) => ExternKind::Memory,
            Extern::Global(_) => ExternKind::Global,
        }
    }

    fn to_raw(&self) -> ffi::w2n_extern {
        let no_type = ffi::w2n_global_type { value_type: 0, mutable_: 0, pad: [0; 6] };
        let (of, global_type) = match self {
            Extern::Func(f) => (f.raw.as_ptr().cast(), no_type),
            Extern::Table(t) => (t.raw.as_ptr().cast(), no_type),
            Extern::Memory(m) => (m.raw.as_ptr().cast(), no_type),
            Extern::Global(g) => (g.raw.as_ptr().cast(), g.ty),
        };
        ffi::w2n_extern { kind: self.kind() as u32, of, global_type }
    }
}

impl Func {
    /// Wraps a host function. `code` has the compiled calling convention for `signature`
    /// (`vmctx` first, then the parameters) and `array_code` reads and writes `w2n_value` slots;
    /// both receive `vmctx`. The `w2n_funcref` is owned by the returned handle and its clones,
    /// and by every instance that imports it.
    ///
    /// # Safety
    /// `code` and `array_code` must implement `signature` and stay callable for as long as any
    /// instance can call them; `vmctx` must be what they expect.
    pub unsafe fn host(
        signature: &str,
        code: *const c_void,
        array_code: ffi::w2n_array_fn,
        vmctx: *mut c_void,
    ) -> Option<Func> {
        Signature::parse(signature)?;
        let type_id = intern_signature(signature)?;
        let cell = Rc::new(UnsafeCell::new(ffi::w2n_funcref {
            code,
            array_code: Some(array_code),
            type_id,
            reserved: 0,
            vmctx,
        }));
        let raw = NonNull::new(cell.get())?;
        Some(Func { raw, signature: signature.into(), _owner: cell })
    }

    pub fn signature(&self) -> &str {
        &self.signature
    }

    /// The `w2n_funcref` behind this handle, as a `Value::FuncRef` would carry it.
    pub fn as_raw(&self) -> NonNull<ffi::w2n_funcref> {
        self.raw
    }

    /// Calls the function through its array entry under the runtime's trap handler.
    pub fn call(&self, args: &[Value]) -> Result<Vec<Value>, CallError> {
        let sig = Signature::parse(&self.signature)
            .ok_or_else(|| CallError::Signature(format!("unreadable \"{}\"", self.signature)))?;
        let given: Vec<u8> = args.iter().map(Value::type_char).collect();
        if given != sig.params {
            return Err(CallError::Signature(format!(
                "function takes ({}), given ({})",
                String::from_utf8_lossy(&sig.params),
                String::from_utf8_lossy(&given)
            )));
        }
        // Parameters in, results out over them: one slot per value of the longer list.
        let slots = sig.params.len().max(sig.results.len()).max(1);
        let mut values = vec![ffi::w2n_value { v128: [0; 16] }; slots];
        for (slot, arg) in values.iter_mut().zip(args) {
            *slot = arg.to_slot();
        }
        let mut result = empty_result();
        // A stack overflow that compiled code's own check misses (a frame probing into the
        // guard page) reaches the fault handler, which runs on an alternate stack.
        // SAFETY: no arguments; it only sets up this thread's signal stack.
        unsafe { ffi::w2n_rt_ensure_alternate_stack() };
        // SAFETY: `raw` is kept alive by `_owner`; `values` has room for params and results.
        let trap = unsafe { ffi::w2n_call(self.raw.as_ptr(), values.as_mut_ptr(), &mut result) };
        if trap != ffi::W2N_TRAP_NONE {
            return Err(CallError::Trap(Trap::from_result(&result)));
        }
        sig.results
            .iter()
            .zip(&values)
            .map(|(&ty, slot)| {
                Value::from_slot(ty, slot)
                    .ok_or_else(|| CallError::Signature(format!("unknown result type {ty}")))
            })
            .collect()
    }
}

impl Table {
    /// A host table (`elem_type` is `W2N_TYPE_FUNCREF` or `W2N_TYPE_EXTERNREF`), all null.
    /// Host tables live until the process ends, as the runtime makes them.
    pub fn host(elem_type: u8, min: u32, max: Option<u32>) -> Option<Table> {
        // SAFETY: plain allocation call.
        let raw = unsafe {
            ffi::w2n_table_new(elem_type, min, max.unwrap_or(u32::MAX), max.is_some() as c_int)
        };
        Some(Table { raw: NonNull::new(raw)?, _owner: Rc::new(()) })
    }

    pub fn size(&self) -> u32 {
        // SAFETY: kept alive by `_owner`.
        unsafe { self.raw.as_ref() }.size
    }

    /// Element `index`: the raw reference (a `w2n_funcref*` or the host's externref pointer).
    pub fn get(&self, index: u32) -> Option<Option<NonNull<c_void>>> {
        // SAFETY: kept alive by `_owner`; `elements` holds `size` entries.
        unsafe {
            let table = self.raw.as_ref();
            if index >= table.size || table.elements.is_null() {
                return None;
            }
            Some(NonNull::new(*table.elements.add(index as usize)))
        }
    }
}

impl Memory {
    /// A host memory of `min_pages` pages. Host memories live until the process ends, as the
    /// runtime makes them.
    pub fn host(min_pages: u64, max_pages: Option<u64>) -> Option<Memory> {
        let (max, has_max) = (max_pages.unwrap_or(abi::MAX_PAGES), max_pages.is_some());
        // SAFETY: plain allocation call.
        let raw = unsafe { ffi::w2n_memory_new(min_pages, max, has_max as c_int) };
        Some(Memory { raw: NonNull::new(raw)?, _owner: Rc::new(()) })
    }

    /// Current size in bytes.
    pub fn size(&self) -> u64 {
        // SAFETY: kept alive by `_owner`.
        unsafe { self.raw.as_ref() }.size
    }

    pub fn pages(&self) -> u64 {
        self.size() / abi::PAGE_SIZE
    }

    fn range(&self, offset: u64, len: usize) -> Option<*mut u8> {
        // SAFETY: kept alive by `_owner`; base and size are read fresh since growth moves them.
        let memory = unsafe { self.raw.as_ref() };
        let end = offset.checked_add(len as u64)?;
        if end > memory.size || memory.base.is_null() {
            return None;
        }
        // SAFETY: `offset + len <= size`, and `base` is valid for `size` bytes.
        Some(unsafe { memory.base.add(offset as usize) })
    }

    /// Copies `out.len()` bytes from `offset`; `None` when out of bounds.
    pub fn read(&self, offset: u64, out: &mut [u8]) -> Option<()> {
        let from = self.range(offset, out.len())?;
        // SAFETY: in bounds; the memory cannot overlap a Rust-owned buffer.
        unsafe { ptr::copy_nonoverlapping(from, out.as_mut_ptr(), out.len()) };
        Some(())
    }

    /// Copies `data` to `offset`; `None` when out of bounds.
    pub fn write(&self, offset: u64, data: &[u8]) -> Option<()> {
        let to = self.range(offset, data.len())?;
        // SAFETY: as in `read`.
        unsafe { ptr::copy_nonoverlapping(data.as_ptr(), to, data.len()) };
        Some(())
    }
}

impl Global {
    /// A host-owned global cell holding `value`, freed when the last handle and the last
    /// instance importing it are gone.
    pub fn host(value: Value, mutable: bool) -> Global {
        let cell = Rc::new(UnsafeCell::new(value.to_slot()));
        let ty = ffi::w2n_global_type {
            value_type: value.type_char(),
            mutable_: mutable as u8,
            pad: [0; 6],
        };
        // `UnsafeCell::get` of a live Rc is never null.
        let raw = NonNull::new(cell.get()).unwrap_or(NonNull::dangling());
        Global { raw, ty, _owner: cell }
    }

    pub fn value_type(&self) -> u8 {
        self.ty.value_type
    }

    pub fn is_mutable(&self) -> bool {
        self.ty.mutable_ != 0
    }

    /// The current value; `None` when the cell's type character is unknown.
    pub fn get(&self) -> Option<Value> {
        // SAFETY: kept alive by `_owner`; reading a cell no Wasm code runs against right now.
        Value::from_slot(self.ty.value_type, unsafe { self.raw.as_ref() })
    }

    /// Stores `value` when the global is mutable and of the same type.
    pub fn set(&self, value: Value) -> Option<()> {
        if !self.is_mutable() || value.type_char() != self.ty.value_type {
            return None;
        }
        // SAFETY: as in `get`.
        unsafe { *self.raw.as_ptr() = value.to_slot() };
        Some(())
    }
}

// ---------------------------------------------------------------------------------- instance ---

/// An instance of a loaded module. Cheap to clone; freed when the last clone and the last handle
/// to one of its exports are gone.
#[derive(Clone)]
pub struct Instance {
    inner: Rc<InstanceInner>,
}

struct InstanceInner {
    raw: NonNull<ffi::w2n_instance>,
    module: LoadedModule,
    // Dropped after `raw` is freed (see `Drop`): the instance may point into all of them.
    _imports: Vec<Extern>,
}

impl Drop for InstanceInner {
    fn drop(&mut self) {
        // SAFETY: `raw` came from `w2n_instantiate` and is freed once, before its imports and
        // its module's library are released.
        unsafe { ffi::w2n_instance_free(self.raw.as_ptr()) };
    }
}

/// The resolver and the externs it handed out, reachable from the C callback.
struct ResolveState<'a> {
    resolver: &'a mut dyn FnMut(&str, &str, ExternKind) -> Option<Extern>,
    bound: Vec<Extern>,
}

unsafe extern "C" fn resolve_import(
    user: *mut c_void,
    import: *const ffi::w2n_import,
    out: *mut ffi::w2n_extern,
) -> c_int {
    // A panic must not unwind into C: it reads as an unknown import.
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        // SAFETY: `user` is the `ResolveState` `instantiate` passed, alive for the call; the
        // strings come from the module descriptor.
        let state = unsafe { &mut *user.cast::<ResolveState>() };
        let import = unsafe { import.as_ref()? };
        let module = unsafe { name_str(import.module, import.module_len)? };
        let name = unsafe { name_str(import.name, import.name_len)? };
        let found = (state.resolver)(module, name, extern_kind(import.kind)?)?;
        let raw = found.to_raw();
        state.bound.push(found);
        Some(raw)
    }));
    match outcome {
        Ok(Some(raw)) if !out.is_null() => {
            // SAFETY: the runtime passes a valid `w2n_extern` to fill.
            unsafe { *out = raw };
            0
        }
        _ => 1,
    }
}

impl Instance {
    /// Instantiates `module`, asking `resolver` for each import (module name, field name, kind).
    /// A resolver answer of the wrong kind or type is the runtime's link error to report.
    pub fn instantiate(
        module: &LoadedModule,
        resolver: &mut dyn FnMut(&str, &str, ExternKind) -> Option<Extern>,
    ) -> Result<Instance, InstantiationError> {
        let mut state = ResolveState { resolver, bound: Vec::new() };
        // The handler that turns faults of compiled code (guard-page accesses, stack overflow
        // past the check) into traps; a safety net, so failing to install it is no error.
        // SAFETY: no arguments; it installs a process-wide signal handler once.
        unsafe { ffi::w2n_install_fault_handler() };
        let mut result = empty_result();
        // SAFETY: the descriptor is alive through `module`; `state` outlives the call.
        let raw = unsafe {
            ffi::w2n_instantiate(
                module.inner.descriptor.as_ptr(),
                resolve_import,
                (&mut state as *mut ResolveState).cast(),
                &mut result,
            )
        };
        match NonNull::new(raw) {
            Some(raw) => Ok(Instance {
                inner: Rc::new(InstanceInner {
                    raw,
                    module: module.clone(),
                    _imports: state.bound,
                }),
            }),
            None if result.trap == ffi::W2N_TRAP_NONE => {
                Err(InstantiationError::Link(result_message(&result)))
            }
            None => {
                // A trap while initialising may leave the partly initialised instance alive in
                // the runtime: Wasm 2.0 keeps the table and global writes made before the trap,
                // and those may reference its functions. Then its code and everything it
                // imported stay alive for the rest of the process.
                // SAFETY: the descriptor is alive through `module`.
                if unsafe { ffi::w2n_failed_start_is_freed(module.inner.descriptor.as_ptr()) } == 0
                {
                    std::mem::forget(module.clone());
                    std::mem::forget(state.bound);
                }
                Err(InstantiationError::Trap(Trap::from_result(&result)))
            }
        }
    }

    pub fn module(&self) -> &LoadedModule {
        &self.inner.module
    }

    fn raw_export(&self, name: &str, kind: ExternKind) -> Option<ffi::w2n_extern> {
        let mut out = ffi::w2n_extern {
            kind: kind as u32,
            of: ptr::null_mut(),
            global_type: ffi::w2n_global_type { value_type: 0, mutable_: 0, pad: [0; 6] },
        };
        // SAFETY: the instance is alive; `name` is valid for its length; `out` is writable.
        let status = unsafe {
            ffi::w2n_instance_export(
                self.inner.raw.as_ptr(),
                name.as_ptr().cast(),
                name.len(),
                kind as u32,
                &mut out,
            )
        };
        (status == 0 && !out.of.is_null()).then_some(out)
    }

    /// The export `name`, as a handle that keeps this instance alive.
    pub fn export(&self, name: &str) -> Option<Extern> {
        let desc = self.inner.module.find_export(name)?;
        let raw = self.raw_export(name, desc.kind)?;
        let owner: Owner = self.inner.clone();
        Some(match desc.kind {
            ExternKind::Func => Extern::Func(Func {
                raw: NonNull::new(raw.of.cast())?,
                signature: self.inner.module.func_signature(desc.index)?.into(),
                _owner: owner,
            }),
            ExternKind::Table => {
                Extern::Table(Table { raw: NonNull::new(raw.of.cast())?, _owner: owner })
            }
            ExternKind::Memory => {
                Extern::Memory(Memory { raw: NonNull::new(raw.of.cast())?, _owner: owner })
            }
            ExternKind::Global => Extern::Global(Global {
                raw: NonNull::new(raw.of.cast())?,
                ty: self.global_export_type(&desc, raw.global_type),
                _owner: owner,
            }),
        })
    }

    /// The runtime fills in the global type; the descriptor is the fallback when it does not.
    fn global_export_type(
        &self,
        desc: &ExportDesc,
        reported: ffi::w2n_global_type,
    ) -> ffi::w2n_global_type {
        if reported.value_type != 0 {
            return reported;
        }
        let (value_type, mutable) = self.inner.module.global_type(desc.index).unwrap_or((0, false));
        ffi::w2n_global_type { value_type, mutable_: mutable as u8, pad: [0; 6] }
    }

    pub fn func(&self, name: &str) -> Option<Func> {
        match self.export(name)? {
            Extern::Func(f) => Some(f),
            _ => None,
        }
    }

    pub fn memory(&self, name: &str) -> Option<Memory> {
        match self.export(name)? {
            Extern::Memory(m) => Some(m),
            _ => None,
        }
    }

    pub fn table(&self, name: &str) -> Option<Table> {
        match self.export(name)? {
            Extern::Table(t) => Some(t),
            _ => None,
        }
    }

    /// The current value of the exported global `name`.
    pub fn global(&self, name: &str) -> Option<Value> {
        match self.export(name)? {
            Extern::Global(g) => g.get(),
            _ => None,
        }
    }

    /// Calls the exported function `name`.
    pub fn call(&self, name: &str, args: &[Value]) -> Result<Vec<Value>, CallError> {
        self.func(name).ok_or_else(|| CallError::UnknownExport(name.to_string()))?.call(args)
    }
}

/// Raises a trap from inside a host function; control returns to the `w2n_call` or
/// `w2n_instantiate` that is running.
///
/// # Safety
/// Only callable from a host function running under the runtime, and the runtime unwinds with
/// `longjmp`: no Rust frame between that entry point and here may own anything needing `Drop`
/// (the caller's frames are skipped, not unwound). The copy of `message` made here is leaked.
pub unsafe fn host_trap(message: &str) -> ! {
    let text = CString::new(message.replace('\0', " ")).unwrap_or_default();
    // SAFETY: per this function's contract; the runtime copies the message before jumping.
    unsafe { ffi::w2n_host_trap(text.as_ptr()) }
}
