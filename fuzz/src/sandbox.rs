//! The sandbox target's modules: functions of loads, stores and bulk operations at addresses
//! near every bound of a memory that grows between calls. An address is a parameter (the
//! harness favours page multiples and their neighbours), the memory's current end plus or minus
//! a few bytes, or a constant near 0, 2^31 or 2^32; offsets run from 0 to 2^32-1. Accesses come
//! alone, in straight-line runs on one address (which the compiler checks once for several),
//! and in loops (which it versions on one check before the loop): in every shape a trap must come
//! at the access the spec says, with every earlier store done.

use libfuzzer_sys::arbitrary::{Result, Unstructured};
use std::fmt::Write;

/// (instruction, access size, stored value or how a loaded value becomes an i64).
const LOADS: &[(&str, u64, &str)] = &[
    ("i32.load8_u", 1, "i64.extend_i32_u"),
    ("i32.load8_s", 1, "i64.extend_i32_s"),
    ("i32.load16_u", 2, "i64.extend_i32_u"),
    ("i32.load16_s", 2, "i64.extend_i32_s"),
    ("i32.load", 4, "i64.extend_i32_u"),
    ("i64.load8_u", 1, ""),
    ("i64.load16_s", 2, ""),
    ("i64.load32_u", 4, ""),
    ("i64.load32_s", 4, ""),
    ("i64.load", 8, ""),
    ("f32.load", 4, "i32.reinterpret_f32 i64.extend_i32_u"),
    ("f64.load", 8, "i64.reinterpret_f64"),
    ("v128.load", 16, "i64x2.extract_lane 1"),
    ("v128.load32_zero", 4, "i64x2.extract_lane 0"),
    ("v128.load64_splat", 8, "i64x2.extract_lane 1"),
    ("v128.load8x8_s", 8, "i64x2.extract_lane 1"),
];

/// A load whose value is only partly used: it must trap as a whole all the same (in guard mode
/// LLVM would narrow it, were it not anchored).
const PARTIAL_USES: &[(&str, &str)] =
    &[("i64.load", "i32.wrap_i64 i64.extend_i32_u"), ("v128.load", "i64x2.extract_lane 0")];

const STORES: &[(&str, u64, &str)] = &[
    ("i32.store8", 1, "i32.const 0x5a"),
    ("i32.store16", 2, "i32.const 0x1234"),
    ("i32.store", 4, "i32.const 0x7eadbeef"),
    ("i64.store8", 1, "i64.const 0x11"),
    ("i64.store16", 2, "i64.const 0x2222"),
    ("i64.store32", 4, "i64.const 0x33333333"),
    ("i64.store", 8, "i64.const 0x0102030405060708"),
    ("f32.store", 4, "f32.const 1.5"),
    ("f64.store", 8, "f64.const -2.25"),
    ("v128.store", 16, "v128.const i64x2 0x0f0e0d0c0b0a0908 0x0706050403020100"),
];

fn offset(u: &mut Unstructured<'_>, size: u64) -> Result<u64> {
    let candidates = [
        0,
        1,
        size.saturating_sub(1),
        size,
        8,
        65535,
        65536,
        65536 * 2 - size,
        1 << 31,
        (1 << 32) - 1,
        (1 << 32) - size,
    ];
    Ok(match u.int_in_range(0..=3)? {
        0 => u.int_in_range(0..=64)?,
        _ => *u.choose(&candidates)?,
    })
}

/// An i32 address: the parameter, the memory's end plus or minus a few bytes, or a constant.
fn address(u: &mut Unstructured<'_>, out: &mut String) -> Result<()> {
    match u.int_in_range(0..=2)? {
        0 => out.push_str("(local.get $p)"),
        1 => {
            let delta: i32 = u.int_in_range(-40..=24)?;
            write!(out, "(i32.add (i32.shl (memory.size) (i32.const 16)) (i32.const {delta}))")
                .unwrap();
        }
        _ => {
            let constants: [i64; 8] =
                [0, 1, 4096, 65520, 1 << 31, (1 << 32) - 1, (1 << 32) - 8, (1 << 32) - 16];
            write!(out, "(i32.const {})", *u.choose(&constants)? as u32 as i32).unwrap();
        }
    }
    Ok(())
}

/// One access on the address in local $a, xoring a loaded value into $acc.
fn access(u: &mut Unstructured<'_>, out: &mut String) -> Result<()> {
    match u.int_in_range(0..=5)? {
        0..=2 => {
            let (load, size, widen) = *u.choose(LOADS)?;
            let offset = offset(u, size)?;
            match u.int_in_range(0..=5)? {
                // Loaded and dropped: the access must still trap.
                0 => writeln!(out, "    (drop ({load} offset={offset} (local.get $a)))").unwrap(),
                1 if load == "i64.load" || load == "v128.load" => {
                    let (_, partial) = PARTIAL_USES.iter().find(|(l, _)| *l == load).unwrap();
                    writeln!(out, "    (local.set $acc (i64.xor (local.get $acc) ({load} offset={offset} (local.get $a)) {partial}))").unwrap()
                }
                _ => writeln!(out, "    (local.set $acc (i64.xor (local.get $acc) ({load} offset={offset} (local.get $a)) {widen}))").unwrap(),
            }
        }
        3 | 4 => {
            let (store, size, value) = *u.choose(STORES)?;
            let offset = offset(u, size)?;
            writeln!(out, "    ({store} offset={offset} (local.get $a) ({value}))").unwrap();
        }
        _ => {
            let length: u32 = *u.choose(&[0, 1, 7, 16, 65536, u32::MAX])?;
            match u.int_in_range(0..=1)? {
                0 => writeln!(
                    out,
                    "    (memory.fill (local.get $a) (i32.const 0x77) (i32.const {}))",
                    length as i32
                )
                .unwrap(),
                _ => writeln!(
                    out,
                    "    (memory.copy (local.get $a) (i32.const 8) (i32.const {}))",
                    length as i32
                )
                .unwrap(),
            }
        }
    }
    Ok(())
}

/// A function of one to six accesses on one address, each a few bytes apart, possibly in a loop
/// that moves the address by a stride each round.
fn function(u: &mut Unstructured<'_>, index: usize, out: &mut String) -> Result<()> {
    writeln!(out, "  (func (export \"access{index}\") (param $p i32) (result i64) (local $a i32) (local $acc i64) (local $i i32)").unwrap();
    out.push_str("    (local.set $a ");
    address(u, out)?;
    out.push_str(")\n");
    let accesses = u.int_in_range(1..=6)?;
    let looped = u.ratio(1, 3)?;
    if looped {
        let stride: i32 = *u.choose(&[1, 4, 8, 16, -4, -8, 4096])?;
        let rounds: u32 = u.int_in_range(1..=64)?;
        out.push_str("    (loop $round\n");
        for _ in 0..accesses {
            access(u, out)?;
        }
        writeln!(out, "    (local.set $a (i32.add (local.get $a) (i32.const {stride})))").unwrap();
        writeln!(out, "    (local.set $i (i32.add (local.get $i) (i32.const 1)))").unwrap();
        writeln!(out, "    (br_if $round (i32.lt_u (local.get $i) (i32.const {rounds}))))")
            .unwrap();
    } else {
        for _ in 0..accesses {
            access(u, out)?;
        }
    }
    out.push_str("    (local.get $acc))\n");
    Ok(())
}

/// A module of one memory (exported as "memory"), "grow" and "size" functions and up to eight
/// access functions, as text.
pub fn module(u: &mut Unstructured<'_>) -> Result<String> {
    let min: u32 = u.int_in_range(0..=3)?;
    let max = match u.ratio(1, 4)? {
        true => String::new(),
        false => (min + u.int_in_range(0..=4)?).to_string(),
    };
    let mut out = format!("(module\n  (memory (export \"memory\") {min} {max})\n");
    out.push_str("  (data (i32.const 0) \"\\01\\02\\03\\04\\05\\06\\07\\08\\09\\0a\\0b\\0c\\0d\\0e\\0f\\10\")\n");
    out.push_str("  (func (export \"grow\") (param i32) (result i32) (memory.grow (i32.and (local.get 0) (i32.const 3))))\n");
    out.push_str("  (func (export \"size\") (result i32) (memory.size))\n");
    for index in 0..u.int_in_range(1..=8)? {
        function(u, index, &mut out)?;
    }
    out.push_str(")\n");
    Ok(out)
}
