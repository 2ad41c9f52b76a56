//! The command line as users meet it: the bundled examples compiled and run, and bad input
//! answered with one clear error, a non-zero exit and no output file.

use std::path::{Path, PathBuf};
use std::process::Command;

mod common;
use common::{repo, stderr, stdout, wasm2native};

fn compile_ok(args: &[&std::ffi::OsStr]) {
    let out = wasm2native().args(args).output().expect("run wasm2native");
    assert!(out.status.success(), "compile failed: {}", String::from_utf8_lossy(&out.stderr));
}

/// Every runnable example, with what it must print and its exit status.
const EXAMPLES: &[(&str, &str, &str, i32)] = &[
    ("examples/hello.wat", "Hello from native WebAssembly!\n", "", 0),
    ("examples/divzero.wat", "", "wasm trap: integer divide by zero", 134),
];

#[test]
fn examples_compile_and_run() {
    let dir = tempfile::tempdir().unwrap();
    for (source, stdout, stderr_part, status) in EXAMPLES {
        let exe = dir.path().join(Path::new(source).file_stem().unwrap());
        compile_ok(&[repo(source).as_os_str(), "-o".as_ref(), exe.as_os_str()]);
        let out = Command::new(&exe).output().unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stdout), *stdout, "{source}");
        assert!(stderr(&out).contains(stderr_part), "{source}: stderr {:?}", stderr(&out));
        assert_eq!(out.status.code(), Some(*status), "{source}");
    }
}

/// Whether `exe`'s `.comment` section has lld's entry (`Linker: [VENDOR] LLD VERSION`).
fn linked_by_lld(exe: &Path) -> bool {
    let bytes = std::fs::read(exe).unwrap();
    bytes.split(|&byte| byte == 0).any(|text| {
        text.starts_with(b"Linker: ") && String::from_utf8_lossy(text).contains(" LLD ")
    })
}

#[test]
fn executables_link_inside_the_compiler_unless_a_driver_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let source = repo("examples/hello.wat");
    for (driver, in_process) in [(None, true), (Some("cc"), false)] {
        let exe = dir.path().join(format!("hello-{in_process}"));
        let mut command = wasm2native();
        if let Some(driver) = driver {
            command.env("W2N_CC", driver);
        }
        let out = command.arg(&source).arg("-o").arg(&exe).output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        assert_eq!(linked_by_lld(&exe), in_process, "W2N_CC={driver:?}");
        let run = Command::new(&exe).output().unwrap();
        assert_eq!(String::from_utf8_lossy(&run.stdout), "Hello from native WebAssembly!\n");
    }
}

#[test]
fn every_emit_kind_writes_its_output() {
    let dir = tempfile::tempdir().unwrap();
    for (kind, needle) in [("obj", &b"\x7fELF"[..]), ("llvm-ir", b"define"), ("asm", b".text")] {
        let out_path = dir.path().join(format!("hello.{kind}"));
        compile_ok(&[
            repo("examples/hello.wat").as_os_str(),
            "--emit".as_ref(),
            kind.as_ref(),
            "-o".as_ref(),
            out_path.as_os_str(),
        ]);
        let bytes = std::fs::read(&out_path).unwrap();
        assert!(bytes.windows(needle.len()).any(|w| w == needle), "{kind} output lacks {needle:?}");
    }
}

#[test]
fn malformed_module_is_one_error_with_offset_and_no_output() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("bad.wasm");
    // A valid header followed by a type section whose declared size runs past the end.
    std::fs::write(&input, b"\0asm\x01\0\0\0\x01\x05\x01\x60").unwrap();
    let output = dir.path().join("bad");
    let out = wasm2native().arg(&input).arg("-o").arg(&output).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("byte offset 0x"), "no offset in {err:?}");
    assert_eq!(err.lines().count(), 1, "more than one line: {err:?}");
    assert!(!output.exists(), "a failed compile left an output file");
}

#[test]
fn invalid_module_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("invalid.wat");
    std::fs::write(&input, "(module (func (result i32) (i64.const 1)))").unwrap();
    let out = wasm2native().arg(&input).arg("-o").arg(dir.path().join("x")).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("invalid module at byte offset"), "{}", stderr(&out));
}

/// What Wasm 3.0 has that the compiler does not implement yet is one error naming the proposal,
/// with the offset, and no output.
#[test]
fn unsupported_proposals_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("(module (type (struct (field i32))))", "struct and array types: the GC proposal"),
        ("(module (rec (type (func)) (type (func))))", "recursion groups: the GC proposal"),
        ("(module (global anyref (ref.null any)))", "the heap type Any: the GC proposal"),
        (
            "(module (func (result i32) (i31.get_s (ref.i31 (i32.const 1)))))",
            "operator RefI31 of the GC proposal",
        ),
        ("(module (func (param i32) (result i32) (i32.atomic.load (local.get 0))))", "threads"),
    ];
    for (i, (text, expected)) in cases.iter().enumerate() {
        let input = dir.path().join(format!("m{i}.wat"));
        std::fs::write(&input, text).unwrap();
        let output = dir.path().join(format!("m{i}"));
        let out = wasm2native().arg(&input).arg("-o").arg(&output).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{text}");
        let err = stderr(&out);
        assert!(err.contains(expected), "{text}: {err}");
        assert!(err.contains("byte offset 0x"), "{text}: no offset in {err}");
        assert_eq!(err.lines().count(), 1, "{text}: more than one line: {err}");
        assert!(!output.exists(), "{text}: a failed compile left an output file");
    }
    // `--spec wasm3` validates what 3.0 has, then refuses what is not implemented.
    let input = dir.path().join("struct.wat");
    std::fs::write(&input, "(module (type (struct (field i32))))").unwrap();
    let out = wasm2native().args(["--spec", "wasm3"]).arg(&input).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("unsupported at byte offset 0x"), "{err}");
    assert!(err.contains("the GC proposal is not supported yet"), "{err}");
}

#[test]
fn unreadable_input_and_bad_flags_fail_cleanly() {
    let out = wasm2native().arg("/nonexistent/module.wasm").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("cannot read /nonexistent/module.wasm"));

    let out = wasm2native()
        .args([repo("examples/hello.wat").as_os_str(), "-O7".as_ref()])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(!stderr(&out).contains("panicked"));
}

#[test]
fn unknown_cpu_is_an_error_not_an_llvm_abort() {
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("hello.s");
    let out = wasm2native()
        .args([repo("examples/hello.wat").as_os_str(), "--emit".as_ref(), "asm".as_ref()])
        .args(["--cpu", "no-such-cpu", "-o"])
        .arg(&output)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("unknown CPU \"no-such-cpu\""), "{}", stderr(&out));
    assert!(!output.exists());
}

/// The architecture that is not the host's, of the two wasm2native generates code for.
const OTHER_ARCH: (&str, &str) = if cfg!(target_arch = "x86_64") {
    ("aarch64-unknown-linux-gnu", "EM_AARCH64")
} else {
    ("x86_64-unknown-linux-gnu", "EM_X86_64")
};

#[test]
fn cross_compiled_objects_are_for_the_target_and_need_no_host_runtime() {
    let dir = tempfile::tempdir().unwrap();
    // Enough functions for the module to be compiled in several parts and merged.
    let functions: String = (0..200)
        .map(|i| format!("(func (export \"f{i}\") (param i32) (result i32) local.get 0 i32.const {i} i32.mul i32.const 7 i32.add)\n"))
        .collect();
    let module = dir.path().join("many.wat");
    std::fs::write(&module, format!("(module {functions})")).unwrap();
    let (triple, machine) = OTHER_ARCH;
    let object = dir.path().join("many.o");
    let out = wasm2native()
        .env("WASM2NATIVE_JOBS", "2")
        .arg(&module)
        .args(["--target", triple, "--emit", "obj", "--no-runtime", "--no-header", "-o"])
        .arg(&object)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let bytes = std::fs::read(&object).unwrap();
    let expected: u16 = if machine == "EM_AARCH64" { 183 } else { 62 };
    assert_eq!(u16::from_le_bytes([bytes[18], bytes[19]]), expected, "e_machine of the object");

    // With the runtime, which exists for the host only: one error, before any work.
    let exe = dir.path().join("many");
    let out =
        wasm2native().arg(&module).args(["--target", triple, "-o"]).arg(&exe).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("--no-runtime"), "{}", stderr(&out));
    assert!(!exe.exists());
}

#[test]
fn text_format_error_is_one_line_with_its_position() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("broken.wat");
    std::fs::write(&input, "(module\n  (func (i32.add)\n").unwrap();
    let out = wasm2native().arg(&input).arg("-o").arg(dir.path().join("x")).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err:?}");
    assert!(err.contains("text format error: line 3, column 1"), "{err:?}");
}

#[test]
fn input_that_is_neither_binary_nor_text_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let elf = std::fs::read(env!("CARGO_BIN_EXE_wasm2native")).unwrap();
    let cases: &[(&str, &[u8], &str)] = &[
        ("empty.wasm", b"", "the file is empty"),
        ("cut.wasm", b"\0as", "3 bytes, cut short inside the binary magic"),
        (
            "program.wasm",
            &elf[..64],
            "it starts with 7f 45 4c 46 02 01 01 00, neither the binary magic",
        ),
        (
            "page.wat",
            b"<!DOCTYPE html><html></html>",
            "it starts with \"<!DOCTYPE html><\", neither",
        ),
    ];
    for (name, bytes, message) in cases {
        let input = dir.path().join(name);
        std::fs::write(&input, bytes).unwrap();
        let output = dir.path().join("out");
        let out = wasm2native().arg(&input).arg("-o").arg(&output).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{name}");
        let err = stderr(&out);
        assert_eq!(err.lines().count(), 1, "{name}: {err:?}");
        assert!(
            err.contains(&format!("{name}: not a WebAssembly module: {message}")),
            "{name}: {err:?}"
        );
        assert!(!output.exists(), "{name} left an output");
    }
    // Text that opens with comments and white space is still text.
    let commented = dir.path().join("commented.wasm");
    std::fs::write(&commented, ";; a module\n(; block (; nested ;) ;)\n  (module)").unwrap();
    let out = wasm2native()
        .arg(&commented)
        .args(["--emit", "obj", "-o"])
        .arg(dir.path().join("c.o"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn the_loop_passes_report_what_they_did_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("sum.o");
    let loop_module = repo("tests/golden/versioned_loop.wat");
    let out = wasm2native()
        .arg(&loop_module)
        .args(["--emit", "obj", "-o"])
        .arg(&output)
        .env("WASM2NATIVE_PASS_DEBUG", "1")
        .env("WASM2NATIVE_PASS_STATISTICS", "1")
        .env("WASM2NATIVE_JOBS", "1")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("w2n-loop-versioning: loop: versioned, 1 of 1 checks"), "{err}");
    assert!(err.contains("       1 w2n-loop-versioning - Loops versioned on their bounds checks"));
    // Without the variables, a compile says nothing.
    let out = wasm2native().arg(&loop_module).args(["--emit", "obj", "-o"]).arg(&output).output();
    assert_eq!(stderr(&out.unwrap()), "");
}

/// Prints its arguments, its environment, then the text of each file named by an absolute path
/// among its arguments, and creates each file named by an absolute path after a `+`.
const GRANTS_PROGRAM: &str = r#"
#include <errno.h>
#include <stdio.h>
#include <string.h>
extern char **environ;
int main(int argc, char **argv) {
    for (int i = 0; i < argc; i++)
        printf("arg %s\n", argv[i]);
    for (char **entry = environ; *entry; entry++)
        printf("env %s\n", *entry);
    for (int i = 1; i < argc; i++) {
        if (argv[i][0] == '+') {
            FILE *file = fopen(argv[i] + 1, "w");
            printf(file ? "created %s\n" : "cannot create %s: %s\n", argv[i] + 1, strerror(errno));
            if (file)
                fclose(file);
            continue;
        }
        if (argv[i][0] != '/')
            continue;
        FILE *file = fopen(argv[i], "r");
        if (!file) {
            printf("cannot open %s\n", argv[i]);
            continue;
        }
        char text[256];
        text[fread(text, 1, sizeof text - 1, file)] = '\0';
        printf("file %s\n", text);
        fclose(file);
    }
    return 0;
}
"#;

const EXIT_7: &str = r#"(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start") (call $exit (i32.const 7))))"#;

const ADD: &str = r#"(module (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))"#;

/// `GRANTS_PROGRAM` compiled to wasm in `dir`, beside a directory `data` holding note.txt.
fn grants_program(dir: &Path) -> PathBuf {
    let source = dir.join("grants.c");
    let wasm = dir.join("grants.wasm");
    std::fs::write(&source, GRANTS_PROGRAM).unwrap();
    let out = Command::new("clang-19")
        .args(["--target=wasm32-wasi", "--sysroot=/usr", "-O2", "-o"])
        .arg(&wasm)
        .arg(&source)
        .output()
        .expect("run clang-19");
    assert!(out.status.success(), "clang-19: {}", stderr(&out));
    std::fs::create_dir(dir.join("data")).unwrap();
    std::fs::write(dir.join("data/note.txt"), "it's granted").unwrap();
    wasm
}

/// `wasm2native run` with its cache in `cache`, working in `dir`.
fn run_in(dir: &Path, cache: &Path) -> Command {
    let mut command = wasm2native();
    command
        .current_dir(dir)
        .env("WASM2NATIVE_CACHE_DIR", cache)
        .env_remove("WASM2NATIVE_OPTIONS")
        .arg("run");
    command
}

#[test]
fn compile_time_grants_are_baked_in_and_the_variable_replaces_them() {
    let dir = tempfile::tempdir().unwrap();
    let wasm = grants_program(dir.path());
    let exe = dir.path().join("grants");
    // A relative HOST, and a value needing quotes, both as given.
    let out = wasm2native()
        .current_dir(dir.path())
        .arg(&wasm)
        .args([
            "-o",
            "grants",
            "--dir",
            "data::/data",
            "--env",
            "QUOTED=it's \"so\" $HOME",
            "--env",
            "A=1",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let run = |options: Option<&str>| {
        let mut command = Command::new(&exe);
        command.current_dir(dir.path()).env_remove("WASM2NATIVE_OPTIONS").arg("/data/note.txt");
        if let Some(options) = options {
            command.env("WASM2NATIVE_OPTIONS", options);
        }
        let out = command.output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        stdout(&out)
    };
    let exe_name = exe.to_string_lossy();
    assert_eq!(
        run(None),
        format!("arg {exe_name}\narg /data/note.txt\nenv QUOTED=it's \"so\" $HOME\nenv A=1\nfile it's granted\n")
    );
    assert_eq!(
        run(Some("--env B=2")),
        format!("arg {exe_name}\narg /data/note.txt\nenv B=2\ncannot open /data/note.txt\n")
    );
}

#[test]
fn read_only_grants_are_baked_in_and_parsed_at_run_time() {
    let dir = tempfile::tempdir().unwrap();
    let wasm = grants_program(dir.path());
    let out = wasm2native()
        .current_dir(dir.path())
        .arg(&wasm)
        .args(["-o", "grants", "--dir", "data::/data:readonly"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let run = |options: Option<&str>| {
        let mut command = Command::new(dir.path().join("grants"));
        command.current_dir(dir.path()).env_remove("WASM2NATIVE_OPTIONS");
        if let Some(options) = options {
            command.env("WASM2NATIVE_OPTIONS", options);
        }
        command.args(["/data/note.txt", "+/data/new.txt"]).output().unwrap()
    };
    let out = run(None);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out)
        .ends_with("file it's granted\ncannot create /data/new.txt: Operation not permitted\n"));
    assert!(!dir.path().join("data/new.txt").exists());
    let out = run(Some("--dir data::/data"));
    assert!(
        stdout(&out).ends_with("file it's granted\ncreated /data/new.txt\n"),
        "{}",
        stdout(&out)
    );
    assert!(dir.path().join("data/new.txt").exists());
    let out = run(Some("--dir ::/data:readonly"));
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "wasm2native: WASM2NATIVE_OPTIONS: --dir '::/data:readonly' names no host directory\n"
    );
}

#[test]
fn run_passes_arguments_grants_and_exit_status() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let wasm = grants_program(dir.path());
    let out = run_in(dir.path(), &cache)
        .env("WASM2NATIVE_OPTIONS", "--env LEAKED=1")
        .args(["--dir", "data::/data", "--env", "A=1"])
        .arg(&wasm)
        .args(["/data/note.txt", "--dir", "-x"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let wasm_name = wasm.to_string_lossy();
    assert_eq!(
        stdout(&out),
        format!(
            "arg {wasm_name}\narg /data/note.txt\narg --dir\narg -x\nenv A=1\nfile it's granted\n"
        )
    );

    std::fs::write(dir.path().join("exit7.wat"), EXIT_7).unwrap();
    let out = run_in(dir.path(), &cache).arg("exit7.wat").output().unwrap();
    assert_eq!(out.status.code(), Some(7), "{}", stderr(&out));
    assert_eq!(stderr(&out), "");
}

#[test]
fn run_invoke_prints_the_results() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("add.wat"), ADD).unwrap();
    let cache = dir.path().join("cache");
    for extra in [&[][..], &["--no-cache"]] {
        let out = run_in(dir.path(), &cache)
            .args(extra)
            .args(["--invoke", "add", "add.wat", "2", "3"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert_eq!(stdout(&out), "5\n");
    }
}

#[test]
fn second_run_reuses_the_cached_executable() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("exit7.wat"), EXIT_7).unwrap();
    let cache = dir.path().join("cache");
    let entries = || -> Vec<PathBuf> {
        let mut paths: Vec<PathBuf> =
            std::fs::read_dir(&cache).unwrap().map(|e| e.unwrap().path()).collect();
        paths.sort();
        paths
    };
    let run = |extra: &[&str]| {
        run_in(dir.path(), &cache).args(extra).arg("exit7.wat").status().unwrap().code()
    };
    assert_eq!(run(&[]), Some(7));
    let first = entries();
    assert_eq!(first.len(), 1, "{first:?}");
    let modified = || std::fs::metadata(&first[0]).unwrap().modified().unwrap();
    let compiled_at = modified();
    assert_eq!(run(&[]), Some(7));
    assert_eq!(entries(), first);
    assert_eq!(modified(), compiled_at, "the second run compiled again");
    assert_eq!(run(&["--no-cache"]), Some(7));
    assert_eq!(entries(), first, "--no-cache wrote to the cache");
    assert_eq!(run(&["-O0"]), Some(7));
    assert_eq!(entries().len(), 2, "another -O shared the entry");
    assert_eq!(run(&["--bounds-checks=guard"]), Some(7));
    assert_eq!(entries().len(), 3, "guard-mode code shared an entry");
    assert_eq!(run(&["--relaxed-simd=deterministic"]), Some(7));
    assert_eq!(entries().len(), 4, "deterministic relaxed SIMD shared an entry");
}

/// Truncates its parameter with `i32x4.relaxed_trunc_f32x4_s`: for NaN, x86's instruction gives
/// 0x80000000, the deterministic form (a saturating truncation) 0.
const RELAXED_TRUNC: &str = r#"(module
  (func (export "trunc") (param f32) (result i32)
    (i32x4.extract_lane 0 (i32x4.relaxed_trunc_f32x4_s (f32x4.splat (local.get 0)))))
  (func (export "_start")))"#;

#[test]
fn relaxed_simd_mode_picks_the_results_and_is_in_the_build_record() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("trunc.wat"), RELAXED_TRUNC).unwrap();
    let cache = dir.path().join("cache");
    let native_nan = if cfg!(target_arch = "x86_64") { "-2147483648\n" } else { "0\n" };
    // Native first, so that a cache entry shared by both modes would show as a wrong result.
    for (mode, nan) in [("native", native_nan), ("deterministic", "0\n")] {
        let out = run_in(dir.path(), &cache)
            .args(["--relaxed-simd", mode, "--invoke", "trunc", "trunc.wat", "nan"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert_eq!(stdout(&out), nan, "--relaxed-simd {mode}");

        let object = dir.path().join(format!("{mode}.o"));
        let out = wasm2native()
            .arg(dir.path().join("trunc.wat"))
            .args(["--relaxed-simd", mode, "--emit", "obj", "--no-runtime", "--no-header", "-o"])
            .arg(&object)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        let out = wasm2native().arg("inspect").arg(&object).output().unwrap();
        let line = format!("\nrelaxed-simd: {mode}\n");
        assert!(stdout(&out).contains(&line), "{}", stdout(&out));
    }
}

/// Loads and stores at the address given, some with a static offset near 2^32: within the guard
/// (`_far`), and past it (`_past_guard`, which keeps its explicit check).
const ACCESSES: &str = r#"(module
  (memory 1)
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "store") (param i32) (i32.store (local.get 0) (i32.const 7)))
  (func (export "load_far") (param i32) (result i32) (i32.load offset=0xfffffff0 (local.get 0)))
  (func (export "store_far") (param i32) (i64.store offset=0xfffffff8 (local.get 0) (i64.const 1)))
  (func (export "load_past_guard") (param i32) (result i32) (i32.load offset=0xfffffffe (local.get 0)))
  (func (export "_start")))"#;

#[test]
fn guard_mode_executable_traps_out_of_bounds_accesses() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("accesses.wat");
    std::fs::write(&source, ACCESSES).unwrap();
    let exe = dir.path().join("accesses");
    compile_ok(&[
        source.as_os_str(),
        "--bounds-checks=guard".as_ref(),
        "-o".as_ref(),
        exe.as_os_str(),
    ]);
    let invoke = |export: &str, address: &str| {
        let options = format!("--invoke {export}");
        Command::new(&exe).env("WASM2NATIVE_OPTIONS", options).arg(address).output().unwrap()
    };
    for (export, address, printed) in [("load", "65532", "0\n"), ("store", "65532", "")] {
        let out = invoke(export, address);
        assert_eq!(out.status.code(), Some(0), "{export} {address}: {}", stderr(&out));
        assert_eq!(stdout(&out), printed, "{export} {address}");
    }
    // A fault names the first byte that faulted; the access past the guard is checked.
    let out_of_bounds = [
        ("load", "65533", "fault at address 0x10000"),
        ("load", "-1", "fault at address 0xffffffff"),
        ("store", "65536", "fault at address 0x10000"),
        ("store", "-4", "fault at address 0xfffffffc"),
        ("load_far", "0", "fault at address 0xfffffff0"),
        ("load_far", "-1", "fault at address 0x1ffffffef"),
        ("store_far", "0", "fault at address 0xfffffff8"),
        ("store_far", "-1", "fault at address 0x1fffffff7"),
        ("load_past_guard", "0", "4 bytes at address 0xfffffffe"),
    ];
    for (export, address, access) in out_of_bounds {
        let out = invoke(export, address);
        assert_eq!(out.status.code(), Some(134), "{export} {address}: {}", stderr(&out));
        let reported = stderr(&out);
        let expected = format!(
            "wasm trap: out of bounds memory access ({access}, memory 0 of 0x10000 bytes)\nwasm \
             backtrace:\n   0: wasm_func_"
        );
        assert!(reported.starts_with(&expected), "{export} {address}: {reported}");
    }
    let out = wasm2native().arg("inspect").arg(&exe).output().unwrap();
    assert!(stdout(&out).contains("\nbounds-checks: guard\n"), "{}", stdout(&out));
}

#[test]
fn unusable_cache_falls_back_with_one_warning() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("exit7.wat"), EXIT_7).unwrap();
    // A file where the cache directory should be.
    let cache = dir.path().join("not-a-directory");
    std::fs::write(&cache, "").unwrap();
    let out = run_in(dir.path(), &cache.join("cache")).arg("exit7.wat").output().unwrap();
    assert_eq!(out.status.code(), Some(7));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err:?}");
    assert!(err.starts_with("wasm2native: warning: cannot use the cache"), "{err:?}");
}

#[test]
fn bad_grants_are_one_line_errors() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("exit7.wat"), EXIT_7).unwrap();
    let output = dir.path().join("out");
    let cases: &[(&[&str], &str)] = &[
        (&["--env", "NOEQUALS"], "--env NOEQUALS: expected NAME=VALUE"),
        (&["--env", "=value"], "--env =value: expected NAME=VALUE"),
        (&["--dir", "/nonexistent"], "--dir /nonexistent: no such directory"),
        (&["--dir", "/nonexistent::/data"], "--dir /nonexistent: no such directory"),
        (&["--dir", "::/data"], "--dir ::/data: names no host directory"),
        (&["--dir", ":readonly"], "--dir :readonly: names no host directory"),
        (&["--dir", "::/data:readonly"], "--dir ::/data:readonly: names no host directory"),
        (&["--dir", "/nonexistent::/data:readonly"], "--dir /nonexistent: no such directory"),
        (&["--dir", ".", "--emit", "obj"], "only apply to executables (--emit exe)"),
    ];
    for (flags, message) in cases {
        let out = wasm2native()
            .current_dir(dir.path())
            .arg("exit7.wat")
            .args(*flags)
            .arg("-o")
            .arg(&output)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{flags:?}");
        let err = stderr(&out);
        assert_eq!(err.lines().count(), 1, "{flags:?}: {err:?}");
        assert!(
            err.starts_with("wasm2native: error: ") && err.contains(message),
            "{flags:?}: {err:?}"
        );
        assert!(!output.exists(), "{flags:?} left an output");
    }
    let out = run_in(dir.path(), &dir.path().join("cache"))
        .args(["--env", "NOEQUALS", "exit7.wat"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "wasm2native: error: --env NOEQUALS: expected NAME=VALUE with a non-empty NAME\n"
    );
    assert!(!dir.path().join("cache").exists(), "a rejected run touched the cache");
}

#[test]
fn a_module_named_run_compiles_when_written_dot_slash_run() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("run"), EXIT_7).unwrap();
    let out =
        wasm2native().current_dir(dir.path()).args(["./run", "-o", "exit7"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(Command::new(dir.path().join("exit7")).status().unwrap().code(), Some(7));
}
