;; RUN: -O2 --emit llvm-ir --target x86_64-unknown-linux-gnu --cpu x86-64-v3 --strip-debug
;; Accesses that share a check or need none (translate/bounds.rs, translate/facts.rs).
(module
  (memory 1)
  (global $g (mut i32) (i32.const 0))
  (func $other (global.set $g (i32.add (global.get $g) (i32.const 1))))
  ;; Addresses whose range lies below the declared minimum (one page) need no check: a C
  ;; global at a constant address, a dispatch table indexed by a masked opcode.
  (func (export "below_minimum") (param $op i32) (result i32)
    (i32.add
      (i32.load offset=1024 (i32.const 16))
      (i32.load offset=16304
        (i32.shl (i32.and (local.get $op) (i32.const 127)) (i32.const 2)))))
  ;; One check at the first access covers the later ones through the same local that end no
  ;; further, across a call and inside a nested `if`.
  (func (export "covered") (param $p i32) (result i32)
    (local $s i32)
    (local.set $s (i32.load offset=8 (local.get $p)))
    (call $other)
    (if (local.get $s)
      (then (local.set $s (i32.load offset=4 (local.get $p)))))
    (i32.add (local.get $s) (i32.load (local.get $p))))
  ;; A check before a loop does not cover the loop's accesses through a local the loop sets.
  (func (export "walk") (param $p i32) (result i32)
    (local $s i32)
    (local.set $s (i32.load (local.get $p)))
    (loop $next
      (local.set $s (i32.add (local.get $s) (i32.load (local.get $p))))
      (local.set $p (i32.add (local.get $p) (i32.const 4096)))
      (br_if $next (local.get $s)))
    (local.get $s))
  ;; A check is widened past other bounds checks, whose trap is the same: $L's to end 28, $p's
  ;; to end 9, with the checks of $func and of the pointer loaded through it in between.
  (func (export "widened_past_checks") (param $L i32) (param $func i32) (result i32)
    (local $p i32)
    (local.set $p (i32.load offset=12 (i32.load (local.get $func))))
    (i32.add (i32.load offset=12 (local.get $L))
      (i32.add (i32.load8_u offset=6 (local.get $p))
        (i32.add (i32.load offset=24 (local.get $L)) (i32.load8_u offset=8 (local.get $p)))))))

;; CHECK-LABEL: define internal tailcc i32 @wasm_func_1(
;; CHECK-NOT: call void @w2n_trap
;; CHECK: ret i32

;; CHECK-LABEL: define internal tailcc i32 @wasm_func_2(
;; CHECK: call void @w2n_trap(i32 9)
;; CHECK: add nsw i64 %{{[0-9]+}}, -12
;; CHECK: call void @w2n_trap_memory(i32 0, i64 8, i32 4)
;; CHECK-NOT: call void @w2n_trap
;; CHECK: ret i32

;; CHECK-LABEL: define internal tailcc i32 @wasm_func_3(
;; CHECK: call void @w2n_trap_memory(
;; CHECK: {{^}}loop:
;; CHECK: [[ADDRESS:%[0-9]+]] = zext i32 %param.0 to i64
;; CHECK-NEXT: icmp ult i64 %limit, [[ADDRESS]]
;; CHECK: ret i32

;; CHECK-LABEL: define internal tailcc i32 @wasm_func_4(
;; CHECK-NOT: add nsw i64 %{{[0-9]+}}, -7{{$}}
;; CHECK: add nsw i64 %{{[0-9]+}}, -28
;; CHECK-NOT: add nsw i64 %{{[0-9]+}}, -7{{$}}
;; CHECK: add nsw i64 %{{[0-9]+}}, -9
;; CHECK: ret i32
