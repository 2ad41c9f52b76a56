//! The wasmi interpreter as a reference engine, with the Wasm features it shares with
//! wasm2native.

use super::ReferenceEngine;
use crate::{ExportState, Outcome, TrapKind, Val};
use wasmi::{Engine, Instance, Linker, Module, Store};

pub struct Wasmi {
    store: Store<()>,
    module: Module,
    instance: Option<Instance>,
}

fn engine() -> Engine {
    let mut config = wasmi::Config::default();
    config
        .wasm_simd(true)
        .wasm_relaxed_simd(true)
        .wasm_multi_memory(true)
        .wasm_bulk_memory(true)
        .wasm_reference_types(true)
        .wasm_multi_value(true)
        .wasm_tail_call(true)
        .wasm_memory64(true)
        .wasm_extended_const(true)
        .wasm_wide_arithmetic(false)
        .wasm_custom_page_sizes(false);
    Engine::new(&config)
}

fn from_wasmi(value: &wasmi::Val) -> Val {
    match value {
        wasmi::Val::I32(v) => Val::I32(*v),
        wasmi::Val::I64(v) => Val::I64(*v),
        wasmi::Val::F32(v) => Val::F32(v.to_bits()),
        wasmi::Val::F64(v) => Val::F64(v.to_bits()),
        wasmi::Val::V128(v) => Val::V128(v.as_u128()),
        wasmi::Val::FuncRef(r) => Val::FuncRef { null: r.is_null() },
        wasmi::Val::ExternRef(r) => Val::ExternRef { null: r.is_null() },
    }
}

fn to_wasmi(value: Val) -> wasmi::Val {
    match value {
        Val::I32(v) => wasmi::Val::I32(v),
        Val::I64(v) => wasmi::Val::I64(v),
        Val::F32(bits) => wasmi::Val::F32(wasmi::F32::from_bits(bits)),
        Val::F64(bits) => wasmi::Val::F64(wasmi::F64::from_bits(bits)),
        Val::V128(v) => wasmi::Val::V128(wasmi::V128::from(v)),
        // Arguments are always null references: the engines share no objects.
        Val::FuncRef { .. } => wasmi::Val::default_for_ty(wasmi::ValType::FuncRef),
        Val::ExternRef { .. } => wasmi::Val::default_for_ty(wasmi::ValType::ExternRef),
        Val::ExnRef { .. } => unreachable!("wasmi has no exception references"),
    }
}

fn trap_kind(error: &wasmi::Error) -> TrapKind {
    use wasmi::TrapCode as Code;
    match error.as_trap_code() {
        Some(Code::UnreachableCodeReached) => TrapKind::Unreachable,
        Some(Code::MemoryOutOfBounds) => TrapKind::MemoryOutOfBounds,
        Some(Code::TableOutOfBounds) => TrapKind::TableOutOfBounds,
        Some(Code::IndirectCallToNull) => TrapKind::UninitializedElement,
        Some(Code::BadSignature) => TrapKind::IndirectCallTypeMismatch,
        Some(Code::IntegerDivisionByZero) => TrapKind::IntegerDivideByZero,
        Some(Code::IntegerOverflow) => TrapKind::IntegerOverflow,
        Some(Code::BadConversionToInteger) => TrapKind::InvalidConversion,
        Some(Code::StackOverflow) => TrapKind::StackExhausted,
        // An active element segment past its table's end: an error of instantiation in wasmi,
        // the trap `out of bounds table access` in the spec.
        _ if matches!(
            error.kind(),
            wasmi::errors::ErrorKind::Instantiation(
                wasmi::errors::InstantiationError::ElementSegmentDoesNotFit { .. }
            )
        ) =>
        {
            TrapKind::TableOutOfBounds
        }
        _ => TrapKind::Other(format!("wasmi: {error}")),
    }
}

impl Wasmi {
    /// Validates `wasm`; an error means the generator made a module wasmi does not take.
    pub fn new(wasm: &[u8]) -> Result<Wasmi, String> {
        let engine = engine();
        let module = Module::new(&engine, wasm).map_err(|e| e.to_string())?;
        Ok(Wasmi { store: Store::new(&engine, ()), module, instance: None })
    }

    fn instance(&self) -> Instance {
        self.instance.expect("instantiated")
    }
}

impl ReferenceEngine for Wasmi {
    fn instantiate(&mut self) -> Outcome {
        match Linker::<()>::new(self.store.engine())
            .instantiate_and_start(&mut self.store, &self.module)
        {
            Ok(instance) => {
                self.instance = Some(instance);
                Outcome::Returned(Vec::new())
            }
            Err(error) => Outcome::Trapped(trap_kind(&error)),
        }
    }

    fn call(&mut self, name: &str, args: &[Val], _results: usize) -> Outcome {
        let func = self.instance().get_func(&self.store, name).expect("exported function");
        let args: Vec<wasmi::Val> = args.iter().map(|a| to_wasmi(*a)).collect();
        let mut outputs: Vec<wasmi::Val> = func
            .ty(&self.store)
            .results()
            .iter()
            .map(|ty| wasmi::Val::default_for_ty(*ty))
            .collect();
        match func.call(&mut self.store, &args, &mut outputs) {
            Ok(()) => Outcome::Returned(outputs.iter().map(from_wasmi).collect()),
            Err(error) => Outcome::Trapped(trap_kind(&error)),
        }
    }

    fn state(&mut self, name: &str) -> ExportState {
        let instance = self.instance();
        match instance.get_export(&self.store, name).expect("export") {
            wasmi::Extern::Global(global) => {
                ExportState::Global(from_wasmi(&global.get(&self.store)))
            }
            wasmi::Extern::Memory(memory) => ExportState::Memory(memory.data(&self.store).to_vec()),
            wasmi::Extern::Table(table) => ExportState::Table(
                (0..table.size(&self.store))
                    .map(|i| table.get(&self.store, i).is_none_or(|element| element.is_null()))
                    .collect(),
            ),
            wasmi::Extern::Func(_) => unreachable!("functions have no state"),
        }
    }

    fn memory_bytes(&mut self, name: &str) -> Vec<u8> {
        match self.state(name) {
            ExportState::Memory(bytes) => bytes,
            other => panic!("export {name:?} is not a memory: {other:?}"),
        }
    }
}
