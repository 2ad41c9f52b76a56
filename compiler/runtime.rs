//! Rust embedding of the C runtime linked into this crate. (Being written.)
