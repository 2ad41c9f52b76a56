//! A compiled module's shared object, loaded, and what its descriptor says.

use super::{c_str, extern_kind, ffi, name_str, LoadError};
use crate::abi::{self, ExternKind};
use std::path::{Path, PathBuf};
use std::ptr::NonNull;
use std::sync::Arc;

/// A compiled module's shared object, loaded and checked. Cheap to clone; the library stays
/// mapped while any clone or any instance of it lives.
#[derive(Clone)]
pub struct LoadedModule {
    pub(super) inner: Arc<ModuleInner>,
}

pub(super) struct ModuleInner {
    pub(super) descriptor: NonNull<ffi::w2n_module>,
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
