/* Exceptions through the C API: uncaught exceptions of exported, imported and unnamed tags read
 * back by their tag, and an import that throws exported and imported tags into Wasm. */
#include <stdio.h>

#include "exceptions.h"

int32_t exceptions_env_parse(exceptions_instance *instance, void *context, int32_t p0) {
    (void)context;
    if (p0 < 0) {
        exceptions_bad_throw(instance, p0, 0.5);
        return -1; /* ignored */
    }
    if (p0 == 0) {
        exceptions_env_failure_throw(instance, 100);
        return -1;
    }
    return 10 * p0;
}

/* What the instance's last call left, as each tag sees it. */
static void report(const char *call, exceptions_instance *instance, wasm2native_trap code,
                   int32_t result) {
    const wasm2native_result *last = exceptions_last_trap(instance);
    printf("%s: code %d result %d \"%s\"", call, (int)code, result, last->message);
    exceptions_bad_payload bad;
    int32_t failure;
    wasm2native_v128 vector;
    int is_bad = exceptions_bad_caught(instance, &bad);
    if (is_bad)
        printf(" bad(%d, %g)", bad.v0, bad.v1);
    if (exceptions_empty_caught(instance))
        printf(" empty");
    if (exceptions_vector_caught(instance, &vector))
        printf(" vector(%d..%d)", vector.bytes[0], vector.bytes[15]);
    if (exceptions_env_failure_caught(instance, &failure))
        printf(" failure(%d)", failure);
    if (exceptions_bad_caught(instance, NULL) != is_bad)
        printf(" (differs without a payload pointer)");
    if (!last->exception != (code != WASM2NATIVE_TRAP_UNCAUGHT_EXCEPTION))
        printf(" (exception pointer wrong)");
    printf("\n");
}

int main(void) {
    wasm2native_result created;
    exceptions_instance *a = exceptions_new(NULL, &created);
    exceptions_instance *b = exceptions_new(NULL, &created);
    if (!a || !b) {
        printf("new failed: %s\n", created.message);
        return 1;
    }
    char call[64];
    for (int32_t n = 0; n <= 5; n++) {
        int32_t result = -99;
        wasm2native_trap code = exceptions_raise(a, n, &result);
        snprintf(call, sizeof call, "raise(%d)", n);
        report(call, a, code, result);
    }
    int32_t inputs[] = {-3, 0, 4};
    for (int i = 0; i < 3; i++) {
        int32_t result = -99;
        wasm2native_trap code = exceptions_guarded_parse(a, inputs[i], &result);
        snprintf(call, sizeof call, "guarded_parse(%d)", inputs[i]);
        report(call, a, code, result);
        code = exceptions_parse(a, inputs[i], &result);
        snprintf(call, sizeof call, "parse(%d)", inputs[i]);
        report(call, a, code, result);
    }
    /* Each instance keeps its own uncaught exception; an imported tag is each instance's own. */
    int32_t result = -99;
    exceptions_raise(a, 0, &result);
    exceptions_raise(b, 4, &result);
    report("a after b", a, WASM2NATIVE_TRAP_UNCAUGHT_EXCEPTION, result);
    report("b", b, WASM2NATIVE_TRAP_UNCAUGHT_EXCEPTION, result);
    /* An exnref the host reads from a global's cell, kept past later calls. */
    exceptions_remember(a);
    wasm2native_exnref kept = *exceptions_last(a);
    exceptions_exnref_keep(kept);
    printf("remembered: %s\n", kept ? "an exception" : "null");
    exceptions_free(a);
    exceptions_free(b);
    return 0;
}
