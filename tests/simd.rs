//! SIMD as users meet it: v128 operators become x86-64 vector instructions, and a C program that
//! clang auto-vectorizes for Wasm prints what its native build prints.

use std::path::Path;
use std::process::Command;
use wasm2native::{compile, Emit, Options};

mod common;

/// Each function's body must lower to the named x86 instruction, not to per-lane scalar code.
const KERNELS: &[(&str, &str, &str)] = &[
    ("add", "(i32x4.add (local.get 0) (local.get 1))", "paddd"),
    ("mul", "(f32x4.mul (local.get 0) (local.get 1))", "mulps"),
    ("eq", "(i32x4.eq (local.get 0) (local.get 1))", "pcmpeqd"),
    ("dot", "(i32x4.dot_i16x8_s (local.get 0) (local.get 1))", "pmaddwd"),
    ("swizzle", "(i8x16.swizzle (local.get 0) (local.get 1))", "pshufb"),
    (
        "shuffle",
        "(i8x16.shuffle 3 2 1 0 7 6 5 4 11 10 9 8 15 14 13 12 (local.get 0) (local.get 1))",
        "pshufb",
    ),
];

fn function_body<'s>(asm: &'s str, name: &str) -> &'s str {
    let start = asm.find(&format!("{name}:\n")).unwrap_or_else(|| panic!("no {name} in assembly"));
    let rest = &asm[start..];
    let end = rest.find(".Lfunc_end").unwrap_or(rest.len());
    &rest[..end]
}

#[test]
fn simd_operators_lower_to_vector_instructions() {
    let funcs: String = KERNELS
        .iter()
        .map(|(name, body, _)| {
            format!("(func ${name} (export \"{name}\") (param v128 v128) (result v128) {body})\n")
        })
        .collect();
    let module = format!("(module {funcs})");
    let options = Options { cpu: Some("x86-64-v2".into()), ..Options::default() };
    let asm = compile(module.as_bytes(), &options, Emit::Assembly).expect("compile");
    let asm = String::from_utf8(asm).expect("utf-8 assembly");
    for (index, (name, _, instruction)) in KERNELS.iter().enumerate() {
        let body = function_body(&asm, &format!("wasm_func_{index}"));
        assert!(body.contains(instruction), "{name}: no {instruction} in\n{body}");
        let scalar_moves = body.matches("pextr").count() + body.matches("pinsr").count();
        assert_eq!(scalar_moves, 0, "{name}: per-lane scalar code in\n{body}");
    }
}

#[test]
fn auto_vectorized_c_program_matches_native() {
    let dir = tempfile::tempdir().unwrap();
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/programs/vectorize.c");
    let wasm = dir.path().join("vectorize.wasm");
    let native = dir.path().join("vectorize_native");
    let compiled = dir.path().join("vectorize");
    let run = |cmd: &mut Command| {
        let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
        assert!(out.status.success(), "{cmd:?}: {}", String::from_utf8_lossy(&out.stderr));
        out.stdout
    };
    run(Command::new("clang-19")
        .args(["--target=wasm32-wasi", "--sysroot=/usr", "-O3", "-msimd128", "-o"])
        .arg(&wasm)
        .arg(&source));
    let wasm_bytes = std::fs::read(&wasm).unwrap();
    let has_simd = wasmparser::Parser::new(0).parse_all(&wasm_bytes).any(|payload| match payload {
        Ok(wasmparser::Payload::CodeSectionEntry(body)) => body
            .get_operators_reader()
            .map(|ops| {
                ops.into_iter().any(|op| matches!(op, Ok(wasmparser::Operator::V128Load { .. })))
            })
            .unwrap_or(false),
        _ => false,
    });
    assert!(has_simd, "clang did not vectorize: the test would prove nothing");
    run(Command::new("clang-19")
        .args(["-O3", "-ffp-contract=off", "-o"])
        .arg(&native)
        .arg(&source));
    run(common::wasm2native().arg(&wasm).arg("-o").arg(&compiled));
    assert_eq!(
        String::from_utf8_lossy(&run(&mut Command::new(&compiled))),
        String::from_utf8_lossy(&run(&mut Command::new(&native)))
    );
}
