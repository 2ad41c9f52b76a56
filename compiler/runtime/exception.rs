//! Exceptions as the embedding sees them: one that left a call (`Trap::exception`), and one a
//! host function throws into the Wasm code that called it (`host_throw`).

use super::{ffi, CallError, Signature, Tag, Value};
use crate::abi;

/// An exception that left Wasm: its tag and its payload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exception {
    /// The tag's identity, to compare with a `Tag` (`is`); never dereferenced here.
    tag: *const ffi::w2n_tag,
    pub payload: Vec<Value>,
}

impl Exception {
    /// Reads the runtime's exception (valid until the next one leaves Wasm on this thread).
    ///
    /// # Safety
    /// `raw` is null or a live `w2n_exception`.
    pub(super) unsafe fn read(raw: *const ffi::w2n_exception) -> Option<Exception> {
        // SAFETY: per the contract; the tag and its signature live as long as their module.
        let (exception, signature) = unsafe {
            let exception = raw.as_ref()?;
            let tag = exception.tag.as_ref()?;
            (exception, std::ffi::CStr::from_ptr(tag.signature).to_str().ok()?)
        };
        let types = Signature::parse(signature)?.params;
        let values = (raw as *const u8).wrapping_add(abi::exception::VALUES as usize);
        let payload = types
            .iter()
            .take(exception.num_values as usize)
            .enumerate()
            .map(|(i, &ty)| {
                // SAFETY: the exception holds `num_values` slots after its header.
                let slot = unsafe { &*(values as *const ffi::w2n_value).add(i) };
                Value::from_slot(ty, slot)
            })
            .collect::<Option<Vec<Value>>>()?;
        Some(Exception { tag: exception.tag, payload })
    }

    /// Whether the exception is of `tag`.
    pub fn is(&self, tag: &Tag) -> bool {
        std::ptr::eq(self.tag, tag.raw.as_ptr())
    }
}

/// Throws an exception of `tag` with `payload` from a host function an instance imports: the
/// function then returns as usual (its results are ignored) and the exception goes to the
/// caller's handlers as if the import had thrown it. The payload must match the tag's type.
pub fn host_throw(tag: &Tag, payload: &[Value]) -> Result<(), CallError> {
    Signature::check_arguments(&tag.signature(), payload, "the tag")?;
    let slots: Vec<ffi::w2n_value> = payload.iter().map(|value| value.to_slot()).collect();
    // SAFETY: the tag is alive (its handle keeps its owner); `slots` holds its payload.
    unsafe { ffi::w2n_host_throw(tag.raw.as_ptr(), slots.as_ptr()) };
    Ok(())
}
