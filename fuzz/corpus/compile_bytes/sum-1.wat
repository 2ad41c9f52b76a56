;; Sums weights the embedder gives, keeping each in its memory and counting its calls.
(module
  (import "env" "weight" (func $weight (param i32) (result i32)))
  (memory (export "memory") 1)
  (global $calls (export "calls") (mut i32) (i32.const 0))
  ;; The sum of weight(i) for i in [0, n), each weight stored at 4 * i.
  (func (export "sum") (param $n i32) (result i64)
    (local $i i32) (local $total i64) (local $w i32)
    (global.set $calls (i32.add (global.get $calls) (i32.const 1)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $w (call $weight (local.get $i)))
        (i32.store (i32.shl (local.get $i) (i32.const 2)) (local.get $w))
        (local.set $total (i64.add (local.get $total) (i64.extend_i32_s (local.get $w))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $total)))
