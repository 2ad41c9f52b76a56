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

/* A reference type in full (W2N_REF_TYPE in the header); NULL stands for the nullable abstract
 * type of its kind, funcref or externref. */
static const char *full_ref_type(const char *ref_type, uint8_t kind) {
    return ref_type ? ref_type : kind == W2N_TYPE_EXTERNREF ? "e" : "r";
}

/* Reference subtyping without declared subtypes: the same kind, non-null below nullable, and a
 * concrete type below the abstract one of its kind (concrete types match when equivalent, which
 * their signature strings say). */
static int ref_subtype(const char *provided, const char *declared) {
    if (provided[0] != declared[0])
        return 0;
    int provided_non_null = provided[1] == '!', declared_non_null = declared[1] == '!';
    if (declared_non_null && !provided_non_null)
        return 0;
    const char *declared_heap = declared + 1 + declared_non_null;
    return *declared_heap == '\0' || strcmp(provided + 1 + provided_non_null, declared_heap) == 0;
}

static int table_matches(const w2n_instance *instance, const w2n_import *import,
                         const w2n_extern *provided) {
    const w2n_table_type *declared = &instance->module->tables[import->index];
    const w2n_table *table = provided->of.table;
    /* UINT32_MAX stands for "no maximum", so a declared maximum of exactly 2^32-1 matches both. */
    return table && table->elem_type == declared->elem_type &&
           table->address64 == declared->limits.address64 &&
           strcmp(full_ref_type(table->ref_type, table->elem_type),
                  full_ref_type(declared->ref_type, declared->elem_type)) == 0 &&
           limits_match(table->size, table->max != UINT32_MAX, table->max, &declared->limits);
}

/* Code compiled in guard mode leaves bounds to the guard, so its memories must have one; and
 * compiled code takes a 32-bit memory to hold at most W2N_MAX_USABLE_PAGES (a host's may not). */
static int memory_matches(const w2n_instance *instance, const w2n_import *import,
                          const w2n_extern *provided) {
    const w2n_limits *declared = &instance->module->memories[import->index];
    const w2n_memory *memory = provided->of.memory;
    return memory && w2n_rt_memory_is_64(memory) == (declared->address64 != 0) &&
           (declared->address64 ||
            memory->size <= (uint64_t)W2N_MAX_USABLE_PAGES * W2N_PAGE_SIZE) &&
           limits_match(memory->size / W2N_PAGE_SIZE, w2n_rt_memory_has_max(memory),
                        memory->max_pages, declared) &&
           (!instance->module->memory_guard || declared->address64 ||
            w2n_rt_memory_is_guarded(memory));
}

static int global_matches(const w2n_instance *instance, const w2n_import *import,
                          const w2n_extern *provided) {
    const w2n_global_type *declared = &instance->module->globals[import->index];
    const w2n_global_type *given = &provided->global_type;
    if (!provided->of.global || given->value_type != declared->value_type ||
        given->mutable_ != declared->mutable_)
        return 0;
    if (given->value_type != W2N_TYPE_FUNCREF && given->value_type != W2N_TYPE_EXTERNREF)
        return 1;
    /* A mutable global is read and written through the import: its type must be the same. */
    const char *given_ref = full_ref_type(given->ref_type, given->value_type);
    const char *declared_ref = full_ref_type(declared->ref_type, declared->value_type);
    return declared->mutable_ ? strcmp(given_ref, declared_ref) == 0
                              : ref_subtype(given_ref, declared_ref);
}

/* Tag types match when equal: a payload is both written and read through the tag. */
static int tag_matches(const w2n_instance *instance, const w2n_import *import,
                       const w2n_extern *provided) {
    const w2n_module *module = instance->module;
    return provided->of.tag &&
           strcmp(provided->of.tag->signature,
                  module->type_signatures[module->tag_types[import->index]]) == 0;
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
    case W2N_EXTERN_TAG: return tag_matches(instance, import, provided);
    default: return 0;
    }
}

/*
 * Stores a function import. Another instance's function is stored as it is, so calls to it are
 * direct (and tail calls stay tail calls across modules). Host code gets a view (see the header):
 * the host's funcref goes to host_funcs, and the import becomes a funcref of this instance whose
 * code is the module's adapter for the import. A caller-bound host function (internal.h) is given
 * this instance as its vmctx.
 */
static w2n_instance *bind_func(w2n_instance *instance, uint32_t index, w2n_funcref *func) {
    if (func->reserved == W2N_FUNCREF_OWNED) {
        instance->funcs[index] = func;
        return func->vmctx;
    }
    w2n_instance_private *private = w2n_rt_private(instance);
    const w2n_module *module = instance->module;
    w2n_funcref *host = &instance->host_funcs[index];
    *host = *func;
    if (func->reserved == W2N_FUNCREF_BIND_CALLER) {
        host->vmctx = instance;
        if (func->vmctx)
        private->import_context = func->vmctx;
    }
    w2n_funcref *view = &private->owned_funcs[index];
    view->code = module->func_code[index];
    view->array_code = module->func_array_code ? module->func_array_code[index] : NULL;
    view->type_id = func->type_id;
    view->reserved = W2N_FUNCREF_OWNED;
    view->vmctx = instance;
    instance->funcs[index] = view;
    return NULL;
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
    case W2N_EXTERN_TAG:
        instance->tags[import->index] = provided->of.tag;
        return w2n_rt_owner_of(import->kind, provided->of.tag);
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
