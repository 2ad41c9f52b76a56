;; Accesses whose bounds checks the compiler may move or merge (out of a counted loop, across
;; the fields of one structure): a trap must still come at the first out-of-bounds access, with
;; every earlier store done.
(module
  (memory (export "memory") 1)
  ;; Stores i + 1 at start + 4 i for i below count.
  (func (export "fill") (param $start i32) (param $count i32)
    (local $i i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_s (local.get $i) (local.get $count)))
        (i32.store (i32.add (local.get $start) (i32.shl (local.get $i) (i32.const 2)))
                   (i32.add (local.get $i) (i32.const 1)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next))))
  ;; Adds count i32 words from start, stopping at the first trap.
  (func (export "sum") (param $start i32) (param $count i32) (result i32)
    (local $i i32) (local $total i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_s (local.get $i) (local.get $count)))
        (local.set $total (i32.add (local.get $total)
          (i32.load offset=8 (i32.add (local.get $start) (i32.shl (local.get $i) (i32.const 2))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $total))
  ;; Two fields of one structure: one check may cover both loads.
  (func (export "fields") (param $p i32) (result i32)
    (i32.add (i32.load (local.get $p)) (i32.load offset=8 (local.get $p))))
  ;; A store between the accesses must happen before the second one traps.
  (func (export "store_then_load") (param $p i32) (result i32)
    (i32.store (local.get $p) (i32.const 7))
    (i32.load offset=8 (local.get $p))))
