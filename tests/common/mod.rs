//! What the test crates share: the compiler under test, paths into the repository, a process's
//! output as text, `nm`, a deterministic generator and a checksum. A test crate takes what it
//! needs with `mod common;`.
#![allow(dead_code, reason = "each test crate uses its own part of this module")]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The compiler under test.
pub fn wasm2native() -> Command {
    Command::new(env!("CARGO_BIN_EXE_wasm2native"))
}

/// `path`, relative to the repository's root.
pub fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Builds `source` (a C file of the repository, an embedder) with the system's C compiler
/// against `library`, a static library wasm2native made, whose header is in `include`, into
/// `program`; a failure fails the test with the compiler's message.
pub fn build_c_embedder(source: &str, include: &Path, library: &Path, program: &Path) {
    let out = Command::new("cc")
        .args(["-std=c11", "-Wall", "-Wextra", "-Werror", "-I"])
        .arg(include)
        .arg(repo(source))
        .arg(library)
        .args(["-lm", "-lpthread", "-ldl", "-o"])
        .arg(program)
        .output()
        .expect("run cc");
    assert!(out.status.success(), "cc {source}: {}", stderr(&out));
}

/// The listing of `nm ARGS FILE`; a failing nm fails the test with its message.
pub fn nm(args: &[&str], file: &Path) -> String {
    let out = Command::new("nm").args(args).arg(file).output().expect("run nm");
    assert!(out.status.success(), "nm {args:?} {}: {}", file.display(), stderr(&out));
    stdout(&out)
}

/// xorshift64*: a fixed seed gives the same sequence on every run, so that a failure can be
/// rerun.
pub struct Xorshift(u64);

impl Xorshift {
    pub fn new(seed: u64) -> Xorshift {
        Xorshift(seed | 1)
    }

    pub fn next_word(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A value below `bound` (0 when `bound` is 0).
    pub fn below(&mut self, bound: u64) -> u64 {
        self.next_word() % bound.max(1)
    }

    /// An index into something `len` long (0 when it is empty).
    pub fn index(&mut self, len: usize) -> usize {
        self.below(len as u64) as usize
    }

    /// `len` bytes, each the high byte of a word.
    pub fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| (self.next_word() >> 56) as u8).collect()
    }
}

/// 64-bit FNV-1a, the checksum the test programs print too.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x100_0000_01b3)
    })
}
