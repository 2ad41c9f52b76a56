/*
 * Import binding for w2n_instantiate: asks the resolver for each import, checks the provided
 * object against the import's type (Wasm 2.0 import matching) and stores it in the instance.
 * Link failures fill the result's message and leave result->trap at W2N_TRAP_NONE.
 */
#include <string.h>

#include "internal.h"

/* Limits subtyping: `min` at least the declared minimum, and a maximum within a declared one. */
static int limits_match(uint64_t min, int has_max, uint64_t max, const w2n_limits *declared) {
    if (min < declared->min)
        return 0;
    return !declared->has_max || (has_max && max <= declared->max);
}

static int func_matches(const w2n_instance *instance, const w2n_import *import,
                        const w2n_extern *provided) {
    const w2n_module *module = instance->module;
    uint32_t expected = instance->type_ids[module->func_types[import->index]];
    return provided->of.func && provided->of.func->type_id == expected;
}

static int table_matches(const w2n_instance *instance, const w2n_import *import,
                         const w2n_extern *provided) {
    const w2n_table_type *declared = &instance->module->tables[import->index];
    const w2n_table *table = provided->of.table;
    /* UINT32_MAX stands for "no maximum", so a declared maximum of exactly 2^32-1 matches both. */
    return table && table->elem_type == declared->elem_type &&
           limits_match(table->size, table->max != UINT32_MAX, table->max, &declared->limits);
}

/* Code compiled in guard mode leaves bounds to the guard, so its memories must have one. */
static int memory_matches(const w2n_instance *instance, const w2n_import *import,
                          const w2n_extern *provided) {
    const w2n_limits *declared = &instance->module->memories[import->index];
    const w2n_memory *memory = provided->of.memory;
    return memory &&
           limits_match(memory->size / W2N_PAGE_SIZE, w2n_rt_memory_has_max(memory),
                        memory->max_pages, declared) &&
           (!instance->module->memory_guard || w2n_rt_memory_is_guarded(memory));
}

static int global_matches(const w2n_instance *instance, const w2n_import *import,
                          const w2n_extern *provided) {
    const w2n_global_type *declared = &instance->module->globals[import->index];
    return provided->of.global && provided->global_type.value_type == declared->value_type &&
           provided->global_type.mutable_ == declared->mutable_;
}

static int matches(const w2n_instance *instance, const w2n_import *import,
                   const w2n_extern *provided) {
    if (provided->kind != import->kind)
        return 0;
    switch (import->kind) {
    case W2N_EXTERN_FUNC: return func_matches(instance, import, provided);
    case W2N_EXTERN_TABLE: return table_matches(instance, import, provided);
    case W2N_EXTERN_MEMORY: return memory_matches(instance, import, provided);
    case W2N_EXTERN_GLOBAL: return global_matches(instance, import, provided);
    default: return 0;
    }
}

/* Stores a function import; caller-bound ones get an instance-owned copy (see internal.h). */
static w2n_instance *bind_func(w2n_instance *instance, uint32_t index, w2n_funcref *func) {
    w2n_instance_private *private = w2n_rt_private(instance);
    if (func->reserved == W2N_FUNCREF_BIND_CALLER) {
        w2n_funcref *bound = &private->owned_funcs[index];
        *bound = *func;
        bound->reserved = W2N_FUNCREF_OWNED;
        bound->vmctx = instance;
        if (func->vmctx)
        private->import_context = func->vmctx;
        instance->funcs[index] = bound;
        return NULL;
    }
    instance->funcs[index] = func;
    return func->reserved == W2N_FUNCREF_OWNED ? func->vmctx : NULL;
}

/* Stores one checked import; returns the instance that owns it, or NULL for host objects. */
static w2n_instance *bind(w2n_instance *instance, const w2n_import *import,
                          const w2n_extern *provided) {
    switch (import->kind) {
    case W2N_EXTERN_FUNC: return bind_func(instance, import->index, provided->of.func);
    case W2N_EXTERN_TABLE:
        instance->tables[import->index] = provided->of.table;
        return w2n_rt_owner_of(import->kind, provided->of.table);
    case W2N_EXTERN_MEMORY:
        instance->memories[import->index] = provided->of.memory;
        return w2n_rt_owner_of(import->kind, provided->of.memory);
    default:
        instance->globals[import->index] = provided->of.global;
        return w2n_rt_owner_of(import->kind, provided->of.global);
    }
}

int w2n_rt_bind_imports(w2n_instance *instance, w2n_resolver resolver, void *user,
                        w2n_result *result) {
    const w2n_module *module = instance->module;
    for (uint32_t i = 0; i < module->num_imports; i++) {
        const w2n_import *import = &module->imports[i];
        w2n_extern provided;
        memset(&provided, 0, sizeof provided);
        if (!resolver || resolver(user, import, &provided)) {
            w2n_rt_result_error(result, "unknown import: %s::%s", import->module, import->name);
            return -1;
        }
        if (!matches(instance, import, &provided)) {
            w2n_rt_result_error(result, "incompatible import type: %s::%s", import->module,
                                import->name);
            return -1;
        }
        w2n_instance *owner = bind(instance, import, &provided);
        if (owner && w2n_rt_group_join(instance, owner) != 0) {
            w2n_rt_result_error(result, "out of memory");
            return -1;
        }
    }
    return 0;
}

void *w2n_rt_import_context(const w2n_instance *instance) {
    return w2n_rt_private(instance)->import_context;
}
