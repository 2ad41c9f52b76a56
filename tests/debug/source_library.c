/* A library built with -g for tests/debug.rs: the C API's record of a trap carries the source
 * lines of the module's own DWARF. trap_record.c drives it as it does library_traps.wat. */
#include <stdint.h>

__attribute__((import_module("env"), import_name("fail"))) int32_t host_fail(int32_t x);

static int32_t load(const int32_t *p) {
    int32_t value = *p; /* TRAP */
    return value;
}

__attribute__((export_name("run"))) int32_t run(int32_t kind, int32_t x) {
    if (kind == 0)
        return load((const int32_t *)(uintptr_t)x);
    return host_fail(x);
}
