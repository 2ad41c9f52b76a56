/* w2n_call: the host's entry into any function value, with a trap handler around it. */
#include <stdio.h>

#include "internal.h"

/* Gives a compiled callee's link group this thread's stack limit (rule in registry.c). */
static void enter_stack_limit(const w2n_funcref *func) {
    if (func->reserved != W2N_FUNCREF_OWNED)
        return;
    w2n_instance *instance = func->vmctx;
    uintptr_t limit = w2n_rt_thread_stack_limit();
    if (instance->stack_limit != limit)
        w2n_rt_group_set_stack_limit(instance, limit);
}

uint32_t w2n_call(w2n_funcref *func, w2n_value *values, w2n_result *result) {
    w2n_rt_result_clear(result);
    if (!func || !func->array_code) {
        result->trap = W2N_TRAP_HOST;
        snprintf(result->message, sizeof result->message, "%s",
                 func ? "function cannot be called from the host (no array entry)"
                      : "null function reference");
        return result->trap;
    }
    enter_stack_limit(func);
    /* One the host's own caller left in flight is not this call's. */
    w2n_exception *outer = w2n_exception_in_flight;
    w2n_exception_in_flight = NULL;
    w2n_trap_frame frame;
    w2n_rt_frame_push(&frame);
    frame.instance = func->reserved == W2N_FUNCREF_OWNED ? func->vmctx : NULL;
    if (sigsetjmp(frame.jump, 0) == 0)
        func->array_code(func->vmctx, values);
    w2n_rt_frame_pop(&frame);
    w2n_rt_frame_report(&frame, result);
    w2n_rt_exception_report(result);
    w2n_exception_in_flight = outer;
    return result->trap;
}
