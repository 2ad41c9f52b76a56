//! Native symbol names of the compiled functions, taken from the module's name section so that
//! `nm`, `perf report` and `gdb` show the C, C++ or Rust function a piece of code came from.
//!
//! A symbol is `wasm.` followed by the function's name. The prefix is what keeps such names
//! apart from every symbol the object refers to: a function of the module named `memcpy` or
//! `fmod` (wasi-libc defines both) would otherwise capture the backend's own calls to the C
//! library of that name, which bind to a definition in the same object. No C or runtime symbol
//! contains a dot. Names a producer left mangled (Itanium C++, Rust) are demangled, bytes that
//! an assembler would have to quote become `_`, and a name given twice (two `static` functions
//! of different C files) gets the function index appended. A function the name section does
//! not name keeps `wasm_func_INDEX`.

use crate::frontend::ModuleInfo;
use std::collections::HashSet;

/// The prefix of every named function's symbol.
pub const NAMED_PREFIX: &str = "wasm.";
/// Longest name kept (bytes): some C++ and Rust names run to kilobytes.
const MAX_NAME_BYTES: usize = 512;

/// A compiled function's names: its native symbol, and the name a debugger shows.
pub struct FunctionName {
    pub symbol: String,
    /// The name section's name, demangled and made safe (`readable`), or the symbol.
    pub display: String,
}

/// The names of each defined function, in function-index order from the first defined one.
pub fn function_names(info: &ModuleInfo<'_>) -> Vec<FunctionName> {
    let mut taken = HashSet::new();
    (info.num_imported_funcs..info.func_types.len() as u32)
        .map(|index| {
            let Some(name) = info.func_names.get(&index) else {
                let symbol = unnamed(index);
                return FunctionName { display: symbol.clone(), symbol };
            };
            let display = readable(name);
            let symbol = format!("{NAMED_PREFIX}{display}");
            let symbol = match taken.insert(symbol.clone()) {
                true => symbol,
                // The index alone makes it unique: `wasm.NAME` never ends in `.INDEX`
                // (`readable` leaves no name ending in a dot and digits).
                false => format!("{symbol}.{index}"),
            };
            FunctionName { symbol, display }
        })
        .collect()
}

fn unnamed(index: u32) -> String {
    format!("wasm_func_{index}")
}

/// The name demangled, with what an assembler would need quoted replaced, cut to a length.
fn readable(name: &str) -> String {
    let demangled = demangle(name);
    let mut out: String = demangled.chars().map(|c| if is_plain(c) { c } else { '_' }).collect();
    if out.len() > MAX_NAME_BYTES {
        let mut end = MAX_NAME_BYTES;
        while !out.is_char_boundary(end) {
            end -= 1;
        }
        out.truncate(end);
    }
    // A trailing `.DIGITS` would look like the suffix that makes a repeated name unique.
    if out.rsplit_once('.').is_some_and(|(_, tail)| tail.bytes().all(|b| b.is_ascii_digit())) {
        out.push('_');
    }
    if out.is_empty() {
        out.push('_');
    }
    out
}

/// Characters kept as they are: those of C identifiers and of C++ and Rust paths and templates.
fn is_plain(c: char) -> bool {
    c.is_ascii_alphanumeric() || "_.:<>,&*~[]()$".contains(c)
}

/// A mangled name demangled (Rust's legacy and v0 schemes, Itanium C++); any other as it is.
fn demangle(name: &str) -> String {
    if let Ok(rust) = rustc_demangle::try_demangle(name) {
        return format!("{rust:#}");
    }
    if name.starts_with("_Z") {
        if let Ok(symbol) = cpp_demangle::Symbol::new(name) {
            if let Ok(text) = symbol.demangle(&cpp_demangle::DemangleOptions::default()) {
                return text;
            }
        }
    }
    name.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_c_names_and_replaces_what_needs_quoting() {
        assert_eq!(readable("luaV_execute"), "luaV_execute");
        assert_eq!(readable("std::vector<int> const&"), "std::vector<int>_const&");
        assert_eq!(readable("a\"b\\c\nd"), "a_b_c_d");
        assert_eq!(readable(""), "_");
    }

    #[test]
    fn demangles_itanium_and_rust_names() {
        assert_eq!(readable("_Z3addii"), "add(int,_int)");
        assert_eq!(readable("_ZN4core3fmt5write17h0123456789abcdefE"), "core::fmt::write");
        assert_eq!(readable("_RNvCs1234_7mycrate4main"), "mycrate::main");
    }

    #[test]
    fn a_name_never_ends_like_the_uniqueness_suffix() {
        assert_eq!(readable("f.12"), "f.12_");
        assert_eq!(readable("f.1a"), "f.1a");
    }

    #[test]
    fn cuts_long_names_on_a_character_boundary() {
        let long = "é".repeat(400);
        let cut = readable(&long);
        assert!(cut.len() <= MAX_NAME_BYTES);
        assert!(cut.chars().all(|c| c == '_'));
        let long = "x".repeat(1000);
        assert_eq!(readable(&long).len(), MAX_NAME_BYTES);
    }
}
