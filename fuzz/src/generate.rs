//! The modules and arguments the targets run: wasm-smith's modules with the features
//! wasm2native compiles, the sandbox target's modules of accesses near every bound, and
//! argument values that favour the edges.

use crate::{Val, ValType};
use libfuzzer_sys::arbitrary::{Result, Unstructured};
use wasm_smith::{Config, Module};

/// Fuel of the counter wasm-smith adds at every loop head and function entry. It is shared by
/// all calls to an instance, so every input ends, in a few milliseconds even in the interpreter.
pub const FUEL: u32 = 20_000;

/// wasm-smith's settings: what wasm2native compiles and the reference runs (Wasm 2.0: SIMD, bulk
/// memory, reference types, multi-value, saturating conversions, sign extension; of 3.0: tail
/// calls, 64-bit memories and tables, relaxed SIMD (compiled deterministic, whose results are
/// wasmi's), multi-memory and extended constant expressions; typed function references are left
/// out, since wasmi has none and wasm-smith makes them only with GC), no imports (a module then runs alone in both engines), every entity
/// exported (so both engines' state can be compared), NaNs canonicalised (the spec leaves NaN
/// bits open), memories and tables small and bounded (so memory.grow ends at a declared maximum,
/// not at a host's limit).
pub fn config() -> Config {
    Config {
        simd_enabled: true,
        relaxed_simd_enabled: true,
        bulk_memory_enabled: true,
        reference_types_enabled: true,
        multi_value_enabled: true,
        saturating_float_to_int_enabled: true,
        sign_extension_ops_enabled: true,
        max_memories: 2,
        max_tables: 3,
        exceptions_enabled: false,
        gc_enabled: false,
        tail_call_enabled: true,
        threads_enabled: false,
        shared_everything_threads_enabled: false,
        memory64_enabled: true,
        wide_arithmetic_enabled: false,
        custom_page_sizes_enabled: false,
        extended_const_enabled: true,
        max_imports: 0,
        // At least one function, exported like everything else: a module with nothing to call
        // tests instantiation only.
        min_funcs: 1,
        export_everything: true,
        canonicalize_nans: true,
        memory_max_size_required: true,
        max_memory32_bytes: 16 * 65536,
        max_memory64_bytes: 16 * 65536,
        table_max_size_required: true,
        max_table_elements: 1_000,
        ..Config::default()
    }
}

/// wasm-smith's settings for the modules compared with Wasmtime: `config` with exception
/// handling and, when `typed_refs`, typed function references, which wasm-smith makes only
/// together with GC. GC instructions are not generated; modules that still use GC (struct and
/// array types, the `any` hierarchy) are left out afterwards (`for_wasmtime`) until wasm2native
/// compiles GC.
pub fn wasmtime_config(typed_refs: bool) -> Config {
    use wasm_smith::{InstructionKind as Kind, InstructionKinds};
    Config {
        gc_enabled: typed_refs,
        exceptions_enabled: true,
        allowed_instructions: InstructionKinds::new(&[
            Kind::Numeric,
            Kind::Vector,
            Kind::Reference,
            Kind::Parametric,
            Kind::Variable,
            Kind::Table,
            Kind::Memory,
            Kind::Control,
        ]),
        ..config()
    }
}

/// Whether `wasm` is a module for the Wasmtime comparison: it needs typed function references
/// or exception handling (wasmi runs the rest) and nothing of GC, which wasm2native refuses.
pub fn for_wasmtime(wasm: &[u8]) -> bool {
    use wasmparser::{Validator, WasmFeatures};
    let without = |features: WasmFeatures| {
        let mut all = WasmFeatures::WASM3;
        all.remove(features | WasmFeatures::THREADS);
        Validator::new_with_features(all).validate_all(wasm).is_ok()
    };
    without(WasmFeatures::GC)
        && !without(WasmFeatures::GC | WasmFeatures::EXCEPTIONS | WasmFeatures::FUNCTION_REFERENCES)
}

/// A wasm-smith module from `u`, with `config`, made to terminate when `terminate` is set.
pub fn smith_module(u: &mut Unstructured<'_>, config: Config, terminate: bool) -> Result<Vec<u8>> {
    let mut module = Module::new(config, u)?;
    if terminate {
        module
            .ensure_termination(FUEL)
            .map_err(|_| libfuzzer_sys::arbitrary::Error::IncorrectFormat)?;
    }
    Ok(module.to_bytes())
}

/// Whether the reference engine can run `wasm`: wasmi 2.0 fails inside its interpreter
/// ("failed to decode OpCode", "missing Memory") on some `v128.storeN_lane` forms, so modules
/// with those are left to the spec tests, which cover the instruction.
pub fn reference_can_run(wasm: &[u8]) -> bool {
    use wasmparser::{Operator, Parser, Payload};
    for payload in Parser::new(0).parse_all(wasm) {
        let Ok(Payload::CodeSectionEntry(body)) = payload else { continue };
        let Ok(mut operators) = body.get_operators_reader() else { continue };
        while let Ok(operator) = operators.read() {
            if matches!(
                operator,
                Operator::V128Store8Lane { .. }
                    | Operator::V128Store16Lane { .. }
                    | Operator::V128Store32Lane { .. }
                    | Operator::V128Store64Lane { .. }
            ) {
                return false;
            }
        }
    }
    true
}

/// Argument values: a xorshift generator seeded from the input, picking edge values half of
/// the time (zero, ones, extremes, page multiples and their neighbours: addresses near the end
/// of small memories) and random bits otherwise.
pub struct Arguments(u64);

const EDGE_I32: &[i32] = &[
    0,
    1,
    -1,
    2,
    7,
    8,
    16,
    255,
    4096,
    65535,
    65536,
    65537,
    131071,
    131072,
    i32::MAX,
    i32::MIN,
    -16,
    -8,
];

impl Arguments {
    pub fn new(seed: u64) -> Arguments {
        Arguments(seed | 1)
    }

    pub fn next_word(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next_word() % n as u64) as usize
    }

    fn edge_i32(&mut self) -> i32 {
        let edge = EDGE_I32[self.below(EDGE_I32.len())];
        // A page multiple, give or take a few bytes.
        match self.below(3) {
            0 => edge,
            1 => (self.below(5) as i32 * 65536).wrapping_add(self.below(33) as i32 - 16),
            _ => edge.wrapping_add(self.below(17) as i32 - 8),
        }
    }

    pub fn value(&mut self, ty: ValType) -> Val {
        let edge = self.below(2) == 0;
        match ty {
            ValType::I32 if edge => Val::I32(self.edge_i32()),
            ValType::I32 => Val::I32(self.next_word() as i32),
            ValType::I64 if edge => Val::I64(self.edge_i32() as i64),
            ValType::I64 => Val::I64(self.next_word() as i64),
            ValType::F32 if edge => Val::F32((self.edge_i32() as f32).to_bits()),
            ValType::F32 => Val::F32(self.next_word() as u32),
            ValType::F64 if edge => Val::F64((self.edge_i32() as f64).to_bits()),
            ValType::F64 => Val::F64(self.next_word()),
            ValType::V128 => Val::V128((self.next_word() as u128) << 64 | self.next_word() as u128),
            ValType::FuncRef => Val::FuncRef { null: true },
            ValType::ExternRef => Val::ExternRef { null: true },
            ValType::Unpassable => unreachable!("functions taking such a reference are not called"),
        }
    }
}
