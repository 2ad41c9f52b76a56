//! The source-level debug information a module carries (`clang -g`: DWARF in `.debug_*` custom
//! sections), read once per compile into plain tables the translator turns into native DWARF
//! (`translate/debug_lines.rs`): the line table, the functions with their inlined calls, and
//! the local variables with their types. Addresses are module DWARF's, offsets from the start
//! of the code section's contents.
//!
//! Custom sections are not validated, so malformed DWARF is no error: `read` then gives
//! nothing, and the output gets line tables of module offsets as without DWARF.

mod read;

pub use read::read;

/// A source file: its directory and its name (relative to the directory, or absolute).
#[derive(Debug, PartialEq, Eq, Hash, Clone)]
pub struct SourceFile {
    pub directory: String,
    pub name: String,
}

/// A row of the line table: code from `address` up to the next row's comes from
/// `file:line:column`; an end row closes a sequence of rows.
#[derive(Debug, Clone, Copy)]
struct LineRow {
    address: u32,
    file: u32,
    line: u32,
    column: u32,
    is_end: bool,
}

/// A source position: an index into `SourceDebug::files`, a line and a column (0 for none).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourcePosition {
    pub file: u32,
    pub line: u32,
    pub column: u32,
}

/// Where a function keeps its frame in linear memory: the address in a Wasm local or global.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameBase {
    Local(u32),
    Global(u32),
}

/// Where a variable lives for the whole of its function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VariableLocation {
    /// In linear memory, at this offset from the frame base.
    Frame(i64),
    /// In a Wasm local.
    Local(u32),
}

#[derive(Debug, Clone)]
pub struct Variable {
    pub name: String,
    pub type_index: usize,
    pub declared: SourcePosition,
    pub location: VariableLocation,
    /// The parameter's number, from 1, for a function's parameters.
    pub argument: Option<u32>,
}

/// A function whose code another's inlined: its name and where it is declared.
#[derive(Debug, Clone)]
pub struct Callee {
    pub name: String,
    pub declared: SourcePosition,
}

/// A call inlined into a function: the code ranges of the callee's body, the call inlined
/// around it, if any (an index into `Function::inlined`), the callee (an index into
/// `SourceDebug::callees`) and where the call is.
#[derive(Debug, Clone)]
pub struct InlinedCall {
    ranges: Vec<(u32, u32)>,
    pub parent: Option<usize>,
    pub callee: usize,
    pub call: SourcePosition,
    depth: u32,
}

/// A function with code: its code range, name and declaration, where its frame is, its
/// variables (those of the function itself, not of calls inlined into it) and inlined calls.
#[derive(Debug, Clone)]
pub struct Function {
    pub low: u32,
    pub high: u32,
    pub name: String,
    pub declared: SourcePosition,
    pub frame_base: Option<FrameBase>,
    /// The type it returns (an index into `SourceDebug::types`), `None` for `void` or unknown.
    pub return_type: Option<usize>,
    pub variables: Vec<Variable>,
    pub inlined: Vec<InlinedCall>,
}

/// A C type, as much of it as a debugger needs to show a value.
#[derive(Debug, Clone)]
pub enum SourceType {
    /// A base type: name, size in bytes and DWARF encoding (`DW_ATE_*`).
    Base {
        name: String,
        bytes: u64,
        encoding: u8,
    },
    /// A pointer, 4 bytes in a 32-bit memory; `None` points to `void`.
    Pointer {
        pointee: Option<usize>,
    },
    Typedef {
        name: String,
        target: usize,
    },
    /// `const` or `volatile` (a `DW_TAG_*` value).
    Qualified {
        tag: u16,
        target: usize,
    },
    /// An array of `count` elements, unknown when `None`.
    Array {
        element: usize,
        count: Option<u64>,
    },
    /// A structure or union (`is_union`): its name, size in bytes and members.
    Record {
        name: String,
        bytes: u64,
        is_union: bool,
        members: Vec<Member>,
    },
    /// A type the translator does not describe: a variable of it is left out.
    Unknown,
}

#[derive(Debug, Clone)]
pub struct Member {
    pub name: String,
    pub type_index: usize,
    pub offset: u64,
}

/// What `read` found in a module's DWARF.
#[derive(Debug, Default)]
pub struct SourceDebug {
    pub files: Vec<SourceFile>,
    rows: Vec<LineRow>,
    /// Sorted by `low`, not overlapping.
    functions: Vec<Function>,
    pub callees: Vec<Callee>,
    pub types: Vec<SourceType>,
}

impl SourceDebug {
    /// The source position of the code at `address`, if the line table covers it.
    pub fn position(&self, address: u32) -> Option<SourcePosition> {
        let next = self.rows.partition_point(|row| row.address <= address);
        let row = self.rows.get(next.checked_sub(1)?)?;
        (!row.is_end).then_some(SourcePosition {
            file: row.file,
            line: row.line,
            column: row.column,
        })
    }

    /// The function whose code starts at `address`.
    pub fn function_at(&self, address: u32) -> Option<&Function> {
        let index = self.functions.binary_search_by_key(&address, |f| f.low).ok()?;
        Some(&self.functions[index])
    }

    /// Whether any function or line is described: a module whose DWARF covers none of its
    /// code (all of it stripped or discarded by the linker) gets offset line tables instead.
    pub fn is_empty(&self) -> bool {
        self.functions.is_empty() && self.rows.is_empty()
    }
}

impl Function {
    /// The innermost inlined call whose code holds `address` (an index into `inlined`).
    pub fn inlined_at(&self, address: u32) -> Option<usize> {
        self.inlined
            .iter()
            .enumerate()
            .filter(|(_, call)| {
                call.ranges.iter().any(|&(low, high)| low <= address && address < high)
            })
            .max_by_key(|(_, call)| call.depth)
            .map(|(index, _)| index)
    }
}
