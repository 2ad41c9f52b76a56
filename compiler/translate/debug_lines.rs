//! Line tables: each compiled function is a DWARF subprogram named after the module's name
//! section, and each of its instructions carries as its line the byte offset, in the module,
//! of the Wasm operator it came from. The DWARF line table LLVM derives from them maps every
//! native address back to a Wasm offset through optimisation and inlining; a debugger shows
//! offsets as lines of the file `MODULE.wasm`, and the runtime's backtraces read them.
//! Debug locations do not change the code LLVM generates.
//!
//! When the module carries DWARF of its own (`source_debug`), functions it describes are
//! subprograms of their source names and files, and their instructions carry the source lines
//! module DWARF gives their operators, with the calls inlined in the module as inlined scopes
//! (`debug_source`); functions it does not describe keep module offsets.

use super::debug_source::{source_subprogram, SourceTables};
use super::ModuleEnv;
use crate::source_debug::{Function, SourceDebug};
use inkwell::builder::Builder;
use inkwell::context::Context;
use inkwell::debug_info::{
    AsDIScope, DICompileUnit, DIFile, DIFlags, DIFlagsConstants, DILocation, DISubprogram,
    DISubroutineType, DWARFEmissionKind, DWARFSourceLanguage, DebugInfoBuilder,
};
use inkwell::module::{FlagBehavior, Module};
use inkwell::values::FunctionValue;

/// DWARF 4: what every consumer reads (the runtime's reader included), and all a line table
/// needs.
const DWARF_VERSION: u64 = 4;

pub struct LineTables<'ctx, 's> {
    pub(super) builder: DebugInfoBuilder<'ctx>,
    pub(super) unit: DICompileUnit<'ctx>,
    file: DIFile<'ctx>,
    signature: DISubroutineType<'ctx>,
    /// The module's own source lines, when it has DWARF.
    pub(super) source: Option<SourceTables<'ctx, 's>>,
}

/// What the line tables know of one function: its subprogram and, when module DWARF describes
/// it, that description and the locations of its inlined calls, made as operators need them.
pub struct FunctionLines<'ctx, 's> {
    pub subprogram: DISubprogram<'ctx>,
    pub source: Option<&'s Function>,
    inlined_at: Vec<Option<DILocation<'ctx>>>,
}

impl<'ctx, 's> LineTables<'ctx, 's> {
    /// Line tables for `module`, whose lines are offsets in the module named `file_name`, or
    /// source lines where `source` (the module's DWARF, and where its code section starts)
    /// describes the code.
    pub fn new(
        context: &'ctx Context,
        module: &Module<'ctx>,
        file_name: &str,
        source: Option<(&'s SourceDebug, u64)>,
    ) -> Self {
        // Variables and their types need full debug information; offsets need only lines.
        let kind = match source {
            Some(_) => DWARFEmissionKind::Full,
            None => DWARFEmissionKind::LineTablesOnly,
        };
        let (builder, unit) = module.create_debug_info_builder(
            true,
            // No source language describes Wasm; C is what every debugger accepts.
            DWARFSourceLanguage::C,
            file_name,
            ".",
            concat!("wasm2native ", env!("CARGO_PKG_VERSION")),
            true,
            "",
            0,
            "",
            kind,
            0,
            false,
            false,
            "",
            "",
        );
        let file = unit.get_file();
        let signature = builder.create_subroutine_type(file, None, &[], DIFlags::ZERO);
        let i32_type = context.i32_type();
        module.add_basic_value_flag(
            "Dwarf Version",
            FlagBehavior::Warning,
            i32_type.const_int(DWARF_VERSION, false),
        );
        module.add_basic_value_flag(
            "Debug Info Version",
            FlagBehavior::Warning,
            i32_type.const_int(inkwell::debug_info::debug_metadata_version() as u64, false),
        );
        let source = source.map(|(debug, start)| SourceTables::new(debug, start));
        LineTables { builder, unit, file, signature, source }
    }

    /// Makes `function` the subprogram `name` (linkage name `symbol`), starting at module
    /// offset `offset`.
    pub fn describe(
        &self,
        function: FunctionValue<'ctx>,
        name: &str,
        symbol: &str,
        offset: u32,
        flags: DIFlags,
    ) -> DISubprogram<'ctx> {
        let subprogram = self.builder.create_function(
            self.unit.as_debug_info_scope(),
            name,
            Some(symbol),
            self.file,
            offset,
            self.signature,
            true,
            true,
            offset,
            flags,
            true,
        );
        function.set_subprogram(subprogram);
        subprogram
    }

    /// The location of the operator at module offset `offset` of `subprogram`, as a line of
    /// the module's file.
    pub fn location(
        &self,
        context: &'ctx Context,
        subprogram: DISubprogram<'ctx>,
        offset: u32,
    ) -> DILocation<'ctx> {
        self.builder.create_debug_location(
            context,
            offset,
            0,
            subprogram.as_debug_info_scope(),
            None,
        )
    }

    /// The location of the operator at module offset `offset` of the function `lines`
    /// describes: its source line, inside the calls inlined there, or its offset.
    pub fn operator_location(
        &self,
        context: &'ctx Context,
        lines: &mut FunctionLines<'ctx, 's>,
        offset: u64,
    ) -> DILocation<'ctx> {
        let (Some(source), Some(function)) = (&self.source, lines.source) else {
            return self.location(context, lines.subprogram, offset as u32);
        };
        let address = source.address(offset);
        let position = source.debug.position(address);
        let (line, column) = position.map_or((0, 0), |p| (p.line, p.column));
        let (scope, inlined_at) = match function.inlined_at(address) {
            Some(call) => {
                (self.inlined_callee(function, call), self.inlined_at(context, lines, call))
            }
            None => (lines.subprogram, None),
        };
        self.builder.create_debug_location(
            context,
            line,
            column,
            scope.as_debug_info_scope(),
            inlined_at,
        )
    }

    /// The subprogram of the callee of `function`'s inlined call `call`.
    fn inlined_callee(&self, function: &Function, call: usize) -> DISubprogram<'ctx> {
        let source = self.source.as_ref().expect("inlined calls come from module DWARF");
        let callee = function.inlined[call].callee;
        source.callee(&self.builder, self.unit, self.signature, callee, self.file)
    }

    /// The location of `function`'s inlined call `call`: the call's line, in its caller.
    fn inlined_at(
        &self,
        context: &'ctx Context,
        lines: &mut FunctionLines<'ctx, 's>,
        call: usize,
    ) -> Option<DILocation<'ctx>> {
        let function = lines.source?;
        if let Some(location) = lines.inlined_at.get(call).copied().flatten() {
            return Some(location);
        }
        let inlined = &function.inlined[call];
        // The walk gave each call an index after its parent's, so this ends.
        let (scope, outer) = match inlined.parent.filter(|&parent| parent < call) {
            Some(parent) => {
                (self.inlined_callee(function, parent), self.inlined_at(context, lines, parent))
            }
            None => (lines.subprogram, None),
        };
        let location = self.builder.create_debug_location(
            context,
            inlined.call.line,
            inlined.call.column,
            scope.as_debug_info_scope(),
            outer,
        );
        lines.inlined_at[call] = Some(location);
        Some(location)
    }

    pub fn finalize(&self) {
        self.builder.finalize();
    }
}

impl<'ctx, 'a> ModuleEnv<'ctx, 'a> {
    /// The line tables' description of defined function `func_index`, whose body starts at
    /// module offset `offset`, when the module gets line tables.
    pub fn describe_function(
        &self,
        func_index: u32,
        function: FunctionValue<'ctx>,
        offset: u32,
    ) -> Option<FunctionLines<'ctx, 'a>> {
        let lines = self.line_tables.as_ref()?;
        let name = &self.info.function_names[(func_index - self.info.num_imported_funcs) as usize];
        let source = lines.source.as_ref().and_then(|source| {
            Some((source, source.debug.function_at(source.address(offset as u64))?))
        });
        let Some((tables, described)) = source else {
            let subprogram =
                lines.describe(function, &name.display, &name.symbol, offset, DIFlags::ZERO);
            return Some(FunctionLines { subprogram, source: None, inlined_at: Vec::new() });
        };
        let file = tables.file(&lines.builder, described.declared.file, lines.file);
        let line = described.declared.line;
        // The return type, so that a debugger shows what a function returns (gdb's `finish`).
        let returned =
            described.return_type.and_then(|ty| tables.type_of(&lines.builder, lines.unit, ty, 0));
        let signature = match returned {
            Some(ty) => lines.builder.create_subroutine_type(file, Some(ty), &[], DIFlags::ZERO),
            None => lines.signature,
        };
        let subprogram =
            source_subprogram(&lines.builder, lines.unit, &described.name, file, line, signature);
        function.set_subprogram(subprogram);
        Some(FunctionLines {
            subprogram,
            source: Some(described),
            inlined_at: vec![None; described.inlined.len()],
        })
    }

    /// Describes `function`, code of the compiler's own around the module's (an entry point,
    /// a function of the C API), as an artificial subprogram, and gives what
    /// `builder` builds a location in it: Wasm functions LLVM inlines into it keep their lines,
    /// and a backtrace still names them.
    pub fn describe_helper(&self, function: FunctionValue<'ctx>, builder: &Builder<'ctx>) {
        let Some(lines) = &self.line_tables else { return };
        let name = function.get_name().to_string_lossy().into_owned();
        let subprogram = lines.describe(function, &name, &name, 0, DIFlags::ARTIFICIAL);
        builder.set_current_debug_location(lines.location(self.context, subprogram, 0));
    }
}
