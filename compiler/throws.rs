//! Which calls can throw (docs/exceptions.md): the translator tests for an exception in flight
//! only after those, so that a module without exceptions compiles to the code it had before
//! exception handling existed.
//!
//! A defined function can throw if it throws (`throw`, `throw_ref`, `rethrow`) or calls, tail calls
//! included, something that can: a fixed point over the call graph. An imported function can
//! unless it is a WASI import. A call through a table or a reference can unless the module is
//! closed: it has no tag, throws nothing, imports only WASI's functions, and no function of
//! another module can reach its tables, globals or parameters.

use crate::abi::ExternKind;
use crate::capi::WASI_MODULE;
use crate::error::CompileError;
use crate::frontend::ModuleInfo;
use wasmparser::{Operator, ValType};

#[derive(Clone, Debug, Default)]
pub struct ThrowFacts {
    /// Per function index, imports first.
    func_can_throw: Vec<bool>,
    /// Whether a call through a table or a reference can throw.
    indirect_can_throw: bool,
}

impl ThrowFacts {
    pub fn func_can_throw(&self, func_index: u32) -> bool {
        self.func_can_throw.get(func_index as usize).copied().unwrap_or(true)
    }

    pub fn indirect_can_throw(&self) -> bool {
        self.indirect_can_throw
    }

    /// Whether any call of the module can throw: the module needs the exception machinery.
    pub fn any(&self) -> bool {
        self.indirect_can_throw || self.func_can_throw.iter().any(|&t| t)
    }
}

/// What one function body does that matters here.
#[derive(Default)]
struct BodyFacts {
    throws: bool,
    calls_indirect: bool,
    callees: Vec<u32>,
}

fn body_facts(info: &ModuleInfo<'_>, index: usize) -> Result<BodyFacts, CompileError> {
    let mut facts = BodyFacts::default();
    let mut reader = info.bodies[index].get_operators_reader()?;
    while !reader.eof() {
        match reader.read()? {
            Operator::Throw { .. } | Operator::ThrowRef | Operator::Rethrow { .. } => {
                facts.throws = true
            }
            Operator::Call { function_index } | Operator::ReturnCall { function_index } => {
                facts.callees.push(function_index)
            }
            Operator::CallIndirect { .. }
            | Operator::ReturnCallIndirect { .. }
            | Operator::CallRef { .. }
            | Operator::ReturnCallRef { .. } => facts.calls_indirect = true,
            _ => {}
        }
    }
    Ok(facts)
}

fn is_function_ref(ty: ValType) -> bool {
    matches!(ty, ValType::Ref(r) if crate::abi::type_char::of_ref(r) == crate::abi::type_char::FUNCREF)
}

/// Whether a function of another module can reach this one's calls through a table, a global or
/// a parameter.
fn foreign_functions_can_enter(info: &ModuleInfo<'_>) -> bool {
    let imported = info.imports.iter().any(|import| match import.kind {
        ExternKind::Table => true,
        ExternKind::Global => is_function_ref(info.globals[import.index as usize].ty.content_type),
        _ => false,
    });
    let exported = info.exports.iter().any(|export| match export.kind {
        ExternKind::Table => true,
        ExternKind::Global => {
            let ty = info.globals[export.index as usize].ty;
            ty.mutable && is_function_ref(ty.content_type)
        }
        ExternKind::Func => {
            info.func_type(export.index).params().iter().any(|t| is_function_ref(*t))
        }
        _ => false,
    });
    imported || exported
}

pub fn analyse(info: &ModuleInfo<'_>) -> Result<ThrowFacts, CompileError> {
    let bodies: Vec<BodyFacts> =
        (0..info.bodies.len()).map(|i| body_facts(info, i)).collect::<Result<_, _>>()?;
    let imports_can_throw: Vec<bool> = info
        .imports
        .iter()
        .filter(|import| import.kind == ExternKind::Func)
        .map(|import| import.module != WASI_MODULE)
        .collect();
    let closed = info.tag_types.is_empty()
        && !bodies.iter().any(|b| b.throws)
        && !imports_can_throw.iter().any(|&t| t)
        && !foreign_functions_can_enter(info);
    let indirect_can_throw = !closed;
    let mut func_can_throw = imports_can_throw;
    func_can_throw
        .extend(bodies.iter().map(|b| b.throws || (b.calls_indirect && indirect_can_throw)));
    let imported = info.num_imported_funcs as usize;
    loop {
        let mut changed = false;
        for (i, body) in bodies.iter().enumerate() {
            if !func_can_throw[imported + i]
                && body.callees.iter().any(|&c| func_can_throw[c as usize])
            {
                func_can_throw[imported + i] = true;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    Ok(ThrowFacts { func_can_throw, indirect_can_throw })
}
