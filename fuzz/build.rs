//! The targets load compiled modules into their own process, and those modules call the runtime
//! linked into the target: its symbols must be in the dynamic symbol table, as the compiler's
//! own build.rs arranges for its binaries (there with a list of the runtime's symbols alone).
fn main() {
    println!("cargo:rustc-link-arg-bins=-Wl,--export-dynamic");
}
