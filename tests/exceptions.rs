//! Exception handling (docs/exceptions.md): tags are shared only through imports; exceptions
//! cross modules through imported tags and functions; traps are never caught; an exception that
//! leaves an executable ends it like a trap; and the stress cases: 10,000 nested `try_table`s, a
//! throw through 100,000 frames, stack exhaustion under handlers, throws at the stack's edge and
//! 10^6 throw/catch rounds in constant memory; exnrefs and legacy clauses' exceptions freed by
//! the collector while reachable ones survive. A module that cannot throw does not refer to the
//! exception machinery at all.

use std::ffi::c_void;
use std::path::Path;
use wasm2native::runtime::{ffi, host_throw, Func, Value};
use wasm2native::runtime::{CallError, Extern, Instance, InstantiationError, LoadedModule, Tag};
use wasm2native::{compile, link, Emit, OptLevel, Options};

mod common;

/// Two tests here measure the process's resident memory: no other test may run beside them.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn load_at(dir: &Path, text: &str, name: &str, level: OptLevel) -> LoadedModule {
    let options = Options { opt_level: level, ..Options::default() };
    let object = compile(text.as_bytes(), &options, Emit::Object).unwrap();
    let path = dir.join(format!("{name}{level:?}.so"));
    link::link_shared_module(&object, &path).unwrap();
    LoadedModule::load(&path).unwrap()
}

fn load(dir: &Path, text: &str, name: &str) -> LoadedModule {
    load_at(dir, text, name, OptLevel::O2)
}

fn call_i32(instance: &Instance, name: &str, args: &[Value]) -> Result<i32, CallError> {
    match instance.call(name, args)?.as_slice() {
        [Value::I32(v)] => Ok(*v),
        other => panic!("{name} returned {other:?}"),
    }
}

fn tag(instance: &Instance, name: &str) -> Tag {
    match instance.export(name) {
        Some(Extern::Tag(tag)) => tag,
        _ => panic!("no tag export {name:?}"),
    }
}

#[test]
fn tags_are_shared_only_through_imports() {
    let _alone = one_at_a_time();
    let dir = tempfile::tempdir().unwrap();
    let exporter = load(dir.path(), r#"(module (tag (export "t") (param i32 f64)))"#, "exporter");
    let importer = load(
        dir.path(),
        r#"(module (import "m" "t" (tag $t (param i32 f64))) (export "again" (tag $t))
                   (tag (export "own") (param i32 f64)))"#,
        "importer",
    );
    let first = Instance::instantiate(&exporter, &mut |_, _, _| None).unwrap();
    let second = Instance::instantiate(&exporter, &mut |_, _, _| None).unwrap();
    assert_eq!(tag(&first, "t").signature(), "iF:");
    assert!(!tag(&first, "t").same(&tag(&second, "t")), "each instance makes its own tag");

    let linked = Instance::instantiate(&importer, &mut |_, name, _| first.export(name)).unwrap();
    assert!(tag(&linked, "again").same(&tag(&first, "t")), "an imported tag is the exporter's");
    assert!(!tag(&linked, "own").same(&tag(&first, "t")), "a tag of the same type is another");

    let other = load(dir.path(), r#"(module (import "m" "t" (tag (param i32))))"#, "other");
    match Instance::instantiate(&other, &mut |_, name, _| first.export(name)) {
        Err(InstantiationError::Link(message)) => {
            assert_eq!(message, "incompatible import type: m::t")
        }
        Err(error) => panic!("a tag of another type: {error}"),
        Ok(_) => panic!("a tag of another type linked"),
    }
}

/// Module A throws its tags from its own functions; B imports a tag and the functions and
/// catches: by tag (payload intact), with `catch_ref` and `throw_ref` again, and with
/// `catch_all` for a tag it cannot name.
const THROWER: &str = r#"(module
  (tag $e (export "e") (param i32 i64))
  (tag $other (export "other"))
  (func (export "throw_e") (param i32) (throw $e (local.get 0) (i64.const 40)))
  (func (export "throw_other") (throw $other))
  (func (export "trap") (unreachable)))"#;

const CATCHER: &str = r#"(module
  (import "a" "e" (tag $e (param i32 i64)))
  (import "a" "throw_e" (func $throw_e (param i32)))
  (import "a" "throw_other" (func $throw_other))
  (import "a" "trap" (func $trap))
  (func (export "by_tag") (param i32) (result i32)
    (block $caught (result i32 i64)
      (try_table (catch $e $caught) (call $throw_e (local.get 0)))
      (return (i32.const -1)))
    (i32.wrap_i64) (i32.add))
  (func (export "rethrown") (param i32) (result i32)
    (block $outer (result i32 i64)
      (try_table (catch $e $outer)
        (block $inner (result i32 i64 exnref)
          (try_table (catch_ref $e $inner) (call $throw_e (local.get 0)))
          (return (i32.const -1)))
        (throw_ref))
      (unreachable))
    (i32.wrap_i64) (i32.sub))
  (func (export "other") (result i32)
    (block $by_tag (result i32 i64)
      (block $any
        (try_table (catch $e $by_tag) (catch_all $any) (call $throw_other))
        (return (i32.const -1)))
      (return (i32.const 1)))
    (drop) (drop) (i32.const -2))
  (func (export "trap_not_caught") (result i32)
    (block $any
      (try_table (catch_all $any) (call $trap)))
    (i32.const 1))
  (func (export "escapes") (param i32) (call $throw_e (local.get 0))))"#;

#[test]
fn exceptions_cross_modules_through_imported_tags_and_functions() {
    let _alone = one_at_a_time();
    let dir = tempfile::tempdir().unwrap();
    for level in [OptLevel::O0, OptLevel::O2] {
        let thrower = load_at(dir.path(), THROWER, "thrower", level);
        let catcher = load_at(dir.path(), CATCHER, "catcher", level);
        let a = Instance::instantiate(&thrower, &mut |_, _, _| None).unwrap();
        let b = Instance::instantiate(&catcher, &mut |_, name, _| a.export(name)).unwrap();
        assert_eq!(call_i32(&b, "by_tag", &[Value::I32(2)]).unwrap(), 42, "at {level:?}");
        assert_eq!(call_i32(&b, "rethrown", &[Value::I32(2)]).unwrap(), -38, "at {level:?}");
        assert_eq!(call_i32(&b, "other", &[]).unwrap(), 1, "at {level:?}");
        match b.call("trap_not_caught", &[]) {
            Err(CallError::Trap(trap)) => assert_eq!(trap.message, "unreachable", "at {level:?}"),
            other => panic!("a trap under catch_all gave {other:?} at {level:?}"),
        }
        match b.call("escapes", &[Value::I32(1)]) {
            Err(CallError::Trap(trap)) => {
                assert_eq!(trap.message, "uncaught exception (tag \"e\")", "at {level:?}")
            }
            other => panic!("an uncaught exception gave {other:?} at {level:?}"),
        }
        // Both instances go on after all of it.
        assert_eq!(call_i32(&b, "by_tag", &[Value::I32(5)]).unwrap(), 45, "at {level:?}");
    }
}

#[test]
fn an_uncaught_exception_ends_an_executable_like_a_trap() {
    let _alone = one_at_a_time();
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("uncaught.wat");
    std::fs::write(
        &source,
        r#"(module
  (tag $boom (export "boom") (param i32))
  (memory (export "memory") 1)
  (func (export "_start") (throw $boom (i32.const 7))))"#,
    )
    .unwrap();
    let exe = dir.path().join("uncaught");
    let out = common::wasm2native().arg(&source).arg("-o").arg(&exe).output().unwrap();
    assert!(out.status.success(), "{}", common::stderr(&out));
    let run = std::process::Command::new(&exe).output().unwrap();
    assert_eq!(run.status.code(), Some(134));
    assert_eq!(common::stderr(&run).trim(), "wasm trap: uncaught exception (tag \"boom\")");
}

/// `depth` nested `try_table`s around a throw that only the outermost catches.
fn nested_handlers(depth: usize) -> String {
    let mut text = String::from("(module (tag $t (param i32)) (tag $never)\n");
    text.push_str("  (func (export \"nested\") (result i32)\n    (block $caught (result i32)\n");
    text.push_str("      (try_table (catch $t $caught)\n");
    for _ in 0..depth {
        text.push_str("(try_table (catch $never 0)\n");
    }
    text.push_str("(throw $t (i32.const 99))");
    text.push_str(&")".repeat(depth));
    text.push_str(")\n      (i32.const -1))))\n");
    text
}

const STRESS: &str = r#"(module
  (tag $t (param i32))
  (func $deep (param i32)
    (if (i32.eqz (local.get 0)) (then (throw $t (i32.const 5))))
    (call $deep (i32.sub (local.get 0) (i32.const 1))))
  (func (export "through") (param i32) (result i32)
    (block $caught (result i32)
      (try_table (catch $t $caught) (call $deep (local.get 0)))
      (i32.const -1)))
  (func $forever (param i32) (result i32)
    (block $any
      (try_table (catch_all $any)
        (return (call $forever (i32.add (local.get 0) (i32.const 1))))))
    (i32.const -2))
  (func (export "exhaust") (result i32) (call $forever (i32.const 0)))
  ;; Throws and catches in every frame on the way down, the last ones at the edge of the stack.
  (func $throw_everywhere (param i32) (result i32)
    (block $any (try_table (catch_all $any) (throw $t (local.get 0))))
    (i32.add (call $throw_everywhere (i32.add (local.get 0) (i32.const 1))) (i32.const 1)))
  (func (export "throw_at_the_edge") (result i32) (call $throw_everywhere (i32.const 0)))
  (func (export "rounds") (param i32) (result i32) (local $sum i32)
    (loop $again
      (block $caught (result i32)
        (try_table (catch $t $caught) (call $deep (i32.const 3)))
        (i32.const 0))
      (local.set $sum (i32.add (local.get $sum)))
      (br_if $again (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
    (local.get $sum)))"#;

fn resident_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

#[test]
fn deep_nesting_deep_stacks_exhaustion_and_a_million_rounds() {
    let _alone = one_at_a_time();
    // 100,000 frames need more than a test thread's stack.
    let worker = std::thread::Builder::new().stack_size(256 << 20);
    worker.spawn(stress_cases).unwrap().join().unwrap();
}

fn stress_cases() {
    let dir = tempfile::tempdir().unwrap();
    for level in [OptLevel::O0, OptLevel::O2] {
        let nested = load_at(dir.path(), &nested_handlers(10_000), "nested", level);
        let nested = Instance::instantiate(&nested, &mut |_, _, _| None).unwrap();
        assert_eq!(call_i32(&nested, "nested", &[]).unwrap(), 99, "at {level:?}");

        let stress = load_at(dir.path(), STRESS, "stress", level);
        let stress = Instance::instantiate(&stress, &mut |_, _, _| None).unwrap();
        let through = call_i32(&stress, "through", &[Value::I32(100_000)]);
        assert_eq!(through.unwrap(), 5, "through 100,000 frames at {level:?}");
        // The stack runs out under a handler in every frame: a trap, which none may catch.
        match stress.call("exhaust", &[]) {
            Err(CallError::Trap(trap)) => {
                assert_eq!(trap.message, "call stack exhausted", "at {level:?}")
            }
            other => panic!("exhaustion under handlers gave {other:?} at {level:?}"),
        }
        match stress.call("throw_at_the_edge", &[]) {
            Err(CallError::Trap(trap)) => {
                assert_eq!(trap.message, "call stack exhausted", "at {level:?}")
            }
            other => panic!("throwing at the stack's edge gave {other:?} at {level:?}"),
        }
        assert_eq!(call_i32(&stress, "rounds", &[Value::I32(1000)]).unwrap(), 5000);
        let before = resident_kib();
        let rounds = call_i32(&stress, "rounds", &[Value::I32(1_000_000)]);
        assert_eq!(rounds.unwrap(), 5_000_000, "at {level:?}");
        let grown = resident_kib().saturating_sub(before);
        assert!(grown < 4096, "10^6 rounds grew the process by {grown} KiB at {level:?}");
    }
}

#[test]
fn a_module_that_cannot_throw_does_not_refer_to_the_machinery() {
    let _alone = one_at_a_time();
    let closed = r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
  (table 1 funcref)
  (func $f (result i32) (i32.const 1))
  (func (export "g") (result i32) (call_indirect (result i32) (i32.const 0))))"#;
    let throwing = r#"(module (tag $t) (func $f (throw $t)) (func (export "g") (call $f)))"#;
    for (text, refers) in [(closed, false), (throwing, true)] {
        // At -O0, where nothing is inlined: the call stays a call.
        let options = Options { opt_level: OptLevel::O0, ..Options::default() };
        let object = compile(text.as_bytes(), &options, Emit::Object).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.o");
        std::fs::write(&path, object).unwrap();
        let symbols = common::nm(&["-u"], &path);
        assert_eq!(symbols.contains("w2n_exception_in_flight"), refers, "{text}: {symbols}");
    }
}

/// The legacy instructions (`try`, `catch`, `catch_all`, `rethrow`, `delegate`), which older
/// toolchains emitted. The suite's crate ships no legacy tests, so the expected results here
/// are V8's (Node.js 20) for the same module.
const LEGACY: &str = r#"(module
  (tag $e0)
  (tag $e1 (param i32))
  (tag $e2 (param i32 i64))
  (func $throw1 (param i32) (throw $e1 (local.get 0)))
  (func $throw0 (throw $e0))
  (func $trap (unreachable))
  ;; catch by tag with the payload; clauses in order
  (func (export "by_tag") (param i32) (result i32)
    try (result i32)
      local.get 0
      call $throw1
      i32.const -1
    catch $e0
      i32.const 100
    catch $e1
      i32.const 1
      i32.add
    end)
  (func (export "all") (result i32)
    try (result i32)
      call $throw0
      i32.const -1
    catch $e1
      drop
      i32.const -2
    catch_all
      i32.const 7
    end)
  ;; rethrow from a clause, caught by an outer try
  (func (export "rethrow") (param i32) (result i32)
    try (result i32)
      try
        local.get 0
        call $throw1
      catch $e1
        drop
        rethrow 0
      end
      i32.const -1
    catch $e1
      i32.const 10
      i32.mul
    end)
  ;; rethrow of an outer clause's exception from inside an inner try in that clause
  (func (export "rethrow_outer") (result i32)
    try (result i32)
      try
        call $throw0
      catch $e0
        try
          i32.const 5
          call $throw1
        catch $e1
          drop
          rethrow 1
        end
      end
      i32.const -1
    catch $e0
      i32.const 3
    catch $e1
      drop
      i32.const -3
    end)
  ;; delegate to an outer try and to the caller
  (func (export "delegate_outer") (result i32)
    try (result i32)
      try
        try
          i32.const 8
          call $throw1
        delegate 1
      catch $e1
        drop
        i32.const -4
        throw $e1
      end
      i32.const -1
    catch $e1
      i32.const 1
      i32.add
    end)
  (func $delegate_out
    try
      i32.const 4
      call $throw1
    delegate 0)
  (func (export "delegate_caller") (result i32)
    try (result i32)
      call $delegate_out
      i32.const -1
    catch $e1
    end)
  ;; a trap is never caught
  (func (export "trap") (result i32)
    try (result i32)
      call $trap
      i32.const -1
    catch_all
      i32.const 1
    end)
  ;; uncaught: no clause matches
  (func (export "uncaught") (result i32)
    try (result i32)
      call $throw0
      i32.const -1
    catch $e1
    end)
  ;; the body falls through; an exception thrown in a clause goes outward
  (func (export "no_throw") (result i32)
    try (result i32)
      i32.const 9
    catch_all
      i32.const -1
    end)
  (func (export "in_clause") (result i32)
    try (result i32)
      try (result i32)
        call $throw0
        i32.const -1
      catch $e0
        i32.const 11
        throw $e1
      end
    catch $e1
    end)
  ;; many rounds: each clause frees what it took
  (func (export "rounds") (param i32) (result i32) (local $sum i32)
    loop $again
      try
        i32.const 2
        call $throw1
      catch $e1
        local.get $sum
        i32.add
        local.set $sum
      end
      local.get 0
      i32.const 1
      i32.sub
      local.tee 0
      br_if $again
    end
    local.get $sum))
"#;

#[test]
fn legacy_instructions_behave_as_v8_runs_them() {
    let _alone = one_at_a_time();
    let dir = tempfile::tempdir().unwrap();
    for level in [OptLevel::O0, OptLevel::O2] {
        let module = load_at(dir.path(), LEGACY, "legacy", level);
        let legacy = Instance::instantiate(&module, &mut |_, _, _| None).unwrap();
        let expected = [
            ("by_tag", Some(41), 42),
            ("all", None, 7),
            ("rethrow", Some(4), 40),
            ("rethrow_outer", None, 3),
            ("delegate_outer", None, 9),
            ("delegate_caller", None, 4),
            ("no_throw", None, 9),
            ("in_clause", None, 11),
            ("rounds", Some(1000), 2000),
        ];
        for (name, arg, result) in expected {
            let args: Vec<Value> = arg.map(Value::I32).into_iter().collect();
            assert_eq!(call_i32(&legacy, name, &args).unwrap(), result, "{name} at {level:?}");
        }
        for (name, message) in [("trap", "unreachable"), ("uncaught", "uncaught exception")] {
            match legacy.call(name, &[]) {
                Err(CallError::Trap(trap)) => assert_eq!(trap.message, message, "at {level:?}"),
                other => panic!("{name} gave {other:?} at {level:?}"),
            }
        }
        let before = resident_kib();
        assert_eq!(call_i32(&legacy, "rounds", &[Value::I32(1_000_000)]).unwrap(), 2_000_000);
        let grown = resident_kib().saturating_sub(before);
        assert!(grown < 4096, "10^6 legacy rounds grew the process by {grown} KiB at {level:?}");
    }
}

/// Exceptions that become exnrefs or stay with a legacy clause, which only the collector frees.
const COLLECTED: &str = r#"(module
  (tag $t (param i32))
  (global $kept (mut exnref) (ref.null exn))
  (table $slots 4 exnref)
  (func $throw (param i32) (throw $t (local.get 0)))
  ;; C++'s cleanup: catch_all_ref, then throw_ref; a plain catch outside takes it.
  (func $cleanup (param i32)
    (block $h (result exnref)
      (try_table (catch_all_ref $h) (call $throw (local.get 0)))
      (return))
    (throw_ref))
  (func (export "cleanup_rounds") (param i32) (result i32) (local $sum i32)
    (loop $again
      (block $caught (result i32)
        (try_table (catch $t $caught) (call $cleanup (local.get 0)))
        (i32.const 0))
      (local.set $sum (i32.add (local.get $sum)))
      (br_if $again (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
    (local.get $sum))
  (func $exnref_of (param i32) (result exnref)
    (block $h (result i32 exnref)
      (try_table (catch_ref $t $h) (call $throw (local.get 0)))
      (unreachable))
    (local.set 0 (i32.const 0))
    (return))
  (func $payload (param exnref) (result i32)
    (block $caught (result i32)
      (try_table (catch $t $caught) (throw_ref (local.get 0)))
      (unreachable)))
  ;; Exnrefs in a global, a table and a local outlive the garbage of n more.
  (func (export "kept_through_rounds") (param i32) (result i32) (local $local exnref)
    (global.set $kept (call $exnref_of (i32.const 1000)))
    (table.set $slots (i32.const 2) (call $exnref_of (i32.const 200)))
    (local.set $local (call $exnref_of (i32.const 30)))
    (loop $again
      (drop (call $exnref_of (local.get 0)))
      (br_if $again (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
    (i32.add
      (i32.add (call $payload (global.get $kept))
               (call $payload (table.get $slots (i32.const 2))))
      (call $payload (local.get $local))))
  ;; Every clause is left by a branch, never reaching its end.
  (func (export "legacy_branch_rounds") (param i32) (result i32) (local $sum i32)
    loop $again
      block $out
        try
          local.get 0
          call $throw
        catch $t
          local.get $sum
          i32.add
          local.set $sum
          br $out
        end
      end
      local.get 0
      i32.const 1
      i32.sub
      local.tee 0
      br_if $again
    end
    local.get $sum)
  ;; An inner clause that took the outer clause's exception ends; the outer one rethrows it.
  (func (export "legacy_nested") (result i32)
    try (result i32)
      i32.const 7
      call $throw
      i32.const 0
    catch $t
      drop
      try
        rethrow 1
      catch $t
        drop
      end
      try (result i32)
        rethrow 1
      catch $t
      end
    end))"#;

#[test]
fn exnrefs_and_legacy_catches_are_freed_once_unreachable() {
    let _alone = one_at_a_time();
    let dir = tempfile::tempdir().unwrap();
    for level in [OptLevel::O0, OptLevel::O2] {
        let module = load_at(dir.path(), COLLECTED, "collected", level);
        let instance = Instance::instantiate(&module, &mut |_, _, _| None).unwrap();
        assert_eq!(call_i32(&instance, "legacy_nested", &[]).unwrap(), 7, "at {level:?}");
        let cases = [
            ("cleanup_rounds", 1_000_000, 1_784_293_664),
            ("kept_through_rounds", 1_000_000, 1230),
            ("legacy_branch_rounds", 1_000_000, 1_784_293_664),
        ];
        for (name, rounds, result) in cases {
            // A first run reaches the steady state: the collector's list at its largest.
            call_i32(&instance, name, &[Value::I32(rounds)]).unwrap();
            let before = resident_kib();
            let got = call_i32(&instance, name, &[Value::I32(rounds)]).unwrap();
            assert_eq!(got, result, "{name} at {level:?}");
            let grown = resident_kib().saturating_sub(before);
            assert!(grown < 4096, "{name} grew the process by {grown} KiB at {level:?}");
        }
    }
}

/// Imports A's tag and a host function that throws it.
const HOST_THROWN: &str = r#"(module
  (import "a" "e" (tag $e (param i32 i64)))
  (import "host" "raise" (func $raise (param i32)))
  (func (export "caught") (param i32) (result i32)
    (block $caught (result i32 i64)
      (try_table (catch $e $caught) (call $raise (local.get 0)))
      (return (i32.const -1)))
    (i32.wrap_i64) (i32.add))
  (func (export "uncaught") (param i32) (call $raise (local.get 0))))"#;

/// The host function: throws the tag its context points to, with (x, 2).
extern "C" fn raise(context: *mut c_void, x: i32) {
    // SAFETY: the context is the test's `Tag`, alive for the whole test.
    let tag = unsafe { &*(context as *const Tag) };
    host_throw(tag, &[Value::I32(x), Value::I64(2)]).unwrap();
}

unsafe extern "C" fn no_array_entry(_vmctx: *mut ffi::w2n_instance, _args: *mut ffi::w2n_value) {}

#[test]
fn embedders_read_uncaught_exceptions_and_host_functions_throw() {
    let _alone = one_at_a_time();
    let dir = tempfile::tempdir().unwrap();
    for level in [OptLevel::O0, OptLevel::O2] {
        let thrower = Instance::instantiate(
            &load_at(dir.path(), THROWER, "thrower", level),
            &mut |_, _, _| None,
        )
        .unwrap();
        let e = tag(&thrower, "e");
        // An uncaught exception: its tag and payload.
        let trap = match thrower.call("throw_e", &[Value::I32(3)]) {
            Err(CallError::Trap(trap)) => trap,
            other => panic!("throw_e gave {other:?}"),
        };
        let exception = trap.exception.expect("the exception");
        assert!(exception.is(&e) && !exception.is(&tag(&thrower, "other")));
        assert_eq!(exception.payload, [Value::I32(3), Value::I64(40)], "at {level:?}");
        // A host function throws it into the guest.
        let context = Box::into_raw(Box::new(e.clone()));
        // SAFETY: `raise` takes (context, i32) and its context is the boxed tag.
        let raise = unsafe {
            Func::host("i:", raise as *const c_void, no_array_entry, context.cast()).unwrap()
        };
        let module = load_at(dir.path(), HOST_THROWN, "host_thrown", level);
        let mut resolve = |module: &str, name: &str, _| match module {
            "host" => Some(Extern::Func(raise.clone())),
            _ => thrower.export(name),
        };
        let guest = Instance::instantiate(&module, &mut resolve).unwrap();
        assert_eq!(call_i32(&guest, "caught", &[Value::I32(5)]).unwrap(), 7, "at {level:?}");
        match guest.call("uncaught", &[Value::I32(9)]) {
            Err(CallError::Trap(trap)) => {
                let exception = trap.exception.expect("the exception");
                assert!(exception.is(&e), "at {level:?}");
                assert_eq!(exception.payload, [Value::I32(9), Value::I64(2)], "at {level:?}");
            }
            other => panic!("uncaught gave {other:?} at {level:?}"),
        }
        // A payload of the wrong types is refused.
        assert!(matches!(host_throw(&e, &[Value::I32(1)]), Err(CallError::Signature(_))));
        drop(guest);
        // SAFETY: nothing calls `raise` any more.
        drop(unsafe { Box::from_raw(context) });
    }
}
