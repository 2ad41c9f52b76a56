;; Prints a greeting through WASI's fd_write and exits normally.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  ;; iovec { base = 16, len = 27 } at 0, the text at 16
  (data (i32.const 0) "\10\00\00\00\1f\00\00\00")
  (data (i32.const 16) "Hello from native WebAssembly!\n")
  (func (export "_start")
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))
