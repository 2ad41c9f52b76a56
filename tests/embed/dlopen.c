/* Loads a shared library built with --emit shared (path in argv[1]) at run time and calls it
 * through dlsym only; the import is given at run time too. */
#include <dlfcn.h>
#include <stdio.h>

#include "plugin.h"

static int32_t lookup(plugin_instance *instance, void *context, int32_t key) {
    (void)instance;
    return *(const int32_t *)context + key;
}

/* The address of `name` in `library`, typed like the header's declaration of it. */
#define SYMBOL(library, name) ((__typeof__(&name))dlsym(library, #name))

int main(int argc, char **argv) {
    if (argc < 2)
        return 2;
    void *library = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (!library) {
        printf("dlopen: %s\n", dlerror());
        return 1;
    }
    __typeof__(&plugin_new) create = SYMBOL(library, plugin_new);
    __typeof__(&plugin_run) run = SYMBOL(library, plugin_run);
    __typeof__(&plugin_free) destroy = SYMBOL(library, plugin_free);
    if (!create || !run || !destroy) {
        printf("dlsym: missing API function\n");
        return 1;
    }
    printf("runtime symbols: %s\n",
           dlsym(library, "w2n_api_new") || dlsym(library, "wasi_fd_write") ? "visible" : "hidden");

    int32_t base = 40;
    plugin_imports imports = {.env_lookup = lookup};
    plugin_config config = {.context = &base, .imports = &imports};
    wasm2native_result result;
    plugin_instance *instance = create(&config, &result);
    if (!instance) {
        printf("new failed: %s\n", result.message);
        return 1;
    }
    int32_t value = 0;
    wasm2native_trap code = run(instance, 2, &value);
    printf("run(2): code %d value %d\n", code, value);
    destroy(instance);
    dlclose(library);
    return 0;
}
