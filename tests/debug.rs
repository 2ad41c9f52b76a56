//! What a compiled program shows a debugger or profiler: native symbols named after the
//! module's name section.

use std::path::Path;

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
