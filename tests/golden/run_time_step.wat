;; RUN: -O2 --emit llvm-ir --target x86_64-unknown-linux-gnu --cpu x86-64-v3 --strip-debug
;; Loops whose addresses step by a value known only at run time, as a sieve's marking loop
;; (`for (j = i * i; j < m; j += i) s[j] = 1`, bench/programs/sieve_strided.c) and one counting
;; down: SCEV cannot count them, so the loop versioning pass (compiler/passes/loop_versioning.cpp)
;; does, before the loop, with the step's sign and the counter's wrapping tested there, then
;; tests the accesses at the first and the last iteration and makes a copy with no check left.
(module
  (memory 1)
  (func (export "mark") (param $s i32) (param $i i32) (param $m i32)
    (local $j i32)
    (local.set $j (i32.mul (local.get $i) (local.get $i)))
    (block $done
      (br_if $done (i32.ge_s (local.get $j) (local.get $m)))
      (loop $next
        (i32.store8 (i32.add (local.get $s) (local.get $j)) (i32.const 1))
        (br_if $next (i32.lt_s (local.tee $j (i32.add (local.get $j) (local.get $i)))
                               (local.get $m))))))
  (func (export "mark_down") (param $s i32) (param $j i32) (param $step i32)
    (block $done
      (br_if $done (i32.lt_s (local.get $j) (i32.const 0)))
      (loop $next
        (i32.store8 (i32.add (local.get $s) (local.get $j)) (i32.const 1))
        (br_if $next (i32.ge_s (local.tee $j (i32.sub (local.get $j) (local.get $step)))
                               (i32.const 0)))))))

;; CHECK-LABEL: define internal tailcc void @wasm_func_0(
;; Before the loop: the count, the distance to the end over the step, which must be positive;
;; then one test picks the copy.
;; CHECK: icmp sgt i32 %2, 0
;; CHECK: udiv i64
;; CHECK: br i1 %{{[0-9]+}}, label %{{[a-z.]+}}, label %loop.exact, !prof
;; The checked copy, which keeps the compare that ends the loop:
;; CHECK: loop.exact:
;; CHECK: icmp slt i32 %{{[0-9]+}}, %3
;; The copy without checks, unrolled (not vectorised, which would scatter), and leaving on the
;; count:
;; CHECK: {{^}}loop:
;; CHECK-NOT: w2n_trap
;; CHECK: store i8 1
;; CHECK: store i8 1
;; CHECK-NOT: w2n_trap
;; CHECK: icmp eq i64 %{{[.a-z0-9]+}}, %{{[.a-z0-9_]+}}
;; CHECK-NEXT: br i1 %{{[.a-z0-9]+}}, label %{{[._a-z0-9-]+}}, label %loop{{(,|$)}}
;; The trap (out of bounds memory access), the checked copy's:
;; CHECK: call void @w2n_trap_memory(
;; CHECK-NOT: call void @w2n_trap_memory(

;; CHECK-LABEL: define internal tailcc void @wasm_func_1(
;; Counting down: the step the counter takes (0 - %3) must be negative.
;; CHECK: [[DOWN:%[0-9]+]] = sub i32 0, %3
;; CHECK: icmp slt i32 [[DOWN]], 0
;; CHECK: udiv i64
;; CHECK: br i1 %{{[0-9]+}}, label %loop.preheader, label %loop.exact, !prof
;; CHECK: loop.exact:
;; CHECK: {{^}}loop:
;; CHECK-NOT: w2n_trap
;; CHECK: store i8 1
;; CHECK: store i8 1
;; CHECK-NOT: w2n_trap
;; CHECK: br i1 %{{.+}}, label %{{.+}}, label %loop{{(,|$)}}
;; CHECK: call void @w2n_trap_memory(
;; CHECK-NOT: call void @w2n_trap_memory(
;; CHECK: define internal void @wasm_initialize(
