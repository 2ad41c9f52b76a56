//! The reference engine: the wasmi interpreter, with the same Wasm features as wasm2native.

use crate::{ExportState, Outcome, TrapKind, Val, ValType};
use wasmi::{Engine, ExternType, Instance, Linker, Module, Store};

/// An export, as the reference engine's module declares it.
#[derive(Clone, Debug)]
pub struct Export {
    pub name: String,
    /// For a function: its parameter and result types; `None` for other exports.
    pub signature: Option<(Vec<ValType>, Vec<ValType>)>,
}

pub struct Reference {
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

fn val_type(ty: &wasmi::ValType) -> ValType {
    match ty {
        wasmi::ValType::I32 => ValType::I32,
        wasmi::ValType::I64 => ValType::I64,
        wasmi::ValType::F32 => ValType::F32,
        wasmi::ValType::F64 => ValType::F64,
        wasmi::ValType::V128 => ValType::V128,
        wasmi::ValType::FuncRef => ValType::FuncRef,
        wasmi::ValType::ExternRef => ValType::ExternRef,
    }
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

impl Reference {
    /// Validates `wasm`; an error means the generator made a module wasmi does not take.
    pub fn new(wasm: &[u8]) -> Result<Reference, String> {
        let engine = engine();
        let module = Module::new(&engine, wasm).map_err(|e| e.to_string())?;
        Ok(Reference { store: Store::new(&engine, ()), module, instance: None })
    }

    /// The module's exports, in order.
    pub fn exports(&self) -> Vec<Export> {
        self.module
            .exports()
            .map(|export| Export {
                name: export.name().to_string(),
                signature: match export.ty() {
                    ExternType::Func(ty) => Some((
                        ty.params().iter().map(val_type).collect(),
                        ty.results().iter().map(val_type).collect(),
                    )),
                    _ => None,
                },
            })
            .collect()
    }

    /// Instantiates the module (it imports nothing), running its start function.
    pub fn instantiate(&mut self) -> Outcome {
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

    fn instance(&self) -> Instance {
        self.instance.expect("instantiated")
    }

    pub fn call(&mut self, name: &str, args: &[Val]) -> Outcome {
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

    /// The state of export `name` (not a function).
    pub fn state(&self, name: &str) -> ExportState {
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
}
