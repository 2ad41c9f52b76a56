;; Loops the compiler versions on their bounds checks (one test before the loop, then a copy
;; without checks, or the checked copy when the test fails): each must behave as if every access
;; were checked in turn, for addresses that wrap around 2^32, for a counter that steps over its
;; end, for pointers above 2 GiB, for a run that leaves memory part-way, and for reads and
;; writes of one buffer that overlap.
(module
  (memory (export "memory") 1)
  ;; Stores i + 1 at base + 4 i for i from first up to last (excluded). The address is 32-bit
  ;; arithmetic, so it wraps around to the bottom of memory when base + 4 i passes 2^32.
  (func (export "fill") (param $base i32) (param $first i32) (param $last i32)
    (local $i i32)
    (local.set $i (local.get $first))
    (loop $next
      (i32.store (i32.add (local.get $base) (i32.shl (local.get $i) (i32.const 2)))
                 (i32.add (local.get $i) (i32.const 1)))
      (br_if $next (i32.lt_s (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $last)))))
  ;; The sum of the words at base + 4 i for i from first up to last (excluded).
  (func (export "sum") (param $base i32) (param $first i32) (param $last i32) (result i32)
    (local $i i32) (local $total i32)
    (local.set $i (local.get $first))
    (loop $next
      (local.set $total (i32.add (local.get $total)
        (i32.load offset=4 (i32.add (local.get $base) (i32.shl (local.get $i) (i32.const 2))))))
      (br_if $next (i32.lt_s (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $last))))
    (local.get $total))
  ;; Stores p at base + p for p = start, start + 8, ... until p == end. When end - start is not
  ;; a multiple of 8 the counter steps over end and the loop runs on until an access traps.
  (func (export "stride") (param $base i32) (param $start i32) (param $end i32)
    (local $p i32)
    (local.set $p (local.get $start))
    (loop $next
      (i64.store (i32.add (local.get $base) (local.get $p)) (i64.extend_i32_u (local.get $p)))
      (br_if $next (i32.ne (local.tee $p (i32.add (local.get $p) (i32.const 8))) (local.get $end)))))
  ;; Stores the word at base + 4 i, plus one, at base + 4 (i + distance), for i from 0 up to
  ;; count (excluded): a copy within one buffer, whose reads and writes overlap when distance is
  ;; below count, so that each word written is read again distance iterations later.
  (func (export "shift") (param $base i32) (param $distance i32) (param $count i32)
    (local $i i32) (local $to i32)
    (local.set $to (i32.add (local.get $base) (i32.shl (local.get $distance) (i32.const 2))))
    (loop $next
      (i32.store (i32.add (local.get $to) (i32.shl (local.get $i) (i32.const 2)))
        (i32.add (i32.load (i32.add (local.get $base) (i32.shl (local.get $i) (i32.const 2)))) (i32.const 1)))
      (br_if $next (i32.lt_s (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $count)))))
  ;; Copies 16 bytes at a time from src to dst, as wasi-libc's memcpy does: two pointers, used
  ;; as addresses as they are, stepping by 16, and a count going on while n - 16 stays above 15,
  ;; unsigned. Called with n below 16, the count wraps and the copy runs on until an access traps.
  (func (export "copy") (param $dst i32) (param $src i32) (param $n i32)
    (loop $next
      (i64.store (local.get $dst) (i64.load (local.get $src)))
      (i64.store offset=8 (local.get $dst) (i64.load offset=8 (local.get $src)))
      (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
      (local.set $src (i32.add (local.get $src) (i32.const 16)))
      (br_if $next (i32.gt_u (local.tee $n (i32.sub (local.get $n) (i32.const 16))) (i32.const 15)))))
  (func (export "grow") (param $pages i32) (result i32)
    (memory.grow (local.get $pages))))
