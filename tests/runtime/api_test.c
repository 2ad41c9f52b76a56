/*
 * Unit test of the runtime's half of library builds (api.c): a hand-written library module whose
 * "generated" adapters and wrappers are C written to the conventions of include/wasm2native.h.
 */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "runtime_test.h"

/* What the library module's imports see through the config's context. */
typedef struct lib_context {
    int32_t value;   /* env.get returns it */
    int trap_in_get; /* env.get raises a host trap instead */
    int linked_logs, config_logs;
} lib_context;

/* The generated import adapters: find the bound function through host_data. */
static void *bound_function(w2n_instance *vmctx, uint32_t import) {
    return ((w2n_api_host *)vmctx->host_data)->import_functions[import];
}
static void *bound_context(w2n_instance *vmctx) {
    return ((w2n_api_host *)vmctx->host_data)->context;
}
static int32_t adapt_args(w2n_instance *vmctx, int32_t a, int32_t b) {
    int32_t (*f)(w2n_instance *, void *, int32_t, int32_t) = bound_function(vmctx, 0);
    return f(vmctx, bound_context(vmctx), a, b);
}
static int32_t adapt_get(w2n_instance *vmctx) {
    int32_t (*f)(w2n_instance *, void *) = bound_function(vmctx, 1);
    return f(vmctx, bound_context(vmctx));
}
static void adapt_log(w2n_instance *vmctx, int32_t value) {
    void (*f)(w2n_instance *, void *, int32_t) = bound_function(vmctx, 2);
    f(vmctx, bound_context(vmctx), value);
}

/* The embedder's functions: env.log is also "linked in", the others come from the config. */
static int32_t host_get(w2n_instance *instance, void *context) {
    (void)instance;
    lib_context *c = context;
    if (c->trap_in_get)
        w2n_host_trap("get refused");
    return c->value;
}
static void linked_log(w2n_instance *instance, void *context, int32_t value) {
    (void)instance, (void)value;
    ((lib_context *)context)->linked_logs++;
}
static void config_log(w2n_instance *instance, void *context, int32_t value) {
    (void)instance, (void)value;
    ((lib_context *)context)->config_logs++;
}
static int32_t host_args_sizes(w2n_instance *instance, void *context, int32_t a, int32_t b) {
    (void)instance, (void)context, (void)a, (void)b;
    return 77;
}

/* The views of the imports (host code) the compiler would emit. */
static int32_t args_view(w2n_instance *vmctx, int32_t count, int32_t size) {
    w2n_funcref *host = &vmctx->host_funcs[0];
    return ((int32_t (*)(void *, int32_t, int32_t))host->code)(host->vmctx, count, size);
}
static int32_t get_view(w2n_instance *vmctx) {
    w2n_funcref *host = &vmctx->host_funcs[1];
    return ((int32_t (*)(void *))host->code)(host->vmctx);
}
static void log_view(w2n_instance *vmctx, int32_t value) {
    w2n_funcref *host = &vmctx->host_funcs[2];
    ((void (*)(void *, int32_t))host->code)(host->vmctx, value);
}

/* The "compiled" library: calls its imports through vmctx->funcs as compiled code does. */
static int32_t lib_call_get(w2n_instance *vmctx) {
    return ((int32_t (*)(w2n_instance *))vmctx->funcs[1]->code)(vmctx->funcs[1]->vmctx);
}
/* The start function stores env.get's value at memory offset 0. */
static void lib_start(w2n_instance *vmctx) {
    if (!vmctx->host_data)
        w2n_trap(W2N_TRAP_UNREACHABLE);
    int32_t value = lib_call_get(vmctx);
    memcpy(vmctx->memories[0]->base, &value, 4);
}
static void lib_start_array(w2n_instance *vmctx, w2n_value *v) {
    (void)v;
    lib_start(vmctx);
}
static void lib_initialize(w2n_instance *vmctx) { vmctx->globals[1]->i32++; }
static void lib_initialize_array(w2n_instance *vmctx, w2n_value *v) {
    (void)v;
    lib_initialize(vmctx);
}
/* compute(p): logs p, returns 2p + the imported global. */
static void lib_compute_array(w2n_instance *vmctx, w2n_value *v) {
    ((void (*)(w2n_instance *, int32_t))vmctx->funcs[2]->code)(vmctx->funcs[2]->vmctx, v[0].i32);
    v[0].i32 = 2 * v[0].i32 + vmctx->globals[0]->i32;
}
static void lib_divide_array(w2n_instance *vmctx, w2n_value *v) {
    (void)vmctx;
    if (v[0].i32 == 0)
        w2n_trap(W2N_TRAP_INTEGER_DIVIDE_BY_ZERO);
    v[0].i32 = 100 / v[0].i32;
}
/* argc(): args_sizes_get's error, else 100 * count + bytes. */
static void lib_argc_array(w2n_instance *vmctx, w2n_value *v) {
    w2n_funcref *args = vmctx->funcs[0];
    int32_t error =
        ((int32_t (*)(w2n_instance *, int32_t, int32_t))args->code)(args->vmctx, 16, 20);
    uint32_t count, bytes;
    memcpy(&count, vmctx->memories[0]->base + 16, 4);
    memcpy(&bytes, vmctx->memories[0]->base + 20, 4);
    v[0].i32 = error ? error : (int32_t)(100 * count + bytes);
}

enum { L_ARGS, L_GET, L_LOG, L_START, L_INITIALIZE, L_COMPUTE, L_DIVIDE, L_ARGC, L_COUNT };
static const w2n_import lib_imports[] = {
    IMPORT("wasi_snapshot_preview1", "args_sizes_get", W2N_EXTERN_FUNC, L_ARGS),
    IMPORT("env", "get", W2N_EXTERN_FUNC, L_GET),
    IMPORT("env", "log", W2N_EXTERN_FUNC, L_LOG),
    IMPORT("env", "base", W2N_EXTERN_GLOBAL, 0),
    IMPORT("env", "memory", W2N_EXTERN_MEMORY, 0),
    IMPORT("env", "tab", W2N_EXTERN_TABLE, 0)};
static const w2n_export lib_exports[] = {
    EXPORT("_initialize", W2N_EXTERN_FUNC, L_INITIALIZE),
    EXPORT("compute", W2N_EXTERN_FUNC, L_COMPUTE), EXPORT("divide", W2N_EXTERN_FUNC, L_DIVIDE),
    EXPORT("argc", W2N_EXTERN_FUNC, L_ARGC), EXPORT("memory", W2N_EXTERN_MEMORY, 0)};
static const w2n_module lib_module = {
    .abi_version = W2N_ABI_VERSION,
    .num_types = 5,
    .type_signatures = (const char *const[]){":i", "i:", "ii:i", ":", "i:i"},
    .num_imports = 6,
    .num_exports = 5,
    .imports = lib_imports,
    .exports = lib_exports,
    .num_funcs = L_COUNT,
    .num_imported_funcs = 3,
    .func_types = (const uint32_t[]){2, 0, 1, 3, 3, 4, 4, 0},
    .func_code = (void *const[L_COUNT]){(void *)args_view, (void *)get_view, (void *)log_view,
                                        (void *)lib_start, (void *)lib_initialize},
    .func_array_code =
        (const w2n_array_fn[L_COUNT]){NULL, NULL, NULL, lib_start_array, lib_initialize_array,
                                      lib_compute_array, lib_divide_array, lib_argc_array},
    .num_tables = 2,
    .num_imported_tables = 1,
    .tables = (const w2n_table_type[]){{{1, 0, 0, 0, {0}}, W2N_TYPE_FUNCREF, {0}, NULL},
                                       {{2, 0, 0, 0, {0}}, W2N_TYPE_EXTERNREF, {0}, NULL}},
    .num_memories = 1,
    .num_imported_memories = 1,
    .memories = (const w2n_limits[]){{1, 2, 1, 0, {0}}},
    .num_globals = 2,
    .num_imported_globals = 1,
    .globals =
        (const w2n_global_type[]){{W2N_TYPE_I32, 0, {0}, NULL}, {W2N_TYPE_I32, 1, {0}, NULL}},
    .start_func = L_START};
static const w2n_api_import lib_api_imports[] = {
    {(void *)adapt_args, NULL, NULL, 0, W2N_API_IMPORT_WASI},
    {(void *)adapt_get, NULL, NULL, 1, 0},
    {(void *)adapt_log, NULL, (void *)linked_log, 2, 0},
    {NULL, NULL, NULL, 3, 0},
    {NULL, NULL, NULL, W2N_API_NO_SLOT, 0},
    {NULL, NULL, NULL, W2N_API_NO_SLOT, 0}};
static const w2n_api_module lib_api = {&lib_module, lib_api_imports, "wasm2native build\n"};

/* A config giving env.get and env.base (= 1000); `log` and `args` may be NULL. */
typedef struct lib_config {
    void *slots[4];
    int32_t base;
    w2n_api_config config;
} lib_config;

static void lib_config_init(lib_config *c, lib_context *context, void *log, void *args) {
    c->base = 1000;
    c->slots[0] = args;
    c->slots[1] = (void *)host_get;
    c->slots[2] = log;
    c->slots[3] = &c->base;
    c->config = (w2n_api_config){context, c->slots, NULL};
}

static int32_t lib_call(w2n_instance *instance, uint32_t func, int32_t argument, uint32_t *trap) {
    w2n_value v = {.i32 = argument};
    *trap = w2n_api_call(instance, func, &v);
    return v.i32;
}

static void expect_api_error(const w2n_api_config *config, uint32_t trap, const char *message) {
    w2n_result result;
    CHECK(w2n_api_new(&lib_api, config, &result) == NULL);
    CHECK(result.trap == trap);
    if (strncmp(result.message, message, strlen(message)) != 0) {
        fprintf(stderr, "expected '%s', got '%s'\n", message, result.message);
        failures++;
    }
}

void test_api_instance(void) {
    lib_context context = {.value = 1234};
    lib_config c;
    lib_config_init(&c, &context, NULL, NULL);
    w2n_result result;
    w2n_instance *instance = w2n_api_new(&lib_api, &c.config, &result);
    CHECK(instance != NULL && result.trap == W2N_TRAP_NONE);
    if (!instance)
        return;
    c.base = 5; /* the instance has its own copy */
    CHECK(w2n_api_context(instance) == &context);
    CHECK(w2n_api_last_trap(instance)->trap == W2N_TRAP_NONE);
    /* start ran with host_data set and stored env.get's value; _initialize ran once */
    int32_t *stored = w2n_api_memory_at(instance, 0, 0, 4);
    CHECK(stored && *stored == 1234 && (uint8_t *)stored == w2n_api_memory_data(instance, 0));
    CHECK(((int32_t *)w2n_api_global(instance, 1))[0] == 1);
    CHECK(((int32_t *)w2n_api_global(instance, 0))[0] == 1000);
    /* memory bounds */
    CHECK(w2n_api_memory_size(instance, 0) == W2N_PAGE_SIZE);
    CHECK(w2n_api_memory_at(instance, 0, W2N_PAGE_SIZE - 4, 4) != NULL);
    CHECK(w2n_api_memory_at(instance, 0, W2N_PAGE_SIZE - 3, 4) == NULL);
    CHECK(w2n_api_memory_at(instance, 0, W2N_PAGE_SIZE, 0) != NULL);
    CHECK(w2n_api_memory_at(instance, 0, UINT64_MAX, 2) == NULL);
    CHECK(w2n_api_memory_at(instance, 0, 2, UINT64_MAX) == NULL);
    /* env.log was not in the config: the linked one is called */
    uint32_t trap;
    CHECK(lib_call(instance, L_COMPUTE, 7, &trap) == 1014 && trap == W2N_TRAP_NONE);
    CHECK(context.linked_logs == 1 && context.config_logs == 0);
    /* a trap, then the instance still works and the last trap is cleared */
    lib_call(instance, L_DIVIDE, 0, &trap);
    CHECK(trap == W2N_TRAP_INTEGER_DIVIDE_BY_ZERO);
    CHECK(w2n_api_last_trap(instance)->trap == trap);
    CHECK(strcmp(w2n_api_last_trap(instance)->message, "integer divide by zero") == 0);
    CHECK(lib_call(instance, L_DIVIDE, 4, &trap) == 25 && trap == W2N_TRAP_NONE);
    CHECK(w2n_api_last_trap(instance)->trap == W2N_TRAP_NONE);
    /* WASI from the runtime, with nothing granted; bound after it, env.get kept its context */
    CHECK(lib_call(instance, L_ARGC, 0, &trap) == 0 && trap == W2N_TRAP_NONE);
    /* tables: the imported funcref table was made for the instance; externrefs can be set */
    int marker;
    CHECK(w2n_api_table_size(instance, 0) == 1 && w2n_api_table_size(instance, 1) == 2);
    CHECK(w2n_api_table_set(instance, 0, 0, &marker) == -1);
    CHECK(w2n_api_table_set(instance, 1, 1, &marker) == 0);
    CHECK(w2n_api_table_get(instance, 1, 1) == &marker &&
          w2n_api_table_get(instance, 1, 0) == NULL);
    CHECK(w2n_api_table_set(instance, 1, 2, &marker) == -1 &&
          w2n_api_table_get(instance, 1, 2) == NULL);
    w2n_api_free(instance);
    w2n_api_free(NULL);
}

void test_api_imports(void) {
    lib_context context = {.value = 1};
    lib_config c;
    /* env.log and a WASI function given in the config win over the linked one and the runtime */
    lib_config_init(&c, &context, (void *)config_log, (void *)host_args_sizes);
    w2n_instance *instance = w2n_api_new(&lib_api, &c.config, NULL);
    CHECK(instance != NULL);
    uint32_t trap;
    lib_call(instance, L_COMPUTE, 1, &trap);
    CHECK(trap == W2N_TRAP_NONE && context.config_logs == 1 && context.linked_logs == 0);
    CHECK(lib_call(instance, L_ARGC, 0, &trap) == 77);
    w2n_api_free(instance);
    /* WASI arguments and environment are copied: the caller's arrays may change afterwards */
    char program[] = "prog", argument[] = "xy";
    const char *argv[] = {program, argument}, *env[] = {"A=1", NULL};
    w2n_api_wasi wasi = {2, argv, env, NULL, 0};
    lib_config_init(&c, &context, NULL, NULL);
    c.config.wasi = &wasi;
    instance = w2n_api_new(&lib_api, &c.config, NULL);
    CHECK(instance != NULL);
    program[1] = '\0';
    argv[1] = "longer argument";
    CHECK(lib_call(instance, L_ARGC, 0, &trap) == 208);
    w2n_api_free(instance);
    /* link errors and a trap in the start function */
    expect_api_error(NULL, W2N_TRAP_NONE,
                     "import env::get has no function (none linked and none given in the config)");
    CHECK(w2n_api_new(&lib_api, NULL, NULL) == NULL);
    c.slots[3] = NULL;
    expect_api_error(&c.config, W2N_TRAP_NONE,
                     "import env::base has no initial value in the config");
    c.slots[3] = &c.base;
    w2n_api_wasi_dir missing = {"/nonexistent/w2n", "data", 0};
    wasi = (w2n_api_wasi){0, NULL, NULL, &missing, 1};
    expect_api_error(&c.config, W2N_TRAP_NONE,
                     "cannot grant directory /nonexistent/w2n: No such file or directory");
    w2n_api_wasi_dir unknown_flags = {"/", "data", 6};
    wasi = (w2n_api_wasi){0, NULL, NULL, &unknown_flags, 1};
    expect_api_error(&c.config, W2N_TRAP_NONE, "WASI directory 0 has unknown flags 0x6");
    c.config.wasi = NULL;
    context.trap_in_get = 1;
    expect_api_error(&c.config, W2N_TRAP_HOST, "get refused");
}

/* Each thread uses an instance made on the main thread and makes and frees some of its own. */
static void *api_thread_main(void *arg) {
    w2n_instance *instance = arg;
    for (int i = 0; i < 400; i++) {
        uint32_t trap;
        if (lib_call(instance, L_COMPUTE, i, &trap) != 2 * i + 1000 || trap != W2N_TRAP_NONE)
            return (void *)1;
        int32_t quotient = lib_call(instance, L_DIVIDE, i % 5, &trap);
        if (i % 5 == 0 ? trap != W2N_TRAP_INTEGER_DIVIDE_BY_ZERO ||
                             strcmp(w2n_api_last_trap(instance)->message, "integer divide by zero")
                       : trap != W2N_TRAP_NONE || quotient != 100 / (i % 5))
            return (void *)1;
        if (i % 50 == 0) {
            lib_context context = {.value = i};
            lib_config c;
            lib_config_init(&c, &context, NULL, NULL);
            w2n_instance *own = w2n_api_new(&lib_api, &c.config, NULL);
            if (!own || *(int32_t *)w2n_api_memory_at(own, 0, 0, 4) != i)
                return (void *)1;
            w2n_api_free(own);
        }
    }
    /* w2n_api_call gave this thread an alternate signal stack for the fault handler */
    stack_t alternate;
    return sigaltstack(NULL, &alternate) == 0 && !(alternate.ss_flags & SS_DISABLE) ? NULL
                                                                                    : (void *)1;
}

void test_api_threads(void) {
    enum { THREADS = 4 };
    lib_context contexts[THREADS];
    lib_config configs[THREADS];
    w2n_instance *instances[THREADS];
    pthread_t threads[THREADS];
    pthread_attr_t attributes;
    pthread_attr_init(&attributes);
    pthread_attr_setstacksize(&attributes, 512 * 1024);
    for (int i = 0; i < THREADS; i++) {
        contexts[i] = (lib_context){.value = i};
        lib_config_init(&configs[i], &contexts[i], NULL, NULL);
        instances[i] = w2n_api_new(&lib_api, &configs[i].config, NULL);
        CHECK(instances[i] != NULL);
    }
    for (int i = 0; i < THREADS; i++)
        if (instances[i])
            pthread_create(&threads[i], &attributes, api_thread_main, instances[i]);
    for (int i = 0; i < THREADS; i++) {
        void *status = NULL;
        if (instances[i])
            pthread_join(threads[i], &status);
        CHECK(status == NULL);
        CHECK(contexts[i].linked_logs == 400);
        w2n_api_free(instances[i]);
    }
    pthread_attr_destroy(&attributes);
}
