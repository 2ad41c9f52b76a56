/*
 * Guarded memories (code compiled with --bounds-checks=guard): the "compiled" functions below
 * access memory with no bounds check at all, as such code does when the guard covers the
 * access, and the fault handler must turn every fault in the reservation into the trap.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../runtime-lib/src/internal.h"

#include "runtime_test.h"

/* The address an unchecked access computes: base + zero-extended address + static offset. */
static volatile uint8_t *effective(w2n_instance *vmctx, int32_t address, uint64_t offset) {
    return vmctx->memories[0]->base + (uint64_t)(uint32_t)address + offset;
}

static void load8_array(w2n_instance *vmctx, w2n_value *v) {
    v[0].i32 = *effective(vmctx, v[0].i32, 0);
}
/* A static offset near 2^32: the farthest any unchecked access reaches into the guard. */
static void load8_far_array(w2n_instance *vmctx, w2n_value *v) {
    v[0].i32 = *effective(vmctx, v[0].i32, W2N_MEMORY_GUARD_BYTES - 1);
}
static void store8_array(w2n_instance *vmctx, w2n_value *v) { *effective(vmctx, v[0].i32, 0) = 7; }
static void grow_array(w2n_instance *vmctx, w2n_value *v) {
    v[0].i32 = w2n_memory_grow(vmctx, 0, (uint32_t)v[0].i32);
}

enum { G_LOAD8, G_LOAD8_FAR, G_STORE8, G_GROW, G_COUNT };

static const char *const guarded_signatures[] = {"i:i", "i:"};
static const uint32_t guarded_func_types[G_COUNT] = {0, 0, 1, 0};
static const w2n_array_fn guarded_array_code[G_COUNT] = {load8_array, load8_far_array, store8_array,
                                                         grow_array};
static const w2n_export guarded_exports[] = {
    EXPORT("load8", W2N_EXTERN_FUNC, G_LOAD8), EXPORT("load8_far", W2N_EXTERN_FUNC, G_LOAD8_FAR),
    EXPORT("store8", W2N_EXTERN_FUNC, G_STORE8), EXPORT("grow", W2N_EXTERN_FUNC, G_GROW),
    EXPORT("mem", W2N_EXTERN_MEMORY, 0)};
static const w2n_limits guarded_memories[] = {{1, 2, 1, 0, {0}}};

static const w2n_module guarded_module = {.abi_version = W2N_ABI_VERSION,
                                          .num_types = 2,
                                          .type_signatures = guarded_signatures,
                                          .num_exports =
                                              sizeof guarded_exports / sizeof guarded_exports[0],
                                          .exports = guarded_exports,
                                          .num_funcs = G_COUNT,
                                          .func_types = guarded_func_types,
                                          .func_code = (void *const[G_COUNT]){NULL},
                                          .func_array_code = guarded_array_code,
                                          .num_memories = 1,
                                          .memories = guarded_memories,
                                          .start_func = -1,
                                          .memory_guard = 1};

/* Calls export `name` with one i32; returns the trap code and leaves the result in *out. */
static uint32_t call1(w2n_instance *instance, const char *name, int32_t argument, int32_t *out) {
    w2n_extern func;
    if (w2n_instance_export(instance, name, strlen(name), W2N_EXTERN_FUNC, &func) != 0)
        return W2N_TRAP_COUNT;
    w2n_value v = {.i32 = argument};
    w2n_result result;
    uint32_t trap = w2n_call(func.of.func, &v, &result);
    if (trap == W2N_TRAP_MEMORY_OUT_OF_BOUNDS)
        CHECK(strcmp(result.message, "out of bounds memory access") == 0);
    if (out)
        *out = v.i32;
    return trap;
}

static void test_guarded_accesses(w2n_instance *instance) {
    w2n_memory *memory = instance->memories[0];
    CHECK(w2n_rt_memory_is_guarded(memory));
    uint8_t *base = memory->base;
    int32_t value = -1;
    CHECK(call1(instance, "load8", 65535, &value) == W2N_TRAP_NONE && value == 0);
    CHECK(call1(instance, "load8", 65536, NULL) == W2N_TRAP_MEMORY_OUT_OF_BOUNDS);
    CHECK(call1(instance, "load8", -1, NULL) == W2N_TRAP_MEMORY_OUT_OF_BOUNDS);
    CHECK(call1(instance, "load8_far", 0, NULL) == W2N_TRAP_MEMORY_OUT_OF_BOUNDS);
    CHECK(call1(instance, "load8_far", -1, NULL) == W2N_TRAP_MEMORY_OUT_OF_BOUNDS);
    CHECK(call1(instance, "store8", 65536, NULL) == W2N_TRAP_MEMORY_OUT_OF_BOUNDS);
    CHECK(call1(instance, "store8", 100, NULL) == W2N_TRAP_NONE && base[100] == 7);
    /* Growing opens the next page in place; past the maximum it fails. */
    CHECK(call1(instance, "grow", 1, &value) == W2N_TRAP_NONE && value == 1);
    CHECK(memory->base == base && memory->size == 2 * W2N_PAGE_SIZE);
    CHECK(call1(instance, "store8", 65536, NULL) == W2N_TRAP_NONE && base[65536] == 7);
    CHECK(call1(instance, "load8", 2 * 65536, NULL) == W2N_TRAP_MEMORY_OUT_OF_BOUNDS);
    CHECK(call1(instance, "grow", 1, &value) == W2N_TRAP_NONE && value == -1);
}

/* A fault in a guarded memory outside any Wasm call is not a trap: the process dies of it. */
static void test_fault_outside_wasm(w2n_instance *instance) {
    pid_t child = fork();
    if (child == 0) {
        /* Quiet: a sanitizer's handler, chained to, reports the fault before exiting. */
        dup2(open("/dev/null", O_WRONLY), STDERR_FILENO);
        *(volatile uint8_t *)(instance->memories[0]->base + instance->memories[0]->size) = 1;
        _exit(0);
    }
    int status = 0;
    CHECK(child > 0 && waitpid(child, &status, 0) == child);
    CHECK(!(WIFEXITED(status) && WEXITSTATUS(status) == 0));
}

static const w2n_import importer_imports[] = {IMPORT("env", "mem", W2N_EXTERN_MEMORY, 0)};
static const w2n_limits importer_memories[] = {{1, 0, 0, 0, {0}}};
static const w2n_module guarded_importer = {.abi_version = W2N_ABI_VERSION,
                                            .num_imports = 1,
                                            .imports = importer_imports,
                                            .num_memories = 1,
                                            .num_imported_memories = 1,
                                            .memories = importer_memories,
                                            .start_func = -1,
                                            .memory_guard = 1};

static int resolve_memory(void *user, const w2n_import *import, w2n_extern *out) {
    (void)import;
    out->kind = W2N_EXTERN_MEMORY;
    out->of.memory = user;
    return 0;
}

/* Guard-mode code may import only a guarded memory; host memories are guarded. */
static void test_guarded_imports(void) {
    w2n_module explicit_module = guarded_module;
    explicit_module.memory_guard = 0;
    w2n_result result;
    w2n_instance *exporter = w2n_instantiate(&explicit_module, NULL, NULL, &result);
    CHECK(exporter && !w2n_rt_memory_is_guarded(exporter->memories[0]));
    if (exporter) {
        CHECK(w2n_instantiate(&guarded_importer, resolve_memory, exporter->memories[0], &result) ==
              NULL);
        CHECK(strcmp(result.message, "incompatible import type: env::mem") == 0);
        w2n_instance_free(exporter);
    }
    w2n_memory *host = w2n_memory_new(1, 0, 0);
    CHECK(host && w2n_rt_memory_is_guarded(host));
    w2n_instance *importer = w2n_instantiate(&guarded_importer, resolve_memory, host, &result);
    CHECK(importer != NULL);
    w2n_instance_free(importer);
}

void test_guarded_memory(void) {
    /* Instances come and go: each frees its slot in the handler's table for the next. */
    for (int i = 0; i < 20; i++) {
        w2n_result result;
        w2n_instance *instance = w2n_instantiate(&guarded_module, NULL, NULL, &result);
        CHECK(instance != NULL);
        if (!instance)
            return;
        test_guarded_accesses(instance);
        if (i == 0)
            test_fault_outside_wasm(instance);
        w2n_instance_free(instance);
    }
    test_guarded_imports();
}
