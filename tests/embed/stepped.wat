;; Loops whose addresses step by a value known only at run time, as a sieve's marking loop
;; (`for (j = i * i; j < m; j += i)`): the compiler counts them and tests their accesses once
;; before the loop, as for constant steps. Each must behave as if every access were checked in
;; turn, whatever the step's sign and size, for a counter that wraps and for reads and writes
;; that overlap.
(module
  (memory (export "memory") 1)
  ;; Stores 1 at base + j for j = start, start + step, ... while j < end (signed).
  (func (export "mark") (param $base i32) (param $start i32) (param $step i32) (param $end i32)
    (local $j i32)
    (local.set $j (local.get $start))
    (loop $next
      (i32.store8 (i32.add (local.get $base) (local.get $j)) (i32.const 1))
      (br_if $next (i32.lt_s (local.tee $j (i32.add (local.get $j) (local.get $step)))
                             (local.get $end)))))
  ;; As `mark`, while j < end unsigned.
  (func (export "mark_unsigned") (param $base i32) (param $start i32) (param $step i32) (param $end i32)
    (local $j i32)
    (local.set $j (local.get $start))
    (loop $next
      (i32.store8 (i32.add (local.get $base) (local.get $j)) (i32.const 1))
      (br_if $next (i32.lt_u (local.tee $j (i32.add (local.get $j) (local.get $step)))
                             (local.get $end)))))
  ;; Stores 1 at base + j for j = start, start - step, ... while j >= end (signed).
  (func (export "mark_down") (param $base i32) (param $start i32) (param $step i32) (param $end i32)
    (local $j i32)
    (local.set $j (local.get $start))
    (loop $next
      (i32.store8 (i32.add (local.get $base) (local.get $j)) (i32.const 1))
      (br_if $next (i32.ge_s (local.tee $j (i32.sub (local.get $j) (local.get $step)))
                             (local.get $end)))))
  ;; Stores 1 at base + i for i = 0, 1, ... while a second counter, j = start, start + step, ...,
  ;; is below end (signed).
  (func (export "tally") (param $base i32) (param $start i32) (param $step i32) (param $end i32)
    (local $i i32) (local $j i32)
    (local.set $j (local.get $start))
    (loop $next
      (i32.store8 (i32.add (local.get $base) (local.get $i)) (i32.const 1))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $next (i32.lt_s (local.tee $j (i32.add (local.get $j) (local.get $step)))
                             (local.get $end)))))
  ;; Stores 1 at base + j for j = 0, step, ... over count iterations, but stops at a byte that
  ;; is 2: a loop with a second exit.
  (func (export "mark_until") (param $base i32) (param $step i32) (param $count i32)
    (local $i i32) (local $j i32)
    (block $stop
      (loop $next
        (br_if $stop (i32.eq (i32.load8_u (i32.add (local.get $base) (local.get $j))) (i32.const 2)))
        (i32.store8 (i32.add (local.get $base) (local.get $j)) (i32.const 1))
        (local.set $j (i32.add (local.get $j) (local.get $step)))
        (br_if $next (i32.lt_s (local.tee $i (i32.add (local.get $i) (i32.const 1)))
                               (local.get $count))))))
  ;; Stores the byte at base + j, plus one, at base + distance + j, for j = 0, step, ... over
  ;; count iterations: reads and writes overlap when distance is a multiple of step below
  ;; count steps, so that each byte written is read again later.
  (func (export "shift") (param $base i32) (param $distance i32) (param $step i32) (param $count i32)
    (local $i i32) (local $j i32) (local $to i32)
    (local.set $to (i32.add (local.get $base) (local.get $distance)))
    (loop $next
      (i32.store8 (i32.add (local.get $to) (local.get $j))
        (i32.add (i32.load8_u (i32.add (local.get $base) (local.get $j))) (i32.const 1)))
      (local.set $j (i32.add (local.get $j) (local.get $step)))
      (br_if $next (i32.lt_s (local.tee $i (i32.add (local.get $i) (i32.const 1)))
                             (local.get $count))))))
