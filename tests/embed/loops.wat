;; Counted loops whose bounds checks the optimiser may move out of the loop body: a trap must
;; still come at the first out-of-bounds iteration, with every earlier store done.
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
    (local.get $total)))
