//! The command line as users meet it: the bundled examples compiled and run, and bad input
//! answered with one clear error, a non-zero exit and no output file.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn wasm2native() -> Command {
    Command::new(env!("CARGO_BIN_EXE_wasm2native"))
}

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn compile_ok(args: &[&std::ffi::OsStr]) {
    let out = wasm2native().args(args).output().expect("run wasm2native");
    assert!(out.status.success(), "compile failed: {}", String::from_utf8_lossy(&out.stderr));
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
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

#[test]
fn every_emit_kind_writes_its_output() {
    let dir = tempfile::tempdir().unwrap();
    for (kind, needle) in [("obj", &b"\x7fELF"[..]), ("llvm-ir", b"define"), ("asm", b".text")] {
        let out_path = dir.path().join(format!("hello.{kind}"));
        compile_ok(&[repo("examples/hello.wat").as_os_str(), "--emit".as_ref(), kind.as_ref(), "-o".as_ref(), out_path.as_os_str()]);
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

#[test]
fn unreadable_input_and_bad_flags_fail_cleanly() {
    let out = wasm2native().arg("/nonexistent/module.wasm").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("cannot read /nonexistent/module.wasm"));

    let out = wasm2native().args([repo("examples/hello.wat").as_os_str(), "-O7".as_ref()]).output().unwrap();
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
