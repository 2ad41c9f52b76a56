//! The engine under test: a module compiled by wasm2native, linked as a shared object and run
//! through the runtime's Rust API.

use crate::{ExportState, Outcome, TrapKind, Val};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use wasm2native::runtime::{CallError, Instance, InstantiationError, LoadedModule, Value};
use wasm2native::{compile, link, Emit, Options};

pub struct Native {
    module: LoadedModule,
    instance: Option<Instance>,
}

fn from_native(value: &Value) -> Val {
    match value {
        Value::I32(v) => Val::I32(*v),
        Value::I64(v) => Val::I64(*v),
        Value::F32(bits) => Val::F32(*bits),
        Value::F64(bits) => Val::F64(*bits),
        Value::V128(v) => Val::V128(*v),
        Value::FuncRef(r) => Val::FuncRef { null: r.is_none() },
        Value::ExternRef(r) => Val::ExternRef { null: r.is_none() },
        Value::ExnRef(r) => Val::ExnRef { null: r.is_none() },
    }
}

fn to_native(value: Val) -> Value {
    match value {
        Val::I32(v) => Value::I32(v),
        Val::I64(v) => Value::I64(v),
        Val::F32(bits) => Value::F32(bits),
        Val::F64(bits) => Value::F64(bits),
        Val::V128(v) => Value::V128(v),
        // Arguments are always null references: the engines share no objects.
        Val::FuncRef { .. } => Value::FuncRef(None),
        Val::ExternRef { .. } => Value::ExternRef(None),
        Val::ExnRef { .. } => Value::ExnRef(None),
    }
}

impl Native {
    /// Compiles `wasm` with `options` and loads it from a shared object in `dir`. A valid
    /// module that does not compile is a bug: the error says why.
    pub fn new(wasm: &[u8], options: &Options, dir: &Path) -> Result<Native, String> {
        // Each module gets a file of its own: the dynamic loader would hand back a library
        // still loaded under a reused name.
        static LOADED: AtomicU64 = AtomicU64::new(0);
        let object = compile(wasm, options, Emit::Object).map_err(|e| format!("compile: {e}"))?;
        let path = dir.join(format!("module{}.so", LOADED.fetch_add(1, Ordering::Relaxed)));
        link::link_shared_module(&object, &path).map_err(|e| format!("link: {e}"))?;
        let module = LoadedModule::load(&path).map_err(|e| format!("load: {e}"));
        // Loaded (or not), the file has done its work.
        let _ = std::fs::remove_file(&path);
        Ok(Native { module: module?, instance: None })
    }

    pub fn instantiate(&mut self) -> Outcome {
        match Instance::instantiate(&self.module, &mut |_, _, _| None) {
            Ok(instance) => {
                self.instance = Some(instance);
                Outcome::Returned(Vec::new())
            }
            Err(InstantiationError::Trap(trap)) => {
                Outcome::Trapped(TrapKind::of_native(trap.code, &trap.message))
            }
            Err(InstantiationError::Link(message)) => {
                Outcome::Trapped(TrapKind::Other(format!("link error: {message}")))
            }
        }
    }

    fn instance(&self) -> &Instance {
        self.instance.as_ref().expect("instantiated")
    }

    pub fn call(&self, name: &str, args: &[Val]) -> Outcome {
        let args: Vec<Value> = args.iter().map(|a| to_native(*a)).collect();
        match self.instance().call(name, &args) {
            Ok(results) => Outcome::Returned(results.iter().map(from_native).collect()),
            Err(CallError::Trap(trap)) => {
                Outcome::Trapped(TrapKind::of_native(trap.code, &trap.message))
            }
            Err(other) => Outcome::Trapped(TrapKind::Other(other.to_string())),
        }
    }

    /// The state of export `name` (not a function); `None` when the instance does not have it.
    pub fn state(&self, name: &str) -> Option<ExportState> {
        let instance = self.instance();
        if let Some(memory) = instance.memory(name) {
            let mut bytes = vec![0; usize::try_from(memory.size()).ok()?];
            memory.read(0, &mut bytes).ok()?;
            return Some(ExportState::Memory(bytes));
        }
        if let Some(table) = instance.table(name) {
            return Some(ExportState::Table(
                (0..table.size()).map(|i| !matches!(table.get(i), Ok(Some(_)))).collect(),
            ));
        }
        instance.global(name).map(|value| ExportState::Global(from_native(&value)))
    }
}
