//! Builds the C runtime (runtime-lib/) into two static archives in OUT_DIR:
//! - `libw2nrt.a`: the runtime, linked whole into this crate and exported dynamically so that
//!   compiled modules loaded as shared objects resolve their `w2n_*` references from the process;
//! - `libw2nrt_main.a`: the `main` of compiled executables, only ever linked into those.
//!
//! Both are also embedded in the compiler (`link::runtime_archive`) through the
//! `W2N_RUNTIME_ARCHIVE` and `W2N_RUNTIME_MAIN_ARCHIVE` environment variables set here.
//!
//! It also builds the compiler's C++ against LLVM 19's headers, its own LLVM pass
//! (compiler/passes/) and the call into lld (compiler/link/lld.cpp), into `libw2ncxx.a`, linked
//! into the compiler alongside LLVM and lld's ELF linker. And it records, in
//! `host_link_lines.rs`, what the C driver gives its linker for each kind of output, so that the
//! compiler can run lld in its own process with the same start files and libraries.

use std::path::{Path, PathBuf};

const RUNTIME_DIR: &str = "runtime-lib";
/// Directories of the compiler's C++ files.
const CXX_DIRS: [&str; 2] = ["compiler/passes", "compiler/link"];
/// lld's libraries for its ELF linker, from Debian's liblld-19-dev.
const LLD_LIBRARIES: [&str; 2] = ["lldELF", "lldCommon"];
/// Files of the executables' `main` (main.c, main_*.c, main.h) start with this.
const MAIN_PREFIX: &str = "main";

fn c_build() -> cc::Build {
    let mut build = cc::Build::new();
    build
        .include(Path::new(RUNTIME_DIR).join("include"))
        .std("c11")
        .opt_level(2)
        .pic(true)
        .define("_GNU_SOURCE", None)
        .warnings(true)
        .extra_warnings(true)
        .warnings_into_errors(true)
        .cargo_metadata(false);
    build
}

/// The files of `dir` whose names end in `.extension`, sorted so that archive member order,
/// and so the build, is reproducible.
fn sources_in(dir: &Path, extension: &str) -> Vec<PathBuf> {
    let mut sources: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == extension))
        .collect();
    sources.sort();
    sources
}

/// The runtime's C files and the executables' `main` files.
fn runtime_sources(source_dir: &Path) -> (Vec<PathBuf>, Vec<PathBuf>) {
    sources_in(source_dir, "c").into_iter().partition(|path| {
        !path
            .file_name()
            .and_then(|name| name.to_str())
            .is_some_and(|name| name.starts_with(MAIN_PREFIX))
    })
}

/// LLVM 19's installation: where llvm-sys links it from (the Makefile and .cargo/config.toml
/// set the variable).
fn llvm_prefix() -> PathBuf {
    std::env::var_os("LLVM_SYS_191_PREFIX")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/lib/llvm-19"))
}

/// The compiler's C++, built with the flags LLVM itself was built with (no exceptions), and the
/// lld libraries it calls.
fn build_cxx() {
    println!("cargo:rerun-if-env-changed=LLVM_SYS_191_PREFIX");
    let mut sources = Vec::new();
    for dir in CXX_DIRS {
        println!("cargo:rerun-if-changed={dir}");
        sources.extend(sources_in(Path::new(dir), "cpp"));
    }
    let prefix = llvm_prefix();
    cc::Build::new()
        .cpp(true)
        .std("c++17")
        .include(prefix.join("include"))
        .flag("-fno-exceptions")
        .flag("-funwind-tables")
        .define("__STDC_CONSTANT_MACROS", None)
        .define("__STDC_FORMAT_MACROS", None)
        .define("__STDC_LIMIT_MACROS", None)
        .opt_level(2)
        .warnings(true)
        .extra_warnings(true)
        .flag("-Wno-unused-parameter")
        .warnings_into_errors(true)
        .files(&sources)
        .compile("w2ncxx");
    let lib_dir = prefix.join("lib");
    for library in LLD_LIBRARIES {
        let archive = lib_dir.join(format!("lib{library}.a"));
        assert!(
            archive.exists(),
            "{} is missing: install liblld-19-dev (make setup does)",
            archive.display()
        );
        println!("cargo:rustc-link-lib=static={library}");
    }
    println!("cargo:rustc-link-search=native={}", lib_dir.display());
}

/// The names the translator and the loop passes agree on, written once in C++.
const CONTRACT_HEADER: &str = "compiler/passes/contract.h";
const CONTRACT_PREFIX: &str = "W2N_CONTRACT_";

/// Turns each `#define W2N_CONTRACT_NAME "value"` of the contract header into
/// `pub const NAME: &str = "value";` in OUT_DIR/contract.rs, which compiler/contract.rs
/// includes: the Rust side reads the one definition the C++ includes.
fn write_contract(out_dir: &Path) {
    println!("cargo:rerun-if-changed={CONTRACT_HEADER}");
    let header = std::fs::read_to_string(CONTRACT_HEADER).expect("read the contract header");
    let mut constants = String::new();
    for line in header.lines() {
        let Some(definition) = line.strip_prefix("#define ") else { continue };
        let (name, value) = definition.split_once(' ').expect("#define NAME VALUE");
        let name = name.strip_prefix(CONTRACT_PREFIX).expect("contract names start W2N_CONTRACT_");
        let value = value.trim();
        assert!(
            value.len() >= 2 && value.starts_with('"') && value.ends_with('"'),
            "{CONTRACT_HEADER}: {name} is not a plain string literal"
        );
        constants += &format!("pub const {name}: &str = {value};\n");
    }
    assert!(!constants.is_empty(), "{CONTRACT_HEADER} defines nothing");
    std::fs::write(out_dir.join("contract.rs"), constants).expect("write contract.rs");
}

/// Stands for the inputs in the recorded link lines (link/lld.rs reads the same marker).
const INPUTS_MARKER: &str = "{inputs}";

/// Writes `host_link_lines.rs`: for each kind of output, the arguments the C driver (`cc`) gives
/// its linker, with the inputs replaced by `INPUTS_MARKER` and the output and the LTO plugin's
/// options left out; an empty line when the driver cannot say.
fn record_host_link_lines(out_dir: &Path) {
    let marker_file = out_dir.join("w2n_inputs_marker.o");
    std::fs::write(&marker_file, b"").expect("cannot write the marker input");
    let mut text = String::from("// Recorded by build.rs from `cc -###`.\n");
    for (name, flags) in [
        ("EXECUTABLE", &[][..]),
        ("SHARED", &["-shared"][..]),
        ("RELOCATABLE", &["-r", "-nostdlib"][..]),
    ] {
        let line = driver_link_line(flags, &marker_file).unwrap_or_default();
        text.push_str(&format!("const {name}: &[&str] = &{line:?};\n"));
    }
    std::fs::write(out_dir.join("host_link_lines.rs"), text)
        .expect("cannot write host_link_lines.rs");
}

/// The linker arguments `cc -### FLAGS MARKER -o OUT` prints, as `record_host_link_lines` keeps them.
fn driver_link_line(flags: &[&str], marker_file: &Path) -> Option<Vec<String>> {
    let output = std::process::Command::new("cc")
        .arg("-###")
        .args(flags)
        .arg(marker_file)
        .args(["-o", "w2n_output"])
        .output()
        .ok()?;
    let printed = String::from_utf8_lossy(&output.stderr);
    let marker = marker_file.to_str()?;
    let words = printed
        .lines()
        .map(split_shell_words)
        .find(|words| words.iter().any(|word| word == marker))?;
    let mut line = Vec::new();
    let mut words = words.into_iter().skip(1);
    while let Some(word) = words.next() {
        match word.as_str() {
            "-plugin" | "-o" => {
                words.next();
            }
            _ if word.starts_with("-plugin-opt") => {}
            _ if word == marker => line.push(INPUTS_MARKER.to_string()),
            _ => line.push(word),
        }
    }
    Some(line)
}

/// `line` split as the driver quotes it: words separated by spaces, double quotes around words
/// with special characters, backslash escapes inside them.
fn split_shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let (mut in_word, mut quoted, mut chars) = (false, false, line.chars());
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                quoted = !quoted;
                in_word = true;
            }
            '\\' if quoted => word.extend(chars.next()),
            ' ' | '\t' if !quoted => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                }
                in_word = false;
            }
            _ => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(word);
    }
    words
}

fn main() {
    build_cxx();
    let source_dir = Path::new(RUNTIME_DIR).join("src");
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    record_host_link_lines(&out_dir);
    write_contract(&out_dir);
    println!("cargo:rerun-if-changed={RUNTIME_DIR}");
    println!("cargo:rerun-if-env-changed=CC");
    println!("cargo:rerun-if-env-changed=CFLAGS");

    let (sources, main_sources) = runtime_sources(&source_dir);
    c_build().files(&sources).compile("w2nrt");
    c_build().files(&main_sources).compile("w2nrt_main");

    // Whole archive: nothing in the crate calls most of the runtime, yet the compiled modules
    // loaded into the process do; a dynamic list puts the runtime's symbols, and only those, in
    // the dynamic symbol table (exporting everything, LLVM included, cost milliseconds of
    // relocation at every start).
    let dynamic_list = out_dir.join("runtime-exports.list");
    std::fs::write(&dynamic_list, "{ w2n_*; wasm2native_*; };\n")
        .expect("cannot write the dynamic list");
    println!("cargo:rustc-link-search=native={}", out_dir.display());
    println!("cargo:rustc-link-lib=static:+whole-archive=w2nrt");
    println!("cargo:rustc-link-arg=-Wl,--dynamic-list={}", dynamic_list.display());
    // The compiler itself is a fixed-address executable: as a position-independent one it spent
    // a good part of every start relocating LLVM's tables (docs/architecture.md, measurements).
    // It runs no Wasm code in its own process (`run` execs the compiled program), and the
    // programs it links stay position-independent.
    println!("cargo:rustc-link-arg-bins=-no-pie");
    println!("cargo:rustc-link-lib=dylib=pthread");
    println!("cargo:rustc-env=W2N_RUNTIME_ARCHIVE={}", out_dir.join("libw2nrt.a").display());
    println!(
        "cargo:rustc-env=W2N_RUNTIME_MAIN_ARCHIVE={}",
        out_dir.join("libw2nrt_main.a").display()
    );
}
