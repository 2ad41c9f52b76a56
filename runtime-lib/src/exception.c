/*
 * Exceptions (docs/exceptions.md): throws, the per-thread pointer to the exception in flight, and
 * what the host boundary does with one nothing caught. Their memory: exception_heap.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

_Thread_local w2n_exception *w2n_exception_in_flight __attribute__((tls_model("initial-exec")));

/* The last exception that left Wasm on this thread, which a w2n_result points to. */
static _Thread_local w2n_exception *last_uncaught;

void w2n_throw(w2n_instance *vmctx, uint32_t tag_index, const w2n_value *values) {
    w2n_exception_in_flight = w2n_rt_exception_new(vmctx->tags[tag_index], values);
}

void w2n_host_throw(const w2n_tag *tag, const w2n_value *values) {
    w2n_exception_release(w2n_exception_in_flight);
    w2n_exception_in_flight = w2n_rt_exception_new(tag, values);
}

/* The export that names a tag, in the instance that defined it; NULL for an unnamed tag. */
static const w2n_export *tag_export(const w2n_tag *tag) {
    const w2n_instance *owner = w2n_rt_owner_of(W2N_EXTERN_TAG, tag);
    if (!owner)
        return NULL;
    const w2n_module *module = owner->module;
    for (uint32_t i = 0; i < module->num_exports; i++) {
        const w2n_export *export = &module->exports[i];
        if (export->kind == W2N_EXTERN_TAG && owner->tags[export->index] == tag)
            return export;
    }
    return NULL;
}

w2n_exception *w2n_rt_exception_take_uncaught(void) {
    w2n_exception *exception = last_uncaught;
    last_uncaught = NULL;
    return exception;
}

void w2n_rt_exception_report(w2n_result *result) {
    w2n_exception *exception = w2n_exception_in_flight;
    if (!exception)
        return;
    w2n_exception_in_flight = NULL;
    if (result->trap != W2N_TRAP_NONE) {
        /* A trap came after the throw (in a handler's code): the trap is the outcome. */
        w2n_exception_release(exception);
        return;
    }
    w2n_rt_exception_drop_result(last_uncaught);
    w2n_rt_exception_hold_result(exception);
    last_uncaught = exception;
    result->exception = exception;
    result->trap = W2N_TRAP_UNCAUGHT_EXCEPTION;
    const w2n_export *name = tag_export(exception->tag);
    if (name)
        snprintf(result->message, sizeof result->message, "%s (tag \"%.*s\")",
                 w2n_trap_message(W2N_TRAP_UNCAUGHT_EXCEPTION), (int)name->name_len, name->name);
    else
        snprintf(result->message, sizeof result->message, "%s",
                 w2n_trap_message(W2N_TRAP_UNCAUGHT_EXCEPTION));
}
