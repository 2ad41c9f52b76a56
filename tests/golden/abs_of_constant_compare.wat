;; RUN: -O0 --emit asm --target x86_64-unknown-linux-gnu --cpu x86-64-v2 --strip-debug
;; The abs of a compare of two constants, a pattern the differential fuzzer found: at -O0 the
;; compare reaches instruction selection unfolded, and as an `llvm.fabs` the abs made LLVM 19's
;; x86 DAG combiner loop for minutes and gigabytes (translate/ops/simd/float.rs, `abs`). Here
;; it compiles, and the combiner folds the f32x4 lanes to what the spec gives; tests/simd.rs
;; runs both functions.
(module
  (func (export "f64x2") (param v128) (result v128)
    v128.const i32x4 1 0 1 1
    v128.const i32x4 0 1 0 0
    i32x4.gt_s
    f64x2.abs
    local.get 0
    local.get 0
    v128.bitselect)
  (func (export "f32x4") (param v128) (result v128)
    v128.const i32x4 1 0 1 1
    v128.const i32x4 0 1 0 0
    i32x4.gt_s
    f32x4.abs
    local.get 0
    local.get 0
    v128.bitselect))

;; CHECK-LABEL: wasm_func_0:
;; CHECK: retq
;; The lanes -1 0 -1 -1 of the compare with their sign bits cleared:
;; CHECK: .LCPI1_0:
;; CHECK-NEXT: .long 2147483647
;; CHECK-NEXT: .long 0
;; CHECK-NEXT: .long 2147483647
;; CHECK-NEXT: .long 2147483647
;; CHECK-LABEL: wasm_func_1:
;; CHECK: movaps .LCPI1_0(%rip), [[ABS:%xmm[0-9]+]]
;; CHECK: pand %xmm{{[0-9]+}}, [[ABS]]
;; CHECK: retq
