;; RUN: -O2 --emit asm --target x86_64-unknown-linux-gnu --cpu x86-64-v2 --strip-debug
;; i8x16.shuffle of one vector is one pshufb; of two, one pshufb each and an or.
(module
  (func (export "one") (param v128 v128) (result v128)
    (i8x16.shuffle 3 1 0 15 5 5 9 2 1 2 3 4 12 11 10 9 (local.get 0) (local.get 1)))
  (func (export "two") (param v128 v128) (result v128)
    (i8x16.shuffle 3 17 0 31 5 5 9 20 1 2 3 4 28 27 26 25 (local.get 0) (local.get 1))))

;; CHECK-LABEL: wasm_func_0:
;; CHECK: pshufb
;; CHECK-NOT: pshufb
;; CHECK: retq
;; CHECK-LABEL: wasm_func_1:
;; CHECK: pshufb
;; CHECK: pshufb
;; CHECK: por
;; CHECK-NOT: pshufb
;; CHECK: retq
