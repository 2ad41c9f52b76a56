/*
 * The registry of live instances and their link groups.
 *
 * Stack limit rule: instances connected through imports (a function, table, memory or global of
 * one bound into another) form a group, because compiled code of any of them may run under one
 * entry. A group is used by one thread at a time. w2n_instantiate and every w2n_call whose callee
 * is a compiled function write the entering thread's limit into every instance of the callee's
 * group when the callee's limit differs from it, so the check costs one compare per entry and
 * a group that moves to another thread follows it. Instances joined only through references a
 * host passes around by hand (not through imports) are not tracked.
 */
#include <pthread.h>
#include <stdlib.h>

#include "internal.h"

struct w2n_instance_group {
    w2n_instance **members;
    size_t count, capacity;
};

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static w2n_instance_private *registered; /* head of the doubly linked list of live instances */

static int group_add(w2n_instance_group *group, w2n_instance *instance) {
    if (group->count == group->capacity) {
        size_t new_capacity = group->capacity ? group->capacity * 2 : 4;
        w2n_instance **grown = realloc(group->members, new_capacity * sizeof *grown);
        if (!grown)
            return -1;
        group->members = grown;
        group->capacity = new_capacity;
    }
    group->members[group->count++] = instance;
    w2n_rt_private(instance)->group = group;
    return 0;
}

static void group_remove(w2n_instance_group *group, w2n_instance *instance) {
    for (size_t i = 0; i < group->count; i++) {
        if (group->members[i] == instance) {
            group->members[i] = group->members[--group->count];
            break;
        }
    }
    if (group->count == 0) {
        free(group->members);
        free(group);
    }
}

int w2n_rt_register(w2n_instance *instance) {
    w2n_instance_group *group = calloc(1, sizeof *group);
    if (!group || group_add(group, instance) != 0) {
        free(group);
        return -1;
    }
    w2n_instance_private *private = w2n_rt_private(instance);
    pthread_mutex_lock(&registry_lock);
    private->prev = NULL;
    private->next = registered;
    if (registered)
        registered->prev = private;
    registered = private;
    pthread_mutex_unlock(&registry_lock);
    return 0;
}

void w2n_rt_unregister(w2n_instance *instance) {
    w2n_instance_private *private = w2n_rt_private(instance);
    pthread_mutex_lock(&registry_lock);
    if (private->prev)
    private->prev->next = private->next;
    else if (registered == private) registered = private->next;
    if (private->next)
    private->next->prev = private->prev;
    if (private->group)
        group_remove(private->group, instance);
    private->group = NULL;
    pthread_mutex_unlock(&registry_lock);
}

static int owns(const w2n_instance_private *private, uint32_t kind, const void *object) {
    const w2n_module *module = private->instance->module;
    const char *start, *end;
    switch (kind) {
    case W2N_EXTERN_MEMORY:
        start = (const char *)private->owned_memories;
        end = (const char *)(private->owned_memories +
                             (module->num_memories - module->num_imported_memories));
        break;
    case W2N_EXTERN_TABLE:
        start = (const char *)private->owned_tables;
        end = (const char *)(private->owned_tables +
                             (module->num_tables - module->num_imported_tables));
        break;
    case W2N_EXTERN_GLOBAL:
        start = (const char *)private->owned_globals;
        end = (const char *)(private->owned_globals +
                             (module->num_globals - module->num_imported_globals));
        break;
    case W2N_EXTERN_TAG:
        start = (const char *)private->owned_tags;
        end = (const char *)(private->owned_tags + (module->num_tags - module->num_imported_tags));
        break;
    default: return 0;
    }
    return start && (const char *)object >= start && (const char *)object < end;
}

w2n_instance *w2n_rt_owner_of(uint32_t kind, const void *object) {
    w2n_instance *owner = NULL;
    pthread_mutex_lock(&registry_lock);
    for (w2n_instance_private *p = registered; p && !owner; p = p->next)
        if (owns(p, kind, object))
            owner = p->instance;
    pthread_mutex_unlock(&registry_lock);
    return owner;
}

void w2n_rt_for_each_instance(void (*visit)(w2n_instance *, void *), void *data) {
    pthread_mutex_lock(&registry_lock);
    for (w2n_instance_private *p = registered; p; p = p->next)
        visit(p->instance, data);
    pthread_mutex_unlock(&registry_lock);
}

/* Moves the members of the smaller group into the larger one. */
int w2n_rt_group_join(w2n_instance *a, w2n_instance *b) {
    int status = 0;
    pthread_mutex_lock(&registry_lock);
    w2n_instance_group *into = w2n_rt_private(a)->group;
    w2n_instance_group *from = w2n_rt_private(b)->group;
    if (into != from) {
        if (into->count < from->count) {
            w2n_instance_group *swap = into;
            into = from;
            from = swap;
        }
        while (from->count > 0 && status == 0) {
            status = group_add(into, from->members[from->count - 1]);
            if (status == 0)
                from->count--;
        }
        if (from->count == 0) {
            free(from->members);
            free(from);
        }
    }
    pthread_mutex_unlock(&registry_lock);
    return status;
}

void w2n_rt_group_set_stack_limit(w2n_instance *instance, uintptr_t limit) {
    w2n_instance_group *group = w2n_rt_private(instance)->group;
    if (!group) {
        instance->stack_limit = limit;
        return;
    }
    for (size_t i = 0; i < group->count; i++)
        group->members[i]->stack_limit = limit;
}
