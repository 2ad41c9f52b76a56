//! 64-bit memories (memory64) that really hold more than 4 GiB: a freestanding C program built
//! by clang for wasm64 grows its memory past 5 GiB, writes and reads it back across the whole
//! range, and reports to imports the test provides; accesses at 2^64 - 1 and straddling the end
//! trap. At -O0 and -O2, and with `--bounds-checks guard` (which checks 64-bit memories
//! explicitly all the same).

use std::ffi::c_void;
use std::process::Command;
use std::sync::Mutex;
use wasm2native::runtime::{ffi, CallError, Extern, Func, Instance, LoadedModule, Value};
use wasm2native::{compile, link, BoundsChecks, Emit, OptLevel, Options};

mod common;

const STRIDE: u64 = 64 << 20;
const SIZE: u64 = (5 << 30) + (512 << 20);

/// What the program's `stage` import heard, in order.
static STAGES: Mutex<Vec<(i32, u64)>> = Mutex::new(Vec::new());

extern "C" fn stage(_vmctx: *mut c_void, which: i32, value: i64) {
    STAGES.lock().unwrap().push((which, value as u64));
}

unsafe extern "C" fn stage_array(_vmctx: *mut ffi::w2n_instance, values: *mut ffi::w2n_value) {
    // SAFETY: the runtime passes the two parameter slots of "iI:".
    unsafe { stage(std::ptr::null_mut(), (*values).i32, (*values.add(1)).i64) }
}

fn mix(mut address: u64) -> u64 {
    address ^= address >> 29;
    address = address.wrapping_mul(0xbf58476d1ce4e5b9);
    address ^ (address >> 32)
}

/// The sum `run` computes over a memory of `size` bytes.
fn expected_sum(size: u64) -> u64 {
    let mut sum = 0u64;
    let mut address = STRIDE;
    while address + 8 <= size {
        sum = sum.wrapping_add(mix(address) ^ address);
        address += STRIDE;
    }
    sum.wrapping_add(mix(size - 8))
}

fn build_program(dir: &std::path::Path) -> Vec<u8> {
    let wasm = dir.join("large.wasm");
    let out = Command::new("clang-19")
        .args(["--target=wasm64-unknown-unknown", "-O2", "-nostdlib", "-Wl,--no-entry", "-o"])
        .arg(&wasm)
        .arg(common::repo("tests/programs/wasm64_large.c"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let bytes = std::fs::read(&wasm).unwrap();
    let memory64 = wasmparser::Parser::new(0).parse_all(&bytes).any(|payload| {
        matches!(payload, Ok(wasmparser::Payload::MemorySection(reader))
            if reader.clone().into_iter().any(|m| m.is_ok_and(|m| m.memory64)))
    });
    assert!(memory64, "clang did not make a 64-bit memory: the test would prove nothing");
    bytes
}

fn expect_out_of_bounds(instance: &Instance, address: u64) {
    match instance.call("load", &[Value::I64(address as i64)]) {
        Err(CallError::Trap(trap)) => {
            assert!(trap.message.contains("out of bounds memory access"), "{address:#x}: {trap}")
        }
        other => panic!("load at {address:#x}: expected the trap, got {other:?}"),
    }
}

#[test]
fn a_wasm64_program_uses_more_than_4_gib() {
    let dir = tempfile::tempdir().unwrap();
    let wasm = build_program(dir.path());
    // SAFETY: `stage` and `stage_array` implement "iI:" and need no context.
    let stage_func = unsafe {
        Func::host("iI:", stage as *const c_void, stage_array, std::ptr::null_mut()).unwrap()
    };
    let shapes = [
        (OptLevel::O0, BoundsChecks::Explicit),
        (OptLevel::O2, BoundsChecks::Explicit),
        (OptLevel::O2, BoundsChecks::Guard),
    ];
    for (level, bounds_checks) in shapes {
        let what = format!("{level:?} {bounds_checks:?}");
        let options = Options { opt_level: level, bounds_checks, ..Options::default() };
        let object = compile(&wasm, &options, Emit::Object).unwrap();
        let path = dir.path().join(format!("large_{level:?}_{bounds_checks:?}.so"));
        link::link_shared_module(&object, &path).unwrap();
        let module = LoadedModule::load(&path).unwrap();
        let mut resolve = |module: &str, name: &str, _| -> Option<Extern> {
            assert_eq!((module, name), ("env", "stage"), "{what}");
            Some(Extern::Func(stage_func.clone()))
        };
        let instance = Instance::instantiate(&module, &mut resolve).unwrap();
        STAGES.lock().unwrap().clear();
        let result = instance.call("run", &[Value::I64(SIZE as i64)]).unwrap();
        let sum = expected_sum(SIZE);
        assert_eq!(result, vec![Value::I64(sum as i64)], "{what}");
        assert_eq!(*STAGES.lock().unwrap(), vec![(1, SIZE), (2, sum)], "{what}");
        assert_eq!(
            instance.call("load", &[Value::I64((SIZE - 8) as i64)]).unwrap(),
            vec![Value::I64(mix(SIZE - 8) as i64)],
            "{what}"
        );
        expect_out_of_bounds(&instance, u64::MAX);
        expect_out_of_bounds(&instance, SIZE - 1);
        expect_out_of_bounds(&instance, SIZE);
        expect_out_of_bounds(&instance, 1 << 63);
    }
}

/// A 32-bit and a 64-bit memory in one module: accesses to each are checked against its own
/// size and address type, and `memory.copy`, `memory.fill`, `memory.size` and `memory.grow` work
/// across and on both (a copy's length takes the narrower address type).
const MIXED: &str = r#"(module
  (memory $small 1 2)
  (memory $large i64 1 3)
  (func (export "store32") (param i32 i64) (i64.store $small (local.get 0) (local.get 1)))
  (func (export "load32") (param i32) (result i64) (i64.load $small (local.get 0)))
  (func (export "store64") (param i64 i64) (i64.store $large (local.get 0) (local.get 1)))
  (func (export "load64") (param i64) (result i64) (i64.load $large (local.get 0)))
  (func (export "copy_to_large") (param i64 i32 i32)
    (memory.copy $large $small (local.get 0) (local.get 1) (local.get 2)))
  (func (export "fill_large") (param i64 i32 i64)
    (memory.fill $large (local.get 0) (local.get 1) (local.get 2)))
  (func (export "grow_large") (param i64) (result i64) (memory.grow $large (local.get 0)))
  (func (export "sizes") (result i32 i64) (memory.size $small) (memory.size $large)))"#;

#[test]
fn a_32_and_a_64_bit_memory_live_in_one_module() {
    let dir = tempfile::tempdir().unwrap();
    for (level, bounds_checks) in [
        (OptLevel::O0, BoundsChecks::Explicit),
        (OptLevel::O2, BoundsChecks::Explicit),
        (OptLevel::O2, BoundsChecks::Guard),
    ] {
        let what = format!("{level:?} {bounds_checks:?}");
        let options = Options { opt_level: level, bounds_checks, ..Options::default() };
        let object = compile(MIXED.as_bytes(), &options, Emit::Object).unwrap();
        let path = dir.path().join(format!("mixed_{level:?}_{bounds_checks:?}.so"));
        link::link_shared_module(&object, &path).unwrap();
        let module = LoadedModule::load(&path).unwrap();
        let instance = Instance::instantiate(&module, &mut |_, _, _| None).unwrap();
        let call = |name: &str, args: &[Value]| instance.call(name, args);
        call("store32", &[Value::I32(65528), Value::I64(0x1122_3344_5566_7788)]).unwrap();
        call("copy_to_large", &[Value::I64(100), Value::I32(65528), Value::I32(8)]).unwrap();
        assert_eq!(
            call("load64", &[Value::I64(100)]).unwrap(),
            vec![Value::I64(0x1122_3344_5566_7788)],
            "{what}"
        );
        assert_eq!(call("grow_large", &[Value::I64(2)]).unwrap(), vec![Value::I64(1)], "{what}");
        assert_eq!(call("grow_large", &[Value::I64(1)]).unwrap(), vec![Value::I64(-1)], "{what}");
        assert_eq!(call("sizes", &[]).unwrap(), vec![Value::I32(1), Value::I64(3)], "{what}");
        call("store64", &[Value::I64(3 * 65536 - 8), Value::I64(-1)]).unwrap();
        call("fill_large", &[Value::I64(3 * 65536 - 4), Value::I32(0), Value::I64(4)]).unwrap();
        assert_eq!(
            call("load64", &[Value::I64(3 * 65536 - 8)]).unwrap(),
            vec![Value::I64(0x0000_0000_ffff_ffff)],
            "{what}"
        );
        // The small memory's end is its own, whatever the large one's.
        for (name, address) in [
            ("load32", Value::I32(65529)),
            ("load64", Value::I64(3 * 65536 - 7)),
            ("load64", Value::I64(-8)),
        ] {
            match call(name, &[address]) {
                Err(CallError::Trap(trap)) => {
                    assert!(trap.message.contains("out of bounds memory access"), "{what}: {trap}")
                }
                other => panic!("{what}: {name}({address:?}) should trap, got {other:?}"),
            }
        }
        match call("fill_large", &[Value::I64(u64::MAX as i64), Value::I32(0), Value::I64(2)]) {
            Err(CallError::Trap(_)) => {}
            other => panic!("{what}: a fill wrapping past 2^64 should trap, got {other:?}"),
        }
    }
}
