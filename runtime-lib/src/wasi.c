/*
 * WASI preview 1: the context, the resolver, and guest memory access shared by the functions.
 *
 * How a WASI function reaches the calling instance: it needs the caller's memory, but an import
 * receives the vmctx of its funcref. The resolver therefore hands out funcrefs marked
 * W2N_FUNCREF_BIND_CALLER whose vmctx is the w2n_wasi_context; w2n_instantiate binds a copy of
 * each with vmctx = the importing instance (before initialize and the start function run, so
 * WASI works from a start function too) and keeps the context as the instance's import context.
 * So every WASI function gets the calling instance as its first argument and finds its context
 * with w2n_rt_import_context.
 *
 * The functions themselves live in wasi_*.c and are listed in `wasi_functions` below.
 */
#include <stdlib.h>
#include <string.h>

#include "wasi_internal.h"

static const wasi_function wasi_functions[] = {
    {"args_get", "ii:i", (void *)wasi_args_get},
    {"args_sizes_get", "ii:i", (void *)wasi_args_sizes_get},
    {"environ_get", "ii:i", (void *)wasi_environ_get},
    {"environ_sizes_get", "ii:i", (void *)wasi_environ_sizes_get},
    {"fd_write", "iiii:i", (void *)wasi_fd_write},
    {"fd_read", "iiii:i", (void *)wasi_fd_read},
    {"fd_close", "i:i", (void *)wasi_fd_close},
    {"fd_seek", "iIii:i", (void *)wasi_fd_seek},
    {"fd_fdstat_get", "ii:i", (void *)wasi_fd_fdstat_get},
    {"fd_prestat_get", "ii:i", (void *)wasi_fd_prestat_get},
    {"fd_prestat_dir_name", "iii:i", (void *)wasi_fd_prestat_dir_name},
    {"clock_time_get", "iIi:i", (void *)wasi_clock_time_get},
    {"clock_res_get", "ii:i", (void *)wasi_clock_res_get},
    {"random_get", "ii:i", (void *)wasi_random_get},
    {"sched_yield", ":i", (void *)wasi_sched_yield},
    {"proc_exit", "i:", (void *)wasi_proc_exit},
};

#define WASI_FUNCTION_COUNT (sizeof wasi_functions / sizeof wasi_functions[0])

struct w2n_wasi_context {
    int argc;
    char **argv;
    char **envp;
    w2n_funcref funcs[WASI_FUNCTION_COUNT]; /* what the resolver hands out, one per function */
};

w2n_wasi_context *w2n_wasi_context_new(int argc, char **argv, char **envp) {
    w2n_wasi_context *context = calloc(1, sizeof *context);
    if (!context)
        return NULL;
    context->argc = argc;
    context->argv = argv;
    context->envp = envp;
    for (size_t i = 0; i < WASI_FUNCTION_COUNT; i++) {
        w2n_funcref *func = &context->funcs[i];
        func->code = wasi_functions[i].code;
        func->type_id = w2n_intern_signature(wasi_functions[i].signature);
        func->reserved = W2N_FUNCREF_BIND_CALLER;
        func->vmctx = context;
    }
    return context;
}

void w2n_wasi_context_free(w2n_wasi_context *context) {
    free(context);
}

static int name_is(const char *name, uint32_t len, const char *expected) {
    return strlen(expected) == len && memcmp(name, expected, len) == 0;
}

int w2n_wasi_resolver(void *user, const w2n_import *import, w2n_extern *out) {
    w2n_wasi_context *context = user;
    if (!context || import->kind != W2N_EXTERN_FUNC ||
        !name_is(import->module, import->module_len, "wasi_snapshot_preview1"))
        return -1;
    for (size_t i = 0; i < WASI_FUNCTION_COUNT; i++) {
        if (name_is(import->name, import->name_len, wasi_functions[i].name)) {
            out->kind = W2N_EXTERN_FUNC;
            out->of.func = &context->funcs[i];
            return 0;
        }
    }
    return -1;
}

void wasi_caller_args(w2n_instance *caller, int *argc, char ***argv, char ***envp) {
    w2n_wasi_context *context = w2n_rt_import_context(caller);
    *argc = context->argc;
    *argv = context->argv;
    *envp = context->envp;
}

/* WASI programs share the memory they export as "memory"; modules without one get none. */
wasi_memory wasi_caller_memory(w2n_instance *caller) {
    wasi_memory memory = {NULL, 0};
    w2n_extern exported;
    if (w2n_instance_export(caller, "memory", 6, W2N_EXTERN_MEMORY, &exported) == 0) {
        memory.base = exported.of.memory->base;
        memory.size = exported.of.memory->size;
    }
    return memory;
}

int wasi_in_bounds(wasi_memory memory, uint32_t pointer, uint64_t length) {
    return memory.base && (uint64_t)pointer + length <= memory.size;
}

uint32_t wasi_load_u32(wasi_memory memory, uint32_t pointer) {
    uint32_t value;
    memcpy(&value, memory.base + pointer, sizeof value);
    return value;
}

void wasi_store_u32(wasi_memory memory, uint32_t pointer, uint32_t value) {
    memcpy(memory.base + pointer, &value, sizeof value);
}

void wasi_store_u64(wasi_memory memory, uint32_t pointer, uint64_t value) {
    memcpy(memory.base + pointer, &value, sizeof value);
}
