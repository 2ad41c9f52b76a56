//! The reference engines wasm2native is compared with: the wasmi interpreter, in process, for
//! what it runs (Wasm 2.0 and most of 3.0); Wasmtime, in a child process, for what wasmi lacks
//! (typed function references, exceptions); and V8, in a child process too, for the legacy
//! exception instructions, which only it runs. All answer through `ReferenceEngine`, the two
//! child processes through one client (`child`); what a module exports is read from the module
//! itself, the same way for all.

pub mod child;
pub mod v8;
pub mod wasmi;
pub mod wasmtime;

use crate::{ExportState, Outcome, Val, ValType};
use wasmparser::types::EntityType;
use wasmparser::{AbstractHeapType, CompositeInnerType, HeapType, UnpackedIndex};
use wasmparser::{Validator, WasmFeatures};

pub trait ReferenceEngine {
    /// Instantiates the module (it imports nothing), running its start function.
    fn instantiate(&mut self) -> Outcome;
    /// Calls export `name` with `args`; the function returns `results` values.
    fn call(&mut self, name: &str, args: &[Val], results: usize) -> Outcome;
    /// The state of export `name` (not a function).
    fn state(&mut self, name: &str) -> ExportState;
    /// The bytes of memory export `name`, to say where two memories differ when `state` gave
    /// only a digest.
    fn memory_bytes(&mut self, name: &str) -> Vec<u8>;
}

/// An export, as the module declares it.
#[derive(Clone, Debug)]
pub struct Export {
    pub name: String,
    /// For a function: its parameter and result types; `None` for other exports.
    pub signature: Option<(Vec<ValType>, Vec<ValType>)>,
}

/// The exports of `wasm`, a module valid with `features`, in order.
pub fn exports(wasm: &[u8], features: WasmFeatures) -> Result<Vec<Export>, String> {
    let types = Validator::new_with_features(features)
        .validate_all(wasm)
        .map_err(|error| error.to_string())?;
    let types = types.as_ref();
    let value_type = |ty: &wasmparser::ValType| match ty {
        wasmparser::ValType::I32 => ValType::I32,
        wasmparser::ValType::I64 => ValType::I64,
        wasmparser::ValType::F32 => ValType::F32,
        wasmparser::ValType::F64 => ValType::F64,
        wasmparser::ValType::V128 => ValType::V128,
        wasmparser::ValType::Ref(reference) if !reference.is_nullable() => ValType::Unpassable,
        wasmparser::ValType::Ref(reference) => match reference.heap_type() {
            HeapType::Abstract {
                ty: AbstractHeapType::Func | AbstractHeapType::NoFunc, ..
            } => ValType::FuncRef,
            HeapType::Abstract {
                ty: AbstractHeapType::Extern | AbstractHeapType::NoExtern,
                ..
            } => ValType::ExternRef,
            HeapType::Concrete(index) | HeapType::Exact(index) => {
                let id = match index {
                    UnpackedIndex::Id(id) => id,
                    UnpackedIndex::Module(index) => types.core_type_at_in_module(index),
                    UnpackedIndex::RecGroup(_) => return ValType::Unpassable,
                };
                match types[id].composite_type.inner {
                    CompositeInnerType::Func(_) => ValType::FuncRef,
                    _ => ValType::Unpassable,
                }
            }
            _ => ValType::Unpassable,
        },
    };
    let exports = types.core_exports().ok_or("not a core module")?;
    // Tags have no state to compare.
    Ok(exports
        .filter(|(_, entity)| !matches!(entity, EntityType::Tag(_)))
        .map(|(name, entity)| Export {
            name: name.to_string(),
            signature: match entity {
                EntityType::Func(id) | EntityType::FuncExact(id) => {
                    let func = types[id].unwrap_func();
                    Some((
                        func.params().iter().map(value_type).collect(),
                        func.results().iter().map(value_type).collect(),
                    ))
                }
                _ => None,
            },
        })
        .collect())
}
