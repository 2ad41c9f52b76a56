/*
 * The `main` of a compiled executable: instantiates the module linked beside it with WASI and
 * runs its "_start" (or, for a reactor, its "_initialize").
 *
 * Exit status: 0 when the entry returns, n after proc_exit(n), 134 (as for abort, but without a
 * core dump) after a trap, reported as "wasm trap: MESSAGE", and 1 when the module cannot be
 * instantiated, reported as "wasm2native: MESSAGE".
 */
#include <stdio.h>

#include "internal.h"
#include "wasi.h"

#define TRAP_EXIT_STATUS 134

extern const w2n_module wasm2native_module;
extern char **environ;

static int exit_status_of(const w2n_result *result) {
    switch (result->trap) {
    case W2N_TRAP_NONE:
        return 0;
    case W2N_TRAP_EXIT:
        return result->exit_status;
    default:
        fprintf(stderr, "wasm trap: %s\n", result->message);
        return TRAP_EXIT_STATUS;
    }
}

static w2n_funcref *entry_point(w2n_instance *instance) {
    w2n_extern entry;
    if (w2n_instance_export(instance, "_start", 6, W2N_EXTERN_FUNC, &entry) == 0 ||
        w2n_instance_export(instance, "_initialize", 11, W2N_EXTERN_FUNC, &entry) == 0)
        return entry.of.func;
    return NULL;
}

int main(int argc, char **argv) {
    /* A safety net only: compiled code checks its stack, so failing to install it is harmless. */
    w2n_install_fault_handler();
    w2n_wasi_context *wasi = w2n_wasi_context_new(argc, argv, environ);
    if (!wasi) {
        fputs("wasm2native: out of memory\n", stderr);
        return 1;
    }
    w2n_result result;
    w2n_instance *instance = w2n_instantiate(&wasm2native_module, w2n_wasi_resolver, wasi, &result);
    if (!instance) {
        if (result.trap != W2N_TRAP_NONE)
            return exit_status_of(&result);
        fprintf(stderr, "wasm2native: %s\n", result.message);
        return 1;
    }
    w2n_funcref *entry = entry_point(instance);
    if (!entry)
        return 0;
    w2n_value slot;
    w2n_call(entry, &slot, &result);
    return exit_status_of(&result);
}
