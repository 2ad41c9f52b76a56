;; One export per way a call can trap, and safe ones to show the instance goes on working.
(module
  (import "env" "check" (func $check (param i32) (result i32)))
  (import "env" "bounce" (func $bounce (param i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
  (func (export "divmod") (param i32 i32) (result i32 i32)
    (i32.div_u (local.get 0) (local.get 1)) (i32.rem_u (local.get 0) (local.get 1)))
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "fail") (param i32) (result i32)
    (if (local.get 0) (then unreachable))
    (i32.const 7))
  ;; The import traps on a negative argument.
  (func (export "checked") (param i32) (result i32) (call $check (local.get 0)))
  ;; Recurses without end.
  (func $deep (export "deep") (param i32) (result i32)
    (i32.add (call $deep (i32.add (local.get 0) (i32.const 1))) (i32.const 1)))
  ;; Recurses without end through the host: the import calls this export again.
  (func (export "through_host") (param i32) (result i32)
    (i32.add (call $bounce (i32.add (local.get 0) (i32.const 1))) (i32.const 1))))
