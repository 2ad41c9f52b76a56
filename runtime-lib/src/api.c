/*
 * Library builds: the runtime behind the generated C API (PREFIX_new, PREFIX_f, PREFIX_free, ...).
 *
 * Every library instance has an api_state, pointed to by instance->host_data, holding what was
 * made for that instance alone: the function bound to each import (which the generated import
 * adapters find through the w2n_api_host at its start), cells for imported globals, imported
 * memories and tables, a WASI context, and the outcome of its last call with its
 * backtrace. Nothing outside the
 * instance refers to any of it, so w2n_api_free releases it all, even after a failed start.
 *
 * Threads: all state is per instance; the runtime's shared registries lock for themselves.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "wasi.h"

typedef struct api_state {
    w2n_api_host host; /* first: the generated adapters read host_data as a w2n_api_host */
    const w2n_module *module;
    w2n_global *global_cells; /* per imported global */
    w2n_memory *memories;     /* per imported memory */
    w2n_table *tables;        /* per imported table */
    w2n_tag *tags;            /* per imported tag */
    w2n_wasi_context *wasi;   /* NULL unless a WASI import goes to the runtime's WASI */
    char **wasi_strings;      /* argv and env pointer arrays, then their bytes, in one block */
    w2n_result last;          /* outcome of the last w2n_api_call */
    /* last.exception, owned here so that it lives until this instance's next call. */
    w2n_exception *uncaught;
    /* The last trap's native frames, resolved into last.frames only when asked for
     * (w2n_api_last_trap): reading the symbols and line tables costs more than the trap. */
    w2n_native_backtrace trace;
    int trace_pending;
    w2n_frame *frames; /* last.frames, owned here until the next call */
} api_state;

/* What the resolver works with while w2n_api_new binds the imports. */
typedef struct api_resolution {
    const w2n_api_module *api;
    const w2n_api_config *config;
    api_state *state;
    /* The funcref handed out last: caller-bound, so the runtime binds a copy right away. */
    w2n_funcref func;
    /* A link error more precise than the runtime's "unknown import", or empty. */
    char error[sizeof(((w2n_result *)0)->message)];
} api_resolution;

static api_state *state_of(const w2n_instance *instance) { return instance->host_data; }

static void *allocate_array(size_t count, size_t size) { return calloc(count ? count : 1, size); }

static void state_free(api_state *state) {
    const w2n_module *module = state->module;
    if (state->memories)
        for (uint32_t i = 0; i < module->num_imported_memories; i++)
            w2n_rt_memory_release(&state->memories[i]);
    if (state->tables)
        for (uint32_t i = 0; i < module->num_imported_tables; i++)
            w2n_rt_table_release(&state->tables[i]);
    w2n_rt_exception_drop_result(state->uncaught);
    free(state->frames);
    w2n_wasi_context_free(state->wasi);
    free(state->wasi_strings);
    free(state->host.import_functions);
    free(state->global_cells);
    free(state->memories);
    free(state->tables);
    free(state->tags);
    free(state);
}

static api_state *state_new(const w2n_module *module, void *context) {
    api_state *state = calloc(1, sizeof *state);
    if (!state)
        return NULL;
    state->module = module;
    state->host.context = context;
    state->host.import_functions = allocate_array(module->num_imports, sizeof(void *));
    state->global_cells = allocate_array(module->num_imported_globals, sizeof(w2n_global));
    state->memories = allocate_array(module->num_imported_memories, sizeof(w2n_memory));
    state->tables = allocate_array(module->num_imported_tables, sizeof(w2n_table));
    state->tags = allocate_array(module->num_imported_tags, sizeof(w2n_tag));
    if (!state->host.import_functions || !state->global_cells || !state->memories ||
        !state->tables || !state->tags) {
        state_free(state);
        return NULL;
    }
    return state;
}

/* The config's pointer in import i's slot, or NULL. */
static void *slot_pointer(const w2n_api_module *api, const w2n_api_config *config, uint32_t i) {
    uint32_t slot = api->imports[i].slot;
    return config->imports && slot != W2N_API_NO_SLOT ? config->imports[slot] : NULL;
}

/* The function a function import calls: the config's, else the one linked in, else NULL. */
static void *given_function(const w2n_api_module *api, const w2n_api_config *config, uint32_t i) {
    void *function = slot_pointer(api, config, i);
    return function ? function : api->imports[i].linked;
}

static int needs_wasi_context(const w2n_api_module *api, const w2n_api_config *config) {
    for (uint32_t i = 0; i < api->module->num_imports; i++)
        if ((api->imports[i].flags & W2N_API_IMPORT_WASI) && !given_function(api, config, i))
            return 1;
    return 0;
}

/* ------------------------------------------------------------------ WASI --- */

static size_t count_strings(const char *const *strings) {
    size_t count = 0;
    while (strings && strings[count])
        count++;
    return count;
}

/* Copies `count` strings to `text`, their pointers to `pointers` (NULL-terminated). */
static char *copy_strings(char **pointers, const char *const *strings, size_t count, char *text) {
    for (size_t i = 0; i < count; i++) {
        size_t length = strlen(strings[i]) + 1;
        memcpy(text, strings[i], length);
        pointers[i] = text;
        text += length;
    }
    pointers[count] = NULL;
    return text;
}

/*
 * Copies argv and env into one block the state owns: the WASI context only borrows them, and
 * the caller's arrays may live on its stack. Returns the block: argv, then env.
 */
static char **copy_arguments(const char *const *argv, size_t argc, const char *const *env,
                             size_t envc) {
    size_t bytes = 0;
    for (size_t i = 0; i < argc; i++)
        bytes += strlen(argv[i]) + 1;
    for (size_t i = 0; i < envc; i++)
        bytes += strlen(env[i]) + 1;
    char **block = malloc((argc + 1 + envc + 1) * sizeof(char *) + bytes);
    if (!block)
        return NULL;
    char *text = (char *)(block + argc + 1 + envc + 1);
    text = copy_strings(block, argv, argc, text);
    copy_strings(block + argc + 1, env, envc, text);
    return block;
}

static int preopen_dirs(w2n_wasi_context *context, const w2n_api_wasi *wasi, w2n_result *result) {
    for (size_t i = 0; i < wasi->num_dirs; i++) {
        const w2n_api_wasi_dir *dir = &wasi->dirs[i];
        if (!dir->host_path || !dir->guest_path) {
            w2n_rt_result_error(result, "WASI directory %zu has no host or guest path", i);
            return -1;
        }
        if (dir->flags & ~W2N_WASI_DIR_READ_ONLY) {
            w2n_rt_result_error(result, "WASI directory %zu has unknown flags %#x", i,
                                (unsigned)dir->flags);
            return -1;
        }
        if (w2n_wasi_context_preopen(context, dir->host_path, dir->guest_path, dir->flags) != 0) {
            /* The GNU strerror_r (this runtime builds with _GNU_SOURCE): thread-safe. */
            char buffer[128];
            w2n_rt_result_error(result, "cannot grant directory %s: %s", dir->host_path,
                                strerror_r(errno, buffer, sizeof buffer));
            return -1;
        }
    }
    return 0;
}

/* The instance's own WASI context, from the config's view (NULL: nothing granted). */
static int create_wasi_context(api_state *state, const w2n_api_wasi *wasi, w2n_result *result) {
    static const w2n_api_wasi nothing_granted;
    if (!wasi)
        wasi = &nothing_granted;
    size_t argc = wasi->argv && wasi->argc > 0 ? (size_t)wasi->argc : 0;
    size_t envc = count_strings(wasi->env);
    state->wasi_strings = copy_arguments(wasi->argv, argc, wasi->env, envc);
    if (state->wasi_strings)
        state->wasi =
            w2n_wasi_context_new((int)argc, state->wasi_strings, state->wasi_strings + argc + 1);
    if (!state->wasi) {
        w2n_rt_result_error(result, "out of memory");
        return -1;
    }
    return preopen_dirs(state->wasi, wasi, result);
}

/* ------------------------------------------------------------- imports --- */

static int link_error(api_resolution *resolution, const w2n_import *import, const char *problem) {
    snprintf(resolution->error, sizeof resolution->error, "import %s::%s %s", import->module,
             import->name, problem);
    return -1;
}

static int resolve_func(api_resolution *resolution, uint32_t i, const w2n_import *import,
                        w2n_extern *out) {
    const w2n_api_import *binding = &resolution->api->imports[i];
    const w2n_module *module = resolution->api->module;
    void *function = given_function(resolution->api, resolution->config, i);
    if (function) {
        /* The adapter runs with the importing instance as vmctx and finds `function` there. */
        const char *signature = module->type_signatures[module->func_types[import->index]];
        resolution->func = (w2n_funcref){.code = binding->code,
                                         .array_code = binding->array_code,
                                         .type_id = w2n_intern_signature(signature),
                                         .reserved = W2N_FUNCREF_BIND_CALLER,
                                         .vmctx = NULL};
        resolution->state->host.import_functions[i] = function;
        out->kind = W2N_EXTERN_FUNC;
        out->of.func = &resolution->func;
        return 0;
    }
    if (binding->flags & W2N_API_IMPORT_WASI)
        return w2n_wasi_resolver(resolution->state->wasi, import, out);
    return link_error(resolution, import,
                      "has no function (none linked and none given in the config)");
}

static size_t value_size(uint8_t value_type) {
    switch (value_type) {
    case W2N_TYPE_I32:
    case W2N_TYPE_F32: return 4;
    case W2N_TYPE_V128: return 16;
    default: /* i64, f64 and references */ return 8;
    }
}

/* A cell of the instance's own, holding the initial value the slot points to. */
static int resolve_global(api_resolution *resolution, uint32_t i, const w2n_import *import,
                          w2n_extern *out) {
    const void *initial = slot_pointer(resolution->api, resolution->config, i);
    if (!initial)
        return link_error(resolution, import, "has no initial value in the config");
    const w2n_global_type *type = &resolution->api->module->globals[import->index];
    w2n_global *cell = &resolution->state->global_cells[import->index];
    memset(cell, 0, sizeof *cell);
    memcpy(cell, initial, value_size(type->value_type));
    out->kind = W2N_EXTERN_GLOBAL;
    out->of.global = cell;
    out->global_type = *type;
    return 0;
}

/* Imported memories and tables are made per instance from their declared type. */
static int resolve_memory(api_resolution *resolution, const w2n_import *import, w2n_extern *out) {
    w2n_memory *memory = &resolution->state->memories[import->index];
    const w2n_module *module = resolution->api->module;
    if (w2n_rt_memory_create(memory, &module->memories[import->index], module->memory_guard) != 0)
        return link_error(resolution, import, "cannot be allocated (a memory)");
    out->kind = W2N_EXTERN_MEMORY;
    out->of.memory = memory;
    return 0;
}

static int resolve_table(api_resolution *resolution, const w2n_import *import, w2n_extern *out) {
    w2n_table *table = &resolution->state->tables[import->index];
    if (w2n_rt_table_create(table, &resolution->api->module->tables[import->index]) != 0)
        return link_error(resolution, import, "cannot be allocated (a table)");
    out->kind = W2N_EXTERN_TABLE;
    out->of.table = table;
    return 0;
}

/* Imported tags too: a tag of the instance's own, of the declared type. */
static int resolve_tag(api_resolution *resolution, const w2n_import *import, w2n_extern *out) {
    const w2n_module *module = resolution->api->module;
    w2n_tag *tag = &resolution->state->tags[import->index];
    tag->signature = module->type_signatures[module->tag_types[import->index]];
    tag->owner = resolution->state;
    out->kind = W2N_EXTERN_TAG;
    out->of.tag = tag;
    return 0;
}

static int resolve(void *user, const w2n_import *import, w2n_extern *out) {
    api_resolution *resolution = user;
    /* The runtime asks with a pointer into module->imports, which gives the import index. */
    uint32_t i = (uint32_t)(import - resolution->api->module->imports);
    switch (import->kind) {
    case W2N_EXTERN_FUNC: return resolve_func(resolution, i, import, out);
    case W2N_EXTERN_GLOBAL: return resolve_global(resolution, i, import, out);
    case W2N_EXTERN_MEMORY: return resolve_memory(resolution, import, out);
    case W2N_EXTERN_TABLE: return resolve_table(resolution, import, out);
    case W2N_EXTERN_TAG: return resolve_tag(resolution, import, out);
    default: return -1;
    }
}

/* ------------------------------------------------------------ instances --- */

/* A WASI reactor's initialisation: the exported function "_initialize" of type [] -> []. */
static w2n_funcref *reactor_initializer(const w2n_instance *instance) {
    static const char name[] = "_initialize";
    const w2n_module *module = instance->module;
    for (uint32_t i = 0; i < module->num_exports; i++) {
        const w2n_export *export = &module->exports[i];
        if (export->kind == W2N_EXTERN_FUNC && export->name_len == sizeof name - 1 &&
            memcmp(export->name, name, sizeof name - 1) == 0 &&
            strcmp(module->type_signatures[module->func_types[export->index]], ":") == 0)
            return instance->funcs[export->index];
    }
    return NULL;
}

w2n_instance *w2n_api_new(const w2n_api_module *api, const w2n_api_config *config,
                          w2n_result *result) {
    static const w2n_api_config no_config;
    w2n_result ignored;
    if (!result)
        result = &ignored;
    if (!config)
        config = &no_config;
    w2n_rt_result_clear(result);
    /* A safety net only (compiled code checks its stack), so failing to install it is harmless. */
    w2n_install_fault_handler();
    api_state *state = state_new(api->module, config->context);
    if (!state) {
        w2n_rt_result_error(result, "out of memory");
        return NULL;
    }
    if (needs_wasi_context(api, config) && create_wasi_context(state, config->wasi, result) != 0) {
        state_free(state);
        return NULL;
    }
    api_resolution resolution = {.api = api, .config = config, .state = state};
    w2n_instance *instance = w2n_rt_instantiate(api->module, resolve, &resolution, state, result);
    if (!instance) {
        if (resolution.error[0])
            snprintf(result->message, sizeof result->message, "%s", resolution.error);
        state_free(state);
        return NULL;
    }
    w2n_funcref *initializer = reactor_initializer(instance);
    if (result->trap == W2N_TRAP_NONE && initializer) {
        w2n_value slot = {0};
        w2n_call(initializer, &slot, result);
    }
    if (result->trap != W2N_TRAP_NONE) {
        /* Only this instance refers to its functions and objects, so it may go despite the trap. */
        w2n_api_free(instance);
        return NULL;
    }
    return instance;
}

void w2n_api_free(w2n_instance *instance) {
    if (!instance)
        return;
    api_state *state = state_of(instance);
    /* The instance first: it uses the state's memories, tables, cells and WASI context. */
    w2n_instance_free(instance);
    state_free(state);
}

uint32_t w2n_api_call(w2n_instance *instance, uint32_t func_index, w2n_value *values) {
    /* The fault handler needs an alternate stack on every thread, the embedder's threads too. */
    w2n_rt_ensure_alternate_stack();
    api_state *state = state_of(instance);
    w2n_rt_exception_drop_result(state->uncaught);
    state->uncaught = NULL;
    free(state->frames);
    state->frames = NULL;
    uint32_t trap = w2n_call(instance->funcs[func_index], values, &state->last);
    if (state->last.exception)
        state->uncaught = w2n_rt_exception_take_uncaught();
    state->trace_pending = trap != W2N_TRAP_NONE && trap != W2N_TRAP_EXIT;
    if (state->trace_pending)
        w2n_rt_backtrace_copy(&state->trace);
    return trap;
}

const w2n_result *w2n_api_last_trap(const w2n_instance *instance) {
    api_state *state = state_of(instance);
    if (state->trace_pending) {
        state->trace_pending = 0;
        state->frames = w2n_rt_backtrace_resolve(&state->trace, &state->last.num_frames);
        state->last.frames = state->frames;
        state->last.frames_truncated = state->trace.truncated;
    }
    return &state->last;
}

void *w2n_api_context(const w2n_instance *instance) { return state_of(instance)->host.context; }

/* ------------------------------------------------------------- exports --- */

uint8_t *w2n_api_memory_data(w2n_instance *instance, uint32_t memory_index) {
    return instance->memories[memory_index]->base;
}

uint64_t w2n_api_memory_size(w2n_instance *instance, uint32_t memory_index) {
    return instance->memories[memory_index]->size;
}

void *w2n_api_memory_at(w2n_instance *instance, uint32_t memory_index, uint64_t offset,
                        uint64_t length) {
    const w2n_memory *memory = instance->memories[memory_index];
    /* Compared so that nothing can overflow. */
    if (offset > memory->size || length > memory->size - offset)
        return NULL;
    return memory->base + offset;
}

void *w2n_api_global(w2n_instance *instance, uint32_t global_index) {
    return instance->globals[global_index];
}

uint32_t w2n_api_table_size(w2n_instance *instance, uint32_t table_index) {
    return instance->tables[table_index]->size;
}

void *w2n_api_table_get(w2n_instance *instance, uint32_t table_index, uint32_t index) {
    const w2n_table *table = instance->tables[table_index];
    if (index >= table->size)
        return NULL;
    if (table->elem_type == W2N_TYPE_EXNREF)
        w2n_exnref_pin(table->elements[index]);
    return table->elements[index];
}

int32_t w2n_api_table_set(w2n_instance *instance, uint32_t table_index, uint32_t index,
                          void *value) {
    w2n_table *table = instance->tables[table_index];
    /* A funcref element must be a w2n_funcref of the runtime; only externrefs come from hosts. */
    if (table->elem_type != W2N_TYPE_EXTERNREF || index >= table->size)
        return -1;
    table->elements[index] = value;
    return 0;
}

/* ---------------------------------------------------------------- tags --- */

void w2n_api_throw(w2n_instance *instance, uint32_t tag_index, const w2n_value *values) {
    w2n_host_throw(instance->tags[tag_index], values);
}

int32_t w2n_api_caught(const w2n_instance *instance, uint32_t tag_index, w2n_value *values) {
    const w2n_exception *exception = state_of(instance)->last.exception;
    if (!exception || exception->tag != instance->tags[tag_index])
        return 0;
    memcpy(values, exception->values, exception->num_values * sizeof(w2n_value));
    return 1;
}
