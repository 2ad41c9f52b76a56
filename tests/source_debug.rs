//! Native DWARF derived from a module's own (`clang -g`): gdb shows a C program's functions,
//! files, lines and local variables; traps name source lines; malformed module DWARF is
//! ignored. tests/debug.rs covers modules without DWARF.

use std::path::{Path, PathBuf};
use std::process::Command;

mod common;
use common::{stderr, stdout, wasm2native, Xorshift};

/// Compiles `tests/debug/NAME.c` with clang's `flags` to `dir/NAME.wasm`.
fn clang(dir: &Path, name: &str, flags: &[&str]) -> PathBuf {
    let wasm = dir.join(format!("{name}.wasm"));
    let out = Command::new("clang-19")
        .args(["--target=wasm32-wasi", "--sysroot=/usr"])
        .args(flags)
        .arg("-o")
        .arg(&wasm)
        .arg(common::repo(&format!("tests/debug/{name}.c")))
        .output()
        .unwrap();
    assert!(out.status.success(), "clang-19: {}", stderr(&out));
    wasm
}

/// Compiles `wasm` with `flags` to `exe`.
fn compile(wasm: &Path, flags: &[&str], exe: &Path) {
    let out = wasm2native().arg(wasm).args(flags).arg("-o").arg(exe).output().unwrap();
    assert!(out.status.success(), "{flags:?}: {}", stderr(&out));
}

/// The build record's `debug-info:` line of `file`.
fn debug_info_record(file: &Path) -> String {
    let out = wasm2native().arg("inspect").arg(file).output().unwrap();
    let record = stdout(&out);
    record.lines().find(|l| l.starts_with("debug-info: ")).unwrap_or_default().to_string()
}

/// Runs gdb in batch mode on `exe` with `commands`: what it printed.
fn gdb(exe: &Path, commands: &[&str]) -> String {
    let mut command = Command::new("gdb");
    command.args(["-batch", "-nx"]);
    for line in commands {
        command.args(["-ex", line]);
    }
    let out = command.arg(exe).env_remove("WASM2NATIVE_BACKTRACE").output().unwrap();
    format!("{}{}", stdout(&out), stderr(&out))
}

#[test]
fn gdb_shows_a_c_program_in_its_own_terms() {
    let dir = tempfile::tempdir().unwrap();
    let wasm = clang(dir.path(), "points", &["-g", "-O0"]);
    let exe = dir.path().join("points");
    compile(&wasm, &["-O0"], &exe);
    let shown = gdb(
        &exe,
        &[
            "break points.c:17",
            "break points.c:25",
            "run",
            "bt",
            "list 17,17",
            "info args",
            "info locals",
            "whatis points",
            "finish",
            "continue",
            "bt",
            "info locals",
            "print points[1]",
            "continue",
        ],
    );
    let expect = |text: &str| assert!(shown.contains(text), "no {text:?} in:\n{shown}");
    // Breakpoints by file and line, hit in the C function, with its arguments.
    expect("Breakpoint 1 at ");
    expect("file ");
    expect("points.c, line 17.");
    expect("Breakpoint 1, sum_points (points=0x");
    expect(", count=3) at ");
    // A backtrace in C terms: functions, files and lines.
    expect("#0  sum_points (points=0x");
    expect("points.c:17\n");
    expect(" in main () at ");
    expect("points.c:24\n");
    // The source.
    expect("17\t    return total; /* BREAK 1 */");
    // A pointer is a 4-byte Wasm address, named after its C type.
    expect("type = struct point *\n");
    let pointer = shown.split("sum_points (points=0x").nth(1).and_then(|s| s.split(',').next());
    assert!(pointer.is_some_and(|hex| hex.len() <= 8), "{pointer:?}:\n{shown}");
    // Locals and arguments, read from linear memory.
    expect("total = 47\n");
    expect("i = 3\n");
    expect("count = 3\n");
    // What the function returns.
    expect("Value returned is $1 = 47\n");
    // The second stop, in main, after the call.
    expect("Breakpoint 2, main () at ");
    expect("result = 47\n");
    expect("scale = 0.5\n");
    expect("$2 = {x = 3, y = 4}");
    expect("result 47\n");
    expect("exited normally");
}

#[test]
fn the_c_api_s_trap_frames_carry_source_lines() {
    let dir = tempfile::tempdir().unwrap();
    let wasm =
        clang(dir.path(), "inlined", &["-g", "-O2", "-mexec-model=reactor", "-Wl,--export=lookup"]);
    let library = dir.path().join("libinlined.a");
    compile(&wasm, &["--emit", "staticlib", "--prefix", "inlined"], &library);
    let program = dir.path().join("source_record");
    common::build_c_embedder("tests/debug/source_record.c", dir.path(), &library, &program);
    let out = Command::new(&program).env_remove("WASM2NATIVE_BACKTRACE").output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    // As an executable prints them: the inlined call's caller has its line without its file.
    assert_eq!(stdout(&out), "out of bounds memory access\nread_at inlined.c:6\nlookup ?:11\n",);
}

#[test]
fn traps_name_source_lines_and_inlined_calls() {
    let dir = tempfile::tempdir().unwrap();
    let wasm = clang(dir.path(), "inlined", &["-g", "-O2"]);
    for flags in [&["-O2"][..], &["-O0"], &["-O2", "--bounds-checks=guard"]] {
        let exe = dir.path().join("inlined");
        compile(&wasm, flags, &exe);
        let out = Command::new(&exe).env_remove("WASM2NATIVE_BACKTRACE").output().unwrap();
        assert_eq!(out.status.code(), Some(134));
        // `read_at` was inlined by clang: module DWARF's inlined call gives it its frame.
        let printed = stderr(&out);
        // A caller into which a call was inlined shows the line without the file; `main` is
        // one where wasm2native's optimiser inlined `lookup`.
        let frames: Vec<&str> = printed.lines().skip(2).take(3).collect();
        let main = match flags[0] {
            "-O0" => "   2: main (inlined.c:18)",
            _ => "   2: main (line 18)",
        };
        assert_eq!(
            frames,
            ["   0: read_at (inlined.c:6)", "   1: lookup (line 11)", main],
            "{flags:?}: {printed}"
        );
        let expected = match flags[0] {
            "-O0" => {
                "debug-info: source lines from module DWARF (Wasm offsets where it has \
                      none), functions, inlined calls, local variables"
            }
            _ => {
                "debug-info: source lines from module DWARF (Wasm offsets where it has none), \
                  functions, inlined calls"
            }
        };
        assert_eq!(debug_info_record(&exe), expected);
    }
    // gdb shows the inlined call as a frame of its own.
    let exe = dir.path().join("inlined");
    compile(&wasm, &["-O2"], &exe);
    let shown = gdb(&exe, &["run", "bt"]);
    assert!(shown.contains(" read_at ("), "{shown}");
    assert!(shown.contains("inlined.c:6"), "{shown}");
    assert!(shown.contains("lookup ("), "{shown}");
}

#[test]
fn strip_debug_leaves_out_the_source_s_debug_information() {
    let dir = tempfile::tempdir().unwrap();
    let wasm = clang(dir.path(), "points", &["-g", "-O0"]);
    let exe = dir.path().join("points");
    compile(&wasm, &["--strip-debug"], &exe);
    let sections = Command::new("readelf").arg("-S").arg(&exe).output().unwrap();
    let sections = stdout(&sections);
    assert!(!sections.contains(".debug_info") && !sections.contains(".debug_line"), "{sections}");
    assert_eq!(debug_info_record(&exe), "debug-info: none");
}

/// `wasm` with the contents of its custom section `name` replaced by `edit`'s.
fn edit_custom_section(wasm: &[u8], name: &str, edit: impl Fn(&[u8]) -> Vec<u8>) -> Vec<u8> {
    fn leb(bytes: &[u8], at: &mut usize) -> usize {
        let (mut value, mut shift) = (0, 0);
        loop {
            let byte = bytes[*at];
            *at += 1;
            value |= ((byte & 0x7f) as usize) << shift;
            shift += 7;
            if byte < 0x80 {
                return value;
            }
        }
    }
    fn push_leb(out: &mut Vec<u8>, mut value: usize) {
        loop {
            let byte = (value & 0x7f) as u8;
            value >>= 7;
            out.push(if value == 0 { byte } else { byte | 0x80 });
            if value == 0 {
                return;
            }
        }
    }
    let mut out = wasm[..8].to_vec();
    let mut at = 8;
    while at < wasm.len() {
        let id = wasm[at];
        at += 1;
        let size = leb(wasm, &mut at);
        let contents = &wasm[at..at + size];
        at += size;
        let mut name_at = 0;
        let name_len = if id == 0 { leb(contents, &mut name_at) } else { 0 };
        if id == 0 && &contents[name_at..name_at + name_len] == name.as_bytes() {
            let mut section = contents[..name_at + name_len].to_vec();
            section.extend(edit(&contents[name_at + name_len..]));
            out.push(0);
            push_leb(&mut out, section.len());
            out.extend(section);
        } else {
            out.push(id);
            push_leb(&mut out, size);
            out.extend_from_slice(contents);
        }
    }
    out
}

#[test]
fn malformed_module_dwarf_is_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let wasm = std::fs::read(clang(dir.path(), "inlined", &["-g", "-O2"])).unwrap();
    let mut random = Xorshift::new(26);
    let mut cases: Vec<(String, Vec<u8>)> = Vec::new();
    for section in [".debug_info", ".debug_line", ".debug_abbrev", ".debug_str"] {
        let truncated = edit_custom_section(&wasm, section, |c| c[..c.len() / 3].to_vec());
        cases.push((format!("{section} truncated"), truncated));
        let garbage: Vec<u8> = random.bytes(4096);
        cases.push((
            format!("{section} garbage"),
            edit_custom_section(&wasm, section, |_| garbage.clone()),
        ));
        for flip in 0..4 {
            let seed = random.next_word();
            let flipped = edit_custom_section(&wasm, section, |c| {
                let mut c = c.to_vec();
                let mut random = Xorshift::new(seed);
                for _ in 0..8 {
                    let at = random.index(c.len());
                    c[at] ^= 1 << random.below(8);
                }
                c
            });
            cases.push((format!("{section} bit flips {flip}"), flipped));
        }
    }
    for (case, module) in cases {
        let path = dir.path().join("broken.wasm");
        std::fs::write(&path, &module).unwrap();
        let exe = dir.path().join("broken");
        for opt in ["-O0", "-O2"] {
            let out = wasm2native().arg(&path).arg(opt).arg("-o").arg(&exe).output().unwrap();
            assert!(out.status.success(), "{case}, {opt}: {}", stderr(&out));
            // The program still runs to its trap, and the backtrace still names its functions.
            let out = Command::new(&exe).env_remove("WASM2NATIVE_BACKTRACE").output().unwrap();
            assert_eq!(out.status.code(), Some(134), "{case}, {opt}");
            assert!(stderr(&out).contains("lookup"), "{case}, {opt}: {}", stderr(&out));
        }
        // Unreadable DWARF gives the line tables of module offsets.
        if case.ends_with("truncated") || case.ends_with("garbage") {
            let record = debug_info_record(&exe);
            if case.starts_with(".debug_info") || case.starts_with(".debug_line") {
                assert_eq!(
                    record, "debug-info: line tables (Wasm offsets), function names",
                    "{case}"
                );
            }
        }
    }
}
