//! What the validator accepts that the compiler does not implement yet, refused with an error
//! naming the proposal: the GC proposal's types (recursion groups, subtypes, structs, arrays and
//! the abstract heap types of its hierarchy) and the operators of every proposal the translator
//! has no handler for.
//!
//! `--spec latest` validates with the GC proposal on, because Wasm 3.0 takes some of its rules
//! for constant expressions from it (`global.get` of any earlier immutable global); everything
//! else GC adds is refused here before translation.

use crate::error::CompileError;
use std::collections::BTreeSet;
use wasmparser::{
    AbstractHeapType, BlockType, CompositeInnerType, FuncType, HeapType, Operator, RecGroup,
    ValType,
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
            ty:
                AbstractHeapType::Func
                | AbstractHeapType::Extern
                | AbstractHeapType::Exn
                | AbstractHeapType::NoExn,
        } => Ok(()),
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
        "legacy_exceptions" => "legacy exception handling",
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

/// The proposals beyond Wasm 1.0 that the module in `bytes` uses, by their names in the spec
/// suite's `proposals/` directory, sorted: from its operators (by wasmparser's grouping), its
/// types, memories, tables and constant expressions. For `wasm2native inspect` and the build
/// record.
pub fn used(bytes: &[u8]) -> Result<Vec<&'static str>, CompileError> {
    let mut used = BTreeSet::new();
    let mut memories = 0;
    let mut tables = 0;
    for payload in wasmparser::Parser::new(0).parse_all(bytes) {
        match payload? {
            wasmparser::Payload::TypeSection(reader) => {
                for group in reader {
                    let group = group?;
                    if group.is_explicit_rec_group() {
                        used.insert("gc");
                    }
                    for ty in group.types() {
                        match &ty.composite_type.inner {
                            CompositeInnerType::Func(func) => {
                                if func.results().len() > 1 {
                                    used.insert("multi-value");
                                }
                                func.params()
                                    .iter()
                                    .chain(func.results())
                                    .for_each(|t| note_value_type(*t, &mut used));
                            }
                            _ => {
                                used.insert("gc");
                            }
                        }
                    }
                }
            }
            wasmparser::Payload::ImportSection(reader) => {
                for import in reader.into_imports() {
                    match import?.ty {
                        wasmparser::TypeRef::Memory(memory) => {
                            memories += 1;
                            note_memory(&memory, &mut used);
                        }
                        wasmparser::TypeRef::Table(table) => {
                            tables += 1;
                            note_table(&table, &mut used);
                        }
                        wasmparser::TypeRef::Global(global) => {
                            note_value_type(global.content_type, &mut used)
                        }
                        wasmparser::TypeRef::Tag(_) => {
                            used.insert("exceptions");
                        }
                        _ => {}
                    }
                }
            }
            wasmparser::Payload::MemorySection(reader) => {
                for memory in reader {
                    memories += 1;
                    note_memory(&memory?, &mut used);
                }
            }
            wasmparser::Payload::TableSection(reader) => {
                for table in reader {
                    let table = table?;
                    tables += 1;
                    note_table(&table.ty, &mut used);
                    if let wasmparser::TableInit::Expr(expr) = table.init {
                        used.insert("function-references");
                        note_constant(&expr, &mut used)?;
                    }
                }
            }
            wasmparser::Payload::GlobalSection(reader) => {
                for global in reader {
                    let global = global?;
                    note_value_type(global.ty.content_type, &mut used);
                    note_constant(&global.init_expr, &mut used)?;
                }
            }
            wasmparser::Payload::DataSection(reader) => {
                for data in reader {
                    match data?.kind {
                        wasmparser::DataKind::Passive => {
                            used.insert("bulk-memory");
                        }
                        wasmparser::DataKind::Active { offset_expr, .. } => {
                            note_constant(&offset_expr, &mut used)?
                        }
                    }
                }
            }
            wasmparser::Payload::ElementSection(reader) => {
                for element in reader {
                    let element = element?;
                    match element.kind {
                        wasmparser::ElementKind::Passive => {
                            used.insert("bulk-memory");
                        }
                        wasmparser::ElementKind::Declared => {
                            used.insert("reference-types");
                        }
                        wasmparser::ElementKind::Active { offset_expr, .. } => {
                            note_constant(&offset_expr, &mut used)?
                        }
                    }
                    if let wasmparser::ElementItems::Expressions(ty, _) = element.items {
                        note_value_type(ValType::Ref(ty), &mut used);
                    }
                }
            }
            wasmparser::Payload::TagSection(_) => {
                used.insert("exceptions");
            }
            wasmparser::Payload::CodeSectionEntry(body) => {
                let mut locals = body.get_locals_reader()?;
                for _ in 0..locals.get_count() {
                    note_value_type(locals.read()?.1, &mut used);
                }
                note_operators(body.get_operators_reader()?, &mut used)?;
            }
            _ => {}
        }
    }
    if memories > 1 {
        used.insert("multi-memory");
    }
    if tables > 1 {
        used.insert("reference-types");
    }
    Ok(used.into_iter().collect())
}

fn note_memory(memory: &wasmparser::MemoryType, used: &mut BTreeSet<&str>) {
    if memory.memory64 {
        used.insert("memory64");
    }
    if memory.shared {
        used.insert("threads");
    }
}

fn note_table(table: &wasmparser::TableType, used: &mut BTreeSet<&str>) {
    if table.table64 {
        used.insert("memory64");
    }
    note_value_type(ValType::Ref(table.element_type), used);
}

fn note_value_type(ty: ValType, used: &mut BTreeSet<&str>) {
    match ty {
        ValType::V128 => {
            used.insert("simd");
        }
        ValType::Ref(reference) => {
            let heap = reference.heap_type();
            if !reference.is_nullable() || matches!(heap, HeapType::Concrete(_)) {
                used.insert("function-references");
            }
            match heap {
                HeapType::Abstract { ty: AbstractHeapType::Extern, .. } => {
                    used.insert("reference-types");
                }
                HeapType::Abstract {
                    ty: AbstractHeapType::Exn | AbstractHeapType::NoExn, ..
                } => {
                    used.insert("exceptions");
                }
                HeapType::Abstract { ty: AbstractHeapType::Func, .. } | HeapType::Concrete(_) => {}
                _ => {
                    used.insert("gc");
                }
            }
        }
        _ => {}
    }
}

/// Notes what a constant expression uses: arithmetic is an extended constant expression.
fn note_constant(
    expr: &wasmparser::ConstExpr<'_>,
    used: &mut BTreeSet<&str>,
) -> Result<(), CompileError> {
    for op in expr.get_operators_reader() {
        match op? {
            Operator::I32Add
            | Operator::I32Sub
            | Operator::I32Mul
            | Operator::I64Add
            | Operator::I64Sub
            | Operator::I64Mul => {
                used.insert("extended-const");
            }
            op => note_operator(&op, used),
        }
    }
    Ok(())
}

/// Notes what the operators of a function body use.
fn note_operators(
    reader: wasmparser::OperatorsReader<'_>,
    used: &mut BTreeSet<&str>,
) -> Result<(), CompileError> {
    for op in reader {
        let op = op?;
        if let Operator::Block { blockty: BlockType::FuncType(_) }
        | Operator::Loop { blockty: BlockType::FuncType(_) }
        | Operator::If { blockty: BlockType::FuncType(_) } = op
        {
            used.insert("multi-value");
        }
        note_operator(&op, used);
    }
    Ok(())
}

/// Notes the proposal of `op`, by its directory name in the spec suite.
fn note_operator(op: &Operator<'_>, used: &mut BTreeSet<&str>) {
    // wasmparser files it under typed references, which it needs too.
    if let Operator::ReturnCallRef { .. } = op {
        used.insert("tail-call");
    }
    let name = match proposal_of(op) {
        "mvp" => return,
        "sign_extension" => "sign-extension-ops",
        "saturating_float_to_int" => "nontrapping-float-to-int-conversions",
        "legacy_exceptions" => "exceptions",
        "acquire_release_atomics" => "threads",
        // The rest are named alike, with hyphens.
        "bulk_memory" => "bulk-memory",
        "reference_types" => "reference-types",
        "relaxed_simd" => "relaxed-simd",
        "function_references" => "function-references",
        "tail_call" => "tail-call",
        "wide_arithmetic" => "wide-arithmetic",
        "memory_control" => "memory-control",
        "stack_switching" => "stack-switching",
        "shared_everything_threads" => "shared-everything-threads",
        "custom_descriptors" => "custom-descriptors",
        other => other,
    };
    used.insert(name);
}
