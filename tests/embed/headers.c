/* Two generated headers in one file, built as C99 and as C++17 with warnings as errors: every
 * declaration must be valid and warning-free in both languages. */
#include <stdio.h>

#include "everything.h"
#include "grow.h"

void everything_env_mix(everything_instance *instance, void *context, int32_t p0, int64_t p1,
                        float p2, double p3, const wasm2native_v128 *p4, wasm2native_funcref p5,
                        wasm2native_externref p6, everything_env_mix_results *results) {
    (void)instance, (void)context, (void)p2, (void)p3, (void)p5, (void)p6;
    results->r0 = p0 + p1;
    results->r1 = *p4;
}

void everything_env_note(everything_instance *instance, void *context, wasm2native_externref p0) {
    (void)instance, (void)context, (void)p0;
}

int main(void) {
    const int32_t base = 1;
    const double scale = 2.0;
    everything_imports imports = {NULL, NULL, &base, &scale};
    everything_config config = {NULL, &imports, NULL};
    wasm2native_result result;
    everything_instance *everything = everything_new(&config, &result);
    grow_instance *grow = grow_new(NULL, &result);
    if (!everything || !grow) {
        printf("new failed: %s\n", result.message);
        return 1;
    }
    int32_t twice = 0;
    wasm2native_trap code = everything_twice(everything, 21, &twice);
    printf("twice %d %d, grow memory %u\n", code, twice, (unsigned)grow_memory_size(grow));
    everything_free(everything);
    grow_free(grow);
    return 0;
}
