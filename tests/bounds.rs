//! A bounds oracle: memories of generated sizes and limits, accessed by every load and store
//! width with offsets from 0 to 2^32-1, at addresses on both sides of the end of memory and near
//! 2^32, before and after `memory.grow`, in both bounds-check modes at -O0 and -O2. Each access
//! must succeed exactly when `address + offset + width <= size` (in 64-bit arithmetic, so no
//! wrap-around), and trap with "out of bounds memory access" otherwise; loads whose value is
//! dropped, unused once inlined or only partly used included.

use std::path::Path;
use wasm2native::runtime::{CallError, Instance, LoadedModule, Value};
use wasm2native::{compile, link, BoundsChecks, Emit, OptLevel, Options};

mod common;

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
/// export `a{i}_{j}` taking the address: a load whose value is returned (as i32) or a store.
/// Each load also has exports whose value no one needs, which LLVM would delete or narrow if
/// nothing kept the load whole: `d{i}_{j}` drops it, `u{i}_{j}` drops the result of a call
/// that returns it (unused only once the call is inlined) and `p{i}_{j}` uses its low byte.
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
                // The result depends on every byte loaded.
                let (ty, to_i32, low_byte) = match instruction.split('.').next().unwrap() {
                    "i32" => ("i32", "", "i32.const 255 i32.and"),
                    "i64" => ("i64", "(call $fold64)", "i32.wrap_i64 i32.const 255 i32.and"),
                    "f32" => {
                        ("f32", "i32.reinterpret_f32", "i32.reinterpret_f32 i32.const 255 i32.and")
                    }
                    "f64" => (
                        "f64",
                        "i64.reinterpret_f64 (call $fold64)",
                        "i64.reinterpret_f64 i32.wrap_i64 i32.const 255 i32.and",
                    ),
                    _ => ("v128", "v128.any_true", "i8x16.extract_lane_u 0"),
                };
                text += &format!("(func (export \"a{i}_{j}\") (param i32) (result i32) (local.get 0) ({access}) {to_i32})\n");
                text += &format!(
                    "(func (export \"d{i}_{j}\") (param i32) (local.get 0) ({access}) drop)\n"
                );
                text += &format!(
                    "(func $l{i}_{j} (param i32) (result {ty}) (local.get 0) ({access}))\n"
                );
                text += &format!("(func (export \"u{i}_{j}\") (param i32) (local.get 0) (call $l{i}_{j}) drop)\n");
                text += &format!("(func (export \"p{i}_{j}\") (param i32) (result i32) (local.get 0) ({access}) {low_byte})\n");
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
            let variants: &[char] = if *stores { &['a'] } else { &['a', 'd', 'u', 'p'] };
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

#[test]
fn every_access_traps_exactly_past_the_end_of_memory() {
    let dir = tempfile::tempdir().unwrap();
    let mut generator = common::Xorshift::new(0x9e37_79b9_7f4a_7c15);
    let mut calls = 0;
    for case in 0..3 {
        let min = generator.below(3);
        let max = min + 1 + generator.below(3);
        let text = oracle_module(min, max);
        for bounds_checks in [BoundsChecks::Explicit, BoundsChecks::Guard] {
            for opt_level in [OptLevel::O0, OptLevel::O2] {
                let options = Options { opt_level, bounds_checks, ..Options::default() };
                let what = format!("memory {min}..{max} pages, {bounds_checks:?}, {opt_level:?}");
                let module = load(
                    dir.path(),
                    &text,
                    &options,
                    &format!("case{case}_{bounds_checks:?}_{opt_level:?}"),
                );
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

/// Stores, then an access that traps: every store before it must be done, in both modes. In
/// guard mode the access faults where it stands in the machine code, so this holds only if no
/// store was moved past it, merged with it or deleted as overwritten after it.
const STORES_BEFORE_A_TRAP: &str = r#"(module
  (memory (export "memory") 1)
  (global $g (mut i32) (i32.const 0))
  (func (export "peek") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "global") (result i32) (global.get $g))
  ;; Two adjacent stores of constants, the second past the end when $a is size - 4.
  (func (export "pair") (param $a i32)
    (i32.store (local.get $a) (i32.const 0x11111111))
    (i32.store offset=4 (local.get $a) (i32.const 0x22222222)))
  ;; A store, a load that may trap, then a store over the first.
  (func (export "overwritten") (param $p i32) (param $q i32) (result i32)
    (local $v i32)
    (i32.store (local.get $p) (i32.const 0x33333333))
    (local.set $v (i32.load (local.get $q)))
    (i32.store (local.get $p) (i32.const 0x44444444))
    (local.get $v))
  ;; The same with a global.
  (func (export "global_around_load") (param $q i32) (result i32)
    (local $v i32)
    (global.set $g (i32.const 7))
    (local.set $v (i32.load (local.get $q)))
    (global.set $g (i32.const 8))
    (local.get $v))
  ;; Each round loads at $a and then stores near it; $a moves down 4 bytes a round, so from 0
  ;; the second round's load is at 2^32 - 4.
  (func (export "rounds") (param $a i32) (result i32)
    (local $acc i32) (local $i i32)
    (loop $round
      (local.set $acc (i32.xor (local.get $acc) (i32.load8_u (local.get $a))))
      (i32.store offset=1 (local.get $a) (i32.const 0x55555555))
      (i32.store offset=60 (local.get $a) (i32.const 0x66666666))
      (f32.store offset=200 (local.get $a) (f32.const 1.5))
      (local.set $a (i32.sub (local.get $a) (i32.const 4)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $round (i32.lt_u (local.get $i) (i32.const 12))))
    (local.get $acc))
  ;; A load past the end whose value only code after a certain trap would use: LLVM, for which
  ;; a load cannot trap, found it unused. It must trap before the fill.
  (func (export "load_then_fill") (param $a i32) (result i64)
    (local $acc i64)
    (local.set $acc (i64.load offset=50 (local.get $a)))
    (memory.fill (local.get $a) (i32.const 0x77) (i32.const 16))
    (i32.store16 offset=4294967295 (local.get $a) (i32.const 0x1234))
    (local.get $acc))
)"#;

#[test]
fn a_trap_leaves_every_earlier_store_done() {
    let dir = tempfile::tempdir().unwrap();
    let size = PAGE as i32;
    for bounds_checks in [BoundsChecks::Explicit, BoundsChecks::Guard] {
        for opt_level in [OptLevel::O0, OptLevel::O2] {
            let options = Options { opt_level, bounds_checks, ..Options::default() };
            let what = format!("{bounds_checks:?}, {opt_level:?}");
            let module = load(
                dir.path(),
                STORES_BEFORE_A_TRAP,
                &options,
                &format!("stores_{bounds_checks:?}_{opt_level:?}"),
            );
            let instance = Instance::instantiate(&module, &mut |_, _, _| None).unwrap();
            let traps = |name: &str, args: &[Value]| match instance.call(name, args) {
                Err(CallError::Trap(trap)) => {
                    assert_eq!(trap.message, "out of bounds memory access", "{what}: {name}")
                }
                other => panic!("{what}: {name}{args:?}: expected a trap, got {other:?}"),
            };
            let peek = |address: i32| instance.call("peek", &[Value::I32(address)]).unwrap();
            traps("pair", &[Value::I32(size - 4)]);
            assert_eq!(peek(size - 4), vec![Value::I32(0x11111111)], "{what}: pair");
            traps("overwritten", &[Value::I32(100), Value::I32(size)]);
            assert_eq!(peek(100), vec![Value::I32(0x33333333)], "{what}: overwritten");
            traps("global_around_load", &[Value::I32(size)]);
            assert_eq!(
                instance.call("global", &[]).unwrap(),
                vec![Value::I32(7)],
                "{what}: global"
            );
            traps("rounds", &[Value::I32(0)]);
            assert_eq!(peek(1), vec![Value::I32(0x55555555)], "{what}: rounds, offset 1");
            assert_eq!(peek(60), vec![Value::I32(0x66666666)], "{what}: rounds, offset 60");
            assert_eq!(
                peek(200),
                vec![Value::I32(1.5f32.to_bits() as i32)],
                "{what}: rounds, offset 200"
            );
            traps("load_then_fill", &[Value::I32(size - 31)]);
            assert_eq!(peek(size - 31), vec![Value::I32(0)], "{what}: load_then_fill");
        }
    }
}

/// An access at a base plus a constant: (delta, offset, bytes, stores).
type BaseAccess = (i32, u32, u32, bool);

/// Runs of accesses at one base `$p` plus constants (formed by `i32.add` or `i32.sub`, wrapping
/// at 2^32) and static offsets, which share bounds checks (translate/bounds.rs): each entry is
/// (delta, offset, bytes, stores). A store between two loads ends the run a check may be widened
/// over.
const BASE_RUNS: &[(&str, &[BaseAccess])] = &[
    // An interpreter's `top[-2]` and `top[-1]`: adjacent, the lower one first.
    ("down_pair", &[(-16, 0, 8, false), (-8, 0, 8, false)]),
    ("down_up", &[(-8, 0, 4, false), (0, 0, 4, false), (0, 8, 8, false)]),
    ("higher_first", &[(-8, 0, 8, false), (-16, 0, 8, false)]),
    ("overlapping", &[(-6, 0, 4, false), (-4, 0, 4, false), (-7, 2, 1, false)]),
    ("offsets_and_deltas", &[(-24, 16, 4, false), (-4, 0, 4, false), (-24, 8, 8, false)]),
    // The farthest apart a widened check reaches (a page), and a little farther.
    ("a_page_apart", &[(-65536, 0, 4, false), (-4, 0, 8, false)]),
    ("past_a_page", &[(-65540, 0, 4, false), (0, 0, 4, false)]),
    ("store_between", &[(-16, 0, 8, false), (-16, 0, 8, true), (-8, 0, 8, false)]),
    ("stores", &[(-16, 0, 8, true), (-8, 0, 8, true), (-12, 0, 4, false)]),
    ("up", &[(8, 0, 8, false), (16, 0, 8, false), (0x7fff_fff0, 0, 4, false)]),
];

/// The byte `init` writes at `address` (the loads' values show which bytes they read).
fn pattern_byte(address: u32) -> u8 {
    (address.wrapping_mul(0x9e37) >> 8) as u8
}

/// A module of `pages` pages (filled with `pattern_byte` by `init`) with one export per run of
/// BASE_RUNS, which returns the sum of its loads and stores 0x5a bytes; `tee` is `down_pair`
/// with the base moved in a local first (`top--`, then `top[-1]` and `top[0]`).
fn base_runs_module(pages: u64) -> String {
    let mut text = format!(
        r#"(module (memory {pages})
  (func (export "init") (local $i i32)
    (loop $fill
      (i32.store8 (local.get $i) (i32.shr_u (i32.mul (local.get $i) (i32.const 0x9e37)) (i32.const 8)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $fill (i32.lt_u (local.get $i) (i32.const {size})))))
  (func (export "peek") (param i32) (result i32) (i32.load8_u (local.get 0)))
  (func (export "tee") (param $p i32) (result i64)
    (local.set $p (i32.add (local.get $p) (i32.const -8)))
    (i64.add (i64.load (i32.add (local.get $p) (i32.const -8))) (i64.load (local.get $p))))
"#,
        size = pages * PAGE
    );
    for (name, run) in BASE_RUNS {
        text +=
            &format!("  (func (export \"{name}\") (param $p i32) (result i64) (local $sum i64)\n");
        for (i, (delta, offset, bytes, stores)) in run.iter().enumerate() {
            // Every other address is formed by a subtract.
            let address = match i % 2 {
                0 => format!("(i32.add (local.get $p) (i32.const {delta}))"),
                _ => format!("(i32.sub (local.get $p) (i32.const {}))", delta.wrapping_neg()),
            };
            let width = match bytes {
                1 => "8",
                4 => "32",
                _ => "",
            };
            text += &match stores {
                true => format!(
                    "    (i64.store{width} offset={offset} {address} (i64.const 0x5a5a5a5a5a5a5a5a))\n"
                ),
                false => {
                    let sign = if *bytes == 8 { "" } else { "_u" };
                    format!(
                        "    (local.set $sum (i64.add (local.get $sum) (i64.load{width}{sign} offset={offset} {address})))\n"
                    )
                }
            };
        }
        text += "    (local.get $sum))\n";
    }
    text + ")"
}

/// What a run does at base `p` in `memory`, access by access as the spec says: the sum of its
/// loads, or a trap at the first access out of bounds with every store before it done.
fn run_accesses(memory: &mut [u8], p: u32, run: &[BaseAccess]) -> Option<i64> {
    let mut sum = 0i64;
    for &(delta, offset, bytes, stores) in run {
        let start = p.wrapping_add(delta as u32) as u64 + offset as u64;
        let end = start + bytes as u64;
        if end > memory.len() as u64 {
            return None;
        }
        let bytes = &mut memory[start as usize..end as usize];
        if stores {
            bytes.fill(0x5a);
        } else {
            let value = bytes.iter().rev().fold(0u64, |value, byte| value << 8 | *byte as u64);
            sum = sum.wrapping_add(value as i64);
        }
    }
    Some(sum)
}

/// Accesses at one base and several constants from it share one bounds check; each run must
/// still load the bytes it names and trap exactly where the first access out of bounds is, with
/// the stores before it done, for bases around 0 (where `p - 16` wraps), around the end of
/// memory and around 2^31 and 2^32, in both modes at -O0 and -O2.
#[test]
fn accesses_around_one_base_trap_exactly_where_the_first_falls_out() {
    let dir = tempfile::tempdir().unwrap();
    let mut calls = 0;
    for pages in [1u64, 2] {
        let size = pages * PAGE;
        let text = base_runs_module(pages);
        let mut bases: Vec<u64> = vec![0, 4, 6, 7, 8, 12, 15, 16, 17, 24, 65532, 65536, 65540];
        for around in [size, 1 << 31, 1 << 32] {
            for step in [-65544i64, -65536, -24, -17, -16, -12, -8, -4, -1, 0, 4, 8, 16] {
                bases.push((around as i64 + step) as u64);
            }
        }
        bases.retain(|base| *base < 1 << 32);
        bases.sort();
        bases.dedup();
        for bounds_checks in [BoundsChecks::Explicit, BoundsChecks::Guard] {
            for opt_level in [OptLevel::O0, OptLevel::O2] {
                let options = Options { opt_level, bounds_checks, ..Options::default() };
                let what = format!("{pages} page(s), {bounds_checks:?}, {opt_level:?}");
                let name = format!("base_runs{pages}_{bounds_checks:?}_{opt_level:?}");
                let module = load(dir.path(), &text, &options, &name);
                let instance = Instance::instantiate(&module, &mut |_, _, _| None).unwrap();
                instance.call("init", &[]).unwrap();
                let mut memory: Vec<u8> = (0..size as u32).map(pattern_byte).collect();
                let tee: [BaseAccess; 2] = [(-16, 0, 8, false), (-8, 0, 8, false)];
                let runs = BASE_RUNS.iter().copied().chain([("tee", &tee[..])]);
                for (run_name, run) in runs {
                    for &base in &bases {
                        let expected = run_accesses(&mut memory, base as u32, run);
                        let result = instance.call(run_name, &[Value::I32(base as u32 as i32)]);
                        calls += 1;
                        let context = format!("{what}: {run_name} at base {base:#x}");
                        match (expected, result) {
                            (Some(sum), Ok(values)) => {
                                assert_eq!(values, vec![Value::I64(sum)], "{context}")
                            }
                            (None, Err(CallError::Trap(trap))) => {
                                assert_eq!(trap.message, "out of bounds memory access", "{context}")
                            }
                            (None, result) => panic!("{context}: expected a trap, got {result:?}"),
                            (Some(_), Err(error)) => panic!("{context}: {error}"),
                        }
                    }
                }
                // The stores landed where the model put them, and nowhere else.
                for address in (0..size as u32).step_by(4093).chain([0, 8, 16, size as u32 - 1]) {
                    let peeked = instance.call("peek", &[Value::I32(address as i32)]).unwrap();
                    let expected = memory[address as usize] as i32;
                    assert_eq!(peeked, vec![Value::I32(expected)], "{what}: byte {address}");
                }
            }
        }
    }
    eprintln!("{calls} runs checked");
}

/// A 32-bit memory holds 65,535 pages at most (`W2N_MAX_USABLE_PAGES`): growing to the last page
/// of 4 GiB fails as the spec allows, and a memory that must start with it does not instantiate.
#[test]
fn a_32_bit_memory_stops_a_page_short_of_4_gib() {
    let dir = tempfile::tempdir().unwrap();
    let text = r#"(module (memory 0)
      (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
      (func (export "load") (param i32) (result i32) (i32.load8_u (local.get 0))))"#;
    for bounds_checks in [BoundsChecks::Explicit, BoundsChecks::Guard] {
        let options = Options { bounds_checks, ..Options::default() };
        let module = load(dir.path(), text, &options, &format!("grow_{bounds_checks:?}"));
        let instance = Instance::instantiate(&module, &mut |_, _, _| None).unwrap();
        let grow = |pages: i32| instance.call("grow", &[Value::I32(pages)]).unwrap();
        assert_eq!(grow(65535), vec![Value::I32(0)], "{bounds_checks:?}");
        assert_eq!(grow(1), vec![Value::I32(-1)], "{bounds_checks:?}");
        assert_eq!(grow(0), vec![Value::I32(65535)], "{bounds_checks:?}");
        let last = (65535 * PAGE - 1) as u32 as i32;
        assert_eq!(instance.call("load", &[Value::I32(last)]).unwrap(), vec![Value::I32(0)]);
        assert!(matches!(instance.call("load", &[Value::I32(last + 1)]), Err(CallError::Trap(_))));
        let full = load(
            dir.path(),
            "(module (memory 65536))",
            &options,
            &format!("full_{bounds_checks:?}"),
        );
        assert!(Instance::instantiate(&full, &mut |_, _, _| None).is_err(), "{bounds_checks:?}");
    }
}

/// A guard-mode fault on one thread while another links with the compiler's in-process lld: the
/// linker's crash recovery once replaced the fault handler process-wide for each link's
/// duration, and such a fault then ended the process instead of trapping.
#[test]
fn guard_faults_trap_while_another_thread_links() {
    let dir = tempfile::tempdir().unwrap();
    let text = r#"(module (memory 1) (func (export "past_the_end") (result i32) (i32.load (i32.const 65536))))"#;
    let options = Options { bounds_checks: BoundsChecks::Guard, ..Options::default() };
    let module = load(dir.path(), text, &options, "faulting");
    let linking = std::sync::atomic::AtomicBool::new(true);
    std::thread::scope(|scope| {
        scope.spawn(|| {
            let object =
                compile(b"(module (func (export \"f\")))", &Options::default(), Emit::Object)
                    .unwrap();
            for link_index in 0..40 {
                let path = dir.path().join(format!("linked{link_index}.so"));
                link::link_shared_module(&object, &path).unwrap();
            }
            linking.store(false, std::sync::atomic::Ordering::SeqCst);
        });
        let instance = Instance::instantiate(&module, &mut |_, _, _| None).unwrap();
        let mut traps = 0;
        while linking.load(std::sync::atomic::Ordering::SeqCst) || traps < 1000 {
            match instance.call("past_the_end", &[]) {
                Err(CallError::Trap(trap)) => {
                    assert_eq!(trap.message, "out of bounds memory access")
                }
                other => panic!("expected a trap, got {other:?}"),
            }
            traps += 1;
        }
        eprintln!("{traps} faults trapped while linking");
    });
}
