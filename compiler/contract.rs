//! The names the translator marks the IR with and the loop passes (compiler/passes/) look for,
//! defined once in compiler/passes/contract.h (which also describes the shapes both sides rely
//! on) and brought here by build.rs.

include!(concat!(env!("OUT_DIR"), "/contract.rs"));
