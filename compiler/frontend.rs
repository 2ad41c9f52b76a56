//! Front end: validates a module with an explicit feature set, then gathers what the translator
//! needs into a `ModuleInfo`, keeping function bodies and constant expressions as borrowed slices
//! of the input.

use crate::abi::ExternKind;
use crate::error::{CompileError, ErrorKind};
use crate::proposals;
use std::collections::HashMap;
use wasmparser::{
    ConstExpr, DataKind, ElementItems, ElementKind, ExternalKind, FuncType, FunctionBody,
    GlobalType, KnownCustom, MemoryType, Name, NameSectionReader, Parser, Payload, RefType,
    TableType, TypeRef, ValType, Validator, WasmFeatures,
};

/// Which version of WebAssembly the input may use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum FeatureSet {
    /// WebAssembly 1.0 (with mutable globals), for the 1.0 test suite.
    Wasm1,
    /// WebAssembly 2.0: bulk memory, reference types, multi-value, SIMD and friends.
    Wasm2,
    /// WebAssembly 3.0, validated exactly: what of it the compiler does not implement yet (GC)
    /// is refused after validation, naming the proposal.
    Wasm3,
    /// Everything this compiler implements: 2.0 plus multiple memories, extended constant
    /// expressions, tail calls, typed function references, 64-bit memories, relaxed SIMD,
    /// exception handling and its legacy instructions.
    #[default]
    Latest,
}

impl FeatureSet {
    /// The validator's flags: `wasm_features`, and for `Latest` also the legacy exception
    /// instructions and the GC proposal, whose rules for constant expressions Wasm 3.0 has; what
    /// else GC adds is refused afterwards (`proposals`), naming the proposal.
    pub fn validator_features(self) -> WasmFeatures {
        match self {
            FeatureSet::Latest => {
                self.wasm_features() | WasmFeatures::GC | WasmFeatures::LEGACY_EXCEPTIONS
            }
            // wasmparser's 3.0 set counts threads in, which the standard does not have.
            FeatureSet::Wasm3 => WasmFeatures::WASM3 - WasmFeatures::THREADS,
            other => other.wasm_features(),
        }
    }

    /// The proposals of this set the compiler implements (`validator_features` may accept
    /// more, refused after validation).
    pub fn wasm_features(self) -> WasmFeatures {
        match self {
            FeatureSet::Wasm1 => WasmFeatures::WASM1,
            FeatureSet::Wasm2 => WasmFeatures::WASM2,
            FeatureSet::Wasm3 | FeatureSet::Latest => {
                WasmFeatures::WASM2
                    | WasmFeatures::MULTI_MEMORY
                    | WasmFeatures::EXTENDED_CONST
                    | WasmFeatures::TAIL_CALL
                    | WasmFeatures::FUNCTION_REFERENCES
                    | WasmFeatures::MEMORY64
                    | WasmFeatures::RELAXED_SIMD
                    | WasmFeatures::EXCEPTIONS
            }
        }
    }
}

pub struct ImportInfo<'a> {
    pub module: &'a str,
    pub name: &'a str,
    pub kind: ExternKind,
    /// Index in the import's own index space.
    pub index: u32,
}

pub struct ExportInfo<'a> {
    pub name: &'a str,
    pub kind: ExternKind,
    pub index: u32,
}

pub struct GlobalInfo<'a> {
    pub ty: GlobalType,
    /// `None` for imported globals.
    pub init: Option<ConstExpr<'a>>,
}

pub enum ElementMode<'a> {
    Active { table: u32, offset: ConstExpr<'a> },
    Passive,
    Declared,
}

/// One item of an element segment.
pub enum ElementItem<'a> {
    Func(u32),
    Expr(ConstExpr<'a>),
}

pub struct ElementInfo<'a> {
    pub mode: ElementMode<'a>,
    pub ty: RefType,
    pub items: Vec<ElementItem<'a>>,
}

pub enum DataMode<'a> {
    Active { memory: u32, offset: ConstExpr<'a> },
    Passive,
}

pub struct DataInfo<'a> {
    pub mode: DataMode<'a>,
    pub bytes: &'a [u8],
}

/// A validated module, in index-space order (imports first, as Wasm numbers them).
#[derive(Default)]
pub struct ModuleInfo<'a> {
    pub types: Vec<FuncType>,
    pub imports: Vec<ImportInfo<'a>>,
    pub exports: Vec<ExportInfo<'a>>,
    /// Type index of every function.
    pub func_types: Vec<u32>,
    pub num_imported_funcs: u32,
    pub tables: Vec<TableType>,
    /// The initialiser of each table given one (typed function references), by table index.
    pub table_inits: Vec<Option<ConstExpr<'a>>>,
    pub num_imported_tables: u32,
    pub memories: Vec<MemoryType>,
    pub num_imported_memories: u32,
    pub globals: Vec<GlobalInfo<'a>>,
    pub num_imported_globals: u32,
    /// Type index of every tag (exception handling).
    pub tag_types: Vec<u32>,
    pub num_imported_tags: u32,
    pub elements: Vec<ElementInfo<'a>>,
    pub data: Vec<DataInfo<'a>>,
    pub start: Option<u32>,
    /// Bodies of the defined functions.
    pub bodies: Vec<FunctionBody<'a>>,
    /// Functions whose address escapes (exports, element segments, `ref.func` in constant
    /// expressions): they get an array-call entry.
    pub escaping_funcs: Vec<bool>,
    /// Which calls can throw an exception.
    pub throws: crate::throws::ThrowFacts,
    /// Function names from the name section, by function index (`symbols`).
    pub func_names: HashMap<u32, &'a str>,
    /// Symbol and shown name of each defined function (index minus imported functions), made
    /// once from `func_names` for every part of a parallel compile.
    pub function_names: Vec<crate::symbols::FunctionName>,
    /// The module's DWARF sections (`.debug_info`, `.debug_line`, ...), by name: read only when
    /// the output gets debug information (`source_debug`).
    pub debug_sections: Vec<(&'a str, &'a [u8])>,
    /// Where the code section's contents start in the module: module DWARF's addresses are
    /// offsets from there.
    pub code_section_start: u64,
}

impl<'a> ModuleInfo<'a> {
    pub fn func_type(&self, func_index: u32) -> &FuncType {
        &self.types[self.func_types[func_index as usize] as usize]
    }
    pub fn is_imported_func(&self, func_index: u32) -> bool {
        func_index < self.num_imported_funcs
    }
}

/// The first four bytes of every Wasm binary.
const BINARY_MAGIC: &[u8] = b"\0asm";

/// Turns `.wat` text into a binary; binary input passes through untouched, whatever the file's
/// name. Input that is neither (it starts with neither the magic nor text) is one error saying
/// so; a text error is one line: where (line and column) and what.
pub fn to_binary(input: &[u8]) -> Result<std::borrow::Cow<'_, [u8]>, CompileError> {
    if input.starts_with(BINARY_MAGIC) {
        return Ok(std::borrow::Cow::Borrowed(input));
    }
    if !starts_like_text(input) {
        return Err(CompileError::new(ErrorKind::NotWasm, describe_start(input), None));
    }
    let text = std::str::from_utf8(input).map_err(|e| {
        CompileError::new(ErrorKind::Text, "not UTF-8 text", Some(e.valid_up_to() as u64))
    })?;
    let text_error = |e: wast::Error| {
        let (line, column) = e.span().linecol_in(text);
        let message = format!("line {}, column {}: {}", line + 1, column + 1, e.message());
        CompileError::new(ErrorKind::Text, message, None)
    };
    let buffer = wast::parser::ParseBuffer::new(text).map_err(text_error)?;
    let mut wat = wast::parser::parse::<wast::Wat>(&buffer).map_err(text_error)?;
    wat.encode().map(std::borrow::Cow::Owned).map_err(text_error)
}

/// Whether `input` opens as the text format does: after white space and comments, a `(` (or
/// nothing more, an empty module). An empty file is no module at all.
fn starts_like_text(input: &[u8]) -> bool {
    let mut rest = input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input);
    if rest.is_empty() {
        return false;
    }
    loop {
        rest = rest.trim_ascii_start();
        if let Some(comment) = rest.strip_prefix(b";;") {
            rest = comment.iter().position(|&b| b == b'\n').map_or(&[][..], |end| &comment[end..]);
        } else if rest.starts_with(b"(;") {
            rest = skip_block_comment(rest);
        } else {
            return rest.first().is_none_or(|&b| b == b'(');
        }
    }
}

/// What follows the block comment `(; ... ;)` at the start of `text` (they nest); nothing when
/// it is not closed.
fn skip_block_comment(text: &[u8]) -> &[u8] {
    let mut depth = 0usize;
    let mut at = 0;
    while at + 1 < text.len() {
        match &text[at..at + 2] {
            b"(;" => depth += 1,
            b";)" => depth -= 1,
            _ => {
                at += 1;
                continue;
            }
        }
        at += 2;
        if depth == 0 {
            return &text[at..];
        }
    }
    &[]
}

/// Why `input` is not a module, showing how it starts: printable text quoted, else bytes.
fn describe_start(input: &[u8]) -> String {
    if input.is_empty() {
        return "the file is empty".into();
    }
    if BINARY_MAGIC.starts_with(input) {
        return format!("{} bytes, cut short inside the binary magic \\0asm", input.len());
    }
    let head = &input[..input.len().min(16)];
    let shown = if head.iter().all(|b| b.is_ascii_graphic() || *b == b' ') {
        format!("\"{}\"", String::from_utf8_lossy(head))
    } else {
        head[..head.len().min(8)].iter().map(|b| format!("{b:02x}")).collect::<Vec<_>>().join(" ")
    };
    format!("it starts with {shown}, neither the binary magic \\0asm (00 61 73 6d) nor text")
}

/// Validates `bytes` and gathers its `ModuleInfo`.
pub fn parse(bytes: &[u8], features: FeatureSet) -> Result<ModuleInfo<'_>, CompileError> {
    Validator::new_with_features(features.validator_features()).validate_all(bytes)?;
    let mut info = ModuleInfo::default();
    for payload in Parser::new(0).parse_all(bytes) {
        gather(&mut info, payload?)?;
    }
    info.escaping_funcs = escaping_funcs(&info)?;
    info.function_names = crate::symbols::function_names(&info);
    info.throws = crate::throws::analyse(&info)?;
    Ok(info)
}

fn extern_kind(kind: ExternalKind, offset: u64) -> Result<ExternKind, CompileError> {
    Ok(match kind {
        ExternalKind::Func => ExternKind::Func,
        ExternalKind::Table => ExternKind::Table,
        ExternalKind::Memory => ExternKind::Memory,
        ExternalKind::Global => ExternKind::Global,
        ExternalKind::Tag => ExternKind::Tag,
        ExternalKind::FuncExact => {
            return Err(CompileError::unsupported(
                "exact function exports: the custom descriptors proposal is not supported yet",
                offset,
            ))
        }
    })
}

fn gather<'a>(info: &mut ModuleInfo<'a>, payload: Payload<'a>) -> Result<(), CompileError> {
    match payload {
        Payload::TypeSection(reader) => {
            for group in reader.into_iter_with_offsets() {
                let (offset, group) = group?;
                proposals::check_rec_group(&group, offset)?;
                for ty in group.into_types() {
                    if let wasmparser::CompositeInnerType::Func(func) = ty.composite_type.inner {
                        info.types.push(func);
                    }
                }
            }
        }
        Payload::ImportSection(reader) => {
            for import in reader.into_imports_with_offsets() {
                let (offset, import) = import?;
                let (kind, index) = match import.ty {
                    TypeRef::Func(ty) => {
                        info.func_types.push(ty);
                        info.num_imported_funcs += 1;
                        (ExternKind::Func, info.func_types.len() - 1)
                    }
                    TypeRef::Table(ty) => {
                        proposals::check_value_type(ValType::Ref(ty.element_type), offset)?;
                        info.tables.push(ty);
                        info.table_inits.push(None);
                        info.num_imported_tables += 1;
                        (ExternKind::Table, info.tables.len() - 1)
                    }
                    TypeRef::Memory(ty) => {
                        info.memories.push(ty);
                        info.num_imported_memories += 1;
                        (ExternKind::Memory, info.memories.len() - 1)
                    }
                    TypeRef::Global(ty) => {
                        proposals::check_value_type(ty.content_type, offset)?;
                        info.globals.push(GlobalInfo { ty, init: None });
                        info.num_imported_globals += 1;
                        (ExternKind::Global, info.globals.len() - 1)
                    }
                    TypeRef::Tag(tag) => {
                        info.tag_types.push(tag.func_type_idx);
                        info.num_imported_tags += 1;
                        (ExternKind::Tag, info.tag_types.len() - 1)
                    }
                    _ => {
                        return Err(CompileError::unsupported(
                            "exact function imports: the custom descriptors proposal is not supported yet",
                            offset,
                        ))
                    }
                };
                info.imports.push(ImportInfo {
                    module: import.module,
                    name: import.name,
                    kind,
                    index: index as u32,
                });
            }
        }
        Payload::FunctionSection(reader) => {
            for ty in reader {
                info.func_types.push(ty?);
            }
        }
        Payload::TableSection(reader) => {
            for table in reader.into_iter_with_offsets() {
                let (offset, table) = table?;
                proposals::check_value_type(ValType::Ref(table.ty.element_type), offset)?;
                info.tables.push(table.ty);
                info.table_inits.push(match table.init {
                    wasmparser::TableInit::RefNull => None,
                    wasmparser::TableInit::Expr(expr) => Some(expr),
                });
            }
        }
        Payload::MemorySection(reader) => {
            for memory in reader {
                info.memories.push(memory?);
            }
        }
        Payload::GlobalSection(reader) => {
            for global in reader.into_iter_with_offsets() {
                let (offset, global) = global?;
                proposals::check_value_type(global.ty.content_type, offset)?;
                info.globals.push(GlobalInfo { ty: global.ty, init: Some(global.init_expr) });
            }
        }
        Payload::ExportSection(reader) => {
            for export in reader.into_iter_with_offsets() {
                let (offset, export) = export?;
                info.exports.push(ExportInfo {
                    name: export.name,
                    kind: extern_kind(export.kind, offset)?,
                    index: export.index,
                });
            }
        }
        Payload::TagSection(reader) => {
            for tag in reader {
                info.tag_types.push(tag?.func_type_idx);
            }
        }
        Payload::StartSection { func, .. } => info.start = Some(func),
        Payload::ElementSection(reader) => {
            for element in reader {
                info.elements.push(element_info(element?)?);
            }
        }
        Payload::DataSection(reader) => {
            for data in reader {
                let data = data?;
                let mode = match data.kind {
                    DataKind::Passive => DataMode::Passive,
                    DataKind::Active { memory_index, offset_expr } => {
                        DataMode::Active { memory: memory_index, offset: offset_expr }
                    }
                };
                info.data.push(DataInfo { mode, bytes: data.data });
            }
        }
        Payload::CodeSectionStart { unchecked_range, .. } => {
            info.code_section_start = unchecked_range.start
        }
        Payload::CodeSectionEntry(body) => info.bodies.push(body),
        Payload::CustomSection(reader) => match reader.as_known() {
            KnownCustom::Name(names) => info.func_names = function_names(names),
            _ if reader.name().starts_with(".debug_") => {
                info.debug_sections.push((reader.name(), reader.data()))
            }
            _ => {}
        },
        _ => {}
    }
    Ok(())
}

/// The function names of a name section. The section is not validated (a module with a
/// malformed one is valid): reading stops at its first malformed entry, keeping what came
/// before.
fn function_names(section: NameSectionReader<'_>) -> HashMap<u32, &'_ str> {
    let mut names = HashMap::new();
    for subsection in section {
        let Ok(Name::Function(map)) = subsection else {
            if subsection.is_err() {
                break;
            }
            continue;
        };
        for naming in map {
            match naming {
                Ok(naming) => names.insert(naming.index, naming.name),
                Err(_) => break,
            };
        }
    }
    names
}

fn element_info(element: wasmparser::Element<'_>) -> Result<ElementInfo<'_>, CompileError> {
    let mode = match element.kind {
        ElementKind::Passive => ElementMode::Passive,
        ElementKind::Declared => ElementMode::Declared,
        ElementKind::Active { table_index, offset_expr } => {
            ElementMode::Active { table: table_index.unwrap_or(0), offset: offset_expr }
        }
    };
    let (ty, items) = match element.items {
        ElementItems::Functions(reader) => {
            let items = reader.into_iter().map(|f| f.map(ElementItem::Func));
            (RefType::FUNCREF, items.collect::<Result<Vec<_>, _>>()?)
        }
        ElementItems::Expressions(ty, reader) => {
            let items = reader.into_iter().map(|e| e.map(ElementItem::Expr));
            (ty, items.collect::<Result<Vec<_>, _>>()?)
        }
    };
    Ok(ElementInfo { mode, ty, items })
}

/// Marks the functions whose address can reach a host: exports, the start function (which the
/// runtime calls through its array entry) and everything an element segment or a global
/// initialiser refers to (validation requires `ref.func` in bodies to name a function declared
/// that way too).
fn escaping_funcs(info: &ModuleInfo<'_>) -> Result<Vec<bool>, CompileError> {
    let mut escaping = vec![false; info.func_types.len()];
    if let Some(start) = info.start {
        escaping[start as usize] = true;
    }
    for export in info.exports.iter().filter(|e| e.kind == ExternKind::Func) {
        escaping[export.index as usize] = true;
    }
    let mut exprs: Vec<&ConstExpr<'_>> =
        info.globals.iter().filter_map(|g| g.init.as_ref()).collect();
    exprs.extend(info.table_inits.iter().flatten());
    for item in info.elements.iter().flat_map(|e| &e.items) {
        match item {
            ElementItem::Func(f) => escaping[*f as usize] = true,
            ElementItem::Expr(expr) => exprs.push(expr),
        }
    }
    for expr in exprs {
        for op in expr.get_operators_reader() {
            if let wasmparser::Operator::RefFunc { function_index } = op? {
                escaping[function_index as usize] = true;
            }
        }
    }
    Ok(escaping)
}
