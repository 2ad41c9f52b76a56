//! Running out of stack is the trap `call stack exhausted` whatever the shape of the recursion:
//! direct, mutual, through `call_indirect`, with frames from a few bytes to hundreds of KiB, at
//! every optimisation level. The program ends with status 134 and the trap's message, never
//! with a signal.

use std::path::Path;
use wasm2native::runtime::{Instance, LoadedModule};
use wasm2native::{compile, link, Emit, OptLevel, Options};

mod common;

/// Recursion shapes, each a module whose export `f` recurses without end.
const SHAPES: &[(&str, &str)] = &[
    (
        "direct",
        r#"(module (func $r (param i32) (result i32)
             (i32.add (call $r (i32.add (local.get 0) (i32.const 1))) (i32.const 1)))
           (func (export "f") (result i32) (call $r (i32.const 0))))"#,
    ),
    (
        "mutual",
        r#"(module
           (func $a (param i64) (result i64) (i64.mul (call $b (local.get 0)) (i64.const 3)))
           (func $b (param i64) (result i64) (i64.add (call $a (i64.add (local.get 0) (i64.const 1))) (i64.const 1)))
           (func (export "f") (result i32) (i32.wrap_i64 (call $a (i64.const 0)))))"#,
    ),
    (
        "indirect",
        r#"(module (type $t (func (param i32) (result i32))) (table 1 funcref) (elem (i32.const 0) $r)
           (func $r (type $t) (param i32) (result i32)
             (i32.add (call_indirect (type $t) (i32.add (local.get 0) (i32.const 1)) (i32.const 0)) (i32.const 1)))
           (func (export "f") (result i32) (call $r (i32.const 0))))"#,
    ),
    (
        "tail of a loop",
        r#"(module (func $r (param i32) (result i32) (local i32)
             (loop $l (local.set 1 (i32.add (local.get 1) (i32.const 1))) (br_if $l (i32.lt_u (local.get 1) (i32.const 3))))
             (i32.add (call $r (local.get 1)) (local.get 0)))
           (func (export "f") (result i32) (call $r (i32.const 0))))"#,
    ),
];

/// A recursive function with `locals` v128 locals: at -O0 each lives in the frame, so the
/// frame is 16 bytes per local (50,000 locals, the validator's limit, are 800 KB).
fn large_frame_module(locals: usize) -> String {
    format!(
        r#"(module (func $r (param i32) (result i32) (local {})
             (local.set {last} (i32x4.splat (local.get 0)))
             (i32.add (call $r (i32.add (local.get 0) (i32.const 1))) (i32x4.extract_lane 0 (local.get {last}))))
           (func (export "f") (result i32) (call $r (i32.const 0))))"#,
        "v128 ".repeat(locals),
        last = locals
    )
}

/// Compiles and runs `text` calling `f` at `level`, and checks that it ended in the trap.
fn assert_exhausts_stack(dir: &Path, name: &str, text: &str, level: &str) {
    let module = dir.join(format!("{}.wat", name.replace(' ', "_")));
    std::fs::write(&module, text).unwrap();
    let out = common::wasm2native()
        .args(["run", "--no-cache", level, "--invoke", "f"])
        .arg(&module)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(134), "{name} at {level}: {stderr}");
    assert!(stderr.contains("wasm trap: call stack exhausted"), "{name} at {level}: {stderr}");
}

#[test]
fn every_recursion_shape_ends_in_the_trap() {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in SHAPES {
        for level in ["-O0", "-O2"] {
            assert_exhausts_stack(dir.path(), name, text, level);
        }
    }
}

#[test]
fn frames_up_to_800_kib_end_in_the_trap() {
    let dir = tempfile::tempdir().unwrap();
    // 16 bytes to 800 KB at -O0: beyond the 256 KiB the stack check keeps in reserve, the
    // largest frames can only be caught by the fault handler on its alternate stack.
    for locals in [1, 1_000, 16_000, 50_000 - 1] {
        assert_exhausts_stack(
            dir.path(),
            &format!("frame{locals}"),
            &large_frame_module(locals),
            "-O0",
        );
    }
    assert_exhausts_stack(dir.path(), "frame16000", &large_frame_module(16_000), "-O2");
}

/// Builds `text` into a shared object in `dir`: its path.
fn build_shared(dir: &Path, text: &str, level: OptLevel) -> std::path::PathBuf {
    let options = Options { opt_level: level, ..Options::default() };
    let object = compile(text.as_bytes(), &options, Emit::Object).unwrap();
    let path = dir.join(format!("module{level:?}.so"));
    link::link_shared_module(&object, &path).unwrap();
    path
}

#[test]
fn threads_with_small_stacks_trap_even_on_frames_larger_than_their_stack() {
    let dir = tempfile::tempdir().unwrap();
    for level in [OptLevel::O0, OptLevel::O2] {
        let path = build_shared(dir.path(), &large_frame_module(50_000 - 1), level);
        // From 64 KiB of stack, a twelfth of one 800 KB frame at -O0: without probes the frame
        // would reach past the thread's guard page into whatever lies below it.
        for stack in [64 << 10, 256 << 10, 2 << 20] {
            let path = path.clone();
            let outcome = std::thread::Builder::new()
                .stack_size(stack)
                .spawn(move || {
                    let module = LoadedModule::load(&path).unwrap();
                    let instance = Instance::instantiate(&module, &mut |_, _, _| None).unwrap();
                    instance.call("f", &[]).map(|_| ()).map_err(|e| e.to_string())
                })
                .unwrap()
                .join()
                .unwrap();
            let error = outcome.expect_err("unbounded recursion returned");
            assert!(
                error.contains("call stack exhausted"),
                "{level:?}, {stack} bytes of stack: {error}"
            );
        }
    }
}

/// The largest constant `subq $N, %rsp` in x86-64 assembly text: how far one instruction
/// moves the stack pointer.
#[cfg(target_arch = "x86_64")]
fn largest_stack_step(assembly: &str) -> u64 {
    assembly
        .lines()
        .filter_map(|line| {
            line.trim().strip_prefix("subq\t$")?.strip_suffix(", %rsp")?.parse().ok()
        })
        .max()
        .unwrap_or(0)
}

#[cfg(target_arch = "x86_64")]
#[test]
fn large_frames_move_the_stack_pointer_a_page_at_a_time() {
    // Without probes the frame would be one 800 KB step, which on a thread whose stack has
    // another mapping below its guard page writes into that mapping: the fault the trap needs
    // would never come.
    let dir = tempfile::tempdir().unwrap();
    let module = dir.path().join("frame.wat");
    std::fs::write(&module, large_frame_module(50_000 - 1)).unwrap();
    for level in ["-O0", "-O2"] {
        let assembly = dir.path().join("frame.s");
        let out = common::wasm2native()
            .args([level, "--emit", "asm", "-o"])
            .arg(&assembly)
            .arg(&module)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let text = std::fs::read_to_string(&assembly).unwrap();
        assert!(
            largest_stack_step(&text) <= 4096,
            "{level}: a step of {} bytes",
            largest_stack_step(&text)
        );
    }
}
