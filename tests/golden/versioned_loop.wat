;; RUN: -O2 --emit llvm-ir --target x86_64-unknown-linux-gnu --cpu x86-64-v3 --strip-debug
;; A loop summing an array: the loop versioning pass (compiler/passes/loop_versioning.cpp) reads
;; the translator's fast compares (compiler/passes/contract.h), tests them once before the loop
;; and makes a copy with no check left, which LLVM vectorises; the other copy keeps the exact
;; check. If the two sides stop agreeing on the marks or the compare's shape, the loop keeps a
;; check per access and is not vectorised.
(module
  (memory 1)
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
;; One test before the loop picks the copy:
;; CHECK: br i1 %{{[0-9]+}}, label %loop.preheader, label %loop.exact.preheader
;; The copy without checks is vectorised:
;; CHECK: vector.body:
;; CHECK: load <8 x i32>
;; The checked copy, and its trap (out of bounds memory access), the function's last, which
;; names the access (4 bytes at offset 0 of the address):
;; CHECK: loop.exact:
;; CHECK: call void @w2n_trap_memory(i32 0, i64 0, i32 4)
;; CHECK-NOT: call void @w2n_trap
;; CHECK: define internal void @wasm_initialize(
