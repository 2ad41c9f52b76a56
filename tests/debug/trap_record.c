/* Raises each trap of library_traps.wat (or source_library.c) through the C API and prints the
 * record traps_last_trap() gives: code, message, the access of an out-of-bounds trap and the
 * frames, in the form an executable prints them (tests/debug.rs compares the two). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "traps.h"

int32_t traps_env_fail(traps_instance *instance, void *context, int32_t x) {
    (void)context;
    if (x != 0)
        traps_trap(instance, "the host refused");
    return 0;
}

static void print_record(const wasm2native_result *last) {
    printf("wasm trap: %s", last->message);
    const wasm2native_memory_fault *fault = &last->fault;
    if (last->trap == WASM2NATIVE_TRAP_MEMORY_OUT_OF_BOUNDS && fault->known) {
        if (fault->length)
            printf(" (%" PRIu32 " bytes at address %#" PRIx64, fault->length, fault->address);
        else
            printf(" (fault at address %#" PRIx64, fault->address);
        printf(", memory %" PRIu32 " of %#" PRIx64 " bytes)", fault->memory, fault->memory_size);
    }
    printf("\n");
    if (last->num_frames)
        printf("wasm backtrace:\n");
    for (uint32_t i = 0; i < last->num_frames; i++) {
        const wasm2native_frame *frame = &last->frames[i];
        printf("  %2u: %s", (unsigned)i, frame->function ? frame->function : "?");
        if (frame->source_line)
            printf(" (%s:%" PRIu32 ")", frame->source_file ? frame->source_file : "?",
                   frame->source_line);
        else if (frame->offset)
            printf(" (%s offset %#x)", frame->module ? frame->module : "module", frame->offset);
        printf("\n");
    }
    if (last->frames_truncated)
        printf("  ... (frames beyond the first 64 native ones left out)\n");
}

/* Arguments: pairs KIND X, each a call of the export `run`. */
int main(int argc, char **argv) {
    traps_instance *instance = traps_new(NULL, NULL);
    if (!instance)
        return 1;
    for (int i = 1; i + 1 < argc; i += 2) {
        int32_t result = 0;
        int32_t kind = (int32_t)strtol(argv[i], NULL, 0), x = (int32_t)strtol(argv[i + 1], NULL, 0);
        if (traps_run(instance, kind, x, &result) == WASM2NATIVE_TRAP_NONE)
            printf("returned %d\n", (int)result);
        else
            print_record(traps_last_trap(instance));
        /* Asked twice, the record is the same. */
        if (traps_last_trap(instance) != traps_last_trap(instance))
            return 2;
    }
    traps_free(instance);
    return 0;
}
