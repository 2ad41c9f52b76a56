;; Every value type, multi-value results, globals, tables and every kind of import: the header
;; must declare all of it cleanly in C99 and C++17, and values must cross the boundary intact.
(module
  (type $unary (func (param i32) (result i32)))
  (import "env" "mix" (func $mix (param i32 i64 f32 f64 v128 funcref externref) (result i64 v128)))
  (import "env" "note" (func $note (param externref)))
  (import "env" "base" (global $base i32))
  (import "env" "scale" (global $scale (mut f64)))
  (import "env" "heap" (memory 1 2))
  (import "env" "handlers" (table $handlers 2 funcref))
  (memory $scratch (export "scratch") 1)
  (table $funcs (export "funcs") 2 funcref)
  (table $refs (export "refs") 2 externref)
  (global (export "seed") i64 (i64.const -5))
  (global $total (export "total") (mut f32) (f32.const 0.5))
  (global $lanes (export "lanes") (mut v128) (v128.const i32x4 1 2 3 4))
  (elem (table $funcs) (i32.const 0) func $twice)
  (elem (table $handlers) (i32.const 1) func $twice)
  (func $twice (export "twice") (type $unary) (i32.mul (local.get 0) (i32.const 2)))
  ;; Every type in, the same values out.
  (func (export "all") (param i32 i64 f32 f64 v128 funcref externref)
        (result i32 i64 f32 f64 v128 funcref externref)
    local.get 0 local.get 1 local.get 2 local.get 3 local.get 4 local.get 5 local.get 6)
  (func (export "wide") (param i64 f32 f64) (result f64)
    (f64.add (f64.convert_i64_s (local.get 0)) (f64.add (f64.promote_f32 (local.get 1)) (local.get 2))))
  ;; Calls the imported `mix` with the imported globals' values.
  (func (export "forward") (param i64 v128) (result i64 v128)
    (call $mix (global.get $base) (local.get 0) (f32.const 1.5) (global.get $scale) (local.get 1)
               (ref.func $twice) (ref.null extern)))
  (func (export "tell") (param externref) (call $note (local.get 0)))
  (func (export "keep") (param externref i32) (table.set $refs (local.get 1) (local.get 0)))
  (func (export "fetch") (param i32) (result externref) (table.get $refs (local.get 0)))
  (func (export "handler") (param i32) (result funcref) (table.get $funcs (local.get 0)))
  ;; Calls through the imported table, which this module filled.
  (func (export "via_handler") (param i32) (result i32)
    (call_indirect $handlers (type $unary) (local.get 0) (i32.const 1)))
  ;; Reads the imported memory, memory 0.
  (func (export "heap_byte") (param i32) (result i32) (i32.load8_u (local.get 0)))
  ;; Adds 1.25 to `total` and returns it.
  (func (export "bump") (result f32)
    (global.set $total (f32.add (global.get $total) (f32.const 1.25)))
    (global.get $total))
  (func (export "lanes_sum") (result i32)
    (i32.add
      (i32.add (i32x4.extract_lane 0 (global.get $lanes)) (i32x4.extract_lane 1 (global.get $lanes)))
      (i32.add (i32x4.extract_lane 2 (global.get $lanes)) (i32x4.extract_lane 3 (global.get $lanes))))))
