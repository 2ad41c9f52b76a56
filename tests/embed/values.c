/* Values of every type across the boundary, both ways: export parameters and results, an import
 * served by C, externrefs through a table, and globals read and written from C. */
#include <inttypes.h>
#include <stdio.h>

#include "everything.h"

static wasm2native_v128 counting_from(uint8_t first) {
    wasm2native_v128 value;
    for (int i = 0; i < 16; i++)
        value.bytes[i] = (uint8_t)(first + i);
    return value;
}

static void print_v128(const char *label, const wasm2native_v128 *value) {
    printf("%s", label);
    for (int i = 0; i < 16; i++)
        printf(" %02x", value->bytes[i]);
    printf("\n");
}

/* Prints what Wasm passed and answers with the sum of the integers and the vector reversed. */
void everything_env_mix(everything_instance *instance, void *context, int32_t p0, int64_t p1,
                        float p2, double p3, const wasm2native_v128 *p4, wasm2native_funcref p5,
                        wasm2native_externref p6, everything_env_mix_results *results) {
    printf("mix: context %s, i32 %d, i64 %" PRId64 ", f32 %a, f64 %a, funcref %s, externref %s\n",
           context == everything_context(instance) ? "matches" : "differs", p0, p1, p2, p3,
           p5 ? "set" : "null", p6 ? "set" : "null");
    print_v128("mix: v128", p4);
    results->r0 = p0 + p1;
    for (int i = 0; i < 16; i++)
        results->r1.bytes[i] = p4->bytes[15 - i];
}

void everything_env_note(everything_instance *instance, void *context, wasm2native_externref p0) {
    (void)instance, (void)context;
    printf("note: %s\n", (const char *)p0);
}

int main(void) {
    const int32_t base = -7;
    const double scale = 0.125;
    everything_imports imports = {.env_base = &base, .env_scale = &scale};
    int context_value = 0;
    everything_config config = {.context = &context_value, .imports = &imports};
    wasm2native_result result;
    everything_instance *instance = everything_new(&config, &result);
    if (!instance) {
        printf("new failed: %s\n", result.message);
        return 1;
    }

    double wide = 0;
    everything_wide(instance, INT64_C(1) << 40, 0.75f, -0.5, &wide);
    printf("wide %a\n", wide);

    /* Extreme values come back bit for bit. */
    wasm2native_funcref twice = NULL;
    everything_handler(instance, 0, &twice);
    char marker[] = "marker";
    wasm2native_v128 lanes = counting_from(0xf0);
    everything_all_results all;
    wasm2native_trap code = everything_all(instance, INT32_MIN, INT64_MAX, -0.0f,
                                           0x1.fffffffffffffp+1023, &lanes, twice, marker, &all);
    printf("all: code %d, i32 %d, i64 %" PRId64 ", f32 %a, f64 %a, funcref %s, externref %s\n",
           code, all.r0, all.r1, all.r2, all.r3, all.r5 == twice ? "same" : "differs",
           all.r6 == marker ? "same" : "differs");
    print_v128("all: v128", &all.r4);

    /* An import with multi-value results and a v128 parameter. */
    wasm2native_v128 ramp = counting_from(1);
    everything_forward_results forward;
    code = everything_forward(instance, INT64_C(-1000000000000), &ramp, &forward);
    printf("forward: code %d, i64 %" PRId64 "\n", code, forward.r0);
    print_v128("forward: v128", &forward.r1);

    /* An externref kept in a table by Wasm, read by C, and the other way round. */
    char first[] = "first", second[] = "second";
    everything_keep(instance, first, 1);
    printf("refs[1] %s\n", everything_refs_get(instance, 1) == first ? "first" : "other");
    printf("set refs[0] %d, set refs[2] %d\n", everything_refs_set(instance, 0, second),
           everything_refs_set(instance, 2, second));
    wasm2native_externref fetched = NULL;
    everything_fetch(instance, 0, &fetched);
    everything_tell(instance, fetched);
    printf("refs size %u, refs[2] %s\n", everything_refs_size(instance),
           everything_refs_get(instance, 2) ? "set" : "null");

    /* Tables of functions: the exported one, and the imported one this module filled. */
    int32_t via = 0;
    code = everything_via_handler(instance, 50, &via);
    printf("funcs size %u, funcs[0] %s, funcs[1] %s, via_handler %d %d\n",
           everything_funcs_size(instance), everything_funcs_get(instance, 0) ? "set" : "null",
           everything_funcs_get(instance, 1) ? "set" : "null", code, via);
    int32_t heap = -1;
    everything_heap_byte(instance, 65535, &heap);
    printf("heap byte %d\n", heap);

    /* Globals: C writes, Wasm sees; Wasm writes, C sees. */
    printf("seed %" PRId64 ", total %a\n", *everything_seed(instance), *everything_total(instance));
    *everything_total(instance) = 10.0f;
    float bumped = 0;
    everything_bump(instance, &bumped);
    printf("bump %a, total %a\n", bumped, *everything_total(instance));
    int32_t sum = 0;
    everything_lanes_sum(instance, &sum);
    printf("lanes sum %d\n", sum);
    wasm2native_v128 *global_lanes = everything_lanes(instance);
    global_lanes->bytes[0] = 100;
    global_lanes->bytes[12] = 200;
    everything_lanes_sum(instance, &sum);
    printf("lanes sum %d\n", sum);

    everything_free(instance);
    return 0;
}
