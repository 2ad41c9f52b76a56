;; Tags in the C API: exported and imported tags that exports leave uncaught, and a host import
;; that throws into the Wasm code calling it.
(module
  (import "env" "failure" (tag $failure (param i32)))
  ;; Returns 10 * n for n > 0; throws "bad" (n, 0.5) for n < 0 and "failure" (100) for 0.
  (import "env" "parse" (func $parse (param i32) (result i32)))
  (tag $bad (export "bad") (param i32 f64))
  (tag $empty (export "empty"))
  (tag $vector (export "vector") (param v128))
  (tag $unnamed (param i32))
  (func (export "raise") (param i32) (result i32)
    (block
      (block
        (block
          (block
            (block
              (br_table 0 1 2 3 4 4 (local.get 0)))
            (throw $bad (i32.const 7) (f64.const 2.5)))
          (throw $empty))
        (throw $vector (v128.const i8x16 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15)))
      (throw $unnamed (i32.const 9)))
    (if (i32.eq (local.get 0) (i32.const 4)) (then (throw $failure (i32.const 11))))
    (local.get 0))
  ;; The host's exceptions caught in Wasm: "bad" gives 1000 + n, "failure" 2000 + its value.
  (func (export "guarded_parse") (param i32) (result i32)
    (block $on_failure (result i32)
      (block $on_bad (result i32 f64)
        (try_table (catch $bad $on_bad) (catch $failure $on_failure)
          (return (call $parse (local.get 0))))
        (unreachable))
      (drop)
      (return (i32.add (i32.const 1000))))
    (i32.add (i32.const 2000)))
  ;; An exnref kept in an exported global.
  (global $last (export "last") (mut exnref) (ref.null exn))
  (func (export "remember")
    (block $caught (result i32 f64 exnref)
      (try_table (catch_ref $bad $caught) (throw $bad (i32.const 5) (f64.const 1.5)))
      (unreachable))
    (global.set $last)
    (drop)
    (drop))
  ;; The host's exceptions left uncaught.
  (func (export "parse") (param i32) (result i32) (call $parse (local.get 0))))
