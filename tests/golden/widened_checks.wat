;; RUN: -O2 --emit llvm-ir --target x86_64-unknown-linux-gnu --cpu x86-64-v3 --strip-debug
;; Four loads at offsets 0 to 12 of one address: one bounds check covers them all, the last
;; one's end 16 bytes past the address (translate/bounds.rs widens the first check). Then an
;; interpreter's `top[-2] + top[-1]`, two addresses 8 bytes apart made by `i32.add`: the check
;; of the lower one is widened to cover the higher one.
(module
  (memory 1)
  (func (export "sum4") (param $p i32) (result i32)
    (i32.add
      (i32.add (i32.load offset=0 (local.get $p)) (i32.load offset=4 (local.get $p)))
      (i32.add (i32.load offset=8 (local.get $p)) (i32.load offset=12 (local.get $p)))))
  (func (export "add_top") (param $top i32) (result i64)
    (i64.add
      (i64.load (i32.add (local.get $top) (i32.const -16)))
      (i64.load (i32.sub (local.get $top) (i32.const 8))))))

;; CHECK-LABEL: define internal tailcc i32 @wasm_func_0(
;; CHECK: [[LIMIT:%[a-z0-9]+]] = add nsw i64 %{{[0-9]+}}, -16
;; CHECK: icmp slt i64 [[LIMIT]],
;; Its trap names the farthest access: offset 12, 4 bytes.
;; CHECK: call void @w2n_trap_memory(i32 0, i64 12, i32 4)
;; CHECK-NOT: call void @w2n_trap
;; CHECK-LABEL: define internal tailcc i64 @wasm_func_1(
;; CHECK: [[LIMIT:%[a-z0-9]+]] = add nsw i64 %{{[0-9]+}}, -16
;; CHECK: icmp slt i64 [[LIMIT]],
;; The trap names the higher access: 8 bytes at 8 past the lower address.
;; CHECK: call void @w2n_trap_memory(i32 0, i64 8, i32 8)
;; CHECK-NOT: call void @w2n_trap
;; CHECK: define internal void @wasm_initialize(
