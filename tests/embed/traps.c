/* Each kind of trap from an export: its code, its message, no result written, and the instance
 * still usable after it. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "traps.h"

/* A value no export returns, to show a trapping call leaves its result alone. */
#define UNTOUCHED 12345

int32_t traps_env_check(traps_instance *instance, void *context, int32_t value) {
    (void)context;
    if (value < 0) {
        /* The message lives on this stack frame: the runtime must copy it before unwinding. */
        char message[64];
        snprintf(message, sizeof message, "negative input %d", value);
        traps_trap(instance, message);
    }
    return value * 10;
}

/* The deepest round of traps_through_host reached. */
static int32_t deepest;

/* Calls the export that called it, one round deeper, from a frame of its own of a few KiB: the
 * stack runs out somewhere in Wasm, host, Wasm, host... and the trap reaches the innermost call,
 * which each round passes on outwards. */
int32_t traps_env_bounce(traps_instance *instance, void *context, int32_t depth) {
    (void)context;
    volatile char scratch[2048];
    scratch[depth % sizeof scratch] = (char)depth;
    if (depth > deepest)
        deepest = depth;
    int32_t result = 0;
    if (traps_through_host(instance, depth, &result) != WASM2NATIVE_TRAP_NONE) {
        const wasm2native_result *last = traps_last_trap(instance);
        char message[sizeof last->message];
        memcpy(message, last->message, sizeof message);
        traps_trap(instance, message);
    }
    return result + scratch[depth % sizeof scratch];
}

/* Calls EXPORT(instance, args..., &result) and prints its code, the last trap and the result. */
#define CALL(instance, export, ...)                                                                \
    do {                                                                                           \
        int32_t result = UNTOUCHED;                                                                \
        wasm2native_trap code = export(instance, __VA_ARGS__, &result);                            \
        const wasm2native_result *last = traps_last_trap(instance);                                \
        printf("%s(%s): code %d last %u \"%s\" result %d\n", #export, #__VA_ARGS__, code,          \
               last->trap, last->message, result);                                                 \
    } while (0)

int main(void) {
    traps_instance *instance = traps_new(NULL, NULL);
    if (!instance)
        return 1;
    CALL(instance, traps_div, 7, 0);
    CALL(instance, traps_div, 7, 2);
    CALL(instance, traps_div, INT_MIN, -1);

    traps_divmod_results pair = {UNTOUCHED, UNTOUCHED};
    wasm2native_trap code = traps_divmod(instance, 7, 0, &pair);
    printf("traps_divmod(7, 0): code %d results %d %d\n", code, pair.r0, pair.r1);
    code = traps_divmod(instance, 7, 2, &pair);
    printf("traps_divmod(7, 2): code %d results %d %d\n", code, pair.r0, pair.r1);

    CALL(instance, traps_load, 65533);
    CALL(instance, traps_load, 65532);
    CALL(instance, traps_load, -1);
    CALL(instance, traps_fail, 1);
    CALL(instance, traps_fail, 0);
    CALL(instance, traps_checked, -3);
    CALL(instance, traps_checked, 4);

    /* Twice, to show the stack is whole again after the first. */
    CALL(instance, traps_deep, 0);
    CALL(instance, traps_div, 9, 2);
    CALL(instance, traps_deep, 0);
    CALL(instance, traps_div, 9, 3);
    CALL(instance, traps_through_host, 0);
    printf("through the host: %s\n", deepest > 1000 ? "more than 1000 rounds" : "too few rounds");
    CALL(instance, traps_div, 9, 4);

    traps_free(instance);
    printf("done\n");
    return 0;
}
