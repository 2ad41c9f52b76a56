/* Imports given at run time only: one C function serving two instances, told apart by their
 * context, and an instance refused when the import is missing. No lookup_env_lookup is linked. */
#include <stdio.h>

#include "lookup.h"

typedef struct table {
    const char *name;
    int32_t base;
    lookup_instance *instance; /* the instance it serves, to check what the import is given */
} table;

static int32_t serve(lookup_instance *instance, void *context, int32_t key) {
    table *owner = (table *)context;
    printf("serve %s: key %d, instance %s\n", owner->name, key,
           instance == owner->instance ? "matches" : "differs");
    return owner->base + key;
}

static lookup_instance *create(table *owner) {
    lookup_imports imports = {.env_lookup = serve};
    lookup_config config = {.context = owner, .imports = &imports};
    wasm2native_result result;
    owner->instance = lookup_new(&config, &result);
    if (!owner->instance)
        printf("new failed: %s\n", result.message);
    return owner->instance;
}

static void run(lookup_instance *instance, int32_t key) {
    int32_t value = 0;
    wasm2native_trap code = lookup_run(instance, key, &value);
    printf("run(%d): code %d value %d\n", key, code, value);
}

int main(void) {
    table a = {"a", 1000, NULL}, b = {"b", 2000, NULL};
    lookup_instance *first = create(&a), *second = create(&b);
    if (!first || !second)
        return 1;
    run(first, 5);
    run(second, 5);
    run(first, 6);
    printf("contexts %s\n",
           lookup_context(first) == &a && lookup_context(second) == &b ? "kept" : "lost");
    lookup_free(first);
    lookup_free(second);

    /* No run-time import and none linked: a link error naming the import. */
    wasm2native_result result = {.trap = 99};
    lookup_instance *missing = lookup_new(NULL, &result);
    printf("without imports: %s, trap %u\n", missing ? "created" : "NULL", result.trap);
    printf("message: %s\n", result.message);
    lookup_imports empty = {.env_lookup = NULL};
    lookup_config config = {.imports = &empty};
    missing = lookup_new(&config, &result);
    printf("with a NULL import: %s, trap %u\n", missing ? "created" : "NULL", result.trap);
    printf("message: %s\n", result.message);
    return 0;
}
