//! What a compiled program shows a debugger or profiler: native symbols named after the
//! module's name section, and the backtrace a trap prints (function names and Wasm offsets,
//! through inlined calls, in both bounds modes and at every opt level), with the access of an
//! out-of-bounds one; and the same record through a library's C API.

use std::path::{Path, PathBuf};
use std::process::Command;

mod common;
use common::{nm, stderr, stdout, wasm2native};

/// Four functions the name section names, the fifth unnamed. `copy` moves a run of bytes whose
/// length is known only at run time, which the backend lowers to a call of the C library's
/// `memmove`: the module's own function of that name must not be what it calls.
const MODULE: &str = r#"(module
  (memory 1)
  (data (i32.const 100) "wasm2native")
  (func (param i32) (result i32) i32.const -1)
  (func (result i32) i32.const 1)
  (func (result i32) i32.const 2)
  (func (result i32) i32.const 3)
  (func (export "copy") (param $len i32) (result i32)
    (memory.copy (i32.const 1000) (i32.const 100) (local.get $len))
    (i32.load8_u (i32.const 1004))))"#;

const NAMES: &[(u32, &str)] =
    &[(0, "memmove"), (1, "twice"), (2, "twice"), (3, "_ZN4core3fmt5write17h0123456789abcdefE")];

/// A name section (function names only) in its binary form.
fn name_section(names: &[(u32, &str)]) -> Vec<u8> {
    fn leb(out: &mut Vec<u8>, mut value: usize) {
        loop {
            let byte = (value & 0x7f) as u8;
            value >>= 7;
            out.push(if value == 0 { byte } else { byte | 0x80 });
            if value == 0 {
                break;
            }
        }
    }
    let mut map = Vec::new();
    leb(&mut map, names.len());
    for (index, name) in names {
        leb(&mut map, *index as usize);
        leb(&mut map, name.len());
        map.extend_from_slice(name.as_bytes());
    }
    let mut content = Vec::new();
    leb(&mut content, 4);
    content.extend_from_slice(b"name");
    content.push(1);
    leb(&mut content, map.len());
    content.extend_from_slice(&map);
    let mut section = vec![0];
    leb(&mut section, content.len());
    section.extend_from_slice(&content);
    section
}

fn write_module(dir: &Path) -> std::path::PathBuf {
    let mut wasm = wasm2native::frontend::to_binary(MODULE.as_bytes()).unwrap().into_owned();
    wasm.extend_from_slice(&name_section(NAMES));
    let path = dir.join("named.wasm");
    std::fs::write(&path, wasm).unwrap();
    path
}

/// The local function symbols (`nm` type `t`) of `file`.
fn local_functions(file: &Path) -> Vec<String> {
    nm(&[], file)
        .lines()
        .filter_map(|line| {
            let mut fields = line.splitn(3, ' ');
            let (_, kind, name) = (fields.next()?, fields.next()?, fields.next()?);
            (kind == "t").then(|| name.to_string())
        })
        .collect()
}

#[test]
fn executables_name_functions_after_the_name_section() {
    let dir = tempfile::tempdir().unwrap();
    let wasm = write_module(dir.path());
    for jobs in ["1", "4"] {
        let exe = dir.path().join(format!("named-{jobs}"));
        let out = wasm2native()
            .env("WASM2NATIVE_JOBS", jobs)
            .arg(&wasm)
            .arg("-o")
            .arg(&exe)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        let symbols = local_functions(&exe);
        for expected in ["wasm.memmove", "wasm.twice", "wasm.twice.2", "wasm.core::fmt::write"] {
            assert!(
                symbols.iter().any(|s| s == expected),
                "jobs {jobs}: no {expected} in {symbols:?}"
            );
        }
        assert!(symbols.iter().any(|s| s == "wasm_func_4"), "jobs {jobs}: {symbols:?}");
    }
}

#[test]
fn the_c_library_call_of_a_copy_is_not_the_module_function_of_its_name() {
    let dir = tempfile::tempdir().unwrap();
    write_module(dir.path());
    let out = wasm2native()
        .current_dir(dir.path())
        .env_remove("WASM2NATIVE_OPTIONS")
        .args(["run", "--no-cache", "--invoke", "copy", "named.wasm", "4000"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), format!("{}\n", u32::from(b'2')));
}

#[test]
fn libraries_keep_the_names_local_and_prefixed() {
    let dir = tempfile::tempdir().unwrap();
    let wasm = write_module(dir.path());
    let library = dir.path().join("libnamed.a");
    let out = wasm2native()
        .arg(&wasm)
        .args(["--emit", "staticlib", "--prefix", "named", "-o"])
        .arg(&library)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let symbols = local_functions(&library);
    assert!(symbols.iter().any(|s| s == "named_wasm.memmove"), "{symbols:?}");
    let exported = nm(&["--defined-only", "--extern-only"], &library);
    assert!(!exported.contains("wasm."), "a named function is global:\n{exported}");
}

/// Compiles tests/debug/traps.wat with `flags` into `dir`.
fn compile_traps(dir: &Path, flags: &[&str]) -> PathBuf {
    let exe = dir.join(format!("traps{}", flags.join("")));
    let source = common::repo("tests/debug/traps.wat");
    let out = wasm2native().arg(&source).args(flags).arg("-o").arg(&exe).output().unwrap();
    assert!(out.status.success(), "{flags:?}: {}", stderr(&out));
    exe
}

/// Runs `trap KIND X` in `exe`: its stderr, after checking the trap's exit status.
fn trap_output(exe: &Path, kind: &str, x: &str, backtrace: Option<&str>) -> String {
    let mut command = Command::new(exe);
    command.env("WASM2NATIVE_OPTIONS", "--invoke trap").args([kind, x]);
    match backtrace {
        Some(value) => command.env("WASM2NATIVE_BACKTRACE", value),
        None => command.env_remove("WASM2NATIVE_BACKTRACE"),
    };
    let out = command.output().unwrap();
    assert_eq!(out.status.code(), Some(134), "trap {kind} {x}: {}", stderr(&out));
    stderr(&out)
}

/// The trap message and the frames below it: the trapping function, `middle` at its call, and
/// the export `run` at its call of `middle`.
fn expected_trap(message: &str, function: &str, offset: u32, middle_call: u32) -> String {
    format!(
        "wasm trap: {message}\nwasm backtrace:\n   0: {function} (traps.wat offset {offset:#x})\n   \
         1: middle (traps.wat offset {middle_call:#x})\n   2: run (traps.wat offset 0xc7)\n"
    )
}

#[test]
fn traps_print_a_backtrace_of_names_and_wasm_offsets() {
    let dir = tempfile::tempdir().unwrap();
    for flags in [&["-O2"][..], &["-O0"], &["-O2", "--bounds-checks=guard"]] {
        let exe = compile_traps(dir.path(), flags);
        let out_of_bounds = match flags.contains(&"--bounds-checks=guard") {
            false => {
                "out of bounds memory access (4 bytes at address 0xffffffff, memory 0 of \
                      0x10000 bytes)"
            }
            true => {
                "out of bounds memory access (fault at address 0xffffffff, memory 0 of \
                     0x10000 bytes)"
            }
        };
        let cases = [
            ("0", "-1", out_of_bounds, "load", 0x57, 0xa2),
            ("1", "0", "integer divide by zero", "divide", 0x62, 0xa8),
            ("2", "0", "unreachable", "fail", 0x66, 0xae),
            ("4", "0", "indirect call type mismatch", "wrong_type", 0x83, 0xba),
        ];
        for (kind, x, message, function, offset, middle_call) in cases {
            assert_eq!(
                trap_output(&exe, kind, x, None),
                expected_trap(message, function, offset, middle_call),
                "{flags:?}, trap {kind}"
            );
        }

        // Runaway recursion: the innermost frames, then a note that the rest are left out.
        let exhausted = trap_output(&exe, "3", "0", None);
        let lines: Vec<&str> = exhausted.lines().collect();
        assert_eq!(
            lines[..4],
            [
                "wasm trap: call stack exhausted",
                "wasm backtrace:",
                "   0: recurse (traps.wat offset 0x69)",
                "   1: recurse (traps.wat offset 0x6f)",
            ],
            "{flags:?}: {exhausted}"
        );
        assert!(exhausted.ends_with(" native ones left out)\n"), "{flags:?}: {exhausted}");

        // The variable turns it off, or shows the runtime's frames too.
        assert_eq!(trap_output(&exe, "2", "0", Some("off")), "wasm trap: unreachable\n");
        let full = trap_output(&exe, "2", "0", Some("full"));
        assert!(full.contains("\nbacktrace:\n"), "{flags:?}: {full}");
        assert!(full.contains(": w2n_trap ["), "{flags:?}: {full}");
        assert!(full.contains(": fail (traps.wat offset 0x66)\n"), "{flags:?}: {full}");
    }
}

#[test]
fn a_c_program_s_inlined_calls_each_get_a_frame() {
    let dir = tempfile::tempdir().unwrap();
    let wasm = dir.path().join("crash.wasm");
    let out = Command::new("clang-19")
        .args(["--target=wasm32-wasi", "--sysroot=/usr", "-O2", "-o"])
        .arg(&wasm)
        .arg(common::repo("tests/debug/crash.c"))
        .output()
        .unwrap();
    assert!(out.status.success(), "clang-19: {}", stderr(&out));
    for flags in [&["-O2"][..], &["-O2", "--bounds-checks=guard"]] {
        let exe = dir.path().join("crash");
        let out = wasm2native().arg(&wasm).args(flags).arg("-o").arg(&exe).output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        let out = Command::new(&exe).env_remove("WASM2NATIVE_BACKTRACE").output().unwrap();
        assert_eq!(out.status.code(), Some(134));
        let printed = stderr(&out);
        let functions: Vec<&str> =
            printed.lines().skip(2).filter_map(|line| line.split_whitespace().nth(1)).collect();
        assert_eq!(functions[..4], ["deep", "middle", "outer", "main"], "{flags:?}: {printed}");
        assert!(printed.starts_with("wasm trap: out of bounds memory access ("), "{printed}");
        assert!(printed.contains(" bytes)\nwasm backtrace:\n"), "{printed}");
        // The program has no DWARF; the C library's start code has (Debian's wasi-libc is
        // built with -g), and gets its source lines (tests/source_debug.rs).
        assert!(printed.lines().skip(2).take(4).all(|line| line.contains("(crash.wasm offset 0x")));
        // Some of the calls really were inlined.
        let info = Command::new("llvm-dwarfdump-19").arg("--debug-info").arg(&exe).output();
        let info = stdout(&info.unwrap());
        assert!(info.contains("DW_TAG_inlined_subroutine"), "{flags:?}: nothing inlined");
    }
}

#[test]
fn strip_debug_leaves_out_the_line_tables_and_keeps_the_names() {
    let dir = tempfile::tempdir().unwrap();
    let exe = compile_traps(dir.path(), &["--strip-debug"]);
    let sections = Command::new("readelf").arg("-S").arg(&exe).output().unwrap();
    assert!(!stdout(&sections).contains(".debug_line"), "{}", stdout(&sections));
    // Without line tables, only the functions compiled out of line are named, and no offset.
    let printed = trap_output(&exe, "2", "0", None);
    assert!(printed.starts_with("wasm trap: unreachable\nwasm backtrace:\n   0: "), "{printed}");
    assert!(!printed.contains("offset"), "{printed}");
    let with_lines = compile_traps(dir.path(), &[]);
    let sections = Command::new("readelf").arg("-S").arg(&with_lines).output().unwrap();
    assert!(stdout(&sections).contains(".debug_line"), "{}", stdout(&sections));

    // The build record says which.
    for (file, expected) in [(&exe, "\ndebug-info: none\n"), (&with_lines, "\ndebug-info: line")] {
        let record = wasm2native().arg("inspect").arg(file).output().unwrap();
        assert!(stdout(&record).contains(expected), "{}", stdout(&record));
    }
}

#[test]
fn out_of_bounds_traps_name_the_access_and_the_memory() {
    let dir = tempfile::tempdir().unwrap();
    let source = common::repo("tests/debug/accesses.wat");
    for (mode, at) in [("explicit", "4 bytes at"), ("guard", "fault at")] {
        let exe = dir.path().join(format!("accesses-{mode}"));
        let out = wasm2native()
            .arg(&source)
            .arg(format!("--bounds-checks={mode}"))
            .arg("-o")
            .arg(&exe)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        // In explicit mode the three loads share one check, which names the farthest of them;
        // in guard mode the third load faults. Memory64 has explicit checks in both modes.
        let second = if mode == "guard" { "fault at" } else { "8 bytes at" };
        let cases = [
            ("fields", "0xfff4", format!("{at} address 0x10000, memory 0 of 0x10000 bytes")),
            ("second", "0x1fffc", format!("{second} address 0x20004, memory 1 of 0x20000 bytes")),
            (
                "wide",
                "-1",
                "8 bytes at address 0xffffffffffffffff, memory 2 of 0x10000 bytes".into(),
            ),
            ("wide", "0xfff0", "8 bytes at address 0x10000, memory 2 of 0x10000 bytes".into()),
        ];
        for (export, argument, access) in cases {
            let out = Command::new(&exe)
                .env("WASM2NATIVE_OPTIONS", format!("--invoke {export}"))
                .env("WASM2NATIVE_BACKTRACE", "off")
                .arg(argument)
                .output()
                .unwrap();
            assert_eq!(
                stderr(&out),
                format!("wasm trap: out of bounds memory access ({access})\n"),
                "{mode}: {export} {argument}"
            );
        }
        // Bulk memory operators keep the message alone.
        let out = Command::new(&exe)
            .env("WASM2NATIVE_OPTIONS", "--invoke fill")
            .env("WASM2NATIVE_BACKTRACE", "off")
            .arg("0xfff0")
            .output()
            .unwrap();
        assert_eq!(stderr(&out), "wasm trap: out of bounds memory access\n", "{mode}: fill");
    }
}

/// The frames below a trap of tests/debug/library_traps.wat, as trap_record.c prints them: the
/// trapping function at `offset`, `middle` at its call, and `run` at its call of `middle`.
fn expected_record(message: &str, function: &str, offset: u32, middle_call: u32) -> String {
    format!(
        "wasm trap: {message}\nwasm backtrace:\n   0: {function} (library_traps.wat offset \
         {offset:#x})\n   1: middle (library_traps.wat offset {middle_call:#x})\n   2: run \
         (library_traps.wat offset 0xd1)\n"
    )
}

#[test]
fn the_c_api_s_last_trap_record_carries_the_access_and_the_frames() {
    let dir = tempfile::tempdir().unwrap();
    let source = common::repo("tests/debug/library_traps.wat");
    for flags in [&["-O2"][..], &["-O0"], &["-O2", "--bounds-checks=guard"]] {
        let library = dir.path().join("libtraps.a");
        let out = wasm2native()
            .current_dir(dir.path())
            .arg(&source)
            .args(["--emit", "staticlib", "--prefix", "traps", "-o"])
            .arg(&library)
            .args(flags)
            .output()
            .unwrap();
        assert!(out.status.success(), "{flags:?}: {}", stderr(&out));
        let program = dir.path().join("trap_record");
        common::build_c_embedder("tests/debug/trap_record.c", dir.path(), &library, &program);
        let record = |args: &[&str], backtrace: Option<&str>| {
            let mut command = Command::new(&program);
            command.args(args);
            match backtrace {
                Some(value) => command.env("WASM2NATIVE_BACKTRACE", value),
                None => command.env_remove("WASM2NATIVE_BACKTRACE"),
            };
            let out = command.output().unwrap();
            assert!(out.status.success(), "{flags:?} {args:?}: {}", stderr(&out));
            stdout(&out)
        };

        let out_of_bounds = match flags.contains(&"--bounds-checks=guard") {
            false => {
                "out of bounds memory access (4 bytes at address 0xfffe, memory 0 of \
                      0x10000 bytes)"
            }
            true => {
                "out of bounds memory access (fault at address 0x10000, memory 0 of \
                     0x10000 bytes)"
            }
        };
        let cases = [
            ("0", "0xfffe", out_of_bounds, "load", 0x58, 0xa6),
            ("1", "0", "integer divide by zero", "divide", 0x63, 0xac),
            ("2", "0", "unreachable", "fail", 0x67, 0xb2),
            ("4", "0", "indirect call type mismatch", "wrong_type", 0x7a, 0xbe),
            // The import's own frames are C, not Wasm: the Wasm frames that called it follow.
            ("5", "1", "the host refused", "ask_host", 0x82, 0xc4),
        ];
        for (kind, x, message, function, offset, middle_call) in cases {
            assert_eq!(
                record(&[kind, x], None),
                expected_record(message, function, offset, middle_call),
                "{flags:?}, trap {kind}"
            );
        }

        // Stack exhaustion: the innermost frames, and the flag that the rest are left out.
        let exhausted = record(&["3", "0"], None);
        let lines: Vec<&str> = exhausted.lines().collect();
        assert_eq!(
            lines[..4],
            [
                "wasm trap: call stack exhausted",
                "wasm backtrace:",
                "   0: recurse (library_traps.wat offset 0x6a)",
                "   1: recurse (library_traps.wat offset 0x70)",
            ],
            "{flags:?}: {exhausted}"
        );
        assert!(exhausted.ends_with(" native ones left out)\n"), "{flags:?}: {exhausted}");

        // A call that returns gives no record; the next trap's frames are its own. The variable
        // turns them off here too.
        assert_eq!(
            record(&["5", "0", "2", "0"], None),
            format!("returned 1\n{}", expected_record("unreachable", "fail", 0x67, 0xb2)),
            "{flags:?}"
        );
        assert_eq!(record(&["2", "0"], Some("off")), "wasm trap: unreachable\n", "{flags:?}");
    }
}

#[test]
fn the_c_api_s_frames_carry_the_module_s_source_lines() {
    let dir = tempfile::tempdir().unwrap();
    let wasm = dir.path().join("source_library.wasm");
    let out = Command::new("clang-19")
        .args(["--target=wasm32-wasi", "--sysroot=/usr", "-g", "-O0", "-mexec-model=reactor"])
        .arg("-o")
        .arg(&wasm)
        .arg(common::repo("tests/debug/source_library.c"))
        .output()
        .unwrap();
    assert!(out.status.success(), "clang-19: {}", stderr(&out));
    let library = dir.path().join("libtraps.a");
    let out = wasm2native()
        .current_dir(dir.path())
        .arg(&wasm)
        .args(["--emit", "staticlib", "--prefix", "traps", "-O0", "-o"])
        .arg(&library)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let program = dir.path().join("trap_record");
    common::build_c_embedder("tests/debug/trap_record.c", dir.path(), &library, &program);
    let out = Command::new(&program)
        .args(["0", "4294967292"])
        .env_remove("WASM2NATIVE_BACKTRACE")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let printed = stdout(&out);
    let frames: Vec<&str> = printed.lines().skip(2).collect();
    assert_eq!(
        frames[..2],
        ["   0: load (source_library.c:8)", "   1: run (source_library.c:14)"],
        "{printed}"
    );
}
