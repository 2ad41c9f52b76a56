/* setjmp and longjmp for parser.c: the C library's natively; on Wasm, the declarations that
 * LLVM's setjmp/longjmp lowering (-mllvm -wasm-enable-sjlj) recognises by name, since Debian's
 * wasi-libc has neither <setjmp.h> nor the lowering's runtime (sjlj_wasm.c provides it). */
#ifndef SJLJ_H
#define SJLJ_H

#ifdef __wasm__
#include <stdint.h>

/* What the lowering's runtime keeps in a jmp_buf: which call of the function that called setjmp
 * it belongs to, the label of that setjmp in it, and the longjmp's argument while it travels. */
struct wasm_jmp_buf {
    void *invocation;
    uint32_t label;
    struct wasm_longjmp_arg {
        void *env;
        int value;
    } arg;
};

typedef struct wasm_jmp_buf jmp_buf[1];
int setjmp(jmp_buf env) __attribute__((returns_twice));
_Noreturn void longjmp(jmp_buf env, int value);
#else
#include <setjmp.h>
#endif

#endif
