//! The C API of a library build: every symbol and C type the generated header declares, derived
//! once from the module and the prefix. `header` renders it as C; `translate::api` emits the code
//! behind it. Both read this description, so the header and the object cannot disagree.

pub mod header;

use crate::abi::{type_char, ExternKind};
use crate::frontend::ModuleInfo;
use std::collections::HashSet;
use wasmparser::ValType;

/// The import module whose functions the runtime can supply itself.
pub const WASI_MODULE: &str = "wasi_snapshot_preview1";

/// How a Wasm value appears in C.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CType {
    I32,
    I64,
    F32,
    F64,
    V128,
    FuncRef,
    ExternRef,
    ExnRef,
}

impl CType {
    pub fn of(ty: ValType) -> CType {
        match ty {
            ValType::I32 => CType::I32,
            ValType::I64 => CType::I64,
            ValType::F32 => CType::F32,
            ValType::F64 => CType::F64,
            ValType::V128 => CType::V128,
            ValType::Ref(r) => match type_char::of_ref(r) {
                type_char::FUNCREF => CType::FuncRef,
                type_char::EXNREF => CType::ExnRef,
                _ => CType::ExternRef,
            },
        }
    }

    pub fn c_name(self) -> &'static str {
        match self {
            CType::I32 => "int32_t",
            CType::I64 => "int64_t",
            CType::F32 => "float",
            CType::F64 => "double",
            CType::V128 => "wasm2native_v128",
            CType::FuncRef => "wasm2native_funcref",
            CType::ExternRef => "wasm2native_externref",
            CType::ExnRef => "wasm2native_exnref",
        }
    }

    /// The Wasm value type's name, for comments.
    pub fn wasm_name(self) -> &'static str {
        match self {
            CType::I32 => "i32",
            CType::I64 => "i64",
            CType::F32 => "f32",
            CType::F64 => "f64",
            CType::V128 => "v128",
            CType::FuncRef => "funcref",
            CType::ExternRef => "externref",
            CType::ExnRef => "exnref",
        }
    }

    /// (size, alignment) in C on the 64-bit targets this compiler supports; v128 is a byte array.
    pub fn size_align(self) -> (u32, u32) {
        match self {
            CType::I32 | CType::F32 => (4, 4),
            CType::V128 => (16, 1),
            _ => (8, 8),
        }
    }

    /// Whether a parameter of this type is passed by value (v128 goes by pointer, to keep every
    /// API function's C calling convention free of aggregates).
    pub fn by_value(self) -> bool {
        self != CType::V128
    }
}

/// A C struct holding several results, fields `r0`, `r1`, ... in order.
#[derive(Clone, Debug)]
pub struct ResultsStruct {
    pub name: String,
    /// Byte offset of each field, by C layout rules.
    pub offsets: Vec<u32>,
}

impl ResultsStruct {
    fn new(name: String, results: &[CType]) -> Self {
        let mut offset = 0u32;
        let offsets = results
            .iter()
            .map(|ty| {
                let (size, align) = ty.size_align();
                offset = offset.next_multiple_of(align);
                let field = offset;
                offset += size;
                field
            })
            .collect();
        ResultsStruct { name, offsets }
    }
}

/// Where a function's results go in C.
#[derive(Clone, Debug)]
pub enum ResultPassing {
    None,
    /// One scalar result: the import's return value, or the export's `R *result` out-parameter.
    Single(CType),
    /// One v128 result, or several: written through a pointer.
    OutPointer(CType),
    Struct(ResultsStruct),
}

/// A Wasm signature as C sees it.
#[derive(Clone, Debug)]
pub struct CSignature {
    pub params: Vec<CType>,
    pub results: Vec<CType>,
    pub passing: ResultPassing,
}

impl CSignature {
    fn new(ty: &wasmparser::FuncType, results_struct_name: impl FnOnce() -> String) -> Self {
        let params: Vec<CType> = ty.params().iter().map(|t| CType::of(*t)).collect();
        let results: Vec<CType> = ty.results().iter().map(|t| CType::of(*t)).collect();
        let passing = ResultPassing::of(&results, results_struct_name);
        CSignature { params, results, passing }
    }

    /// A tag's payload, both thrown (the parameters) and read back (the results).
    fn payload(ty: &wasmparser::FuncType, struct_name: impl FnOnce() -> String) -> Self {
        let values: Vec<CType> = ty.params().iter().map(|t| CType::of(*t)).collect();
        let passing = ResultPassing::of(&values, struct_name);
        CSignature { params: values.clone(), results: values, passing }
    }
}

impl ResultPassing {
    fn of(results: &[CType], struct_name: impl FnOnce() -> String) -> Self {
        match results {
            [] => ResultPassing::None,
            [CType::V128] => ResultPassing::OutPointer(CType::V128),
            [one] => ResultPassing::Single(*one),
            many => ResultPassing::Struct(ResultsStruct::new(struct_name(), many)),
        }
    }
}

/// An exported function: `wasm2native_trap PREFIX_f(instance, params..., results)`.
#[derive(Clone, Debug)]
pub struct ExportedFunction {
    pub symbol: String,
    pub export_name: String,
    pub func_index: u32,
    pub signature: CSignature,
}

/// An exported memory: `_data`, `_size` and `_at` accessors.
#[derive(Clone, Debug)]
pub struct ExportedMemory {
    pub export_name: String,
    pub memory_index: u32,
    pub data: String,
    pub size: String,
    pub at: String,
}

/// An exported global: `T *PREFIX_g(instance)`, `const` when immutable.
#[derive(Clone, Debug)]
pub struct ExportedGlobal {
    pub symbol: String,
    pub export_name: String,
    pub global_index: u32,
    pub ty: CType,
    pub mutable: bool,
}

/// An exported table: `_size`, `_get`, and `_set` for externref tables.
#[derive(Clone, Debug)]
pub struct ExportedTable {
    pub export_name: String,
    pub table_index: u32,
    pub elem: CType,
    pub size: String,
    pub get: String,
    pub set: Option<String>,
}

/// A tag the host can name (exported or imported): `PREFIX_t_throw(instance, values...)` throws
/// one from inside an import, `PREFIX_t_caught(instance, payload)` reads an uncaught one.
#[derive(Clone, Debug)]
pub struct ApiTag {
    /// `export "e"` or `import "m" "n"`, for comments.
    pub origin: String,
    pub tag_index: u32,
    /// Parameters: the payload thrown; results and passing: the payload read back.
    pub payload: CSignature,
    pub throw: String,
    pub caught: String,
}

/// How one import of the module is provided.
#[derive(Clone, Debug)]
pub enum ImportBinding {
    /// A function: the embedder's `symbol` (weak, may be left undefined), or the pointer in
    /// `PREFIX_imports.field`; for WASI, the runtime's function when neither is given.
    Func {
        module: String,
        name: String,
        field: String,
        symbol: String,
        slot: u32,
        signature: CSignature,
        wasi: bool,
    },
    /// A global: `PREFIX_imports.field` points at its initial value.
    Global { module: String, name: String, field: String, slot: u32, ty: CType, mutable: bool },
    /// A memory or table: made afresh for each instance from its declared type.
    Created { module: String, name: String, kind: ExternKind },
}

/// The whole generated API of one module.
#[derive(Clone, Debug)]
pub struct Surface {
    pub prefix: String,
    pub functions: Vec<ExportedFunction>,
    pub memories: Vec<ExportedMemory>,
    pub globals: Vec<ExportedGlobal>,
    pub tables: Vec<ExportedTable>,
    /// Exported and imported tags, one entry per tag, named after its first export if any.
    pub tags: Vec<ApiTag>,
    /// `void PREFIX_exnref_keep(exnref)`, when an exported global holds exnrefs: the embedder
    /// keeps one it read from the global's cell (the runtime then never frees it).
    pub exnref_keep: Option<String>,
    /// One per module import, in import order.
    pub imports: Vec<ImportBinding>,
    /// Number of pointer fields in `PREFIX_imports`.
    pub num_slots: u32,
}

/// Names of the fixed parts of the API, after the prefix and `_`.
pub mod fixed {
    pub const INSTANCE: &str = "instance";
    pub const IMPORTS: &str = "imports";
    pub const CONFIG: &str = "config";
    pub const NEW: &str = "new";
    pub const FREE: &str = "free";
    pub const LAST_TRAP: &str = "last_trap";
    pub const CONTEXT: &str = "context";
    pub const TRAP: &str = "trap";
    pub const BUILD_INFO: &str = "build_info";
    pub const ALL: [&str; 9] =
        [INSTANCE, IMPORTS, CONFIG, NEW, FREE, LAST_TRAP, CONTEXT, TRAP, BUILD_INFO];
}

/// A C identifier made of `text`: ASCII letters, digits and `_` kept, every other character `_`.
pub fn c_identifier(text: &str) -> String {
    let mangled: String =
        text.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '_' }).collect();
    if mangled.is_empty() {
        "_".to_string()
    } else {
        mangled
    }
}

/// The default prefix for a library file named `file_stem`: its C identifier without a leading
/// `lib`, and never starting with a digit.
pub fn default_prefix(file_stem: &str) -> String {
    let stem = file_stem.strip_prefix("lib").filter(|rest| !rest.is_empty()).unwrap_or(file_stem);
    let name = c_identifier(stem);
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("m{name}")
    } else {
        name
    }
}

/// The WASI reactor's `_initialize` (no parameters, no results), which `PREFIX_new` runs: not
/// part of the API, since running it twice would break the module.
fn is_reactor_initializer(info: &ModuleInfo<'_>, export: &crate::frontend::ExportInfo<'_>) -> bool {
    let ty = || info.func_type(export.index);
    export.kind == ExternKind::Func
        && export.name == "_initialize"
        && ty().params().is_empty()
        && ty().results().is_empty()
}

/// Whether `prefix` is usable: a C identifier not starting with a digit.
pub fn valid_prefix(prefix: &str) -> bool {
    !prefix.is_empty()
        && prefix.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !prefix.starts_with(|c: char| c.is_ascii_digit())
}

/// Hands out `PREFIX_name` symbols, adding `_2`, `_3`, ... where two names would clash.
struct Namer {
    prefix: String,
    taken: HashSet<String>,
}

impl Namer {
    /// A fresh symbol for `PREFIX_<base><suffixes[0]>`, ..., all free at once; returns them.
    fn claim(&mut self, base: &str, suffixes: &[&str]) -> Vec<String> {
        let base = c_identifier(base);
        for attempt in 1.. {
            let stem = if attempt == 1 { base.clone() } else { format!("{base}_{attempt}") };
            let names: Vec<String> =
                suffixes.iter().map(|s| format!("{}_{stem}{s}", self.prefix)).collect();
            if names.iter().all(|n| !self.taken.contains(n)) {
                self.taken.extend(names.iter().cloned());
                return names;
            }
        }
        unreachable!("some numbered name is always free")
    }

    fn one(&mut self, base: &str) -> String {
        self.claim(base, &[""]).remove(0)
    }
}

impl Surface {
    pub fn new(info: &ModuleInfo<'_>, prefix: &str) -> Surface {
        let mut namer = Namer { prefix: prefix.to_string(), taken: HashSet::new() };
        for name in fixed::ALL {
            namer.one(name);
        }
        let mut surface = Surface {
            prefix: prefix.to_string(),
            functions: Vec::new(),
            memories: Vec::new(),
            globals: Vec::new(),
            tables: Vec::new(),
            tags: Vec::new(),
            exnref_keep: None,
            imports: Vec::new(),
            num_slots: 0,
        };
        for export in &info.exports {
            if is_reactor_initializer(info, export) {
                continue;
            }
            let export_name = export.name.to_string();
            match export.kind {
                ExternKind::Func => {
                    let symbol = namer.one(export.name);
                    let ty = info.func_type(export.index);
                    let signature = CSignature::new(ty, || {
                        namer.one(&format!("{}_results", &symbol[prefix.len() + 1..]))
                    });
                    surface.functions.push(ExportedFunction {
                        symbol,
                        export_name,
                        func_index: export.index,
                        signature,
                    });
                }
                ExternKind::Memory => {
                    let [data, size, at]: [String; 3] = namer
                        .claim(export.name, &["_data", "_size", "_at"])
                        .try_into()
                        .expect("three names");
                    surface.memories.push(ExportedMemory {
                        export_name,
                        memory_index: export.index,
                        data,
                        size,
                        at,
                    });
                }
                ExternKind::Global => {
                    let global = &info.globals[export.index as usize].ty;
                    surface.globals.push(ExportedGlobal {
                        symbol: namer.one(export.name),
                        export_name,
                        global_index: export.index,
                        ty: CType::of(global.content_type),
                        mutable: global.mutable,
                    });
                }
                ExternKind::Table => {
                    let elem_type = info.tables[export.index as usize].element_type;
                    let elem = CType::of(ValType::Ref(elem_type));
                    let suffixes: &[&str] = if elem == CType::ExternRef {
                        &["_size", "_get", "_set"]
                    } else {
                        &["_size", "_get"]
                    };
                    let mut names = namer.claim(export.name, suffixes).into_iter();
                    let (size, get) =
                        (names.next().unwrap_or_default(), names.next().unwrap_or_default());
                    surface.tables.push(ExportedTable {
                        export_name,
                        table_index: export.index,
                        elem,
                        size,
                        get,
                        set: names.next(),
                    });
                }
                ExternKind::Tag => {
                    surface.add_tag(&mut namer, info, export.index, export.name, || {
                        format!("export \"{}\"", export.name)
                    })
                }
            }
        }
        if surface.globals.iter().any(|global| global.ty == CType::ExnRef) {
            surface.exnref_keep = Some(namer.one("exnref_keep"));
        }
        for import in &info.imports {
            let (module, name) = (import.module.to_string(), import.name.to_string());
            let binding = match import.kind {
                ExternKind::Func => {
                    let symbol = namer.one(&format!(
                        "{}_{}",
                        c_identifier(import.module),
                        c_identifier(import.name)
                    ));
                    let field = symbol[prefix.len() + 1..].to_string();
                    let ty = info.func_type(import.index);
                    let signature = CSignature::new(ty, || namer.one(&format!("{field}_results")));
                    let wasi = import.module == WASI_MODULE;
                    ImportBinding::Func {
                        module,
                        name,
                        field,
                        symbol,
                        slot: surface.take_slot(),
                        signature,
                        wasi,
                    }
                }
                ExternKind::Global => {
                    let global = &info.globals[import.index as usize].ty;
                    let symbol = namer.one(&format!(
                        "{}_{}",
                        c_identifier(import.module),
                        c_identifier(import.name)
                    ));
                    let field = symbol[prefix.len() + 1..].to_string();
                    let (ty, mutable) = (CType::of(global.content_type), global.mutable);
                    ImportBinding::Global {
                        module,
                        name,
                        field,
                        slot: surface.take_slot(),
                        ty,
                        mutable,
                    }
                }
                ExternKind::Tag => {
                    let base =
                        format!("{}_{}", c_identifier(import.module), c_identifier(import.name));
                    surface.add_tag(&mut namer, info, import.index, &base, || {
                        format!("import \"{module}\" \"{name}\"")
                    });
                    ImportBinding::Created { module, name, kind: ExternKind::Tag }
                }
                kind => ImportBinding::Created { module, name, kind },
            };
            surface.imports.push(binding);
        }
        surface
    }

    /// Adds tag `tag_index` under `PREFIX_<base>_...`, unless an earlier export named it.
    fn add_tag(
        &mut self,
        namer: &mut Namer,
        info: &ModuleInfo<'_>,
        tag_index: u32,
        base: &str,
        origin: impl FnOnce() -> String,
    ) {
        if self.tags.iter().any(|tag| tag.tag_index == tag_index) {
            return;
        }
        let [throw, caught]: [String; 2] =
            namer.claim(base, &["_throw", "_caught"]).try_into().expect("two names");
        let ty = &info.types[info.tag_types[tag_index as usize] as usize];
        let payload = CSignature::payload(ty, || namer.one(&format!("{base}_payload")));
        self.tags.push(ApiTag { origin: origin(), tag_index, payload, throw, caught });
    }

    fn take_slot(&mut self) -> u32 {
        self.num_slots += 1;
        self.num_slots - 1
    }

    /// `PREFIX_name` for one of the `fixed` names.
    pub fn fixed(&self, name: &str) -> String {
        format!("{}_{name}", self.prefix)
    }

    /// The symbols the library defines and exports: everything else in it is made local.
    pub fn defined_symbols(&self) -> Vec<String> {
        let mut symbols: Vec<String> = [
            fixed::NEW,
            fixed::FREE,
            fixed::LAST_TRAP,
            fixed::CONTEXT,
            fixed::TRAP,
            fixed::BUILD_INFO,
        ]
        .iter()
        .map(|name| self.fixed(name))
        .collect();
        symbols.extend(self.functions.iter().map(|f| f.symbol.clone()));
        for memory in &self.memories {
            symbols.extend([memory.data.clone(), memory.size.clone(), memory.at.clone()]);
        }
        symbols.extend(self.globals.iter().map(|g| g.symbol.clone()));
        for table in &self.tables {
            symbols.extend([table.size.clone(), table.get.clone()]);
            symbols.extend(table.set.clone());
        }
        for tag in &self.tags {
            symbols.extend([tag.throw.clone(), tag.caught.clone()]);
        }
        symbols.extend(self.exnref_keep.clone());
        symbols
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn surface(wat: &str, prefix: &str) -> Surface {
        let binary = crate::frontend::to_binary(wat.as_bytes()).unwrap();
        let info = crate::frontend::parse(&binary, crate::FeatureSet::Latest).unwrap();
        Surface::new(&info, prefix)
    }

    #[test]
    fn names_are_c_identifiers_without_clashes() {
        let s = surface(
            r#"(module
                 (import "env" "log-line" (func (param i32 i32)))
                 (func (export "new") (result i32 f64) i32.const 1 f64.const 2)
                 (func (export "a.b") (export "a-b"))
                 (memory (export "mem") 1)
                 (global (export "g") (mut i64) (i64.const 0)))"#,
            "foo",
        );
        let names: Vec<&str> = s.functions.iter().map(|f| f.symbol.as_str()).collect();
        assert_eq!(names, ["foo_new_2", "foo_a_b", "foo_a_b_2"]);
        match &s.functions[0].signature.passing {
            ResultPassing::Struct(r) => {
                assert_eq!(r.name, "foo_new_2_results");
                assert_eq!(r.offsets, [0, 8]);
            }
            other => panic!("two results go in a struct, not {other:?}"),
        }
        assert_eq!(s.memories[0].data, "foo_mem_data");
        assert!(
            matches!(&s.imports[0], ImportBinding::Func { symbol, slot: 0, .. } if symbol == "foo_env_log_line")
        );
        assert!(s.defined_symbols().contains(&"foo_g".to_string()));
    }

    #[test]
    fn default_prefix_comes_from_the_file_name() {
        assert_eq!(default_prefix("libfoo"), "foo");
        assert_eq!(default_prefix("my-codec.v2"), "my_codec_v2");
        assert_eq!(default_prefix("3d"), "m3d");
        assert_eq!(default_prefix("lib"), "lib");
        assert!(valid_prefix("foo_1") && !valid_prefix("1foo") && !valid_prefix("a-b"));
    }
}
