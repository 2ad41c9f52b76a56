//! What the validator accepts that the compiler does not implement yet, refused with an error
//! naming the proposal: the GC proposal's types (recursion groups, subtypes, structs, arrays and
//! the abstract heap types of its hierarchy) and the operators of every proposal the translator
//! has no handler for.
//!
//! `--spec latest` validates with the GC proposal on, because Wasm 3.0 takes some of its rules
//! for constant expressions from it (`global.get` of any earlier immutable global); everything
//! else GC adds is refused here before translation.

use crate::error::CompileError;
use wasmparser::{
    AbstractHeapType, CompositeInnerType, FuncType, HeapType, Operator, RecGroup, ValType,
};

/// Refuses a recursion group that uses the GC proposal: more than one type, a subtype
/// declaration, a struct or array type, or a function type over GC heap types.
pub fn check_rec_group(group: &RecGroup, offset: u64) -> Result<(), CompileError> {
    if group.is_explicit_rec_group() {
        return Err(gc("recursion groups", offset));
    }
    for ty in group.types() {
        if !ty.is_final || !ty.supertype_idxs.is_empty() {
            return Err(gc("subtypes", offset));
        }
        match &ty.composite_type.inner {
            CompositeInnerType::Func(func) => check_func_type(func, offset)?,
            CompositeInnerType::Struct(_) | CompositeInnerType::Array(_) => {
                return Err(gc("struct and array types", offset))
            }
            CompositeInnerType::Cont(_) => {
                return Err(unsupported("stack switching", "continuation types", offset))
            }
        }
    }
    Ok(())
}

fn check_func_type(func: &FuncType, offset: u64) -> Result<(), CompileError> {
    func.params().iter().chain(func.results()).try_for_each(|ty| check_value_type(*ty, offset))
}

/// Refuses a value type of the GC heap hierarchy (`anyref`, `eqref`, `i31ref`, `structref`,
/// `arrayref` and the bottom types): functions and external references are all the translator
/// represents.
pub fn check_value_type(ty: ValType, offset: u64) -> Result<(), CompileError> {
    let ValType::Ref(reference) = ty else { return Ok(()) };
    match reference.heap_type() {
        HeapType::Concrete(_)
        | HeapType::Abstract {
            shared: false,
            ty: AbstractHeapType::Func | AbstractHeapType::Extern,
        } => Ok(()),
        HeapType::Abstract { ty: AbstractHeapType::Exn | AbstractHeapType::NoExn, .. } => {
            Err(unsupported("exception handling", "the exnref type", offset))
        }
        HeapType::Abstract { shared: true, .. } => {
            Err(unsupported("shared-everything threads", "shared references", offset))
        }
        HeapType::Abstract { ty, .. } => Err(gc(&format!("the heap type {ty:?}"), offset)),
        HeapType::Exact(_) => Err(unsupported("custom descriptors", "exact types", offset)),
    }
}

/// (proposal, operator) for every operator wasmparser knows.
macro_rules! operator_proposals {
    ($( @$proposal:ident $op:ident $({ $($arg:ident: $argty:ty),* })? => $visit:ident ($($ann:tt)*) )*) => {
        /// The proposal that introduced `op`, as wasmparser names it.
        pub fn proposal_of(op: &Operator<'_>) -> &'static str {
            match op {
                $( Operator::$op { .. } => stringify!($proposal), )*
                _ => "an unknown proposal",
            }
        }
    };
}
wasmparser::for_each_operator!(operator_proposals);

/// The error for an operator the translator has no handler for.
pub fn unsupported_operator(op: &Operator<'_>, offset: u64) -> CompileError {
    let name = format!("{op:?}");
    let name = name.split([' ', '{', '(']).next().unwrap_or_default();
    let proposal = match proposal_of(op) {
        "gc" => "GC",
        other => other,
    };
    CompileError::unsupported(
        format!("operator {name} of the {proposal} proposal is not supported yet"),
        offset,
    )
}

fn gc(what: &str, offset: u64) -> CompileError {
    unsupported("GC", what, offset)
}

fn unsupported(proposal: &str, what: &str, offset: u64) -> CompileError {
    CompileError::unsupported(
        format!("{what}: the {proposal} proposal is not supported yet"),
        offset,
    )
}
