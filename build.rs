//! Builds the C runtime (runtime-lib/) into two static archives in OUT_DIR:
//! - `libw2nrt.a`: the runtime, linked whole into this crate and exported dynamically so that
//!   compiled modules loaded as shared objects resolve their `w2n_*` references from the process;
//! - `libw2nrt_main.a`: the `main` of compiled executables, only ever linked into those.
//!
//! Both are also embedded in the compiler (`link::runtime_archive`) through the
//! `W2N_RUNTIME_ARCHIVE` and `W2N_RUNTIME_MAIN_ARCHIVE` environment variables set here.
//!
//! It also builds the compiler's own LLVM pass (compiler/passes/, C++ against LLVM 19's
//! headers) into `libw2npasses.a`, linked into the compiler alongside LLVM itself.

use std::path::{Path, PathBuf};

const RUNTIME_DIR: &str = "runtime-lib";
const PASSES_DIR: &str = "compiler/passes";
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
        !path.file_name().and_then(|name| name.to_str()).is_some_and(|name| name.starts_with(MAIN_PREFIX))
    })
}

/// LLVM 19's installation: where llvm-sys links it from (the Makefile and .cargo/config.toml
/// set the variable).
fn llvm_prefix() -> PathBuf {
    std::env::var_os("LLVM_SYS_191_PREFIX").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("/usr/lib/llvm-19"))
}

/// The LLVM pass in C++, built with the flags LLVM itself was built with (no exceptions).
fn build_passes() {
    println!("cargo:rerun-if-changed={PASSES_DIR}");
    println!("cargo:rerun-if-env-changed=LLVM_SYS_191_PREFIX");
    let sources = sources_in(Path::new(PASSES_DIR), "cpp");
    cc::Build::new()
        .cpp(true)
        .std("c++17")
        .include(llvm_prefix().join("include"))
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
        .compile("w2npasses");
}

fn main() {
    build_passes();
    let source_dir = Path::new(RUNTIME_DIR).join("src");
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
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
    std::fs::write(&dynamic_list, "{ w2n_*; wasm2native_*; };\n").expect("cannot write the dynamic list");
    println!("cargo:rustc-link-search=native={}", out_dir.display());
    println!("cargo:rustc-link-lib=static:+whole-archive=w2nrt");
    println!("cargo:rustc-link-arg=-Wl,--dynamic-list={}", dynamic_list.display());
    // The compiler itself is a fixed-address executable: as a position-independent one it spent
    // 3 to 4 ms of every start relocating LLVM's tables. It runs no Wasm code in its own process
    // (`run` execs the compiled program), and the programs it links stay position-independent.
    println!("cargo:rustc-link-arg-bins=-no-pie");
    println!("cargo:rustc-link-lib=dylib=pthread");
    println!(
        "cargo:rustc-env=W2N_RUNTIME_ARCHIVE={}",
        out_dir.join("libw2nrt.a").display()
    );
    println!(
        "cargo:rustc-env=W2N_RUNTIME_MAIN_ARCHIVE={}",
        out_dir.join("libw2nrt_main.a").display()
    );
}
