//! Library builds on the object-file side: module objects (written in C here, so that these tests
//! do not depend on the compiler's own output) made into objects, static libraries and shared
//! objects, linked into C programs beside each other, and their build-info records read back.

use std::path::{Path, PathBuf};
use std::process::Command;
use wasm2native::library::{build_records, write_library, write_runtime_library, LibraryKind};

mod common;
use common::nm;

/// A module object's source for `PREFIX`: a descriptor, a global helper every module defines
/// under the same name, the API function `PREFIX_answer` that interns `SIGNATURE` in the runtime it
/// is linked with, and a weak import `PREFIX_env_log` that the program may define.
const MODULE_TEMPLATE: &str = r#"
#include <stdint.h>
#include <string.h>
#include "wasm2native.h"

__attribute__((section(".wasm2native.build"), used))
static const char build_info[] = "wasm2native build\nprefix: PREFIX";

static const char *const signatures[] = {"SIGNATURE"};
const w2n_module wasm2native_module = {
    .abi_version = W2N_ABI_VERSION, .num_types = 1, .type_signatures = signatures, .start_func = -1};

extern void PREFIX_env_log(int value) __attribute__((weak));

int helper(void) { return 100; }

int PREFIX_answer(void) {
    uint32_t id = w2n_intern_signature("SIGNATURE");
    const char *back = w2n_signature_of(id);
    if (!back || strcmp(back, "SIGNATURE") != 0)
        return -1;
    if (PREFIX_env_log)
        PREFIX_env_log((int)id);
    return (int)id + helper();
}
"#;

/// A C++ module object whose inline function sits in a section group (COMDAT).
const GROUP_MODULE: &str = r#"
__attribute__((noinline)) inline int twice(int value) { return 2 * value; }
extern "C" int e_answer(int value) { return twice(value); }
"#;

/// Compiles `source` with `command` (a compiler and its own flags) into an object.
fn compile(dir: &Path, name: &str, command: &str, source: &str) -> Vec<u8> {
    let mut words = command.split(' ');
    let compiler = words.next().unwrap();
    let extension = if compiler == "g++" { "cc" } else { "c" };
    let source_path = dir.join(format!("{name}.{extension}"));
    let object_path = dir.join(format!("{name}.o"));
    std::fs::write(&source_path, source).unwrap();
    let include = Path::new(env!("CARGO_MANIFEST_DIR")).join("runtime-lib/include");
    let output = Command::new(compiler)
        .args(words)
        .args(["-c", "-fPIC", "-O1", "-I"])
        .arg(&include)
        .arg(&source_path)
        .arg("-o")
        .arg(&object_path)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    std::fs::read(&object_path).unwrap()
}

/// Compiled by clang, as the compiler's own objects come from LLVM, which (unlike cc) keeps
/// section names and symbol names in one string table; without the address-significance table
/// that only clang's front end adds.
fn module_object(dir: &Path, prefix: &str, signature: &str) -> Vec<u8> {
    let source = MODULE_TEMPLATE.replace("SIGNATURE", signature).replace("PREFIX", prefix);
    compile(dir, &format!("module_{prefix}"), "clang-19 -fno-addrsig", &source)
}

/// Builds a program from `source` and `inputs`, runs it and returns what it printed.
fn build_and_run(dir: &Path, source: &str, inputs: &[PathBuf]) -> (PathBuf, String) {
    let source_path = dir.join("app.c");
    let exe = dir.join("app");
    std::fs::write(&source_path, source).unwrap();
    let output = Command::new("cc")
        .arg(&source_path)
        .args(inputs)
        .args(["-lm", "-lpthread", "-o"])
        .arg(&exe)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let run = Command::new(&exe).output().unwrap();
    assert!(run.status.success());
    (exe, String::from_utf8_lossy(&run.stdout).into_owned())
}

/// The names `nm` lists as defined (any binding), skipping archive member headers.
fn defined_names(listing: &str) -> Vec<String> {
    listing
        .lines()
        .filter_map(|line| line.rsplit_once(' '))
        .filter(|(front, _)| !front.trim_end().ends_with(['U', 'w', 'v']))
        .map(|(_, name)| name.to_string())
        .collect()
}

fn api(prefix: &str) -> Vec<String> {
    vec![format!("{prefix}_answer")]
}

const TWO_LIBRARIES_APP: &str = r#"
#include <stdio.h>
int a_answer(void);
int b_answer(void);
void a_env_log(int value) { printf("log %d\n", value); }
int main(void) {
    int a = a_answer();
    int b = b_answer();
    printf("%d %d\n", a, b);
    return 0;
}
"#;

#[test]
fn two_static_libraries_link_into_one_program() {
    let dir = tempfile::tempdir().unwrap();
    let mut archives = Vec::new();
    for (prefix, signature) in [("a", "i:i"), ("b", "ii:i")] {
        let object = module_object(dir.path(), prefix, signature);
        let archive = dir.path().join(format!("lib{prefix}.a"));
        write_library(&object, LibraryKind::StaticLib, prefix, &api(prefix), true, &archive)
            .unwrap();

        let globals = nm(&["-g", "--defined-only"], &archive);
        assert_eq!(defined_names(&globals), [format!("{prefix}_answer")], "{globals}");
        let all = nm(&[], &archive);
        for name in defined_names(&all) {
            assert!(name.starts_with(&format!("{prefix}_")), "unprefixed {name} in\n{all}");
        }
        assert!(!all.contains(" w2n_") && !all.contains(" wasi_"), "{all}");
        assert!(all.contains(&format!(" w {prefix}_env_log")), "{all}");
        archives.push(archive);
    }

    let (exe, stdout) = build_and_run(dir.path(), TWO_LIBRARIES_APP, &archives);
    // Each library has its own signature registry, so each interned its signature first.
    assert_eq!(stdout, "log 1\n101 101\n");

    let records = build_records(&std::fs::read(&archives[0]).unwrap()).unwrap();
    assert_eq!(records, ["wasm2native build\nprefix: a"]);
    let records = build_records(&std::fs::read(&exe).unwrap()).unwrap();
    assert_eq!(records.len(), 2, "{records:?}");
    assert!(records.contains(&"wasm2native build\nprefix: b".to_string()), "{records:?}");
}

#[test]
fn objects_without_runtime_share_the_runtime_library() {
    let dir = tempfile::tempdir().unwrap();
    let mut inputs = Vec::new();
    for (prefix, signature) in [("a", "i:i"), ("b", "ii:i")] {
        let object = module_object(dir.path(), prefix, signature);
        let output = dir.path().join(format!("{prefix}_lib.o"));
        write_library(&object, LibraryKind::Object, prefix, &api(prefix), false, &output).unwrap();
        let listing = nm(&[], &output);
        assert!(listing.contains(" U wasm2native_intern_signature"), "{listing}");
        assert!(!listing.contains(" w2n_"), "{listing}");
        assert!(listing.contains(&format!(" {prefix}_wasm2native_module")), "{listing}");
        inputs.push(output);
    }
    let runtime = dir.path().join("libwasm2native.a");
    write_runtime_library(&runtime).unwrap();
    let globals = nm(&["-g", "--defined-only"], &runtime);
    let names = defined_names(&globals);
    assert!(names.iter().all(|name| name.starts_with("wasm2native_")), "{globals}");
    assert!(names.contains(&"wasm2native_instantiate".to_string()), "{globals}");
    inputs.push(runtime);

    let (_, stdout) = build_and_run(dir.path(), TWO_LIBRARIES_APP, &inputs);
    // One registry serves both modules: the second signature gets the second id.
    assert_eq!(stdout, "log 1\n101 102\n");
}

#[test]
fn shared_object_exports_only_the_api() {
    let dir = tempfile::tempdir().unwrap();
    let object = module_object(dir.path(), "s", "f:f");
    let shared = dir.path().join("libs.so");
    write_library(&object, LibraryKind::Shared, "s", &api("s"), true, &shared).unwrap();

    let dynamic = nm(&["-D", "--defined-only"], &shared);
    assert_eq!(defined_names(&dynamic), ["s_answer"], "{dynamic}");
    // SAFETY: the library's only initialisers are the C start files'.
    let library = unsafe { libloading::Library::new(&shared) }.unwrap();
    // SAFETY: `s_answer` is `int s_answer(void)`.
    let answer = unsafe { library.get::<unsafe extern "C" fn() -> i32>(b"s_answer\0") }.unwrap();
    // SAFETY: as declared; it uses the library's private runtime, not this process's.
    assert_eq!(unsafe { answer() }, 101);

    let records = build_records(&std::fs::read(&shared).unwrap()).unwrap();
    assert_eq!(records, ["wasm2native build\nprefix: s"]);
}

/// A member name too long for its header field goes through the archive's long-name table.
#[test]
fn static_library_with_a_long_prefix() {
    let dir = tempfile::tempdir().unwrap();
    let prefix = "a_rather_long_prefix";
    let object = module_object(dir.path(), prefix, "I:I");
    let archive = dir.path().join("liblong.a");
    write_library(&object, LibraryKind::StaticLib, prefix, &api(prefix), true, &archive).unwrap();
    let members = Command::new("ar").arg("t").arg(&archive).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&members.stdout), format!("{prefix}.o\n"));
    let app = format!(
        "#include <stdio.h>\nint {prefix}_answer(void);\n\
         int main(void) {{ printf(\"%d\\n\", {prefix}_answer()); return 0; }}\n"
    );
    let (_, stdout) = build_and_run(dir.path(), &app, &[archive]);
    assert_eq!(stdout, "101\n");
}

#[test]
fn build_records_of_objects() {
    let dir = tempfile::tempdir().unwrap();
    let object = module_object(dir.path(), "r", "i:");
    assert_eq!(build_records(&object).unwrap(), ["wasm2native build\nprefix: r"]);
    let plain = compile(dir.path(), "plain", "cc", "int plain(void) { return 0; }\n");
    assert_eq!(build_records(&plain).unwrap(), Vec::<String>::new());
    assert!(build_records(b"not an object").is_err());
}

/// Each kind of output, from a bad input or a bad request, fails without leaving a file behind.
#[test]
fn failures_leave_no_output() {
    let dir = tempfile::tempdir().unwrap();
    let object = module_object(dir.path(), "e", "i:");
    let grouped = compile(dir.path(), "grouped", "g++", GROUP_MODULE);
    let empty_object = |format, architecture| {
        object::write::Object::new(format, architecture, object::Endianness::Little)
            .write()
            .unwrap()
    };
    let coff = empty_object(object::BinaryFormat::Coff, object::Architecture::X86_64);
    // ELF for another machine than the linker's: the link itself fails.
    let foreign = empty_object(object::BinaryFormat::Elf, object::Architecture::Riscv64);
    let before = std::fs::read_dir(dir.path()).unwrap().count();
    let failures: [(&[u8], LibraryKind, &str, bool, &str); 7] = [
        (b"not an object", LibraryKind::StaticLib, "e", true, "cannot read the module object"),
        (b"not an object", LibraryKind::Object, "e", false, "cannot read the module object"),
        (&coff, LibraryKind::Shared, "e", true, "only ELF"),
        (&object, LibraryKind::StaticLib, "not-a-name", true, "not a C identifier"),
        (&object, LibraryKind::Shared, "e", false, "always carries the runtime"),
        (&grouped, LibraryKind::StaticLib, "e", true, "section groups"),
        (&foreign, LibraryKind::Shared, "e", true, "failed"),
    ];
    for (input, kind, prefix, with_runtime, expected) in failures {
        let output = dir.path().join("out");
        let error =
            write_library(input, kind, prefix, &api(prefix), with_runtime, &output).unwrap_err();
        assert!(error.message.contains(expected), "{kind:?}: {error}");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), before, "{kind:?}");
    }
}
