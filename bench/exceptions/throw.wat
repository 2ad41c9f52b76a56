;; Throw cost: `rounds(n, depth)` throws n exceptions, each from `depth` frames below the
;; try_table that catches it, and returns a checksum. Each frame adds 1 to the result on the way
;; down, so the calls are not tail calls an optimiser could turn into a loop.
(module
  (tag $t (param i32))
  (func $deep (param $depth i32) (param $value i32) (result i32)
    (if (i32.eqz (local.get $depth)) (then (throw $t (local.get $value))))
    (i32.add (call $deep (i32.sub (local.get $depth) (i32.const 1)) (local.get $value))
             (i32.const 1)))
  (func (export "rounds") (param $n i32) (param $depth i32) (result i32) (local $sum i32)
    (block $done
      (loop $again
        (br_if $done (i32.eqz (local.get $n)))
        (block $caught (result i32)
          (try_table (catch $t $caught)
            (drop (call $deep (local.get $depth) (local.get $n))))
          (i32.const 0))
        (local.set $sum (i32.add (local.get $sum)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $again)))
    (local.get $sum))
  ;; What a call costs inside a handler and outside one: `calls(n, inside)` makes n calls that
  ;; can throw (and never do) through the exported table, which no optimiser can see through,
  ;; each inside a try_table when `inside` is not 0, and returns their sum.
  (table (export "callees") 1 funcref)
  (elem (i32.const 0) $step)
  (type $step (func (param i32) (result i32)))
  (func $step (type $step)
    (if (i32.eq (local.get 0) (i32.const -1)) (then (throw $t (local.get 0))))
    (i32.add (local.get 0) (i32.const 3)))
  (func (export "calls") (param $n i32) (param $inside i32) (result i32) (local $sum i32)
    (block $done
      (loop $again
        (br_if $done (i32.eqz (local.get $n)))
        (if (local.get $inside)
          (then
            (block $caught
              (try_table (catch_all $caught)
                (local.set $sum (call_indirect (type $step) (local.get $sum) (i32.const 0))))))
          (else
            (local.set $sum (call_indirect (type $step) (local.get $sum) (i32.const 0)))))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $again)))
    (local.get $sum)))
