/*
 * Unit test of the C runtime on hand-written module descriptors: the "compiled code" below is C
 * written to the calling convention of include/wasm2native.h. Run with tests/runtime/run.sh.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../runtime-lib/src/wasi.h"

#include "runtime_test.h"

int w2n_install_fault_handler(void);

int failures;

/* ------------------------------------------------ the "compiled" module --- */

static void check_stack(w2n_instance *vmctx) {
    if ((uintptr_t)__builtin_frame_address(0) < vmctx->stack_limit)
        w2n_trap(W2N_TRAP_STACK_EXHAUSTED);
}

static int32_t add(w2n_instance *vmctx, int32_t a, int32_t b) {
    check_stack(vmctx);
    return a + b;
}
static void add_array(w2n_instance *vmctx, w2n_value *v) {
    v[0].i32 = add(vmctx, v[0].i32, v[1].i32);
}

static void unreachable(w2n_instance *vmctx) {
    (void)vmctx;
    w2n_trap(W2N_TRAP_UNREACHABLE);
}
static void unreachable_array(w2n_instance *vmctx, w2n_value *v) {
    (void)v;
    unreachable(vmctx);
}

/* The view of import 0 (a host function) that the compiler emits: calls the host's code. */
static void host_view(w2n_instance *vmctx) {
    w2n_funcref *host = &vmctx->host_funcs[0];
    ((void (*)(void *))host->code)(host->vmctx);
}

/* Calls import 0, through the view the runtime binds in its place. */
static void call_host(w2n_instance *vmctx) {
    w2n_funcref *host = vmctx->funcs[0];
    ((void (*)(void *))host->code)(host->vmctx);
}
static void call_host_array(w2n_instance *vmctx, w2n_value *v) {
    (void)v;
    call_host(vmctx);
}

/* Always true; keeps the compiler from proving the recursion endless. */
static volatile int keep_recursing = 1;

static int32_t recurse(w2n_instance *vmctx, int32_t depth) {
    check_stack(vmctx);
    volatile char frame[256];
    frame[0] = (char)depth;
    return keep_recursing ? recurse(vmctx, depth + 1) + frame[0] : 0;
}
static void recurse_array(w2n_instance *vmctx, w2n_value *v) { v[0].i32 = recurse(vmctx, 0); }

/* No stack check: only the fault handler can stop this one. */
static int32_t recurse_unchecked(w2n_instance *vmctx, int32_t depth) {
    volatile char frame[4096];
    frame[0] = (char)depth;
    return keep_recursing ? recurse_unchecked(vmctx, depth + 1) + frame[0] : 0;
}
static void recurse_unchecked_array(w2n_instance *vmctx, w2n_value *v) {
    v[0].i32 = recurse_unchecked(vmctx, 0);
}

static void memory_init_array(w2n_instance *vmctx, w2n_value *v) {
    w2n_memory_init(vmctx, 0, 0, (uint32_t)v[0].i32, (uint32_t)v[1].i32, (uint32_t)v[2].i32);
}
static void table_init_array(w2n_instance *vmctx, w2n_value *v) {
    w2n_table_init(vmctx, 0, 0, (uint32_t)v[0].i32, (uint32_t)v[1].i32, (uint32_t)v[2].i32);
}
static void table_copy_array(w2n_instance *vmctx, w2n_value *v) {
    w2n_table_copy(vmctx, 0, 0, (uint32_t)v[0].i32, (uint32_t)v[1].i32, (uint32_t)v[2].i32);
}
static void table_fill_array(w2n_instance *vmctx, w2n_value *v) {
    w2n_table_fill(vmctx, 0, (uint32_t)v[0].i32, v[1].ref, (uint32_t)v[2].i32);
}
static void table_grow_array(w2n_instance *vmctx, w2n_value *v) {
    v[0].i32 = w2n_table_grow(vmctx, 0, v[0].ref, (uint32_t)v[1].i32);
}
static void memory_grow_array(w2n_instance *vmctx, w2n_value *v) {
    v[0].i32 = w2n_memory_grow(vmctx, 0, (uint32_t)v[0].i32);
}

/* Fills the element segment with functions 1 and 2, puts it at table[0..2], data at mem[0]. */
static void initialize(w2n_instance *vmctx) {
    vmctx->elem_segments[0][0] = vmctx->funcs[1];
    vmctx->elem_segments[0][1] = vmctx->funcs[2];
    vmctx->globals[0]->i32 = 42;
    w2n_table_init(vmctx, 0, 0, 0, 0, 2);
    w2n_memory_init(vmctx, 0, 0, 0, 0, 5);
    w2n_data_drop(vmctx, 0);
}

enum {
    F_HOST,
    F_ADD,
    F_UNREACHABLE,
    F_CALL_HOST,
    F_RECURSE,
    F_RECURSE_UNCHECKED,
    F_MEMORY_INIT,
    F_TABLE_INIT,
    F_TABLE_COPY,
    F_TABLE_FILL,
    F_TABLE_GROW,
    F_MEMORY_GROW,
    F_COUNT
};

static const char *const signatures[] = {":", "ii:i", ":i", "iii:", "iri:", "ri:i", "i:i"};
static const uint32_t func_types[F_COUNT] = {0, 1, 0, 0, 2, 2, 3, 3, 3, 4, 5, 6};
static void *const func_code[F_COUNT] = {(void *)host_view,   (void *)add,
                                         (void *)unreachable, (void *)call_host,
                                         (void *)recurse,     (void *)recurse_unchecked};
static const w2n_array_fn func_array_code[F_COUNT] = {NULL,
                                                      add_array,
                                                      unreachable_array,
                                                      call_host_array,
                                                      recurse_array,
                                                      recurse_unchecked_array,
                                                      memory_init_array,
                                                      table_init_array,
                                                      table_copy_array,
                                                      table_fill_array,
                                                      table_grow_array,
                                                      memory_grow_array};
static const w2n_import imports[] = {IMPORT("host", "f", W2N_EXTERN_FUNC, 0)};
static const w2n_export exports[] = {
    EXPORT("add", W2N_EXTERN_FUNC, F_ADD),
    EXPORT("unreachable", W2N_EXTERN_FUNC, F_UNREACHABLE),
    EXPORT("call_host", W2N_EXTERN_FUNC, F_CALL_HOST),
    EXPORT("recurse", W2N_EXTERN_FUNC, F_RECURSE),
    EXPORT("recurse_unchecked", W2N_EXTERN_FUNC, F_RECURSE_UNCHECKED),
    EXPORT("memory.init", W2N_EXTERN_FUNC, F_MEMORY_INIT),
    EXPORT("table.init", W2N_EXTERN_FUNC, F_TABLE_INIT),
    EXPORT("table.copy", W2N_EXTERN_FUNC, F_TABLE_COPY),
    EXPORT("table.fill", W2N_EXTERN_FUNC, F_TABLE_FILL),
    EXPORT("table.grow", W2N_EXTERN_FUNC, F_TABLE_GROW),
    EXPORT("memory.grow", W2N_EXTERN_FUNC, F_MEMORY_GROW),
    EXPORT("mem", W2N_EXTERN_MEMORY, 0),
    EXPORT("tab", W2N_EXTERN_TABLE, 0),
    EXPORT("g", W2N_EXTERN_GLOBAL, 0)};
static const w2n_table_type tables[] = {{{2, 4, 1, 0, {0}}, W2N_TYPE_FUNCREF, {0}, NULL}};
static const w2n_limits memories[] = {{1, 3, 1, 0, {0}}};
static const w2n_global_type globals[] = {{W2N_TYPE_I32, 1, {0}, NULL}};
static const uint8_t hello[] = "hello";
static const w2n_data_segment data_segments[] = {{hello, 5, 0}};
static const uint32_t elem_segment_sizes[] = {2};

static const w2n_module test_module = {.abi_version = W2N_ABI_VERSION,
                                       .num_types = 7,
                                       .type_signatures = signatures,
                                       .num_imports = 1,
                                       .num_exports = sizeof exports / sizeof exports[0],
                                       .imports = imports,
                                       .exports = exports,
                                       .num_funcs = F_COUNT,
                                       .num_imported_funcs = 1,
                                       .func_types = func_types,
                                       .func_code = func_code,
                                       .func_array_code = func_array_code,
                                       .num_tables = 1,
                                       .tables = tables,
                                       .num_memories = 1,
                                       .memories = memories,
                                       .num_globals = 1,
                                       .globals = globals,
                                       .num_data_segments = 1,
                                       .num_elem_segments = 1,
                                       .data_segments = data_segments,
                                       .elem_segment_sizes = elem_segment_sizes,
                                       .start_func = -1,
                                       .initialize = initialize};

/* -------------------------------------------------------------- the host --- */

static w2n_instance *current;
static uint32_t nested_trap;

/* Calls back into Wasm, which traps; the trap must end only the inner call. */
static void host_f(void *context) {
    (void)context;
    w2n_extern trapper;
    w2n_instance_export(current, "unreachable", 11, W2N_EXTERN_FUNC, &trapper);
    w2n_value slot;
    w2n_result result;
    nested_trap = w2n_call(trapper.of.func, &slot, &result);
}

static w2n_funcref host_func;

static int resolve_host(void *user, const w2n_import *import, w2n_extern *out) {
    (void)user;
    if (strcmp(import->module, "host") || strcmp(import->name, "f") ||
        import->kind != W2N_EXTERN_FUNC)
        return 1;
    out->kind = import->kind;
    out->of.func = &host_func;
    return 0;
}

static w2n_funcref *export_func(w2n_instance *instance, const char *name) {
    w2n_extern out;
    return w2n_instance_export(instance, name, strlen(name), W2N_EXTERN_FUNC, &out) == 0
               ? out.of.func
               : NULL;
}

static uint32_t call3(w2n_instance *instance, const char *name, int32_t a, int32_t b, int32_t c,
                      w2n_result *result) {
    w2n_value v[3] = {{.i32 = a}, {.i32 = b}, {.i32 = c}};
    return w2n_call(export_func(instance, name), v, result);
}

/* ----------------------------------------------------------------- tests --- */

static w2n_instance *instantiate_test_module(void) {
    host_func = (w2n_funcref){.code = (void *)host_f, .type_id = w2n_intern_signature(":")};
    w2n_result result;
    w2n_instance *instance = w2n_instantiate(&test_module, resolve_host, NULL, &result);
    CHECK(instance != NULL);
    CHECK(result.trap == W2N_TRAP_NONE);
    return instance;
}

static void test_signatures(void) {
    uint32_t a = w2n_intern_signature("ii:i");
    CHECK(a != 0 && a == w2n_intern_signature("ii:i"));
    CHECK(a != w2n_intern_signature("ii:I"));
    CHECK(w2n_intern_signature(":") != w2n_intern_signature(":i"));
}

static void test_memory(w2n_instance *instance) {
    w2n_extern mem;
    CHECK(w2n_instance_export(instance, "mem", 3, W2N_EXTERN_MEMORY, &mem) == 0);
    w2n_memory *memory = mem.of.memory;
    CHECK(memcmp(memory->base, "hello", 5) == 0);
    CHECK(memory->size == W2N_PAGE_SIZE);
    w2n_result result;
    /* The segment was dropped by initialize: empty init at 0 passes, anything else traps. */
    CHECK(call3(instance, "memory.init", 0, 0, 0, &result) == W2N_TRAP_NONE);
    CHECK(call3(instance, "memory.init", 0, 0, 1, &result) == W2N_TRAP_MEMORY_OUT_OF_BOUNDS);
    CHECK(strcmp(result.message, "out of bounds memory access") == 0);
    CHECK(call3(instance, "memory.init", 0, 1, 0, &result) == W2N_TRAP_MEMORY_OUT_OF_BOUNDS);
    /* grow: 1 -> 2 -> 3 pages, then past the maximum of 3 */
    uint8_t *base = memory->base;
    CHECK(call3(instance, "memory.grow", 1, 0, 0, &result) == W2N_TRAP_NONE);
    w2n_value v = {.i32 = 1};
    w2n_call(export_func(instance, "memory.grow"), &v, &result);
    CHECK(v.i32 == 2);
    v.i32 = 1;
    w2n_call(export_func(instance, "memory.grow"), &v, &result);
    CHECK(v.i32 == -1);
    v.i32 = 0;
    w2n_call(export_func(instance, "memory.grow"), &v, &result);
    CHECK(v.i32 == 3);
    CHECK(memory->size == 3 * W2N_PAGE_SIZE && memory->base == base);
    memory->base[3 * W2N_PAGE_SIZE - 1] = 1;
    CHECK(memory->base[2 * W2N_PAGE_SIZE] == 0);
}

static void test_table(w2n_instance *instance) {
    w2n_extern tab;
    CHECK(w2n_instance_export(instance, "tab", 3, W2N_EXTERN_TABLE, &tab) == 0);
    w2n_table *table = tab.of.table;
    CHECK(table->size == 2);
    CHECK(table->elements[0] == instance->funcs[F_ADD]);
    CHECK(table->elements[1] == instance->funcs[F_UNREACHABLE]);
    w2n_result result;
    /* elem segment 0 is still live (initialize did not drop it) */
    CHECK(call3(instance, "table.init", 1, 0, 1, &result) == W2N_TRAP_NONE);
    CHECK(table->elements[1] == instance->funcs[F_ADD]);
    CHECK(call3(instance, "table.init", 1, 1, 2, &result) == W2N_TRAP_TABLE_OUT_OF_BOUNDS);
    CHECK(strcmp(result.message, "out of bounds table access") == 0);
    w2n_elem_drop(instance, 0);
    CHECK(call3(instance, "table.init", 0, 0, 0, &result) == W2N_TRAP_NONE);
    CHECK(call3(instance, "table.init", 0, 0, 1, &result) == W2N_TRAP_TABLE_OUT_OF_BOUNDS);
    /* grow: 2 -> 4 (max), then -1 */
    w2n_value v[3] = {{.ref = NULL}, {.i32 = 2}};
    w2n_call(export_func(instance, "table.grow"), v, &result);
    CHECK(v[0].i32 == 2 && table->size == 4 && table->elements[3] == NULL);
    v[0].ref = NULL;
    v[1].i32 = 1;
    w2n_call(export_func(instance, "table.grow"), v, &result);
    CHECK(v[0].i32 == -1 && table->size == 4);
    /* fill and copy, bounds checked before writing */
    v[0].i32 = 3;
    v[1].ref = instance->funcs[F_ADD];
    v[2].i32 = 2;
    CHECK(w2n_call(export_func(instance, "table.fill"), v, &result) ==
          W2N_TRAP_TABLE_OUT_OF_BOUNDS);
    CHECK(table->elements[3] == NULL);
    v[2].i32 = 1;
    CHECK(w2n_call(export_func(instance, "table.fill"), v, &result) == W2N_TRAP_NONE);
    CHECK(table->elements[3] == instance->funcs[F_ADD]);
    CHECK(call3(instance, "table.copy", 2, 3, 1, &result) == W2N_TRAP_NONE);
    CHECK(table->elements[2] == instance->funcs[F_ADD]);
    CHECK(call3(instance, "table.copy", 3, 0, 2, &result) == W2N_TRAP_TABLE_OUT_OF_BOUNDS);
}

static void test_calls_and_traps(w2n_instance *instance) {
    w2n_result result;
    w2n_value v[2] = {{.i32 = 40}, {.i32 = 2}};
    CHECK(w2n_call(export_func(instance, "add"), v, &result) == W2N_TRAP_NONE && v[0].i32 == 42);
    CHECK(w2n_call(export_func(instance, "unreachable"), v, &result) == W2N_TRAP_UNREACHABLE);
    CHECK(strcmp(result.message, "unreachable") == 0);
    /* nested: the host's inner call traps, the outer call returns normally */
    nested_trap = 0;
    CHECK(w2n_call(export_func(instance, "call_host"), v, &result) == W2N_TRAP_NONE);
    CHECK(nested_trap == W2N_TRAP_UNREACHABLE);
    CHECK(w2n_call(export_func(instance, "recurse"), v, &result) == W2N_TRAP_STACK_EXHAUSTED);
    CHECK(strcmp(result.message, "call stack exhausted") == 0);
    CHECK(w2n_call(export_func(instance, "recurse_unchecked"), v, &result) ==
          W2N_TRAP_STACK_EXHAUSTED);
    CHECK(w2n_call(export_func(instance, "recurse_unchecked"), v, &result) ==
          W2N_TRAP_STACK_EXHAUSTED);
    CHECK(w2n_call(export_func(instance, "add"), v, &result) == W2N_TRAP_NONE);
    w2n_extern g;
    CHECK(w2n_instance_export(instance, "g", 1, W2N_EXTERN_GLOBAL, &g) == 0);
    CHECK(g.of.global->i32 == 42 && g.global_type.value_type == W2N_TYPE_I32 &&
          g.global_type.mutable_);
    CHECK(w2n_instance_export(instance, "g", 1, W2N_EXTERN_FUNC, &g) != 0);
    CHECK(strcmp(w2n_trap_message(W2N_TRAP_INVALID_CONVERSION), "invalid conversion to integer") ==
          0);
}

/* A host function raising a trap through w2n_host_trap. */
static void host_trapper(w2n_instance *context, w2n_value *v) {
    (void)context, (void)v;
    w2n_host_trap("custom failure");
}

static void test_host_trap(void) {
    w2n_funcref func = {.array_code = host_trapper};
    w2n_value v;
    w2n_result result;
    CHECK(w2n_call(&func, &v, &result) == W2N_TRAP_HOST);
    CHECK(strcmp(result.message, "custom failure") == 0);
}

/* ------------------------------------------------------------ link errors --- */

static const char *importer_signatures[] = {"ii:i"};
static const uint32_t importer_func_types[] = {0};
static const w2n_import importer_imports[] = {
    IMPORT("env", "add", W2N_EXTERN_FUNC, 0), IMPORT("env", "mem", W2N_EXTERN_MEMORY, 0),
    IMPORT("env", "tab", W2N_EXTERN_TABLE, 0), IMPORT("env", "g", W2N_EXTERN_GLOBAL, 0)};
static w2n_limits importer_memories[] = {{1, 3, 1, 0, {0}}};
static w2n_table_type importer_tables[] = {{{1, 0, 0, 0, {0}}, W2N_TYPE_FUNCREF, {0}, NULL}};
static w2n_global_type importer_globals[] = {{W2N_TYPE_I32, 1, {0}, NULL}};
static const w2n_module importer_module = {.abi_version = W2N_ABI_VERSION,
                                           .num_types = 1,
                                           .type_signatures = importer_signatures,
                                           .num_imports = 4,
                                           .imports = importer_imports,
                                           .num_funcs = 1,
                                           .num_imported_funcs = 1,
                                           .func_types = importer_func_types,
                                           .func_code = (void *const[]){NULL},
                                           .num_tables = 1,
                                           .num_imported_tables = 1,
                                           .tables = importer_tables,
                                           .num_memories = 1,
                                           .num_imported_memories = 1,
                                           .memories = importer_memories,
                                           .num_globals = 1,
                                           .num_imported_globals = 1,
                                           .globals = importer_globals,
                                           .start_func = -1};

static int resolve_from_instance(void *user, const w2n_import *import, w2n_extern *out) {
    return user ? w2n_instance_export(user, import->name, import->name_len, import->kind, out) : 1;
}

static void expect_link_error(w2n_instance *exporter, const char *prefix) {
    w2n_result result;
    w2n_instance *instance =
        w2n_instantiate(&importer_module, resolve_from_instance, exporter, &result);
    CHECK(instance == NULL);
    CHECK(result.trap == W2N_TRAP_NONE);
    if (strncmp(result.message, prefix, strlen(prefix)) != 0) {
        fprintf(stderr, "expected '%s', got '%s'\n", prefix, result.message);
        failures++;
    }
}

static void test_linking(w2n_instance *exporter) {
    w2n_result result;
    w2n_instance *instance =
        w2n_instantiate(&importer_module, resolve_from_instance, exporter, &result);
    CHECK(instance != NULL);
    if (instance) {
        CHECK(instance->funcs[0] == exporter->funcs[F_ADD]);
        CHECK(instance->memories[0] == exporter->memories[0]);
        CHECK(instance->stack_limit == exporter->stack_limit);
        w2n_instance_free(instance);
    }
    importer_memories[0].max = 2; /* exporter's max is 3 */
    expect_link_error(exporter, "incompatible import type");
    importer_memories[0] = (w2n_limits){4, 0, 0, 0, {0}}; /* exporter has 3 pages */
    expect_link_error(exporter, "incompatible import type");
    importer_memories[0] = (w2n_limits){1, 0, 0, 0, {0}};
    importer_tables[0].limits.min = 5;
    expect_link_error(exporter, "incompatible import type");
    importer_tables[0].limits.min = 1;
    importer_globals[0].mutable_ = 0;
    expect_link_error(exporter, "incompatible import type");
    importer_globals[0].mutable_ = 1;
    importer_signatures[0] = "ii:I";
    expect_link_error(exporter, "incompatible import type");
    importer_signatures[0] = "ii:i";
    expect_link_error(NULL, "unknown import");

    /* host memories: a declared maximum of W2N_MAX_PAGES is still a maximum */
    w2n_memory *unbounded = w2n_memory_new(1, 0, 0);
    w2n_memory *bounded = w2n_memory_new(1, W2N_MAX_PAGES, 1);
    CHECK(unbounded && bounded && bounded->base != NULL);
    CHECK(w2n_memory_new(0, 0, 0)->base != NULL);
    (void)unbounded;
}

/* A module whose start function traps after initialize wrote into an imported table. */
static void start_trap_initialize(w2n_instance *vmctx) {
    vmctx->tables[0]->elements[0] = vmctx->funcs[0];
}
static void *const start_trap_code[] = {(void *)unreachable};
static const w2n_array_fn start_trap_array_code[] = {unreachable_array};
static const w2n_import start_trap_imports[] = {IMPORT("env", "tab", W2N_EXTERN_TABLE, 0)};
static const w2n_module start_trap_module = {.abi_version = W2N_ABI_VERSION,
                                             .num_types = 1,
                                             .type_signatures = (const char *const[]){":"},
                                             .num_imports = 1,
                                             .imports = start_trap_imports,
                                             .num_funcs = 1,
                                             .func_types = (const uint32_t[]){0},
                                             .func_code = start_trap_code,
                                             .func_array_code = start_trap_array_code,
                                             .num_tables = 1,
                                             .num_imported_tables = 1,
                                             .tables = importer_tables,
                                             .start_func = 0,
                                             .initialize = start_trap_initialize};

static void test_start_trap(w2n_instance *exporter) {
    w2n_result result;
    w2n_instance *instance =
        w2n_instantiate(&start_trap_module, resolve_from_instance, exporter, &result);
    CHECK(instance == NULL);
    CHECK(result.trap == W2N_TRAP_UNREACHABLE);
    w2n_funcref *written = exporter->tables[0]->elements[0];
    CHECK(written && written->code == (void *)unreachable);
    /* the failed instance's function stays callable through the table */
    w2n_module wrong_version = test_module;
    wrong_version.abi_version = 99;
    CHECK(w2n_instantiate(&wrong_version, resolve_host, NULL, &result) == NULL);
    CHECK(result.trap == W2N_TRAP_NONE && strstr(result.message, "ABI") != NULL);
}

/* -------------------------------------------------------------------- WASI --- */

/* The views of the WASI imports (host code) the compiler would emit. */
static int32_t fd_write_view(w2n_instance *vmctx, int32_t fd, uint32_t iovs, uint32_t count,
                             uint32_t written) {
    w2n_funcref *host = &vmctx->host_funcs[0];
    int32_t (*code)(void *, int32_t, uint32_t, uint32_t, uint32_t) = host->code;
    return code(host->vmctx, fd, iovs, count, written);
}
static void proc_exit_view(w2n_instance *vmctx, int32_t status) {
    w2n_funcref *host = &vmctx->host_funcs[1];
    ((void (*)(void *, int32_t))host->code)(host->vmctx, status);
}
static int32_t args_sizes_view(w2n_instance *vmctx, uint32_t count, uint32_t size) {
    w2n_funcref *host = &vmctx->host_funcs[2];
    return ((int32_t (*)(void *, uint32_t, uint32_t))host->code)(host->vmctx, count, size);
}

static void wasi_start(w2n_instance *vmctx) {
    /* iovec at 16 -> "hi\n" at 32; nwritten at 8 */
    uint8_t *base = vmctx->memories[0]->base;
    memcpy(base + 32, "hi\n", 3);
    uint32_t iov[2] = {32, 3};
    memcpy(base + 16, iov, sizeof iov);
    w2n_funcref *fd_write = vmctx->funcs[0];
    int32_t (*write_fn)(w2n_instance *, int32_t, uint32_t, uint32_t, uint32_t) = fd_write->code;
    int32_t status = write_fn(fd_write->vmctx, 1, 16, 1, 8);
    uint32_t written;
    memcpy(&written, base + 8, 4);
    if (status != 0 || written != 3)
        w2n_trap(W2N_TRAP_UNREACHABLE);
    /* a bad pointer is EFAULT, not a crash */
    if (write_fn(fd_write->vmctx, 1, 65535, 1, 8) != 21)
        w2n_trap(W2N_TRAP_UNREACHABLE);
    int32_t (*args_sizes)(w2n_instance *, uint32_t, uint32_t) = vmctx->funcs[2]->code;
    if (args_sizes(vmctx->funcs[2]->vmctx, 0, 4) != 0 || base[0] != 2)
        w2n_trap(W2N_TRAP_UNREACHABLE);
    void (*proc_exit)(w2n_instance *, int32_t) = vmctx->funcs[1]->code;
    proc_exit(vmctx->funcs[1]->vmctx, 7);
}

static void wasi_start_array(w2n_instance *vmctx, w2n_value *v) {
    (void)v;
    wasi_start(vmctx);
}

static void test_wasi(void) {
    static const w2n_import wasi_imports[] = {
        IMPORT("wasi_snapshot_preview1", "fd_write", W2N_EXTERN_FUNC, 0),
        IMPORT("wasi_snapshot_preview1", "proc_exit", W2N_EXTERN_FUNC, 1),
        IMPORT("wasi_snapshot_preview1", "args_sizes_get", W2N_EXTERN_FUNC, 2)};
    static const w2n_export wasi_exports[] = {EXPORT("memory", W2N_EXTERN_MEMORY, 0)};
    static const w2n_limits wasi_memories[] = {{1, 0, 0, 0, {0}}};
    static void *const wasi_code[] = {(void *)fd_write_view, (void *)proc_exit_view,
                                      (void *)args_sizes_view, (void *)wasi_start};
    static const w2n_array_fn wasi_array_code[] = {NULL, NULL, NULL, wasi_start_array};
    static const char *const wasi_signatures[] = {"iiii:i", "i:", ":", "ii:i"};
    static const uint32_t wasi_func_types[] = {0, 1, 3, 2};
    /* Static: the instance whose start exits stays alive (and registered) with it. */
    static const w2n_module wasi_module = {.abi_version = W2N_ABI_VERSION,
                                           .num_types = 4,
                                           .type_signatures = wasi_signatures,
                                           .num_imports = 3,
                                           .num_exports = 1,
                                           .imports = wasi_imports,
                                           .exports = wasi_exports,
                                           .num_funcs = 4,
                                           .num_imported_funcs = 3,
                                           .func_types = wasi_func_types,
                                           .func_code = wasi_code,
                                           .func_array_code = wasi_array_code,
                                           .num_memories = 1,
                                           .memories = wasi_memories,
                                           .start_func = 3};
    char *argv[] = {"prog", "arg", NULL};
    char *envp[] = {"A=1", NULL};
    w2n_wasi_context *wasi = w2n_wasi_context_new(2, argv, envp);
    w2n_result result;
    CHECK(w2n_instantiate(&wasi_module, w2n_wasi_resolver, wasi, &result) == NULL);
    CHECK(result.trap == W2N_TRAP_EXIT && result.exit_status == 7);
    /* A name preview 1 does not have (a later WASI version's) is an unknown import. */
    const w2n_import unknown[] = {
        IMPORT("wasi_snapshot_preview1", "thread_spawn", W2N_EXTERN_FUNC, 0)};
    w2n_module unknown_module = wasi_module;
    unknown_module.imports = unknown;
    unknown_module.num_imports = 1;
    CHECK(w2n_instantiate(&unknown_module, w2n_wasi_resolver, wasi, &result) == NULL);
    CHECK(strcmp(result.message, "unknown import: wasi_snapshot_preview1::thread_spawn") == 0);
}

/* ---------------------------------------------------------------- threads --- */

static void *thread_main(void *arg) {
    (void)arg;
    w2n_result result;
    for (int i = 0; i < 50; i++) {
        w2n_instance *instance = w2n_instantiate(&test_module, resolve_host, NULL, &result);
        if (!instance)
            return (void *)1;
        w2n_value v[2] = {{.i32 = i}, {.i32 = 1}};
        if (w2n_call(export_func(instance, "add"), v, &result) != W2N_TRAP_NONE ||
            v[0].i32 != i + 1)
            return (void *)1;
        if (w2n_call(export_func(instance, "recurse"), v, &result) != W2N_TRAP_STACK_EXHAUSTED)
            return (void *)1;
        if (w2n_call(export_func(instance, "unreachable"), v, &result) != W2N_TRAP_UNREACHABLE)
            return (void *)1;
        w2n_instance_free(instance);
    }
    return NULL;
}

static void test_threads(w2n_instance *shared) {
    pthread_t threads[4];
    pthread_attr_t attributes;
    pthread_attr_init(&attributes);
    pthread_attr_setstacksize(&attributes, 512 * 1024);
    for (int i = 0; i < 4; i++)
        pthread_create(&threads[i], &attributes, thread_main, NULL);
    for (int i = 0; i < 4; i++) {
        void *status;
        pthread_join(threads[i], &status);
        CHECK(status == NULL);
    }
    /* An instance created on this thread, still usable here after the others ran. */
    w2n_result result;
    w2n_value v[2] = {{.i32 = 1}, {.i32 = 2}};
    CHECK(w2n_call(export_func(shared, "add"), v, &result) == W2N_TRAP_NONE && v[0].i32 == 3);
}

int main(void) {
    CHECK(w2n_install_fault_handler() == 0);
    test_signatures();
    current = instantiate_test_module();
    if (!current)
        return 1;
    test_memory(current);
    test_table(current);
    test_calls_and_traps(current);
    test_host_trap();
    test_linking(current);
    test_start_trap(current);
    test_wasi();
    test_threads(current);
    test_guarded_memory();
    test_api_instance();
    test_api_imports();
    test_api_threads();
    w2n_instance_free(current);
    if (failures) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    puts("runtime tests passed");
    return 0;
}
