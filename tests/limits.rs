//! Modules at the edges of size: deep nesting, many locals, large tables and data segments, many
//! functions, and one past the function limit. Each must compile (and give the right answer) or
//! be refused with one clear error, never crash the compiler, and stay within the memory the
//! docs/limits.md states for it (the compiler's peak resident set, from the kernel).

use std::path::{Path, PathBuf};

mod common;

/// Runs wasm2native with `args`, returning (exit code, stdout, stderr, peak RSS in MiB).
fn wasm2native(args: &[&std::ffi::OsStr]) -> (i32, String, String, u64) {
    let dir = tempfile::tempdir().unwrap();
    let (stdout_path, stderr_path) = (dir.path().join("out"), dir.path().join("err"));
    let child = common::wasm2native()
        .args(args)
        .env("WASM2NATIVE_CACHE_DIR", dir.path().join("cache"))
        .stdout(std::fs::File::create(&stdout_path).unwrap())
        .stderr(std::fs::File::create(&stderr_path).unwrap())
        .spawn()
        .unwrap();
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value for wait4 to fill in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // wait4 rather than Child::wait: it reports this child's own peak RSS. The child is reaped
    // here, so `child` must not be waited for again.
    let pid = child.id() as libc::pid_t;
    // SAFETY: `status` and `usage` are valid for writes; `pid` is our unreaped child.
    let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(reaped, pid, "wait4 failed");
    std::mem::forget(child);
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        128 + libc::WTERMSIG(status)
    };
    let read = |path: &Path| std::fs::read_to_string(path).unwrap_or_default();
    let peak_mib = usage.ru_maxrss as u64 / 1024;
    eprintln!("wasm2native {:?}: peak RSS {peak_mib} MiB", args.last().unwrap_or(&"".as_ref()));
    (code, read(&stdout_path), read(&stderr_path), peak_mib)
}

/// Writes `text` as `name` in `dir`.
fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// Compiles and runs `module` calling export `f` (`run --invoke f`), and checks its printed
/// result and that the compiler's peak RSS (the program's included) stays below `max_mib`.
fn assert_f_returns(module: &Path, expected: &str, max_mib: u64) {
    let (code, stdout, stderr, rss) = wasm2native(&[
        "run".as_ref(),
        "--no-cache".as_ref(),
        "--invoke".as_ref(),
        "f".as_ref(),
        module.as_os_str(),
    ]);
    assert_eq!(code, 0, "{}", stderr);
    assert_eq!(stdout.trim(), expected);
    assert!(rss < max_mib, "peak RSS {rss} MiB");
}

#[test]
fn ten_thousand_nested_blocks_compile_and_run() {
    let dir = tempfile::tempdir().unwrap();
    let depth = 10_000;
    let module = write(
        dir.path(),
        "nested.wat",
        &format!(
            "(module (func (export \"f\") (result i32) (local i32) {}i32.const 7 local.set 0 br {} {}local.get 0))",
            "block ".repeat(depth),
            depth / 2,
            "end ".repeat(depth)
        ),
    );
    assert_f_returns(&module, "7", 512);
}

#[test]
fn fifty_thousand_locals_compile_and_run() {
    let dir = tempfile::tempdir().unwrap();
    let sets: String =
        (0..50_000).step_by(97).map(|i| format!("i32.const {i} local.set {i} ")).collect();
    let module = write(
        dir.path(),
        "locals.wat",
        &format!(
            "(module (func (export \"f\") (result i32) (local {}) {sets} local.get 49955))",
            "i32 ".repeat(50_000)
        ),
    );
    assert_f_returns(&module, "49955", 512);
}

#[test]
fn a_table_of_five_million_entries_is_instantiated() {
    let dir = tempfile::tempdir().unwrap();
    let module = write(
        dir.path(),
        "table.wat",
        "(module (table 5000000 funcref) (func $g (result i32) i32.const 3) (elem (i32.const 4999999) $g)
           (type $t (func (result i32)))
           (func (export \"f\") (result i32) (call_indirect (type $t) (i32.const 4999999))))",
    );
    assert_f_returns(&module, "3", 512);
}

#[test]
fn a_sixty_four_mib_data_segment_lands_in_memory() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = 64usize << 20;
    let mut text = String::with_capacity(bytes + 200);
    text.push_str("(module (memory 1025) (data (i32.const 65536) \"");
    text.push_str(&"a".repeat(bytes - 1));
    text.push_str("b\") (func (export \"f\") (result i32) i32.const 67174399 i32.load8_u))");
    let module = write(dir.path(), "data.wat", &text);
    // The segment is in the text, the binary, the object and the executable at once.
    assert_f_returns(&module, &u32::from(b'b').to_string(), 1024);
}

#[test]
fn a_hundred_thousand_functions_compile() {
    let dir = tempfile::tempdir().unwrap();
    let count = 100_000;
    let mut text = String::from("(module\n");
    for i in 0..count {
        text.push_str(&format!(
            "(func $f{i} (param i32) (result i32) local.get 0 i32.const {i} i32.add)\n"
        ));
    }
    text.push_str(&format!("(func (export \"f\") (result i32) i32.const 1 call $f{}))", count - 1));
    let module = write(dir.path(), "many.wat", &text);
    let object = dir.path().join("many.o");
    let (code, _, stderr, rss) = wasm2native(&[
        "-O0".as_ref(),
        "--emit".as_ref(),
        "obj".as_ref(),
        "--no-header".as_ref(),
        module.as_os_str(),
        "-o".as_ref(),
        object.as_os_str(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(object.metadata().unwrap().len() > 0);
    // About 6 KiB per function at -O0 (docs/limits.md).
    assert!(rss < 1024, "peak RSS {rss} MiB");
}

/// The LEB128 encoding of `value`.
fn leb128(mut value: u32) -> Vec<u8> {
    let mut bytes = Vec::new();
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            bytes.push(byte);
            return bytes;
        }
        bytes.push(byte | 0x80);
    }
}

#[test]
fn more_than_a_million_functions_is_one_error_with_its_offset() {
    let dir = tempfile::tempdir().unwrap();
    // One type, () -> (), and a function section that declares 1,000,001 functions: refused
    // from the count, before any entry is read.
    let mut binary = b"\0asm\x01\0\0\0".to_vec();
    binary.extend([1, 4, 1, 0x60, 0, 0]);
    let count = leb128(1_000_001);
    binary.push(3);
    binary.extend(leb128(count.len() as u32));
    binary.extend(count);
    let module = dir.path().join("toomany.wasm");
    std::fs::write(&module, &binary).unwrap();
    let output = dir.path().join("toomany.o");
    let (code, _, stderr, _) = wasm2native(&[
        "--emit".as_ref(),
        "obj".as_ref(),
        module.as_os_str(),
        "-o".as_ref(),
        output.as_os_str(),
    ]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("exceeds limit") && stderr.contains("byte offset 0x"), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(!output.exists());
}

/// A failed start frees the instance when nothing outside can hold one of its functions (the
/// module imports nothing): 20,000 instances whose data segment lands out of bounds, each with
/// a guarded memory of 8 GiB of address space, would otherwise exhaust the 128 TiB a process
/// has, and the last ones would fail to reserve their memory instead of trapping.
#[test]
fn failed_instantiations_release_their_memory() {
    use wasm2native::runtime::{Instance, InstantiationError, LoadedModule};
    use wasm2native::{compile, link, BoundsChecks, Emit, OptLevel, Options};
    let dir = tempfile::tempdir().unwrap();
    let text = r#"(module (memory 1 1) (func (export "f") (result i32) i32.const 7) (data (i32.const 65535) "ab"))"#;
    let options = Options {
        opt_level: OptLevel::O0,
        bounds_checks: BoundsChecks::Guard,
        ..Options::default()
    };
    let object = compile(text.as_bytes(), &options, Emit::Object).unwrap();
    let path = dir.path().join("failing.so");
    link::link_shared_module(&object, &path).unwrap();
    let module = LoadedModule::load(&path).unwrap();
    for attempt in 0..20_000 {
        match Instance::instantiate(&module, &mut |_, _, _| None) {
            Err(InstantiationError::Trap(trap)) => {
                assert_eq!(trap.message, "out of bounds memory access", "attempt {attempt}")
            }
            Err(other) => panic!("attempt {attempt}: {other}"),
            Ok(_) => panic!("attempt {attempt}: the data segment did not trap"),
        }
    }
}
