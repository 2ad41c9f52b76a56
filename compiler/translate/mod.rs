//! Translation of a validated module, or of one part of it (`Partition`, see `crate::parallel`),
//! into one LLVM module: the functions (`func`, with operators in `ops/` grouped by instruction
//! class), the instance initialiser (`init`), the module descriptor with array-call entries
//! (`descriptor`), the build record and, for library builds, the generated C API (`api`).

mod address;
mod alias;
mod api;
mod bounds;
mod control;
mod debug_lines;
mod debug_source;
mod debug_variables;
mod descriptor;
mod exceptions;
mod facts;
mod func;
mod guard;
mod host_view;
mod init;
mod instance;
mod legacy_exceptions;
mod ops;
mod prescan;
mod state;
mod types;

use crate::abi::{AbiType, RuntimeFn, TrapCode};
use crate::error::CompileError;
use crate::frontend::ModuleInfo;
use crate::BoundsChecks;
use inkwell::attributes::{Attribute, AttributeLoc};
use inkwell::builder::Builder;
use inkwell::context::Context;
use inkwell::module::{Linkage, Module};
use inkwell::types::{BasicMetadataTypeEnum, BasicType, BasicTypeEnum, FunctionType};
use inkwell::values::{
    BasicMetadataValueEnum, BasicValueEnum, CallSiteValue, FunctionValue, IntValue,
};
use inkwell::GlobalVisibility;
use std::collections::HashMap;
use std::ops::Range;
use types::LlvmTypes;

pub type Result<T> = std::result::Result<T, CompileError>;

/// The part of a module one LLVM module holds when the module is compiled in several parts:
/// every part declares every defined function, but gives bodies only to its own.
#[derive(Clone, Debug)]
pub struct Partition {
    /// Defined-function indices (index minus imported functions) this part gives bodies to.
    pub bodies: Range<usize>,
    /// The first part also holds the initialiser, the descriptor, the build record and the API.
    pub is_first: bool,
    /// More than one part: the functions are referenced across objects, so they cannot be
    /// internal; hidden visibility keeps them out of any dynamic symbol table.
    pub is_split: bool,
}

/// What every function translation shares: the LLVM module, the declared functions and types.
pub struct ModuleEnv<'ctx, 'a> {
    pub context: &'ctx Context,
    pub module: Module<'ctx>,
    pub info: &'a ModuleInfo<'a>,
    pub types: LlvmTypes<'ctx>,
    /// Native signature per type index.
    pub fn_types: Vec<FunctionType<'ctx>>,
    /// LLVM function per defined function (index minus imported functions).
    pub functions: Vec<FunctionValue<'ctx>>,
    /// How loads and stores stay in bounds; guard mode also marks the descriptor.
    pub bounds_checks: BoundsChecks,
    /// Whether checks on address arithmetic get a fast 64-bit half for loop versioning
    /// (`bounds`): only where the optimiser runs the versioning pass (`codegen`).
    pub versioned_checks: bool,
    /// Whether LLVM's fast instruction selector (-O0) generates the machine code, so that the
    /// translator prefers what it selects by itself.
    pub fast_isel: bool,
    /// The inline-assembly constraint for a vector register of the target.
    pub vector_register: &'static str,
    /// How relaxed SIMD operators are lowered.
    pub relaxed_simd: RelaxedLowering,
    runtime_fns: HashMap<RuntimeFn, FunctionValue<'ctx>>,
    /// Whether the source's local variables are described (`CodeShape::source_variables`).
    pub source_variables: bool,
    /// Wasm offsets as lines (`debug_lines`), unless the shape leaves them out.
    pub line_tables: Option<debug_lines::LineTables<'ctx, 'a>>,
}

impl<'ctx, 'a> ModuleEnv<'ctx, 'a> {
    fn new(
        context: &'ctx Context,
        info: &'a ModuleInfo<'a>,
        shape: CodeShape<'a>,
        is_split: bool,
    ) -> Self {
        let types = LlvmTypes::new(context);
        let module = context.create_module("wasm");
        let fn_types: Vec<FunctionType> = info.types.iter().map(|t| types.function(t)).collect();
        let functions = (info.num_imported_funcs..info.func_types.len() as u32)
            .zip(&info.function_names)
            .map(|(index, name)| {
                let ty = fn_types[info.func_types[index as usize] as usize];
                let linkage = if is_split { Linkage::External } else { Linkage::Internal };
                let function = module.add_function(&name.symbol, ty, Some(linkage));
                function.set_call_conventions(crate::abi::WASM_CALLING_CONVENTION);
                if is_split {
                    function.as_global_value().set_visibility(GlobalVisibility::Hidden);
                }
                // Recursion must keep its frames so that runaway recursion reaches the stack
                // check and traps, rather than becoming an endless loop.
                function.add_attribute(
                    AttributeLoc::Function,
                    context.create_string_attribute("disable-tail-calls", "true"),
                );
                // The stack check at entry keeps a margin below it, but a frame larger than
                // the margin (up to 800 KB of locals or spills) would reach past the stack's
                // guard page into whatever is mapped below, another thread's stack for one.
                // Probing each page of a large frame as it is allocated hits the guard first,
                // which the runtime's fault handler turns into the trap. Frames under a page
                // get no probe.
                function.add_attribute(
                    AttributeLoc::Function,
                    context.create_string_attribute("probe-stack", "inline-asm"),
                );
                add_instance_attributes(context, function);
                function
            })
            .collect();
        let mut env = ModuleEnv {
            context,
            module,
            info,
            types,
            fn_types,
            functions,
            bounds_checks: shape.bounds_checks,
            versioned_checks: shape.versioned_checks,
            fast_isel: shape.fast_isel,
            vector_register: shape.vector_register,
            relaxed_simd: shape.relaxed_simd,
            runtime_fns: HashMap::new(),
            source_variables: shape.source_variables,
            line_tables: None,
        };
        env.declare_runtime();
        let source = shape.source_debug.map(|debug| (debug, info.code_section_start));
        env.line_tables = shape
            .line_tables
            .map(|file| debug_lines::LineTables::new(context, &env.module, file, source));
        env
    }

    /// Declares every runtime function from the one list in `abi`.
    fn declare_runtime(&mut self) {
        for runtime_fn in RuntimeFn::ALL {
            let prototype = runtime_fn.prototype();
            let fn_type = self.abi_fn_type(&prototype.param_types(), prototype.result_type());
            let function =
                self.module.add_function(prototype.symbol, fn_type, Some(Linkage::External));
            if matches!(runtime_fn, RuntimeFn::Trap | RuntimeFn::TrapMemory | RuntimeFn::HostTrap) {
                for attr in ["noreturn", "cold", "nounwind"] {
                    function.add_attribute(AttributeLoc::Function, self.enum_attribute(attr));
                }
            }
            self.runtime_fns.insert(runtime_fn, function);
        }
    }

    pub fn abi_type(&self, ty: AbiType) -> BasicTypeEnum<'ctx> {
        match ty {
            AbiType::Ptr => self.types.ptr.into(),
            AbiType::I32 => self.types.i32.into(),
            AbiType::I64 => self.types.i64.into(),
        }
    }

    /// The LLVM type of a C function taking and returning `AbiType`s.
    pub fn abi_fn_type(&self, params: &[AbiType], result: Option<AbiType>) -> FunctionType<'ctx> {
        let params: Vec<BasicMetadataTypeEnum> =
            params.iter().map(|t| self.abi_type(*t).into()).collect();
        match result {
            None => self.context.void_type().fn_type(&params, false),
            Some(ty) => self.abi_type(ty).fn_type(&params, false),
        }
    }

    pub fn enum_attribute(&self, name: &str) -> Attribute {
        let kind = Attribute::get_named_enum_kind_id(name);
        self.context.create_enum_attribute(kind, 0)
    }

    pub fn runtime_fn(&self, f: RuntimeFn) -> FunctionValue<'ctx> {
        self.runtime_fns[&f]
    }

    /// Calls a runtime function at the builder's position.
    pub fn call_runtime(
        &self,
        builder: &Builder<'ctx>,
        f: RuntimeFn,
        args: &[BasicMetadataValueEnum<'ctx>],
    ) -> Result<CallSiteValue<'ctx>> {
        Ok(builder.build_call(self.runtime_fn(f), args, "")?)
    }

    /// Calls a runtime function that returns a value, and returns it.
    pub fn call_runtime_value(
        &self,
        builder: &Builder<'ctx>,
        f: RuntimeFn,
        args: &[BasicMetadataValueEnum<'ctx>],
    ) -> Result<BasicValueEnum<'ctx>> {
        returned_value(self.call_runtime(builder, f, args)?, f.prototype().symbol)
    }

    /// The runtime's thread-local words of a failed bounds check's access (`abi::trap_access`),
    /// declared on first use.
    fn trap_access(&self) -> inkwell::values::PointerValue<'ctx> {
        let symbol = crate::abi::trap_access::SYMBOL;
        let global = self.module.get_global(symbol).unwrap_or_else(|| {
            let words_ty = self.types.i64.array_type(crate::abi::trap_access::WORDS);
            let global = self.module.add_global(words_ty, None, symbol);
            global.set_linkage(Linkage::External);
            global.set_thread_local_mode(Some(inkwell::ThreadLocalMode::InitialExecTLSModel));
            global
        });
        global.as_pointer_value()
    }

    /// The runtime's thread-local pointer to the exception in flight, declared on first use so
    /// that modules that cannot throw do not refer to it.
    pub fn exception_in_flight(&self) -> inkwell::values::PointerValue<'ctx> {
        let symbol = crate::abi::exception::IN_FLIGHT_SYMBOL;
        let global = self.module.get_global(symbol).unwrap_or_else(|| {
            let global = self.module.add_global(self.types.ptr, None, symbol);
            global.set_linkage(Linkage::External);
            global.set_thread_local_mode(Some(inkwell::ThreadLocalMode::InitialExecTLSModel));
            global
        });
        global.as_pointer_value()
    }

    /// Emits `w2n_trap(code); unreachable` at the builder's position. The call is `nomerge`:
    /// LLVM would otherwise fold the identical trap calls of a function into one, and the
    /// address a trap comes from would no longer tell where it was raised.
    pub fn emit_trap(&self, builder: &Builder<'ctx>, code: TrapCode) -> Result<()> {
        let code = self.types.i32.const_int(code as u64, false);
        let call = self.call_runtime(builder, RuntimeFn::Trap, &[code.into()])?;
        call.add_attribute(AttributeLoc::Function, self.enum_attribute("nomerge"));
        builder.build_unreachable()?;
        Ok(())
    }

    /// Emits the trap of a failed bounds check: the address and the memory's size stored in
    /// `w2n_trap_access`, then `w2n_trap_memory(memory, offset, length); unreachable`, `nomerge`
    /// as `emit_trap`'s. Returns the call, whose access a widened check updates
    /// (`OutOfBoundsAccess::OFFSET_OPERAND`).
    pub fn emit_memory_trap(
        &self,
        builder: &Builder<'ctx>,
        access: &OutOfBoundsAccess<'ctx>,
    ) -> Result<inkwell::values::InstructionValue<'ctx>> {
        let (i32_ty, i64_ty) = (self.types.i32, self.types.i64);
        let words = self.trap_access();
        let words_ty = i64_ty.array_type(crate::abi::trap_access::WORDS);
        for (index, value) in [
            (crate::abi::trap_access::ADDRESS, access.address),
            (crate::abi::trap_access::MEMORY_SIZE, access.memory_size),
        ] {
            let indices = [i32_ty.const_zero(), i32_ty.const_int(index, false)];
            // SAFETY: both indices are within the array of `trap_access::WORDS` words.
            let word = unsafe { builder.build_in_bounds_gep(words_ty, words, &indices, "")? };
            builder.build_store(word, value)?;
        }
        let args = [
            i32_ty.const_int(access.memory as u64, false).into(),
            i64_ty.const_int(access.offset, false).into(),
            i32_ty.const_int(access.length as u64, false).into(),
        ];
        let call = self.call_runtime(builder, RuntimeFn::TrapMemory, &args)?;
        call.add_attribute(AttributeLoc::Function, self.enum_attribute("nomerge"));
        builder.build_unreachable()?;
        match call.try_as_basic_value() {
            inkwell::values::ValueKind::Instruction(call) => Ok(call),
            _ => Err(CompileError::backend("w2n_trap_memory returns a value")),
        }
    }

    /// `value` as a runtime function's parameter of type `ty`: a 32-bit address, index or length
    /// zero-extended to 64 bits, a 64-bit table index or length (table64) narrowed for the
    /// runtime's 32-bit tables, saturating, since anything past 2^32 - 1 is out of bounds of
    /// any table just as that is.
    pub fn fit_operand(
        &self,
        builder: &Builder<'ctx>,
        value: BasicValueEnum<'ctx>,
        ty: AbiType,
    ) -> Result<BasicValueEnum<'ctx>> {
        let BasicValueEnum::IntValue(int) = value else { return Ok(value) };
        let (i32_ty, i64_ty) = (self.types.i32, self.types.i64);
        Ok(match (int.get_type().get_bit_width(), ty) {
            (32, AbiType::I64) => builder.build_int_z_extend(int, i64_ty, "")?.into(),
            (64, AbiType::I32) => {
                let most = i64_ty.const_int(u32::MAX as u64, false);
                let above = builder.build_int_compare(inkwell::IntPredicate::UGT, int, most, "")?;
                let narrow = builder.build_int_truncate(int, i32_ty, "")?;
                builder.build_select(above, i32_ty.const_all_ones(), narrow, "")?
            }
            _ => value,
        })
    }

    /// Stores `values` into the results struct of type `ty` at `results` (results through
    /// memory, `types::results_in_memory`).
    pub fn store_results(
        &self,
        builder: &Builder<'ctx>,
        results: inkwell::values::PointerValue<'ctx>,
        ty: &[wasmparser::ValType],
        values: &[BasicValueEnum<'ctx>],
    ) -> Result<()> {
        let struct_ty = self.results_struct(ty)?;
        for (i, value) in values.iter().enumerate() {
            let field = builder.build_struct_gep(struct_ty, results, i as u32, "")?;
            builder.build_store(field, *value)?;
        }
        Ok(())
    }

    /// The values of the results struct of type `ty` at `results`.
    pub fn load_results(
        &self,
        builder: &Builder<'ctx>,
        results: inkwell::values::PointerValue<'ctx>,
        ty: &[wasmparser::ValType],
    ) -> Result<Vec<BasicValueEnum<'ctx>>> {
        let struct_ty = self.results_struct(ty)?;
        (0..ty.len() as u32)
            .map(|i| {
                let field = builder.build_struct_gep(struct_ty, results, i, "")?;
                Ok(builder.build_load(self.types.value(ty[i as usize]), field, "")?)
            })
            .collect()
    }

    /// The results of `call`, a call of a function with results `ty`, one value each: read from
    /// `buffer` where they came through memory, else the returned value, or its fields when
    /// several.
    pub fn call_results(
        &self,
        builder: &Builder<'ctx>,
        call: CallSiteValue<'ctx>,
        buffer: Option<inkwell::values::PointerValue<'ctx>>,
        ty: &[wasmparser::ValType],
    ) -> Result<Vec<BasicValueEnum<'ctx>>> {
        if let Some(buffer) = buffer {
            return self.load_results(builder, buffer, ty);
        }
        match call.try_as_basic_value() {
            inkwell::values::ValueKind::Basic(value) if ty.len() == 1 => Ok(vec![value]),
            inkwell::values::ValueKind::Basic(value) => {
                let aggregate = value.into_struct_value();
                (0..ty.len() as u32)
                    .map(|i| Ok(builder.build_extract_value(aggregate, i, "")?))
                    .collect()
            }
            _ => Ok(Vec::new()),
        }
    }

    /// The struct several results make.
    pub fn results_struct(
        &self,
        ty: &[wasmparser::ValType],
    ) -> Result<inkwell::types::StructType<'ctx>> {
        match self.types.results(ty) {
            Some(BasicTypeEnum::StructType(struct_ty)) => Ok(struct_ty),
            _ => Err(CompileError::backend("results through memory without a struct")),
        }
    }

    pub fn const_i32(&self, value: u32) -> IntValue<'ctx> {
        self.types.i32.const_int(value as u64, false)
    }
}

/// Tells LLVM what the instance parameter of a compiled function is: never null, aligned, and
/// readable over its fixed fields, so loads from it may be moved out of loops and branches.
fn add_instance_attributes(context: &Context, function: FunctionValue<'_>) {
    let instance = AttributeLoc::Param(0);
    let enum_attribute = |name: &str, value: u64| {
        context.create_enum_attribute(Attribute::get_named_enum_kind_id(name), value)
    };
    function.add_attribute(instance, enum_attribute("nonnull", 0));
    function.add_attribute(instance, enum_attribute("noundef", 0));
    function.add_attribute(instance, enum_attribute("align", 8));
    function.add_attribute(
        instance,
        enum_attribute("dereferenceable", crate::abi::instance::SIZE as u64),
    );
}

/// The value a call returns; `callee` names it in the error for a void call.
pub fn returned_value<'ctx>(
    call: CallSiteValue<'ctx>,
    callee: &str,
) -> Result<BasicValueEnum<'ctx>> {
    match call.try_as_basic_value() {
        inkwell::values::ValueKind::Basic(value) => Ok(value),
        _ => Err(CompileError::backend(format!("{callee} returns no value"))),
    }
}

/// How the code of a part is shaped for what follows it (see the fields of `ModuleEnv`).
#[derive(Clone, Copy, Debug)]
pub struct CodeShape<'a> {
    pub bounds_checks: BoundsChecks,
    pub versioned_checks: bool,
    pub fast_isel: bool,
    /// The inline-assembly constraint for a vector register: `x` on x86-64, `w` on AArch64.
    pub vector_register: &'static str,
    pub relaxed_simd: RelaxedLowering,
    /// The name of the module's file in line tables (`debug_lines`); `None` leaves them out.
    pub line_tables: Option<&'a str>,
    /// The module's own DWARF, for line tables in its source's terms (`source_debug`).
    pub source_debug: Option<&'a crate::source_debug::SourceDebug>,
    /// Whether the source's local variables are described too (`debug_variables`): only
    /// where no optimisation moves them out of the slots they are described in (-O0).
    pub source_variables: bool,
}

/// How the relaxed SIMD operators are lowered (`ops/simd/relaxed.rs`).
#[derive(Clone, Copy, Debug)]
pub enum RelaxedLowering {
    /// As the standard operators they relax, so that every target gives the same bits.
    Deterministic,
    /// As x86-64's own instructions, where the target has them.
    X86(X86Features),
    /// As AArch64's own instructions.
    AArch64,
}

/// The x86 extensions the native lowering of relaxed SIMD uses. An operator whose instruction
/// the target lacks is lowered as its standard counterpart instead: instruction selection
/// would abort on the intrinsic.
#[derive(Clone, Copy, Debug, Default)]
pub struct X86Features {
    /// `pshufb`, `pmulhrsw`, `pmaddubsw`.
    pub ssse3: bool,
    /// `pblendvb`, `blendvps`, `blendvpd`.
    pub sse41: bool,
    /// `vfmadd`, `vfnmadd`.
    pub fma: bool,
    /// `vcvttps2udq` and `vcvttpd2udq` on 128-bit vectors: AVX-512 F and VL.
    pub avx512vl: bool,
    /// `vpdpbusd` on 128-bit vectors: AVX-VNNI, or AVX-512 VNNI and VL.
    pub vnni: bool,
}

/// Translates the part `partition` of `info` into an LLVM module owned by `context`, in the
/// given `shape`; the first part carries `build_info` as its build record and, when `api` is
/// given, the C API it describes.
pub fn translate_module<'ctx, 'a>(
    context: &'ctx Context,
    info: &'a ModuleInfo<'a>,
    build_info: &str,
    shape: CodeShape<'a>,
    api: Option<&crate::capi::Surface>,
    partition: &Partition,
) -> Result<Module<'ctx>> {
    let env = ModuleEnv::new(context, info, shape, partition.is_split);
    for defined_index in partition.bodies.clone() {
        let func_index = info.num_imported_funcs + defined_index as u32;
        func::translate_function(&env, func_index, &info.bodies[defined_index])?;
    }
    if partition.is_first {
        let initialize = init::emit_initializer(&env)?;
        let descriptor = descriptor::emit_descriptor(&env, initialize)?;
        let record = emit_build_record(&env, build_info);
        if let Some(surface) = api {
            api::emit_api(&env, surface, descriptor, record)?;
        }
    }
    if let Some(lines) = &env.line_tables {
        lines.finalize();
    }
    Ok(env.module)
}

/// The NUL-terminated build record, in its own section so that `wasm2native inspect` finds it
/// in any artifact; external, so no optimisation drops it.
fn emit_build_record<'ctx>(
    env: &ModuleEnv<'ctx, '_>,
    text: &str,
) -> inkwell::values::GlobalValue<'ctx> {
    let value = env.context.const_string(text.as_bytes(), true);
    let global = env.module.add_global(value.get_type(), None, crate::abi::BUILD_INFO_SYMBOL);
    global.set_initializer(&value);
    global.set_constant(true);
    global.set_section(Some(crate::abi::BUILD_INFO_SECTION));
    global.set_alignment(1);
    global
}

/// An access a failed bounds check reports to the runtime (`w2n_trap_memory`). The memory's
/// size is the one the check compared with, at hand at every check: the instance pointer, which
/// the runtime could read it from, would have to stay in a register for every trap block, which
/// cost the hot code spills (`lua`: 3% more instructions run; docs/debugging.md).
pub struct OutOfBoundsAccess<'ctx> {
    pub memory: u32,
    pub memory_size: IntValue<'ctx>,
    /// The address operand, zero-extended to 64 bits.
    pub address: IntValue<'ctx>,
    pub offset: u64,
    pub length: u32,
}

impl OutOfBoundsAccess<'_> {
    /// The operands of `w2n_trap_memory`'s call that hold the offset and the length.
    pub const OFFSET_OPERAND: u32 = 1;
    pub const LENGTH_OPERAND: u32 = 2;
}
