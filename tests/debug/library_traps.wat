;; tests/debug/traps.wat as a library, with one trap more: KIND 0 loads from X, 1 divides by X,
;; 2 reaches `unreachable`, 3 recurses without end, 4 calls through the table with the wrong
;; type, 5 calls the import env.fail, which the C program makes a host trap. tests/debug.rs
;; checks the record of each (tests/debug/trap_record.c prints it).
(module
  (type $unary (func (param i32) (result i32)))
  (import "env" "fail" (func $host_fail (param i32) (result i32)))
  (memory 1)
  (table 1 funcref)
  (elem (i32.const 0) $divide)
  (func $load (param $address i32) (result i32)
    (i32.load (local.get $address)))
  (func $divide (param $divisor i32) (result i32)
    (i32.div_s (i32.const 100) (local.get $divisor)))
  (func $fail (param i32) (result i32)
    unreachable)
  (func $recurse (param $n i32) (result i32)
    (i32.add (call $recurse (i32.add (local.get $n) (i32.const 1))) (i32.const 1)))
  (func $wrong_type (param $x i32) (result i32)
    (call_indirect (result i32) (i32.const 0)))
  (func $ask_host (param $x i32) (result i32)
    (i32.add (call $host_fail (local.get $x)) (i32.const 1)))
  (func $middle (param $kind i32) (param $x i32) (result i32)
    (block $default
      (block $5 (block $4 (block $3 (block $2 (block $1 (block $0
        (br_table $0 $1 $2 $3 $4 $5 $default (local.get $kind)))
        (return (call $load (local.get $x))))
        (return (call $divide (local.get $x))))
        (return (call $fail (local.get $x))))
        (return (call $recurse (local.get $x))))
        (return (call $wrong_type (local.get $x))))
        (return (call $ask_host (local.get $x))))
    (i32.const 0))
  (func $run (export "run") (param $kind i32) (param $x i32) (result i32)
    (call $middle (local.get $kind) (local.get $x))))
