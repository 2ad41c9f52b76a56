//! Native DWARF in terms of the module's own source (`source_debug`): the files, the functions
//! inlined calls refer to, and the types of variables, each made once per LLVM module and kept
//! for the functions that need them. `debug_lines` uses them for lines and subprograms, and
//! `debug_variables` for variables.

use crate::source_debug::{SourceDebug, SourceType};
use inkwell::debug_info::{
    AsDIScope, DICompileUnit, DIFile, DIFlags, DIFlagsConstants, DISubprogram, DISubroutineType,
    DIType, DebugInfoBuilder,
};
use std::cell::RefCell;
use std::collections::HashMap;

/// Bits in a pointer of a 32-bit memory: what a C pointer is to the module.
const POINTER_BITS: u64 = 32;
/// The deepest nesting of types described; deeper parts are left out.
const MAX_TYPE_DEPTH: u32 = 32;
/// `DW_ATE_address`: a base type gdb reads as a pointer of the type's own size.
const DW_ATE_ADDRESS: u32 = 0x1;

pub struct SourceTables<'ctx, 's> {
    pub debug: &'s SourceDebug,
    /// Where the code section's contents start in the module: module DWARF's address 0.
    pub code_section_start: u64,
    files: RefCell<HashMap<u32, DIFile<'ctx>>>,
    callees: RefCell<HashMap<usize, DISubprogram<'ctx>>>,
    types: RefCell<HashMap<usize, Option<DIType<'ctx>>>>,
}

impl<'ctx, 's> SourceTables<'ctx, 's> {
    pub fn new(debug: &'s SourceDebug, code_section_start: u64) -> Self {
        SourceTables {
            debug,
            code_section_start,
            files: RefCell::default(),
            callees: RefCell::default(),
            types: RefCell::default(),
        }
    }

    /// Module DWARF's address of the operator at module offset `offset`.
    pub fn address(&self, offset: u64) -> u32 {
        offset.saturating_sub(self.code_section_start).min(u32::MAX as u64) as u32
    }

    /// Source file `index`; `fallback` (the module's file) when the index names none.
    pub fn file(
        &self,
        builder: &DebugInfoBuilder<'ctx>,
        index: u32,
        fallback: DIFile<'ctx>,
    ) -> DIFile<'ctx> {
        let Some(source) = self.debug.files.get(index as usize) else { return fallback };
        *self
            .files
            .borrow_mut()
            .entry(index)
            .or_insert_with(|| builder.create_file(&source.name, &source.directory))
    }

    /// The subprogram of callee `index`, which inlined calls name as their scope.
    pub fn callee(
        &self,
        builder: &DebugInfoBuilder<'ctx>,
        unit: DICompileUnit<'ctx>,
        signature: DISubroutineType<'ctx>,
        index: usize,
        fallback: DIFile<'ctx>,
    ) -> DISubprogram<'ctx> {
        if let Some(&subprogram) = self.callees.borrow().get(&index) {
            return subprogram;
        }
        let callee = &self.debug.callees[index];
        let file = self.file(builder, callee.declared.file, fallback);
        let line = callee.declared.line;
        let subprogram = source_subprogram(builder, unit, &callee.name, file, line, signature);
        self.callees.borrow_mut().insert(index, subprogram);
        subprogram
    }

    /// The native description of type `index`, or `None` when it has none.
    pub fn type_of(
        &self,
        builder: &DebugInfoBuilder<'ctx>,
        unit: DICompileUnit<'ctx>,
        index: usize,
        depth: u32,
    ) -> Option<DIType<'ctx>> {
        if let Some(&described) = self.types.borrow().get(&index) {
            return described;
        }
        if depth > MAX_TYPE_DEPTH {
            return None;
        }
        let scope = unit.as_debug_info_scope();
        let file = unit.get_file();
        let described = match self.debug.types.get(index)? {
            SourceType::Base { name, bytes, encoding } => builder
                .create_basic_type(name, bytes * 8, *encoding as u32, DIFlags::ZERO)
                .ok()
                .map(|t| t.as_type()),
            // A 4-byte address, named after the C type: a DWARF pointer type would be read as
            // the host's 8 bytes (LLVM writes no size for one), and its target could not be
            // followed anyway, being a Wasm address.
            SourceType::Pointer { .. } => builder
                .create_basic_type(
                    &self.type_name(index, 0),
                    POINTER_BITS,
                    DW_ATE_ADDRESS,
                    DIFlags::ZERO,
                )
                .ok()
                .map(|t| t.as_type()),
            SourceType::Typedef { name, target } => {
                let target = self.type_of(builder, unit, *target, depth + 1)?;
                Some(builder.create_typedef(target, name, file, 0, scope, 0).as_type())
            }
            SourceType::Qualified { tag, target } => {
                let target = self.type_of(builder, unit, *target, depth + 1)?;
                Some(builder.create_reference_type(target, *tag as u32).as_type())
            }
            SourceType::Array { element, count } => {
                let element_bits = self.byte_size(*element, 0)? * 8;
                let element = self.type_of(builder, unit, *element, depth + 1)?;
                let count = count.unwrap_or(0).min(i64::MAX as u64) as i64;
                let bits = element_bits.saturating_mul(count as u64);
                let subscript = 0..count;
                let subscripts = std::slice::from_ref(&subscript);
                Some(builder.create_array_type(element, bits, 0, subscripts).as_type())
            }
            SourceType::Record { name, bytes, is_union, members } => {
                let mut elements = Vec::with_capacity(members.len());
                for member in members {
                    let Some(ty) = self.type_of(builder, unit, member.type_index, depth + 1) else {
                        continue;
                    };
                    let bits = self.byte_size(member.type_index, 0).unwrap_or(0) * 8;
                    let offset = member.offset.saturating_mul(8);
                    let flags = DIFlags::ZERO;
                    elements.push(
                        builder
                            .create_member_type(
                                scope,
                                &member.name,
                                file,
                                0,
                                bits,
                                0,
                                offset,
                                flags,
                                ty,
                            )
                            .as_type(),
                    );
                }
                let bits = bytes.saturating_mul(8);
                let flags = DIFlags::ZERO;
                Some(match is_union {
                    true => builder
                        .create_union_type(scope, name, file, 0, bits, 0, flags, &elements, 0, "")
                        .as_type(),
                    false => builder
                        .create_struct_type(
                            scope, name, file, 0, bits, 0, flags, None, &elements, 0, None, "",
                        )
                        .as_type(),
                })
            }
            SourceType::Unknown => None,
        };
        self.types.borrow_mut().insert(index, described);
        described
    }

    /// The C name of type `index`, as far as it is known (`struct point *`).
    fn type_name(&self, index: usize, depth: u32) -> String {
        if depth > MAX_TYPE_DEPTH {
            return "?".into();
        }
        match self.debug.types.get(index) {
            Some(SourceType::Base { name, .. } | SourceType::Typedef { name, .. }) => name.clone(),
            Some(SourceType::Pointer { pointee: Some(pointee) }) => {
                let pointee = self.type_name(*pointee, depth + 1);
                match pointee.ends_with('*') {
                    true => format!("{pointee}*"),
                    false => format!("{pointee} *"),
                }
            }
            Some(SourceType::Pointer { pointee: None }) => "void *".into(),
            Some(SourceType::Qualified { tag, target }) => {
                let qualifier = match *tag == gimli::constants::DW_TAG_const_type.0 {
                    true => "const",
                    false => "volatile",
                };
                format!("{qualifier} {}", self.type_name(*target, depth + 1))
            }
            Some(SourceType::Array { element, .. }) => {
                format!("{}[]", self.type_name(*element, depth + 1))
            }
            Some(SourceType::Record { name, is_union, .. }) => {
                let kind = if *is_union { "union" } else { "struct" };
                match name.is_empty() {
                    true => format!("{kind} <anonymous>"),
                    false => format!("{kind} {name}"),
                }
            }
            Some(SourceType::Unknown) | None => "void".into(),
        }
    }

    /// The size in bytes of type `index`, when it is known.
    pub fn byte_size(&self, index: usize, depth: u32) -> Option<u64> {
        if depth > MAX_TYPE_DEPTH {
            return None;
        }
        match self.debug.types.get(index)? {
            SourceType::Base { bytes, .. } | SourceType::Record { bytes, .. } => Some(*bytes),
            SourceType::Pointer { .. } => Some(POINTER_BITS / 8),
            SourceType::Typedef { target, .. } | SourceType::Qualified { target, .. } => {
                self.byte_size(*target, depth + 1)
            }
            SourceType::Array { element, count } => {
                self.byte_size(*element, depth + 1)?.checked_mul(count.unwrap_or(0))
            }
            SourceType::Unknown => None,
        }
    }
}

/// The subprogram of a function the module's DWARF describes, named as in its source, declared
/// at `line` of `file`, local and defined here. No linkage name: debuggers would show the symbol
/// (`wasm.NAME`) rather than the source's name.
pub fn source_subprogram<'ctx>(
    builder: &DebugInfoBuilder<'ctx>,
    unit: DICompileUnit<'ctx>,
    name: &str,
    file: DIFile<'ctx>,
    line: u32,
    signature: DISubroutineType<'ctx>,
) -> DISubprogram<'ctx> {
    builder.create_function(
        unit.as_debug_info_scope(),
        name,
        None,
        file,
        line,
        signature,
        true,
        true,
        line,
        DIFlags::ZERO,
        true,
    )
}
