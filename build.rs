//! Builds the C runtime (runtime-lib/) into two static archives in OUT_DIR:
//! - `libw2nrt.a`: the runtime, linked whole into this crate and exported dynamically so that
//!   compiled modules loaded as shared objects resolve their `w2n_*` references from the process;
//! - `libw2nrt_main.a`: the `main` of compiled executables, only ever linked into those.
//!
//! Both are also embedded in the compiler (`link::runtime_archive`) through the
//! `W2N_RUNTIME_ARCHIVE` and `W2N_RUNTIME_MAIN_ARCHIVE` environment variables set here.

use std::path::{Path, PathBuf};

const RUNTIME_DIR: &str = "runtime-lib";
const MAIN_SOURCE: &str = "main.c";

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

fn runtime_sources(source_dir: &Path) -> (Vec<PathBuf>, PathBuf) {
    let mut sources: Vec<PathBuf> = std::fs::read_dir(source_dir)
        .expect("runtime-lib/src is readable")
        .map(|entry| entry.expect("runtime-lib/src entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "c"))
        .filter(|path| path.file_name().is_some_and(|name| name != MAIN_SOURCE))
        .collect();
    // Archive member order follows this list; sort it so builds are reproducible.
    sources.sort();
    (sources, source_dir.join(MAIN_SOURCE))
}

fn main() {
    let source_dir = Path::new(RUNTIME_DIR).join("src");
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    println!("cargo:rerun-if-changed={RUNTIME_DIR}");
    println!("cargo:rerun-if-env-changed=CC");
    println!("cargo:rerun-if-env-changed=CFLAGS");

    let (sources, main_source) = runtime_sources(&source_dir);
    c_build().files(&sources).compile("w2nrt");
    c_build().file(&main_source).compile("w2nrt_main");

    // Whole archive: nothing in the crate calls most of the runtime, yet the compiled modules
    // loaded into the process do; -rdynamic puts its symbols in the dynamic symbol table.
    println!("cargo:rustc-link-search=native={}", out_dir.display());
    println!("cargo:rustc-link-lib=static:+whole-archive=w2nrt");
    println!("cargo:rustc-link-arg=-rdynamic");
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
