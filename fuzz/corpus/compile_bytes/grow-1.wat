;; A memory that grows on request, up to four pages.
(module
  (memory (export "memory") 1 4)
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  ;; Stores `value` in the last four bytes of the memory, wherever its end is now.
  (func (export "mark_end") (param $value i32)
    (i32.store (i32.sub (i32.mul (memory.size) (i32.const 65536)) (i32.const 4)) (local.get $value))))
