//! Modules of typed function references, for the Wasmtime comparison: wasm-smith makes typed
//! references only together with GC and then rarely reaches their instructions, so this
//! generator writes them on purpose. Each module has function types of several shapes (one with
//! more parameters than registers), a typed table with holes, a table of non-null references
//! with an initialiser, typed globals, a ring of functions that tail-call each other through
//! references of different signatures, and exported functions that are random sequences of
//! statements: a reference taken from a table, a global, `ref.func`, `ref.null`, `select` or a
//! call, then used by `call_ref`, `return_call_ref`, `call_indirect`, `br_on_null`,
//! `br_on_non_null`, `ref.as_non_null`, `ref.is_null`, a non-null local, table and global
//! writes, and as an argument. Table indices come masked (in bounds) or raw (a trap).

use libfuzzer_sys::arbitrary::{Result, Unstructured};
use std::fmt::Write;

/// Leaf functions of type `$unary`: an operation with a constant, one of which may trap.
const LEAVES: usize = 4;
const LEAF_BODIES: &[&str] = &[
    "(i32.add (local.get 0) (i32.const {k}))",
    "(i32.mul (local.get 0) (i32.const {k}))",
    "(i32.xor (i32.rotl (local.get 0) (i32.const 7)) (i32.const {k}))",
    "(i32.div_s (i32.const {k}) (local.get 0))",
    "(i32.sub (i32.const {k}) (local.get 0))",
];

/// The part every module shares, with `{…}` holes filled per module.
const FIXED: &str = r#"
  (type $unary (func (param i32) (result i32)))
  (type $binary (func (param i64 i32) (result i32)))
  (type $wide (func (param i32 i64 f64 i32 i64 f64 i32 i64 f64 i32) (result i32)))
  (type $maker (func (param i32) (result (ref null $unary))))
  (type $taker (func (param (ref null $unary) i32) (result i32)))
  (table $tab (export "tab") {tab_min} {tab_max} (ref null $unary))
  (table $nonnull (export "nonnull") 4 (ref $unary) (ref.func $leaf{init_leaf}))
  (global $g (export "g") (mut (ref null $unary)) (ref.func $leaf{global_leaf}))
  (global $fixed (export "fixed") (ref $unary) (ref.func $leaf{fixed_leaf}))
  (elem $passive (ref null $unary) (ref.func $leaf0) (ref.null $unary) (ref.func $leaf2))
  (elem declare func $ring_a $ring_b $ring_wide {leaves})

  ;; A ring of tail calls through references: $unary to $binary to $wide to $unary, one step
  ;; less each time, constant stack for any count. $wide's arguments past the registers come
  ;; back into the count, so a misplaced one changes the result.
  (func $ring_a (type $unary)
    (if (result i32) (i32.le_s (local.get 0) (i32.const 0))
      (then (i32.const {ring_end}))
      (else (return_call_ref $binary (i64.extend_i32_s (local.get 0)) (i32.const 4)
                                     (ref.func $ring_b)))))
  (func $ring_b (type $binary)
    (return_call_ref $wide
      (i32.wrap_i64 (i64.sub (local.get 0) (i64.const 1))) (i64.const 2) (f64.const 3)
      (local.get 1) (i64.const 5) (f64.const 6) (i32.const 7) (i64.const 8) (f64.const 9)
      (i32.const 10) (ref.func $ring_wide)))
  (func $ring_wide (type $wide)
    (return_call_ref $unary
      (i32.add (i32.add (local.get 0) (i32.sub (local.get 3) (i32.const 4)))
               (i32.sub (i32.wrap_i64 (local.get 7)) (i32.sub (local.get 9) (i32.const 2))))
      (ref.func $ring_a)))

  (func $make (type $maker)
    (select (result (ref null $unary))
      (table.get $tab (i32.and (local.get 0) (i32.const 7)))
      (global.get $g)
      (i32.and (local.get 0) (i32.const 8))))
  (func $take (type $taker)
    (block $null
      (return (call_ref $unary (local.get 1) (br_on_null $null (local.get 0)))))
    (i32.const -1))

  (func (export "make") (param i32) (result (ref null $unary)) (call $make (local.get 0)))
  (func (export "take") (param (ref null $unary)) (param i32) (result i32)
    (call $take (local.get 0) (local.get 1)))
  (func (export "fixed_ref") (result (ref $unary)) (global.get $fixed))
  (func (export "ring") (param i32) (result i32)
    (call $ring_a (i32.and (local.get 0) (i32.const 0xffff))))
"#;

/// A table index from `$s`: masked into the table's first entries, or as it is.
fn index(u: &mut Unstructured<'_>) -> Result<&'static str> {
    Ok(*u.choose(&["(i32.and (local.get $s) (i32.const 7))", "(local.get $s)"])?)
}

/// An expression of type `(ref null $unary)`.
fn reference(u: &mut Unstructured<'_>) -> Result<String> {
    Ok(match u.int_in_range(0..=7)? {
        0 => format!("(table.get $tab {})", index(u)?),
        1 => format!("(ref.func $leaf{})", u.int_in_range(0..=LEAVES - 1)?),
        2 => "(global.get $g)".into(),
        3 => "(ref.null $unary)".into(),
        4 => "(call $make (local.get $s))".into(),
        5 => "(table.get $nonnull (i32.and (local.get $s) (i32.const 3)))".into(),
        6 => "(global.get $fixed)".into(),
        _ => "(select (result (ref null $unary)) (local.get $r) (global.get $g) (local.get $x))"
            .into(),
    })
}

/// One statement of an exported function, on `$s` (the selector), `$x` (the value computed),
/// `$r` (a nullable reference) and `$nn` (a non-null local, readable once `nn_set`).
fn statement(u: &mut Unstructured<'_>, nn_set: &mut bool, out: &mut String) -> Result<()> {
    let k: i32 = u.arbitrary()?;
    let line = match u.int_in_range(0..=15)? {
        0..=2 => format!("(local.set $r {})", reference(u)?),
        3 => "(local.set $x (call_ref $unary (local.get $x) (local.get $r)))".into(),
        4 => "(local.set $x (call_ref $unary (local.get $x) (ref.as_non_null (local.get $r))))"
            .into(),
        5 => format!(
            "(block $null (local.set $x (call_ref $unary (local.get $x) (br_on_null $null (local.get $r))))) \
             (local.set $x (i32.xor (local.get $x) (i32.const {k})))"
        ),
        6 => format!(
            "(local.set $x (call_ref $unary (local.get $x) \
               (block $some (result (ref $unary)) (br_on_non_null $some (local.get $r)) (ref.func $leaf{}))))",
            u.int_in_range(0..=LEAVES - 1)?
        ),
        7 => {
            *nn_set = true;
            "(local.set $nn (ref.as_non_null (local.get $r)))".into()
        }
        8 if *nn_set => "(local.set $x (call_ref $unary (local.get $x) (local.get $nn)))".into(),
        8 => "(local.set $x (i32.add (local.get $x) (ref.is_null (local.get $r))))".into(),
        9 => format!("(table.set $tab {} (local.get $r))", index(u)?),
        10 => format!(
            "(local.set $x (i32.add (local.get $x) (table.grow $tab (local.get $r) (i32.const {}))))",
            u.int_in_range(0..=3)?
        ),
        11 => format!(
            "(table.fill $tab (i32.const {}) (local.get $r) (i32.const {}))",
            u.int_in_range(0..=9)?,
            u.int_in_range(0..=4)?
        ),
        12 => format!(
            "(table.init $tab $passive (i32.const {}) (i32.const {}) (i32.const {}))",
            u.int_in_range(0..=9)?,
            u.int_in_range(0..=2)?,
            u.int_in_range(0..=2)?
        ),
        13 => "(global.set $g (local.get $r))".into(),
        14 => format!(
            "(local.set $x (call_indirect $tab (type $unary) (local.get $x) {}))",
            index(u)?
        ),
        _ => "(local.set $x (i32.add (local.get $x) (call $take (local.get $r) (local.get $x))))"
            .into(),
    };
    writeln!(out, "    {line}").unwrap();
    Ok(())
}

/// An exported function `op{n}` of one to twelve statements, ending in a return of `$x` or a
/// tail call through `$r`.
fn function(u: &mut Unstructured<'_>, n: usize, out: &mut String) -> Result<()> {
    writeln!(
        out,
        "  (func (export \"op{n}\") (param $s i32) (param $x i32) (result i32) \
         (local $r (ref null $unary)) (local $nn (ref $unary))"
    )
    .unwrap();
    writeln!(out, "    (local.set $r {})", reference(u)?).unwrap();
    let mut nn_set = false;
    for _ in 0..u.int_in_range(1..=12)? {
        statement(u, &mut nn_set, out)?;
    }
    match u.ratio(1, 4)? {
        true => out.push_str("    (return_call_ref $unary (local.get $x) (local.get $r)))\n"),
        false => out.push_str("    (local.get $x))\n"),
    }
    Ok(())
}

/// A module as described above, as text.
pub fn module(u: &mut Unstructured<'_>) -> Result<String> {
    let tab_min: u32 = u.int_in_range(0..=10)?;
    let tab_max = match u.ratio(1, 3)? {
        true => String::new(),
        false => (tab_min + u.int_in_range(0..=6)?).to_string(),
    };
    let mut fixed = FIXED.replace("{tab_min}", &tab_min.to_string());
    let leaves: Vec<String> = (0..LEAVES).map(|leaf| format!("$leaf{leaf}")).collect();
    for (hole, value) in [
        ("{leaves}", leaves.join(" ")),
        ("{tab_max}", tab_max),
        ("{init_leaf}", u.int_in_range(0..=LEAVES - 1)?.to_string()),
        ("{global_leaf}", u.int_in_range(0..=LEAVES - 1)?.to_string()),
        ("{fixed_leaf}", u.int_in_range(0..=LEAVES - 1)?.to_string()),
        ("{ring_end}", u.arbitrary::<i32>()?.to_string()),
    ] {
        fixed = fixed.replace(hole, &value);
    }
    let mut out = String::from("(module\n");
    for leaf in 0..LEAVES {
        let body = u.choose(LEAF_BODIES)?.replace("{k}", &u.arbitrary::<i32>()?.to_string());
        writeln!(out, "  (func $leaf{leaf} (type $unary) {body})").unwrap();
    }
    out.push_str(&fixed);
    // An active segment, which may not fit (instantiation then traps).
    let offset: u32 = u.int_in_range(0..=tab_min + 1)?;
    out.push_str(&format!("  (elem (table $tab) (i32.const {offset}) (ref null $unary)"));
    for _ in 0..u.int_in_range(0..=3)? {
        match u.int_in_range(0..=LEAVES)? {
            LEAVES => out.push_str(" (ref.null $unary)"),
            leaf => write!(out, " (ref.func $leaf{leaf})").unwrap(),
        }
    }
    out.push_str(")\n");
    for n in 0..u.int_in_range(1..=8)? {
        function(u, n, &mut out)?;
    }
    out.push_str(")\n");
    Ok(out)
}
