/* The runtime of LLVM's Wasm setjmp/longjmp lowering (WebAssemblyLowerEmscriptenEHSjLj with
 * -wasm-enable-sjlj), which Debian's wasi-libc lacks. The lowering turns
 *   setjmp(env)  into  __wasm_setjmp(env, label, invocation): label numbers the setjmp within its
 *                      function (from 1), invocation is unique to the running call of it;
 *   longjmp(env, v) into  __wasm_longjmp(env, v), which must throw the C longjmp tag
 *                      (__c_longjmp, tag 1 of __builtin_wasm_throw) with a pointer to {env, v};
 * and each call in a function that calls setjmp into one under a handler of that tag, which asks
 * __wasm_setjmp_test(env, invocation) for the label to resume at, 0 meaning "not ours, rethrow". */
#include "sjlj.h"

void __wasm_setjmp(void *env, uint32_t label, void *invocation) {
    struct wasm_jmp_buf *buf = env;
    buf->invocation = invocation;
    buf->label = label;
}

uint32_t __wasm_setjmp_test(void *env, void *invocation) {
    struct wasm_jmp_buf *buf = env;
    return buf->invocation == invocation ? buf->label : 0;
}

_Noreturn void __wasm_longjmp(void *env, int value) {
    struct wasm_jmp_buf *buf = env;
    /* The argument lives in the jmp_buf, which outlives the throw: no allocation per longjmp. */
    buf->arg.env = env;
    buf->arg.value = value == 0 ? 1 : value;
    __builtin_wasm_throw(1, &buf->arg);
}
