//! Functions, tables, memories, globals and tags: exported by an instance or made by the host.

use super::{empty_result, ffi, intern_signature, AccessError, CallError, Signature, Trap, Value};
use crate::abi::{self, ExternKind};
use std::any::Any;
use std::cell::UnsafeCell;
use std::ffi::{c_int, c_void};
use std::ptr::{self, NonNull};
use std::rc::Rc;

/// What keeps a handle's target alive: an instance, or a host allocation.
pub(super) type Owner = Rc<dyn Any>;

/// A function value with its signature.
#[derive(Clone)]
pub struct Func {
    pub(super) raw: NonNull<ffi::w2n_funcref>,
    pub(super) signature: Rc<str>,
    pub(super) _owner: Owner,
}

/// A table, the instance's own or a host one.
#[derive(Clone)]
pub struct Table {
    pub(super) raw: NonNull<ffi::w2n_table>,
    pub(super) _owner: Owner,
}

/// A linear memory, the instance's own or a host one.
#[derive(Clone)]
pub struct Memory {
    pub(super) raw: NonNull<ffi::w2n_memory>,
    pub(super) _owner: Owner,
}

/// A global cell with its type.
#[derive(Clone)]
pub struct Global {
    pub(super) raw: NonNull<ffi::w2n_value>,
    pub(super) ty: ffi::w2n_global_type,
    pub(super) _owner: Owner,
}

/// An exception tag: its identity is the object, so only an import shares it.
#[derive(Clone)]
pub struct Tag {
    pub(crate) raw: NonNull<ffi::w2n_tag>,
    pub(super) _owner: Owner,
}

/// Something an import can be bound to.
#[derive(Clone)]
pub enum Extern {
    Func(Func),
    Table(Table),
    Memory(Memory),
    Global(Global),
    Tag(Tag),
}

impl Extern {
    pub fn kind(&self) -> ExternKind {
        match self {
            Extern::Func(_) => ExternKind::Func,
            Extern::Table(_) => ExternKind::Table,
            Extern::Memory(_) => ExternKind::Memory,
            Extern::Global(_) => ExternKind::Global,
            Extern::Tag(_) => ExternKind::Tag,
        }
    }

    pub(super) fn to_raw(&self) -> ffi::w2n_extern {
        let no_type = ffi::w2n_global_type {
            value_type: 0,
            mutable_: 0,
            pad: [0; 6],
            ref_type: std::ptr::null(),
        };
        let (of, global_type) = match self {
            Extern::Func(f) => (f.raw.as_ptr().cast(), no_type),
            Extern::Table(t) => (t.raw.as_ptr().cast(), no_type),
            Extern::Memory(m) => (m.raw.as_ptr().cast(), no_type),
            Extern::Global(g) => (g.raw.as_ptr().cast(), g.ty),
            Extern::Tag(t) => (t.raw.as_ptr().cast(), no_type),
        };
        ffi::w2n_extern { kind: self.kind() as u32, of, global_type }
    }
}

impl Tag {
    /// The payload's types, as a signature string with no results (`"PARAMS:"`).
    pub fn signature(&self) -> String {
        // SAFETY: kept alive by `_owner`; the signature is a NUL-terminated string of the
        // module descriptor, which lives as long as the module's code.
        unsafe { std::ffi::CStr::from_ptr(self.raw.as_ref().signature) }
            .to_string_lossy()
            .into_owned()
    }

    /// Whether both handles are the same tag.
    pub fn same(&self, other: &Tag) -> bool {
        self.raw == other.raw
    }
}

impl Func {
    /// Wraps a host function. `code` takes `vmctx`, then the parameters of `signature`, in the C
    /// calling convention (an instance importing it calls it through a view, see
    /// `w2n_instance.host_funcs` in the header), and `array_code` reads and writes `w2n_value`
    /// slots; both receive `vmctx`. The `w2n_funcref` is owned by the returned handle and its clones,
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
        let sig = Signature::check_arguments(&self.signature, args, "function")?;
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
    pub fn host(elem_type: u8, min: u32, max: Option<u32>) -> Result<Table, AccessError> {
        // SAFETY: plain allocation call.
        let raw = unsafe {
            ffi::w2n_table_new(elem_type, min, max.unwrap_or(u32::MAX), max.is_some() as c_int)
        };
        let raw = NonNull::new(raw).ok_or(AccessError::OutOfMemory)?;
        Ok(Table { raw, _owner: Rc::new(()) })
    }

    pub fn size(&self) -> u32 {
        // SAFETY: kept alive by `_owner`.
        unsafe { self.raw.as_ref() }.size
    }

    /// Element `index`: the raw reference (a `w2n_funcref*` or the host's externref pointer).
    pub fn get(&self, index: u32) -> Result<Option<NonNull<c_void>>, AccessError> {
        // SAFETY: kept alive by `_owner`; `elements` holds `size` entries.
        unsafe {
            let table = self.raw.as_ref();
            if index >= table.size || table.elements.is_null() {
                return Err(AccessError::NoElement { index, size: table.size });
            }
            Ok(NonNull::new(*table.elements.add(index as usize)))
        }
    }
}

impl Memory {
    /// A host memory of `min_pages` pages. Host memories live until the process ends, as the
    /// runtime makes them.
    pub fn host(min_pages: u64, max_pages: Option<u64>) -> Result<Memory, AccessError> {
        let (max, has_max) = (max_pages.unwrap_or(abi::MAX_PAGES), max_pages.is_some());
        // SAFETY: plain allocation call.
        let raw = unsafe { ffi::w2n_memory_new(min_pages, max, has_max as c_int) };
        let raw = NonNull::new(raw).ok_or(AccessError::OutOfMemory)?;
        Ok(Memory { raw, _owner: Rc::new(()) })
    }

    /// Current size in bytes.
    pub fn size(&self) -> u64 {
        // SAFETY: kept alive by `_owner`.
        unsafe { self.raw.as_ref() }.size
    }

    pub fn pages(&self) -> u64 {
        self.size() / abi::PAGE_SIZE
    }

    fn range(&self, offset: u64, len: usize) -> Result<*mut u8, AccessError> {
        // SAFETY: kept alive by `_owner`; base and size are read fresh since growth moves them.
        let memory = unsafe { self.raw.as_ref() };
        let outside = AccessError::OutOfBounds { offset, len: len as u64, size: memory.size };
        let end = offset.checked_add(len as u64).ok_or(outside.clone())?;
        if end > memory.size || memory.base.is_null() {
            return Err(outside);
        }
        // SAFETY: `offset + len <= size`, and `base` is valid for `size` bytes.
        Ok(unsafe { memory.base.add(offset as usize) })
    }

    /// Copies `out.len()` bytes from `offset`.
    pub fn read(&self, offset: u64, out: &mut [u8]) -> Result<(), AccessError> {
        let from = self.range(offset, out.len())?;
        // SAFETY: in bounds; the memory cannot overlap a Rust-owned buffer.
        unsafe { ptr::copy_nonoverlapping(from, out.as_mut_ptr(), out.len()) };
        Ok(())
    }

    /// Copies `data` to `offset`.
    pub fn write(&self, offset: u64, data: &[u8]) -> Result<(), AccessError> {
        let to = self.range(offset, data.len())?;
        // SAFETY: as in `read`.
        unsafe { ptr::copy_nonoverlapping(data.as_ptr(), to, data.len()) };
        Ok(())
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
            ref_type: std::ptr::null(),
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
    pub fn set(&self, value: Value) -> Result<(), AccessError> {
        if !self.is_mutable() {
            return Err(AccessError::Immutable);
        }
        if value.type_char() != self.ty.value_type {
            return Err(AccessError::WrongType {
                expected: self.ty.value_type,
                found: value.type_char(),
            });
        }
        // SAFETY: as in `get`.
        unsafe { *self.raw.as_ptr() = value.to_slot() };
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refused_accesses_say_why() {
        let memory = Memory::host(1, Some(1)).unwrap();
        let mut four = [0u8; 4];
        assert_eq!(memory.write(65532, &[1, 2, 3, 4]), Ok(()));
        assert_eq!(memory.read(65532, &mut four), Ok(()));
        assert_eq!(four, [1, 2, 3, 4]);
        let outside = AccessError::OutOfBounds { offset: 65533, len: 4, size: 65536 };
        assert_eq!(memory.read(65533, &mut four), Err(outside.clone()));
        assert_eq!(memory.write(65533, &four), Err(outside));
        assert!(matches!(memory.read(u64::MAX, &mut four), Err(AccessError::OutOfBounds { .. })));

        let table = Table::host(abi::type_char::FUNCREF, 2, None).unwrap();
        assert_eq!(table.get(1), Ok(None));
        assert_eq!(table.get(2), Err(AccessError::NoElement { index: 2, size: 2 }));

        let constant = Global::host(Value::I32(7), false);
        assert_eq!(constant.set(Value::I32(8)), Err(AccessError::Immutable));
        let variable = Global::host(Value::I32(7), true);
        let wrong = AccessError::WrongType { expected: b'i', found: b'I' };
        assert_eq!(variable.set(Value::I64(8)), Err(wrong));
        assert_eq!(variable.set(Value::I32(8)), Ok(()));
        assert_eq!(variable.get(), Some(Value::I32(8)));
    }
}
