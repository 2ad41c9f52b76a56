;; Out-of-bounds accesses whose trap names the access: three loads through one address (one
;; check, widened, in explicit mode), a load from a second memory, loads from a 64-bit memory
;; (one whose address plus offset passes 2^64) and a memory.fill, which names none.
;; tests/debug.rs runs each.
(module
  (memory $small 1)
  (memory $large 2)
  (memory $wide i64 1)
  (func (export "fields") (param $p i32) (result i32)
    (i32.add (i32.load offset=0 (local.get $p))
      (i32.add (i32.load offset=4 (local.get $p)) (i32.load offset=12 (local.get $p)))))
  (func (export "second") (param $p i32) (result i64)
    (i64.load $large offset=8 (local.get $p)))
  (func (export "wide") (param $p i64) (result i64)
    (i64.load $wide offset=16 (local.get $p)))
  (func (export "fill") (param $p i32)
    (memory.fill $small (local.get $p) (i32.const 0) (i32.const 32))))
