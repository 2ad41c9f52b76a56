//! An instance of a loaded module, linked against its imports.

use super::error::{empty_result, result_message};
use super::externs::Owner;
use super::{
    extern_kind, ffi, name_str, CallError, ExportDesc, Extern, Func, Global, InstantiationError,
    LoadedModule, Memory, Table, Tag, Trap, Value,
};
use crate::abi::ExternKind;
use std::ffi::{c_int, c_void, CString};
use std::ptr::{self, NonNull};
use std::rc::Rc;

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
            global_type: ffi::w2n_global_type {
                value_type: 0,
                mutable_: 0,
                pad: [0; 6],
                ref_type: std::ptr::null(),
            },
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
            ExternKind::Tag => {
                Extern::Tag(Tag { raw: NonNull::new(raw.of.cast())?, _owner: owner })
            }
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
        ffi::w2n_global_type {
            value_type,
            mutable_: mutable as u8,
            pad: [0; 6],
            ref_type: std::ptr::null(),
        }
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
