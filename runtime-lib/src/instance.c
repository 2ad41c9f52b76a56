/*
 * Instances: w2n_instantiate, w2n_instance_free and w2n_instance_export.
 *
 * An instance owns its defined functions' w2n_funcref objects, defined memories, tables and
 * globals, and its element segment arrays; imported objects stay owned by whoever made them.
 * A failed start (a trap in initialize or the start function) leaves the instance alive but
 * unreachable when something outside may hold one of its functions: Wasm 2.0 keeps writes made
 * to imported tables and globals before the trap, and a host function may keep a reference it
 * was passed, so nothing of it may be freed. A module that imports no function, table or
 * global cannot hand out such a reference (memories hold only bytes), and its failed instance
 * is freed at once (w2n_failed_start_is_freed). Otherwise only an embedder that knows nothing
 * else holds such references may free it: a library build (api.c), whose imported memories,
 * tables and globals are all made for the one instance.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* The instance and its private part in one allocation. */
typedef struct instance_block {
    w2n_instance instance;
    w2n_instance_private private;
} instance_block;

static void *allocate_array(size_t count, size_t size) { return calloc(count ? count : 1, size); }

/* Allocates every per-index array, zeroed; defined objects are created later. */
static w2n_instance *allocate_instance(const w2n_module *module) {
    instance_block *block = calloc(1, sizeof *block);
    if (!block)
        return NULL;
    w2n_instance *instance = &block->instance;
    w2n_instance_private *private = &block->private;
    instance->module = module;
    instance->runtime_private = private;
    private->instance = instance;
    instance->memories = allocate_array(module->num_memories, sizeof(w2n_memory *));
    instance->tables = allocate_array(module->num_tables, sizeof(w2n_table *));
    instance->globals = allocate_array(module->num_globals, sizeof(w2n_global *));
    instance->funcs = allocate_array(module->num_funcs, sizeof(w2n_funcref *));
    instance->type_ids = allocate_array(module->num_types, sizeof(uint32_t));
    instance->elem_segments = allocate_array(module->num_elem_segments, sizeof(void **));
    instance->elem_segment_sizes = allocate_array(module->num_elem_segments, sizeof(uint32_t));
    instance->data_segment_sizes = allocate_array(module->num_data_segments, sizeof(uint32_t));
    instance->host_funcs = allocate_array(module->num_imported_funcs, sizeof(w2n_funcref));
    instance->tags = allocate_array(module->num_tags, sizeof(w2n_tag *));
    private->owned_funcs = allocate_array(module->num_funcs, sizeof(w2n_funcref));
    private->owned_memories =
        allocate_array(module->num_memories - module->num_imported_memories, sizeof(w2n_memory));
    private->owned_tables =
        allocate_array(module->num_tables - module->num_imported_tables, sizeof(w2n_table));
    private->owned_globals =
        allocate_array(module->num_globals - module->num_imported_globals, sizeof(w2n_global));
    private->owned_tags =
        allocate_array(module->num_tags - module->num_imported_tags, sizeof(w2n_tag));
    return instance;
}

static int all_arrays_allocated(const w2n_instance *instance) {
    const w2n_instance_private *private = w2n_rt_private(instance);
    return instance->memories && instance->tables && instance->globals && instance->funcs &&
           instance->type_ids && instance->elem_segments && instance->elem_segment_sizes &&
           instance->data_segment_sizes && instance->host_funcs && instance->tags &&
           private->owned_funcs && private->owned_memories && private->owned_tables &&
           private->owned_globals && private->owned_tags;
}

static void release_instance(w2n_instance *instance) {
    const w2n_module *module = instance->module;
    w2n_instance_private *private = w2n_rt_private(instance);
    if (private->owned_memories)
        for (uint32_t i = 0; i < module->num_memories - module->num_imported_memories; i++)
            w2n_rt_memory_release(&private->owned_memories[i]);
    if (private->owned_tables)
        for (uint32_t i = 0; i < module->num_tables - module->num_imported_tables; i++)
            w2n_rt_table_release(&private->owned_tables[i]);
    if (instance->elem_segments)
        for (uint32_t i = 0; i < module->num_elem_segments; i++)
            free(instance->elem_segments[i]);
    free(instance->memories);
    free(instance->tables);
    free(instance->globals);
    free(instance->funcs);
    free(instance->type_ids);
    free(instance->elem_segments);
    free(instance->elem_segment_sizes);
    free(instance->data_segment_sizes);
    free(instance->host_funcs);
    free(instance->tags);
    free(private->owned_funcs);
    free(private->owned_memories);
    free(private->owned_tables);
    free(private->owned_globals);
    free(private->owned_tags);
    free(instance);
}

static int intern_types(w2n_instance *instance) {
    const w2n_module *module = instance->module;
    for (uint32_t i = 0; i < module->num_types; i++) {
        instance->type_ids[i] = w2n_intern_signature(module->type_signatures[i]);
        if (!instance->type_ids[i])
            return -1;
    }
    return 0;
}

static void create_funcs(w2n_instance *instance) {
    const w2n_module *module = instance->module;
    w2n_funcref *owned = w2n_rt_private(instance)->owned_funcs;
    for (uint32_t i = module->num_imported_funcs; i < module->num_funcs; i++) {
        w2n_funcref *func = &owned[i];
        func->code = module->func_code[i];
        func->array_code = module->func_array_code ? module->func_array_code[i] : NULL;
        func->type_id = instance->type_ids[module->func_types[i]];
        func->reserved = W2N_FUNCREF_OWNED;
        func->vmctx = instance;
        instance->funcs[i] = func;
    }
}

/* Creates defined memories, tables, globals and segment state; fills `result` on failure. */
static int create_defined(w2n_instance *instance, w2n_result *result) {
    const w2n_module *module = instance->module;
    w2n_instance_private *private = w2n_rt_private(instance);
    create_funcs(instance);
    for (uint32_t i = module->num_imported_memories; i < module->num_memories; i++) {
        w2n_memory *memory = &private->owned_memories[i - module->num_imported_memories];
        if (w2n_rt_memory_create(memory, &module->memories[i], module->memory_guard) != 0) {
            if (module->memory_guard && !module->memories[i].address64)
                w2n_rt_result_error(result,
                                    "cannot reserve the %llu GiB of address space of guarded "
                                    "memory %u (compiled with --bounds-checks=guard)",
                                    (unsigned long long)(W2N_GUARDED_RESERVATION_BYTES >> 30), i);
            else
                w2n_rt_result_error(result, "cannot allocate memory %u", i);
            return -1;
        }
        instance->memories[i] = memory;
    }
    for (uint32_t i = module->num_imported_tables; i < module->num_tables; i++) {
        w2n_table *table = &private->owned_tables[i - module->num_imported_tables];
        if (w2n_rt_table_create(table, &module->tables[i]) != 0) {
            w2n_rt_result_error(result, "cannot allocate table %u", i);
            return -1;
        }
        instance->tables[i] = table;
    }
    for (uint32_t i = module->num_imported_globals; i < module->num_globals; i++)
        instance->globals[i] = &private->owned_globals[i - module->num_imported_globals];
    for (uint32_t i = module->num_imported_tags; i < module->num_tags; i++) {
        w2n_tag *tag = &private->owned_tags[i - module->num_imported_tags];
        tag->signature = module->type_signatures[module->tag_types[i]];
        tag->owner = instance;
        instance->tags[i] = tag;
    }
    for (uint32_t i = 0; i < module->num_elem_segments; i++) {
        uint32_t size = module->elem_segment_sizes[i];
        instance->elem_segments[i] = allocate_array(size, sizeof(void *));
        if (!instance->elem_segments[i]) {
            w2n_rt_result_error(result, "out of memory");
            return -1;
        }
        instance->elem_segment_sizes[i] = size;
    }
    for (uint32_t i = 0; i < module->num_data_segments; i++)
        instance->data_segment_sizes[i] = module->data_segments[i].size;
    return 0;
}

/* Runs initialize and the start function under a trap handler; a trap is left in `result`. */
static void run_start(w2n_instance *instance, w2n_result *result) {
    const w2n_module *module = instance->module;
    w2n_trap_frame frame;
    w2n_rt_frame_push(&frame);
    frame.instance = instance;
    if (sigsetjmp(frame.jump, 0) == 0) {
        if (module->initialize)
            module->initialize(instance);
        if (module->start_func >= 0) {
            /* Through its array entry: code has the Wasm convention, which C cannot call. */
            w2n_funcref *start = instance->funcs[module->start_func];
            w2n_value no_values[1];
            start->array_code(start->vmctx, no_values);
        }
    }
    w2n_rt_frame_pop(&frame);
    w2n_rt_frame_report(&frame, result);
    w2n_rt_exception_report(result);
}

w2n_instance *w2n_rt_instantiate(const w2n_module *module, w2n_resolver resolver, void *user,
                                 void *host_data, w2n_result *result) {
    w2n_rt_result_clear(result);
    if (!module || module->abi_version != W2N_ABI_VERSION) {
        w2n_rt_result_error(result, "module built for runtime ABI %u, this runtime has %u",
                            module ? module->abi_version : 0, W2N_ABI_VERSION);
        return NULL;
    }
    w2n_instance *instance = allocate_instance(module);
    if (!instance) {
        w2n_rt_result_error(result, "out of memory");
        return NULL;
    }
    instance->host_data = host_data;
    if (!all_arrays_allocated(instance) || intern_types(instance) != 0 ||
        w2n_rt_register(instance) != 0) {
        w2n_rt_result_error(result, "out of memory");
        release_instance(instance);
        return NULL;
    }
    if (w2n_rt_bind_imports(instance, resolver, user, result) != 0 ||
        create_defined(instance, result) != 0) {
        w2n_rt_unregister(instance);
        release_instance(instance);
        return NULL;
    }
    w2n_rt_group_set_stack_limit(instance, w2n_rt_thread_stack_limit());
    run_start(instance, result);
    return instance;
}

int w2n_failed_start_is_freed(const w2n_module *module) {
    for (uint32_t i = 0; i < module->num_imports; i++)
        if (module->imports[i].kind != W2N_EXTERN_MEMORY &&
            module->imports[i].kind != W2N_EXTERN_TAG)
            return 0;
    return 1;
}

w2n_instance *w2n_instantiate(const w2n_module *module, w2n_resolver resolver, void *user,
                              w2n_result *result) {
    w2n_instance *instance = w2n_rt_instantiate(module, resolver, user, NULL, result);
    if (!instance || result->trap == W2N_TRAP_NONE)
        return instance;
    /* A failed start: freed, or left alive and unreachable (see the top of this file). */
    if (w2n_failed_start_is_freed(module))
        w2n_instance_free(instance);
    return NULL;
}

void w2n_instance_free(w2n_instance *instance) {
    if (!instance)
        return;
    w2n_rt_unregister(instance);
    release_instance(instance);
}

int w2n_instance_export(w2n_instance *instance, const char *name, size_t name_len, uint32_t kind,
                        w2n_extern *out) {
    const w2n_module *module = instance->module;
    for (uint32_t i = 0; i < module->num_exports; i++) {
        const w2n_export *export = &module->exports[i];
        if (export->kind != kind || export->name_len != name_len ||
            memcmp(export->name, name, name_len) != 0)
            continue;
        memset(out, 0, sizeof *out);
        out->kind = kind;
        switch (kind) {
        case W2N_EXTERN_FUNC: out->of.func = instance->funcs[export->index]; break;
        case W2N_EXTERN_TABLE: out->of.table = instance->tables[export->index]; break;
        case W2N_EXTERN_MEMORY: out->of.memory = instance->memories[export->index]; break;
        case W2N_EXTERN_TAG: out->of.tag = instance->tags[export->index]; break;
        default:
            out->of.global = instance->globals[export->index];
            out->global_type = module->globals[export->index];
            break;
        }
        return 0;
    }
    return -1;
}
