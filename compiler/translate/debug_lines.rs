//! Line tables: each compiled function is a DWARF subprogram named after the module's name
//! section, and each of its instructions carries as its line the byte offset, in the module,
//! of the Wasm operator it came from. The DWARF line table LLVM derives from them maps every
//! native address back to a Wasm offset through optimisation and inlining; a debugger shows
//! offsets as lines of the file `MODULE.wasm`, and the runtime's backtraces read them.
//! Debug locations do not change the code LLVM generates.

use super::ModuleEnv;
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

pub struct LineTables<'ctx> {
    builder: DebugInfoBuilder<'ctx>,
    unit: DICompileUnit<'ctx>,
    file: DIFile<'ctx>,
    signature: DISubroutineType<'ctx>,
}

impl<'ctx> LineTables<'ctx> {
    /// Line tables for `module`, whose lines are offsets in the module named `file_name`.
    pub fn new(context: &'ctx Context, module: &Module<'ctx>, file_name: &str) -> Self {
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
            DWARFEmissionKind::LineTablesOnly,
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
        LineTables { builder, unit, file, signature }
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

    /// The location of the operator at module offset `offset` of `subprogram`.
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

    pub fn finalize(&self) {
        self.builder.finalize();
    }
}

impl<'ctx> ModuleEnv<'ctx, '_> {
    /// The subprogram of defined function `func_index`, when the module gets line tables.
    pub fn describe_function(
        &self,
        func_index: u32,
        function: FunctionValue<'ctx>,
        offset: u32,
    ) -> Option<DISubprogram<'ctx>> {
        let lines = self.line_tables.as_ref()?;
        let name = &self.info.function_names[(func_index - self.info.num_imported_funcs) as usize];
        Some(lines.describe(function, &name.display, &name.symbol, offset, DIFlags::ZERO))
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
