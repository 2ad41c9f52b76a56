//! A bounds oracle: memories of generated sizes and limits, accessed by every load and store
//! width with offsets from 0 to 2^32-1, at addresses on both sides of the end of memory and near
//! 2^32, before and after `memory.grow`, in both bounds-check modes at -O0 and -O2. Each access
//! must succeed exactly when `address + offset + width <= size` (in 64-bit arithmetic, so no
//! wrap-around), and trap with "out of bounds memory access" otherwise; loads whose value is
//! dropped included.

use std::path::Path;
use wasm2native::runtime::{CallError, Instance, LoadedModule, Value};
use wasm2native::{compile, link, BoundsChecks, Emit, OptLevel, Options};

const PAGE: u64 = 65536;

/// (instruction, bytes accessed, whether it stores).
const ACCESSES: &[(&str, u64, bool)] = &[
    ("i32.load8_u", 1, false),
    ("i32.load16_s", 2, false),
    ("i32.load", 4, false),
    ("i64.load32_u", 4, false),
    ("i64.load", 8, false),
    ("f32.load", 4, false),
    ("f64.load", 8, false),
    ("v128.load", 16, false),
    ("i32.store8", 1, true),
    ("i32.store16", 2, true),
    ("i32.store", 4, true),
    ("i64.store", 8, true),
    ("v128.store", 16, true),
];

/// Static offsets: small, around a page, around 2^31 and the largest.
const OFFSETS: &[u64] = &[0, 1, 7, 65535, 65536, 1 << 31, (1 << 32) - 17, (1 << 32) - 1];

/// The type a store takes and a value of it.
fn stored_value(instruction: &str) -> &'static str {
    match instruction.split('.').next().unwrap() {
        "i32" => "i32.const 7",
        "i64" => "i64.const 7",
        _ => "v128.const i64x2 7 7",
    }
}

/// A module with memory `min`..`max` pages, an export `grow`, and per access and offset an
/// export `a{i}_{j}` taking the address: a load whose value is returned (as i32), a load
/// whose value is dropped (`d{i}_{j}`) or a store.
fn oracle_module(min: u64, max: u64) -> String {
    let mut text = format!(
        "(module (memory {min} {max}) (func (export \"grow\") (param i32) (result i32) (memory.grow (local.get 0)))\n\
         (func $fold64 (param i64) (result i32) (i32.wrap_i64 (i64.xor (local.get 0) (i64.shr_u (local.get 0) (i64.const 32)))))\n"
    );
    for (i, (instruction, _, stores)) in ACCESSES.iter().enumerate() {
        for (j, offset) in OFFSETS.iter().enumerate() {
            let access = format!("{instruction} offset={offset}");
            if *stores {
                text += &format!(
                    "(func (export \"a{i}_{j}\") (param i32) (local.get 0) ({}) ({access}))\n",
                    stored_value(instruction)
                );
            } else {
                // The result depends on every byte loaded: LLVM narrows a load whose value is
                // only partly used, which in guard mode can miss the trap (see the README).
                let to_i32 = match instruction.split('.').next().unwrap() {
                    "i32" => "",
                    "i64" => "(call $fold64)",
                    "f32" => "i32.reinterpret_f32",
                    "f64" => "i64.reinterpret_f64 (call $fold64)",
                    _ => "v128.any_true",
                };
                text += &format!("(func (export \"a{i}_{j}\") (param i32) (result i32) (local.get 0) ({access}) {to_i32})\n");
                text += &format!("(func (export \"d{i}_{j}\") (param i32) (local.get 0) ({access}) drop)\n");
            }
        }
    }
    text + ")"
}

/// Addresses that matter for an access of `width` bytes at `offset` in `size` bytes: the last
/// ones in bounds, the first ones out, and the top of the 32-bit space.
fn probe_addresses(size: u64, offset: u64, width: u64) -> Vec<u32> {
    let mut addresses = vec![0u64, 1, (1 << 32) - 1, (1 << 32) - width, (1 << 31)];
    if let Some(last) = size.checked_sub(offset + width) {
        addresses.extend([last.saturating_sub(1), last, last + 1, last + width]);
    }
    addresses.extend([size.saturating_sub(1), size, size + 1]);
    addresses.into_iter().filter(|&a| a < (1 << 32)).map(|a| a as u32).collect()
}

fn load(dir: &Path, text: &str, options: &Options, name: &str) -> LoadedModule {
    let object = compile(text.as_bytes(), options, Emit::Object).unwrap();
    let path = dir.join(format!("{name}.so"));
    link::link_shared_module(&object, &path).unwrap();
    LoadedModule::load(&path).unwrap()
}

/// Checks every access of `instance` against the oracle for a memory of `size` bytes; returns
/// how many calls it made.
fn check_all(instance: &Instance, size: u64, what: &str) -> usize {
    let mut calls = 0;
    for (i, (instruction, width, stores)) in ACCESSES.iter().enumerate() {
        for (j, offset) in OFFSETS.iter().enumerate() {
            let variants: &[char] = if *stores { &['a'] } else { &['a', 'd'] };
            for address in probe_addresses(size, *offset, *width) {
                let in_bounds = address as u64 + offset + width <= size;
                for variant in variants {
                    let name = format!("{variant}{i}_{j}");
                    let result = instance.call(&name, &[Value::I32(address as i32)]);
                    calls += 1;
                    let context = format!("{what}: {instruction} offset={offset} at {address} ({variant}), size {size}");
                    match (in_bounds, result) {
                        (true, Ok(_)) => {}
                        (false, Err(CallError::Trap(trap))) => {
                            assert_eq!(trap.message, "out of bounds memory access", "{context}")
                        }
                        (_, Err(error)) => panic!("{context}: {error}"),
                        (false, Ok(_)) => panic!("{context}: out of bounds, yet no trap"),
                    }
                }
            }
        }
    }
    calls
}

/// A small deterministic generator (xorshift), so that a failure can be rerun.
struct Generator(u64);

impl Generator {
    fn below(&mut self, bound: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % bound
    }
}

#[test]
fn every_access_traps_exactly_past_the_end_of_memory() {
    let dir = tempfile::tempdir().unwrap();
    let mut generator = Generator(0x9e37_79b9_7f4a_7c15);
    let mut calls = 0;
    for case in 0..3 {
        let min = generator.below(3);
        let max = min + 1 + generator.below(3);
        let text = oracle_module(min, max);
        for bounds_checks in [BoundsChecks::Explicit, BoundsChecks::Guard] {
            for opt_level in [OptLevel::O0, OptLevel::O2] {
                let options = Options { opt_level, bounds_checks, ..Options::default() };
                let what = format!("memory {min}..{max} pages, {bounds_checks:?}, {opt_level:?}");
                let module = load(dir.path(), &text, &options, &format!("case{case}_{bounds_checks:?}_{opt_level:?}"));
                let instance = Instance::instantiate(&module, &mut |_, _, _| None).unwrap();
                calls += check_all(&instance, min * PAGE, &what);
                // Grow to the maximum, then once more (refused with -1): the bound moves with
                // the size, and only with it.
                let grown = instance.call("grow", &[Value::I32((max - min) as i32)]).unwrap();
                assert_eq!(grown, vec![Value::I32(min as i32)], "{what}");
                let refused = instance.call("grow", &[Value::I32(1)]).unwrap();
                assert_eq!(refused, vec![Value::I32(-1)], "{what}");
                calls += check_all(&instance, max * PAGE, &format!("{what}, grown"));
            }
        }
    }
    eprintln!("{calls} accesses checked");
}
