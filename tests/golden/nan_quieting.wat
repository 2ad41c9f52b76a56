;; RUN: -O2 --emit llvm-ir --target x86_64-unknown-linux-gnu --cpu x86-64-v3 --strip-debug
;; NaN results are quieted only where LLVM would otherwise pass a signalling NaN through
;; (translate/ops/numeric.rs): after an operation LLVM folds into its operand (`x - 0`) and
;; after min/max; plain arithmetic keeps the hardware's quieting and costs nothing.
(module
  (func (export "add") (param f32 f32) (result f32) (f32.add (local.get 0) (local.get 1)))
  (func (export "scale") (param f32) (result f32) (f32.mul (local.get 0) (f32.const 0.25)))
  (func (export "minus_zero") (param f32) (result f32) (f32.sub (local.get 0) (f32.const 0)))
  (func (export "min") (param f64 f64) (result f64) (f64.min (local.get 0) (local.get 1))))

;; CHECK-LABEL: define internal tailcc float @wasm_func_0(
;; CHECK: fadd float
;; CHECK-NOT: or i32
;; CHECK: ret float
;; CHECK-LABEL: define internal tailcc float @wasm_func_1(
;; CHECK: fmul float %{{[0-9]+}}, 2.500000e-01
;; CHECK-NOT: or i32
;; CHECK: ret float
;; CHECK-LABEL: define internal tailcc float @wasm_func_2(
;; The quiet bit of a float, set when the value is a NaN:
;; CHECK: or i32 %{{[0-9]+}}, 4194304
;; CHECK: fcmp uno float
;; CHECK: select
;; CHECK-LABEL: define internal tailcc double @wasm_func_3(
;; CHECK: call double @llvm.minimum.f64(
;; CHECK: or i64 %{{[0-9]+}}, 2251799813685248
;; CHECK: fcmp uno double
