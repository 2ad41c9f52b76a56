//! Golden tests of the code the compiler emits: each `tests/golden/NAME.wat` is compiled with
//! the flags of its `;; RUN:` line and the output (LLVM IR or assembly) is checked by LLVM 19's
//! FileCheck against the `;; CHECK` lines of the same file. They pin the properties that matter
//! and that no behaviour test sees: a loop versioned into a copy without checks (for a constant
//! step and for one known only at run time), widened checks, guard mode's fences and anchors,
//! NaN quieting only where needed, one pshufb per shuffle, an abs of a constant compare that LLVM
//! once could not compile at -O0. The translator and the loop passes agree on names and IR shapes
//! (compiler/passes/contract.h); a change that breaks that agreement fails here.

use std::path::Path;
use std::process::Command;

mod common;
use common::{repo, stderr, wasm2native};

/// LLVM 19's FileCheck (from llvm-19-tools, which LLVM's development package brings).
fn file_check() -> std::path::PathBuf {
    let out = Command::new("llvm-config-19").arg("--bindir").output().expect("run llvm-config-19");
    assert!(out.status.success(), "llvm-config-19 --bindir: {}", stderr(&out));
    Path::new(String::from_utf8_lossy(&out.stdout).trim()).join("FileCheck")
}

/// Compiles one golden file and checks its output; the problem, if any.
fn check(file: &Path, file_check: &Path, dir: &Path) -> Option<String> {
    let text = std::fs::read_to_string(file).expect("read a golden file");
    let Some(flags) = text.lines().find_map(|line| line.strip_prefix(";; RUN:")) else {
        return Some("no `;; RUN:` line".into());
    };
    let output = dir.join(file.file_stem().expect("a file name"));
    let out = wasm2native()
        .arg(file)
        .args(flags.split_whitespace())
        .arg("-o")
        .arg(&output)
        .output()
        .expect("run wasm2native");
    if !out.status.success() {
        return Some(format!("wasm2native {flags}: {}", stderr(&out)));
    }
    let out = Command::new(file_check)
        .arg(file)
        .arg("--input-file")
        .arg(&output)
        .output()
        .expect("run FileCheck");
    (!out.status.success()).then(|| stderr(&out))
}

#[test]
fn emitted_code_has_the_shapes_its_golden_file_states() {
    let file_check = file_check();
    let dir = tempfile::tempdir().unwrap();
    let mut files: Vec<_> = std::fs::read_dir(repo("tests/golden"))
        .expect("tests/golden")
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "wat"))
        .collect();
    files.sort();
    assert!(files.len() >= 5, "the golden files are missing");
    let failures: Vec<String> = files
        .iter()
        .filter_map(|file| {
            check(file, &file_check, dir.path()).map(|why| format!("{}:\n{why}", file.display()))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
