//! The runtime ABI is written once per language: `compiler/abi/` (offsets, trap codes, the
//! runtime functions with their parameters, constants, and in `c.rs` the structs the translator
//! builds) and the other FFI declarations of `compiler/runtime/ffi.rs` on the Rust side,
//! `runtime-lib/include/wasm2native.h` on the C side.
//! This test writes a C file of static assertions from the Rust definitions and compiles it
//! against the header, so that a field, a trap code, a constant or a runtime function changed on
//! one side only fails here, with the item's name.

use std::fmt::Write;
use std::mem::{offset_of, size_of};
use std::process::Command;
use wasm2native::abi::c::{self, CStruct};
use wasm2native::abi::{self, ExternKind, RuntimeFn, TrapCode};
use wasm2native::runtime::ffi;

mod common;
use common::{repo, stderr};

/// Collects `_Static_assert`s, each naming what it checks.
#[derive(Default)]
struct Pins(String);

impl Pins {
    fn pin(&mut self, condition: String, what: &str) {
        let _ = writeln!(self.0, "_Static_assert({condition}, \"{what}\");");
    }

    fn equal(&mut self, c: &str, rust: impl std::fmt::Display, what: &str) {
        self.pin(format!("({c}) == ({rust})"), what);
    }

    /// Every field of a struct of abi::c, in order and with nothing left out, and its size.
    fn c_struct<T: CStruct>(&mut self) {
        let name = T::C_NAME;
        for field in T::FIELDS {
            let what = format!("c::{name}.{}", field.name);
            self.equal(&format!("offsetof({name}, {})", field.name), field.offset, &what);
        }
        self.equal(&format!("sizeof({name})"), T::SIZE, &format!("c::{name} size"));
    }

    fn offsets(&mut self, c_struct: &str, fields: &[(&str, u32)]) {
        for (field, offset) in fields {
            let what = format!("{c_struct}.{field} at {offset}");
            self.equal(&format!("offsetof({c_struct}, {field})"), offset, &what);
        }
    }
}

/// Pins a Rust FFI struct against its C twin: every field's offset, and the size.
macro_rules! pin_struct {
    ($pins:expr, $rust:ty, $c:literal, $($field:ident),*) => {{
        $(
            $pins.equal(
                &format!("offsetof({}, {})", $c, stringify!($field)),
                offset_of!($rust, $field),
                concat!("ffi::", $c, ".", stringify!($field)),
            );
        )*
        $pins.equal(&format!("sizeof({})", $c), size_of::<$rust>(), concat!("ffi::", $c, " size"));
    }};
}

fn pins() -> String {
    let mut pins = Pins::default();
    pins.equal("W2N_ABI_VERSION", abi::ABI_VERSION, "ABI_VERSION");
    pins.equal("W2N_PAGE_SIZE", abi::PAGE_SIZE, "PAGE_SIZE");
    pins.equal("W2N_MAX_PAGES", abi::MAX_PAGES, "MAX_PAGES");
    pins.equal("W2N_MAX_USABLE_PAGES", abi::MAX_USABLE_PAGES, "MAX_USABLE_PAGES");
    pins.equal("W2N_MAX_PAGES64", abi::MAX_PAGES64, "MAX_PAGES64");
    pins.equal("sizeof(W2N_MODULE_SYMBOL)", abi::MODULE_SYMBOL.len() + 1, "MODULE_SYMBOL length");
    pins.equal("sizeof(w2n_value)", abi::VALUE_SLOT_SIZE, "VALUE_SLOT_SIZE");
    pins.equal("W2N_API_NO_SLOT", abi::api::NO_SLOT, "api::NO_SLOT");
    pins.equal("W2N_API_IMPORT_WASI", abi::api::IMPORT_WASI, "api::IMPORT_WASI");
    for (c, rust) in [
        ("I32", abi::type_char::I32),
        ("I64", abi::type_char::I64),
        ("F32", abi::type_char::F32),
        ("F64", abi::type_char::F64),
        ("V128", abi::type_char::V128),
        ("FUNCREF", abi::type_char::FUNCREF),
        ("EXTERNREF", abi::type_char::EXTERNREF),
        ("EXNREF", abi::type_char::EXNREF),
    ] {
        pins.equal(&format!("W2N_TYPE_{c}"), rust, &format!("type_char::{c}"));
    }
    for (c, kind) in [
        ("FUNC", ExternKind::Func),
        ("TABLE", ExternKind::Table),
        ("MEMORY", ExternKind::Memory),
        ("GLOBAL", ExternKind::Global),
    ] {
        pins.equal(&format!("W2N_EXTERN_{c}"), kind as u32, &format!("ExternKind::{kind:?}"));
    }
    // Every trap code, and no other: the C list ends with W2N_TRAP_COUNT after NONE and these.
    pins.equal("W2N_TRAP_NONE", ffi::W2N_TRAP_NONE, "W2N_TRAP_NONE");
    for code in TrapCode::ALL {
        pins.equal(&format!("W2N_TRAP_{}", code.c_name()), code as u32, &format!("{code:?}"));
    }
    pins.equal("W2N_TRAP_COUNT", TrapCode::ALL.len() + 1, "TrapCode::ALL is every trap code");

    pins.offsets(abi::instance::C_STRUCT, abi::instance::C_FIELDS);
    pins.offsets(abi::memory::C_STRUCT, abi::memory::C_FIELDS);
    pins.offsets(abi::table::C_STRUCT, abi::table::C_FIELDS);
    pins.offsets(abi::funcref::C_STRUCT, abi::funcref::C_FIELDS);
    pins.offsets(abi::exception::C_STRUCT, abi::exception::C_FIELDS);
    pins.equal("sizeof(w2n_funcref)", abi::funcref::SIZE, "funcref::SIZE");
    pins.offsets(abi::api::HOST_C_STRUCT, abi::api::HOST_C_FIELDS);
    // The generated header's own names for the runtime's structs and constants
    // (compiler/capi/header.rs) mean the same.
    for (generated, runtime, fields) in [
        ("lib_config", "w2n_api_config", &["context", "imports", "wasi"][..]),
        ("wasm2native_wasi", "w2n_api_wasi", &["argc", "argv", "env", "dirs", "num_dirs"]),
        ("wasm2native_wasi_dir", "w2n_api_wasi_dir", &["host_path", "guest_path", "flags"]),
        (
            "wasm2native_result",
            "w2n_result",
            &[
                "trap",
                "exit_status",
                "message",
                "exception",
                "fault",
                "frames",
                "num_frames",
                "frames_truncated",
            ],
        ),
        (
            "wasm2native_memory_fault",
            "w2n_memory_fault",
            &["address", "memory_size", "memory", "length", "known"],
        ),
        (
            "wasm2native_frame",
            "w2n_frame",
            &["function", "module", "offset", "source_line", "source_file"],
        ),
    ] {
        for field in fields {
            pins.equal(
                &format!("offsetof({generated}, {field})"),
                format!("offsetof({runtime}, {field})"),
                &format!("{generated}.{field} is {runtime}.{field}"),
            );
        }
        pins.equal(&format!("sizeof({generated})"), format!("sizeof({runtime})"), generated);
    }
    pins.equal("WASM2NATIVE_WASI_DIR_READ_ONLY", "W2N_WASI_DIR_READ_ONLY", "read-only flag");
    pins.equal("WASM2NATIVE_UNKNOWN_MEMORY", "W2N_UNKNOWN_MEMORY", "unknown memory index");
    pins.equal("W2N_TRAP_ACCESS_ADDRESS", abi::trap_access::ADDRESS, "trap_access::ADDRESS");
    pins.equal(
        "W2N_TRAP_ACCESS_MEMORY_SIZE",
        abi::trap_access::MEMORY_SIZE,
        "trap_access::MEMORY_SIZE",
    );
    pins.equal("W2N_TRAP_ACCESS_WORDS", abi::trap_access::WORDS, "trap_access::WORDS");
    for code in TrapCode::ALL {
        let name = code.c_name();
        pins.equal(&format!("WASM2NATIVE_TRAP_{name}"), format!("W2N_TRAP_{name}"), name);
    }

    // Each runtime function compiled code calls, with its parameters' types in order: the
    // function's address initialises a pointer of the Rust prototype's type, which the compiler
    // refuses (-Werror) unless the types agree (a noreturn function fits a plain pointer).
    for runtime_fn in RuntimeFn::ALL {
        let prototype = runtime_fn.prototype();
        let params: Vec<String> =
            prototype.params.iter().map(|(name, c_type)| format!("{c_type} {name}")).collect();
        let _ = writeln!(
            pins.0,
            "static {} (*const pin_{})({}) = &{};",
            prototype.result,
            prototype.symbol,
            params.join(", "),
            prototype.symbol
        );
    }

    pin_struct!(pins, ffi::w2n_funcref, "w2n_funcref", code, array_code, type_id, reserved, vmctx);
    pin_struct!(pins, ffi::w2n_memory, "w2n_memory", base, size, max_pages, reserved);
    pin_struct!(
        pins,
        ffi::w2n_table,
        "w2n_table",
        elements,
        size,
        max,
        capacity,
        elem_type,
        address64,
        pad,
        ref_type
    );
    pins.c_struct::<c::w2n_limits>();
    pins.c_struct::<c::w2n_table_type>();
    pins.c_struct::<c::w2n_global_type>();
    pins.c_struct::<c::w2n_import>();
    pins.c_struct::<c::w2n_export>();
    pins.c_struct::<c::w2n_data_segment>();
    pins.c_struct::<c::w2n_module>();
    pins.c_struct::<c::w2n_api_import>();
    pins.c_struct::<c::w2n_api_module>();
    pins.c_struct::<c::w2n_api_wasi_dir>();
    pins.c_struct::<c::w2n_api_wasi>();
    pins.c_struct::<c::w2n_api_config>();
    pin_struct!(pins, ffi::w2n_extern, "w2n_extern", kind, of, global_type);
    pin_struct!(
        pins,
        ffi::w2n_result,
        "w2n_result",
        trap,
        exit_status,
        message,
        exception,
        fault,
        frames,
        num_frames,
        frames_truncated
    );
    pin_struct!(
        pins,
        ffi::w2n_memory_fault,
        "w2n_memory_fault",
        address,
        memory_size,
        memory,
        length,
        known,
        pad
    );
    pin_struct!(
        pins,
        ffi::w2n_frame,
        "w2n_frame",
        function,
        module,
        offset,
        source_line,
        source_file
    );
    pin_struct!(pins, ffi::w2n_exception, "w2n_exception", tag, holders, num_values);
    pins.equal("sizeof(w2n_value)", size_of::<ffi::w2n_value>(), "ffi::w2n_value size");
    pins.0
}

#[test]
fn the_rust_abi_matches_the_c_header() {
    let dir = tempfile::tempdir().unwrap();
    // A library build's generated header (lib.h), to hold against the runtime's.
    let module = dir.path().join("lib.wat");
    std::fs::write(&module, "(module (func (export \"f\")))").unwrap();
    let out = common::wasm2native()
        .arg(&module)
        .args(["--emit", "staticlib", "-o"])
        .arg(dir.path().join("liblib.a"))
        .output()
        .expect("run wasm2native");
    assert!(out.status.success(), "{}", stderr(&out));
    let source = dir.path().join("abi_pins.c");
    let text = format!(
        "#include <stddef.h>\n#include \"wasm2native.h\"\n#include \"lib.h\"\n\n{}",
        pins()
    );
    std::fs::write(&source, &text).unwrap();
    let out = Command::new("cc")
        .args(["-std=c11", "-fsyntax-only", "-Werror", "-Wincompatible-pointer-types"])
        .arg("-I")
        .arg(repo("runtime-lib/include"))
        .arg("-I")
        .arg(dir.path())
        .arg(&source)
        .output()
        .expect("run cc");
    assert!(out.status.success(), "the Rust ABI and wasm2native.h differ:\n{}", stderr(&out));
    // The checks cover every runtime function and trap code of the Rust lists.
    for runtime_fn in RuntimeFn::ALL {
        assert!(text.contains(&format!("pin_{})", runtime_fn.prototype().symbol)));
    }
    for code in TrapCode::ALL {
        assert!(text.contains(&format!("(W2N_TRAP_{}) ==", code.c_name())));
    }
}
