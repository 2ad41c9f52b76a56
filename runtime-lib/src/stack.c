/*
 * Native stack bounds of the current thread, for the stack limit compiled code checks in its
 * prologues. Computed once per thread and cached.
 */
#include <pthread.h>

#include "internal.h"

/* Stack left below the limit for the trap path and runtime calls made from compiled code. */
#define W2N_STACK_MARGIN ((uintptr_t)256 * 1024)

static _Thread_local uintptr_t stack_low __attribute__((tls_model("initial-exec")));
static _Thread_local uintptr_t stack_high __attribute__((tls_model("initial-exec")));

static void compute_stack_bounds(void) {
    pthread_attr_t attributes;
    void *address = NULL;
    size_t size = 0;
    if (pthread_getattr_np(pthread_self(), &attributes) == 0) {
        pthread_attr_getstack(&attributes, &address, &size);
        pthread_attr_destroy(&attributes);
    }
    if (!address || size == 0) {
        /* Unknown bounds: assume a small stack ending just below the current frame. */
        uintptr_t here = (uintptr_t)__builtin_frame_address(0);
        size = 1024 * 1024;
        address = (void *)(here - size + 4096);
    }
    stack_low = (uintptr_t)address;
    stack_high = (uintptr_t)address + size;
}

uintptr_t w2n_rt_thread_stack_limit(void) {
    if (!stack_low)
        compute_stack_bounds();
    uintptr_t size = stack_high - stack_low;
    /* Small thread stacks keep three quarters for Wasm rather than nothing. */
    uintptr_t margin = size >= 4 * W2N_STACK_MARGIN ? W2N_STACK_MARGIN : size / 4;
    return stack_low + margin;
}

int w2n_rt_cached_stack_bounds(uintptr_t *low, uintptr_t *high) {
    if (!stack_low)
        return 0;
    *low = stack_low;
    *high = stack_high;
    return 1;
}
