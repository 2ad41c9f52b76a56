;; RUN: -O2 --emit llvm-ir --bounds-checks guard --target x86_64-unknown-linux-gnu --cpu x86-64-v3 --strip-debug
;; Guard mode checks no access (the guard pages fault instead) but keeps the Wasm's order: a
;; fence after the store, an anchor taking the loaded value (translate/guard.rs), both marked
;; for the loop passes (compiler/passes/contract.h). A loop the versioning pass proves in
;; bounds loses them in its fast copy, which is then vectorised; the other copy keeps them.
(module
  (memory 1)
  (func (export "store_then_load") (param $p i32) (param $q i32) (result i32)
    (i32.store (local.get $p) (i32.const 7))
    (i32.load (local.get $q)))
  (func (export "sum") (param $p i32) (param $n i32) (result i32)
    (local $s i32) (local $i i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $s (i32.add (local.get $s)
          (i32.load (i32.add (local.get $p) (i32.shl (local.get $i) (i32.const 2))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $s)))

;; CHECK-LABEL: define internal tailcc i32 @wasm_func_0(
;; Nothing traps: guard mode checks no access, and a function that calls none has no stack
;; check (translate/func.rs).
;; CHECK-NOT: call void @w2n_trap
;; CHECK: store i32 7, ptr %{{[0-9]+}}
;; CHECK-NEXT: call void asm sideeffect "", ""(){{.*}}, !w2n.guard_fence
;; CHECK: [[LOADED:%[0-9]+]] = load i32, ptr
;; CHECK-NEXT: call void asm sideeffect "", "r"(i32 [[LOADED]]){{.*}}, !w2n.guard_fence
;; CHECK-NEXT: ret i32 [[LOADED]]
;; CHECK-LABEL: define internal tailcc i32 @wasm_func_1(
;; CHECK: vector.body:
;; CHECK-NOT: asm sideeffect
;; CHECK: load <8 x i32>
;; CHECK-NOT: asm sideeffect
;; CHECK: middle.block:
;; CHECK: br_if_else.exact:
;; CHECK: call void asm sideeffect "", "r"(i32 %{{[0-9]+}}){{.*}}, !w2n.guard_fence
