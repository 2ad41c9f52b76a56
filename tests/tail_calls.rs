//! Tail calls run in constant stack: between functions of different signatures with more
//! parameters than argument registers, through `return_call`, `return_call_indirect` and
//! `return_call_ref`, across module boundaries both ways, and in a C interpreter that dispatches
//! with clang's `musttail`, at -O0 and -O2. Each runs 10^6 to 10^8 tail calls: a frame kept per
//! call would exhaust the stack long before the end (8 MB against gigabytes), which is a trap,
//! so finishing with the right result is the proof.

use std::path::Path;
use std::process::Command;
use wasm2native::runtime::{Extern, Instance, LoadedModule, Value};
use wasm2native::{compile, link, Emit, OptLevel, Options};

mod common;

/// Three functions in a ring, each of another signature: `$wide` (18 parameters, 8 of them
/// f64) goes on through `return_call_ref`, `$mixed` (8 of three types) through `return_call`,
/// `$narrow` (2) through `return_call_indirect` to `$wide`. `run(n)` makes `n` tail calls and
/// returns a checksum of every argument seen.
const RING: &str = r#"(module
  (type $wide (func (param i64 i64 i64 i64 i64 i64 i64 i64 i64 i64
                           f64 f64 f64 f64 f64 f64 f64 f64) (result i64)))
  (type $mixed (func (param i64 i64 i32 f64 i32 f32 i64 i32) (result i64)))
  (type $narrow (func (param i64 i64) (result i64)))
  (table 1 funcref)
  (elem (i32.const 0) $wide)
  (elem declare func $mixed)
  (func $narrow (type $narrow) (param $n i64) (param $acc i64) (result i64)
    (if (result i64) (i64.eqz (local.get $n))
      (then (local.get $acc))
      (else
        (return_call_indirect (type $wide)
          (i64.sub (local.get $n) (i64.const 1)) (local.get $acc)
          (i64.const 3) (i64.const 4) (i64.const 5) (i64.const 6) (i64.const 7) (i64.const 8)
          (i64.const 9) (local.get $n)
          (f64.const 0.5) (f64.const 1.5) (f64.const 2.5) (f64.const 3.5)
          (f64.const 4.5) (f64.const 5.5) (f64.const 6.5) (f64.convert_i64_u (local.get $n))
          (i32.const 0)))))
  (func $wide (type $wide)
    (param $n i64) (param $acc i64) (param i64 i64 i64 i64 i64 i64 i64) (param $last i64)
    (param f64 f64 f64 f64 f64 f64 f64) (param $lastf f64) (result i64)
    (return_call_ref $mixed
      (local.get $n)
      (i64.add (i64.mul (local.get $acc) (i64.const 31))
               (i64.add (local.get $last) (i64.trunc_f64_u (f64.add (local.get $lastf) (local.get 16)))))
      (i32.wrap_i64 (local.get 9)) (local.get 12) (i32.const 11) (f32.const 12) (local.get 2)
      (i32.const 13)
      (ref.func $mixed)))
  (func $mixed (type $mixed)
    (param $n i64) (param $acc i64) (param i32 f64 i32 f32 i64 i32) (result i64)
    (return_call $narrow (local.get $n)
      (i64.xor (local.get $acc)
        (i64.add (i64.extend_i32_u (local.get 2)) (i64.trunc_f64_s (local.get 3))))))
  (func (export "run") (param $n i64) (result i64)
    (call $narrow (local.get $n) (i64.const 1))))"#;

/// The checksum `run(n)` computes, in Rust.
fn ring_checksum(n: u64) -> i64 {
    let mut acc: i64 = 1;
    let mut n = n as i64;
    while n != 0 {
        let last = n;
        n -= 1;
        let lastf = last as f64;
        acc = acc.wrapping_mul(31).wrapping_add(last + (lastf + 6.5) as i64);
        acc ^= (last as u32 as i64) + 2;
    }
    acc
}

/// Module `a` exports `pong` (16 parameters) and a table; module `b` puts its `ping` in that
/// table and calls `pong` back through its import: a→b with `return_call_indirect` across the
/// instances, b→a with `return_call` of an import.
const PONG: &str = r#"(module
  (type $t (func (param i64 i64 i64 i64 i64 i64 i64 i64 f64 f64 f64 f64 f64 f64 f64 f64) (result i64)))
  (table (export "table") 1 funcref)
  (func (export "pong") (type $t)
    (param $n i64) (param $acc i64) (param i64 i64 i64 i64 i64 i64 f64 f64 f64 f64 f64 f64 f64 f64)
    (result i64)
    (if (result i64) (i64.eqz (local.get $n))
      (then (local.get $acc))
      (else
        (return_call_indirect (type $t)
          (i64.sub (local.get $n) (i64.const 1)) (i64.add (local.get $acc) (local.get 7))
          (local.get 2) (local.get 3) (local.get 4) (local.get 5) (local.get 6) (local.get $n)
          (local.get 8) (local.get 9) (local.get 10) (local.get 11) (local.get 12) (local.get 13)
          (local.get 14) (local.get 15)
          (i32.const 0))))))"#;

const PING: &str = r#"(module
  (type $t (func (param i64 i64 i64 i64 i64 i64 i64 i64 f64 f64 f64 f64 f64 f64 f64 f64) (result i64)))
  (import "a" "pong" (func $pong (type $t)))
  (import "a" "table" (table 1 funcref))
  (elem (i32.const 0) $ping)
  (func $ping (type $t)
    (param $n i64) (param $acc i64) (param i64 i64 i64 i64 i64 i64 f64 f64 f64 f64 f64 f64 f64 f64)
    (result i64)
    (return_call $pong (local.get $n) (i64.xor (local.get $acc) (i64.trunc_f64_s (local.get 15)))
      (local.get 2) (local.get 3) (local.get 4) (local.get 5) (local.get 6) (local.get 7)
      (local.get 8) (local.get 9) (local.get 10) (local.get 11) (local.get 12) (local.get 13)
      (local.get 14) (f64.add (local.get 15) (f64.const 1))))
  (func (export "start") (param $n i64) (result i64)
    (call $pong (local.get $n) (i64.const 0) (i64.const 2) (i64.const 3) (i64.const 4)
      (i64.const 5) (i64.const 6) (i64.const 0) (f64.const 1) (f64.const 2) (f64.const 3)
      (f64.const 4) (f64.const 5) (f64.const 6) (f64.const 7) (f64.const 0))))"#;

fn pingpong_checksum(n: u64) -> i64 {
    let (mut acc, mut n, mut seventh, mut last) = (0i64, n as i64, 0i64, 0f64);
    while n != 0 {
        acc += seventh;
        seventh = n;
        n -= 1;
        acc ^= last as i64;
        last += 1.0;
    }
    acc
}

fn load(dir: &Path, text: &str, level: OptLevel, name: &str) -> LoadedModule {
    let options = Options { opt_level: level, ..Options::default() };
    let object = compile(text.as_bytes(), &options, Emit::Object).unwrap();
    let path = dir.join(format!("{name}.so"));
    link::link_shared_module(&object, &path).unwrap();
    LoadedModule::load(&path).unwrap()
}

fn single_i64(result: Vec<Value>) -> i64 {
    match result.as_slice() {
        [Value::I64(v)] => *v,
        other => panic!("expected one i64, got {other:?}"),
    }
}

#[test]
fn a_ring_of_signatures_runs_in_constant_stack() {
    let dir = tempfile::tempdir().unwrap();
    // 10^8 tail calls, rounded up to whole rounds of three.
    let calls = 100_000_002u64;
    for level in [OptLevel::O0, OptLevel::O2] {
        let module = load(dir.path(), RING, level, &format!("ring{level:?}"));
        let instance = Instance::instantiate(&module, &mut |_, _, _| None).unwrap();
        let result = instance.call("run", &[Value::I64(calls as i64 / 3)]).unwrap();
        assert_eq!(single_i64(result), ring_checksum(calls / 3), "at {level:?}");
    }
}

#[test]
fn tail_calls_cross_instances_both_ways() {
    let dir = tempfile::tempdir().unwrap();
    let calls = 10_000_000u64;
    for level in [OptLevel::O0, OptLevel::O2] {
        let a = load(dir.path(), PONG, level, &format!("pong{level:?}"));
        let b = load(dir.path(), PING, level, &format!("ping{level:?}"));
        let pong = Instance::instantiate(&a, &mut |_, _, _| None).unwrap();
        let mut resolve = |module: &str, name: &str, _| -> Option<Extern> {
            assert_eq!(module, "a");
            pong.export(name)
        };
        let ping = Instance::instantiate(&b, &mut resolve).unwrap();
        let result = ping.call("start", &[Value::I64(calls as i64 / 2)]).unwrap();
        assert_eq!(single_i64(result), pingpong_checksum(calls / 2), "at {level:?}");
    }
}

#[test]
fn musttail_interpreter_matches_native() {
    let dir = tempfile::tempdir().unwrap();
    let source = common::repo("tests/programs/tail_interpreter.c");
    let wasm = dir.path().join("interpreter.wasm");
    let native = dir.path().join("interpreter_native");
    let run = |cmd: &mut Command| {
        let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
        assert!(out.status.success(), "{cmd:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    run(Command::new("clang-19")
        .args(["--target=wasm32-wasi", "--sysroot=/usr", "-O2", "-mtail-call", "-o"])
        .arg(&wasm)
        .arg(&source));
    let bytes = std::fs::read(&wasm).unwrap();
    let tail_calls = wasmparser::Parser::new(0).parse_all(&bytes).any(|payload| match payload {
        Ok(wasmparser::Payload::CodeSectionEntry(body)) => body
            .get_operators_reader()
            .unwrap()
            .into_iter()
            .any(|op| matches!(op, Ok(wasmparser::Operator::ReturnCallIndirect { .. }))),
        _ => false,
    });
    assert!(tail_calls, "clang emitted no return_call_indirect: the test would prove nothing");
    run(Command::new("clang-19").args(["-O2", "-o"]).arg(&native).arg(&source));
    // 2 * 10^7 loop iterations of 5 instructions: 10^8 dispatches.
    let expected = run(Command::new(&native).arg("20000000"));
    assert!(expected.contains("dispatches 100000001"), "{expected}");
    for level in ["-O0", "-O2"] {
        let compiled = dir.path().join(format!("interpreter{level}"));
        run(common::wasm2native().arg(level).arg(&wasm).arg("-o").arg(&compiled));
        assert_eq!(run(Command::new(&compiled).arg("20000000")), expected, "at {level}");
    }
}

/// Seven results (three integers, four floats: more than return registers hold, so they come
/// back through memory) along every path: a direct call, `call_indirect`, `call_ref`, the three
/// tail calls (one of them 10^6 deep, so it must not grow the stack), a function imported from
/// another instance, and the host's call of the export.
const MANY_RESULTS: &str = r#"(module
  (type $seven (func (param i64) (result i64 i32 i64 f64 f32 f64 f64)))
  (table 1 funcref)
  (elem (i32.const 0) $leaf)
  (elem declare func $leaf $count)
  (func $leaf (export "leaf") (type $seven)
    (local.get 0) (i32.wrap_i64 (i64.mul (local.get 0) (i64.const 3)))
    (i64.sub (i64.const 0) (local.get 0)) (f64.convert_i64_s (local.get 0))
    (f32.const 0.5) (f64.const -2.25) (f64.convert_i64_s (i64.mul (local.get 0) (local.get 0))))
  (func $count (type $seven)
    (if (result i64 i32 i64 f64 f32 f64 f64) (i64.eqz (local.get 0))
      (then (return_call_indirect (type $seven) (i64.const 7) (i32.const 0)))
      (else (return_call_ref $seven (i64.sub (local.get 0) (i64.const 1)) (ref.func $count)))))
  (func (export "direct") (type $seven) (call $leaf (local.get 0)))
  (func (export "indirect") (type $seven) (call_indirect (type $seven) (local.get 0) (i32.const 0)))
  (func (export "by_ref") (type $seven) (call_ref $seven (local.get 0) (ref.func $leaf)))
  (func (export "tail") (type $seven) (return_call $count (local.get 0)))
  (func (export "sum") (param i64) (result f64)
    (local i64 i32 i64 f64 f32 f64 f64)
    (call $leaf (local.get 0))
    (local.set 7) (local.set 6) (local.set 5) (local.set 4) (local.set 3) (local.set 2) (local.set 1)
    (f64.add (f64.add (f64.convert_i64_s (local.get 1)) (f64.convert_i32_s (local.get 2)))
      (f64.add (f64.add (f64.convert_i64_s (local.get 3)) (local.get 4))
        (f64.add (f64.promote_f32 (local.get 5)) (f64.add (local.get 6) (local.get 7)))))))"#;

const IMPORTS_MANY_RESULTS: &str = r#"(module
  (type $seven (func (param i64) (result i64 i32 i64 f64 f32 f64 f64)))
  (import "m" "leaf" (func $leaf (type $seven)))
  (func (export "via_import") (type $seven) (call $leaf (local.get 0)))
  (func (export "tail_import") (type $seven) (return_call $leaf (local.get 0))))"#;

fn seven(n: i64) -> Vec<Value> {
    vec![
        Value::I64(n),
        Value::I32((n * 3) as i32),
        Value::I64(-n),
        Value::F64((n as f64).to_bits()),
        Value::F32(0.5f32.to_bits()),
        Value::F64((-2.25f64).to_bits()),
        Value::F64(((n * n) as f64).to_bits()),
    ]
}

#[test]
fn many_results_come_back_along_every_path() {
    let dir = tempfile::tempdir().unwrap();
    for level in [OptLevel::O0, OptLevel::O2] {
        let many = load(dir.path(), MANY_RESULTS, level, &format!("many{level:?}"));
        let importer = load(dir.path(), IMPORTS_MANY_RESULTS, level, &format!("imp{level:?}"));
        let instance = Instance::instantiate(&many, &mut |_, _, _| None).unwrap();
        for export in ["leaf", "direct", "indirect", "by_ref"] {
            let results = instance.call(export, &[Value::I64(11)]).unwrap();
            assert_eq!(results, seven(11), "{export} at {level:?}");
        }
        let results = instance.call("tail", &[Value::I64(1_000_000)]).unwrap();
        assert_eq!(results, seven(7), "tail at {level:?}");
        let sum = instance.call("sum", &[Value::I64(5)]).unwrap();
        let expected = 5.0 + 15.0 - 5.0 + 5.0 + 0.5 - 2.25 + 25.0f64;
        assert_eq!(sum, vec![Value::F64(expected.to_bits())], "sum at {level:?}");
        let mut resolve = |_: &str, name: &str, _| instance.export(name);
        let linked = Instance::instantiate(&importer, &mut resolve).unwrap();
        for export in ["via_import", "tail_import"] {
            let results = linked.call(export, &[Value::I64(-4)]).unwrap();
            assert_eq!(results, seven(-4), "{export} at {level:?}");
        }
    }
}
