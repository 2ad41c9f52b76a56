//! A module big enough to be compiled in several parts (`WASM2NATIVE_JOBS`): the parts call
//! each other directly and through a table, export from any part, and the result is the same
//! object on every run; the compile prints nothing when stderr is not a terminal.

use std::path::Path;
use std::process::Command;

mod common;
use common::stderr;

fn wasm2native(jobs: &str) -> Command {
    let mut command = common::wasm2native();
    command.env("WASM2NATIVE_JOBS", jobs).env_remove("WASM2NATIVE_OPTIONS");
    command
}

/// Functions enough for about 30 KB of code: each mixes its argument and calls the one before
/// it, `chain` (the last) starts the walk, and `through_table` reaches it through a table.
fn big_module() -> String {
    const FUNCTIONS: usize = 120;
    let mut wat = String::from("(module\n  (type $unary (func (param i32) (result i32)))\n");
    wat.push_str("  (func $f0 (param i32) (result i32) local.get 0)\n");
    for index in 1..FUNCTIONS {
        wat.push_str(&format!("  (func $f{index} (param i32) (result i32)\n"));
        for step in 0..20 {
            let factor = 2 * (index * 31 + step) + 1;
            wat.push_str(&format!(
                "    local.get 0 i32.const {factor} i32.mul i32.const {step} i32.xor local.set 0\n"
            ));
        }
        wat.push_str(&format!("    local.get 0 call $f{})\n", index - 1));
    }
    let last = FUNCTIONS - 1;
    wat.push_str(&format!("  (table funcref (elem $f{last} $f0))\n"));
    wat.push_str(&format!("  (export \"chain\" (func $f{last}))\n"));
    wat.push_str("  (func (export \"through_table\") (param i32) (result i32)\n");
    wat.push_str("    local.get 0 i32.const 0 call_indirect (type $unary)))\n");
    wat
}

fn invoke(dir: &Path, jobs: &str, function: &str) -> String {
    let out = wasm2native(jobs)
        .current_dir(dir)
        .args(["run", "--no-cache", "--invoke", function, "big.wat", "12345"])
        .output()
        .unwrap();
    assert!(out.status.success(), "jobs {jobs}, {function}: {}", stderr(&out));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn parts_call_each_other_and_compute_what_one_part_does() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("big.wat"), big_module()).unwrap();
    let whole = invoke(dir.path(), "1", "chain");
    assert!(!whole.trim().is_empty());
    assert_eq!(invoke(dir.path(), "2", "chain"), whole);
    assert_eq!(invoke(dir.path(), "3", "through_table"), whole);
}

#[test]
fn compiling_twice_gives_identical_objects_and_libraries() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("big.wat");
    std::fs::write(&input, big_module()).unwrap();
    let build = |jobs: &str, run: &str, name: &str, emit: &str| {
        // The same output name each time: library symbols take their prefix from it.
        let run_dir = dir.path().join(format!("{jobs}-{run}"));
        std::fs::create_dir_all(&run_dir).unwrap();
        let output = run_dir.join(name);
        let out = wasm2native(jobs)
            .arg(&input)
            .args(["--emit", emit, "-o"])
            .arg(&output)
            .output()
            .unwrap();
        assert!(out.status.success(), "jobs {jobs}, {emit}: {}", stderr(&out));
        std::fs::read(&output).unwrap()
    };
    for (name, emit) in [("big.o", "obj"), ("libbig.a", "staticlib")] {
        let first = build("2", "a", name, emit);
        assert!(first == build("2", "b", name, emit), "{emit}: two builds differ");
        // The split really happened: one part gives another object.
        assert!(first != build("1", "a", name, emit), "{emit}: no split");
    }
}

#[test]
fn a_bad_job_count_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("big.wat"), big_module()).unwrap();
    let out = wasm2native("zero")
        .current_dir(dir.path())
        .args(["big.wat", "-o", "big"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("WASM2NATIVE_JOBS"), "{}", stderr(&out));
}

#[test]
fn a_compile_is_quiet_when_stderr_is_not_a_terminal() {
    // Progress goes to a terminal only; here stderr is a pipe, as for scripts and builds.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("big.wat"), big_module()).unwrap();
    for jobs in ["1", "2"] {
        let out = wasm2native(jobs)
            .current_dir(dir.path())
            .args(["-O2", "big.wat", "-o", "big"])
            .output()
            .unwrap();
        assert!(out.status.success(), "jobs {jobs}: {}", stderr(&out));
        assert!(
            out.stderr.is_empty() && out.stdout.is_empty(),
            "jobs {jobs} printed: {}",
            stderr(&out)
        );
    }
}

#[test]
fn a_linker_that_writes_nothing_is_a_link_error_not_a_compiler_bug() {
    // `true` succeeds without writing the merged object the parts go into (an object file's),
    // or the executable they are linked into.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("big.wat"), big_module()).unwrap();
    let cases = [
        (&["--emit", "obj", "-o", "big.o"][..], "big.o", "linking: merging the compiled parts"),
        (&["-o", "big"][..], "big", "wrote nothing"),
    ];
    for (args, output, expected) in cases {
        let out = wasm2native("2")
            .env("W2N_CC", "true")
            .current_dir(dir.path())
            .arg("big.wat")
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let message = stderr(&out);
        assert!(message.contains(expected), "{message}");
        assert!(!message.contains("internal compiler error"), "{message}");
        assert!(!dir.path().join(output).exists(), "{args:?}");
    }
}
