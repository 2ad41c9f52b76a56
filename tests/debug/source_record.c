/* Calls inlined.c's `lookup`, compiled as a library, with a table at address 0, so that it
 * reads out of bounds, and prints the frames of traps_last_trap()'s record as
 * tests/source_debug.rs expects them: function, then the source line or the module offset. */
#include <stdio.h>

#include "inlined.h"

int main(void) {
    inlined_instance *instance = inlined_new(NULL, NULL);
    if (!instance)
        return 1;
    int32_t result = 0;
    if (inlined_lookup(instance, 0, 7, &result) == WASM2NATIVE_TRAP_NONE)
        return 2;
    const wasm2native_result *last = inlined_last_trap(instance);
    printf("%s\n", last->message);
    for (uint32_t i = 0; i < last->num_frames; i++) {
        const wasm2native_frame *frame = &last->frames[i];
        printf("%s", frame->function ? frame->function : "?");
        if (frame->source_line)
            printf(" %s:%u", frame->source_file ? frame->source_file : "?",
                   (unsigned)frame->source_line);
        else if (frame->offset)
            printf(" (%s offset %#x)", frame->module ? frame->module : "module",
                   (unsigned)frame->offset);
        printf("\n");
    }
    inlined_free(instance);
    return 0;
}
