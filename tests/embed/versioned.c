/* Loops whose bounds checks the compiler tests once before the loop (tests/embed/versioned.wat):
 * each call prints what it returned and the words it left in memory, which must be what checking
 * every access in turn gives. */
#include <stdio.h>
#include <string.h>

#include "versioned.h"

#define UNTOUCHED 12345

static uint32_t word_at(versioned_instance *instance, uint64_t address) {
    uint32_t word;
    memcpy(&word, versioned_memory_data(instance) + address, sizeof word);
    return word;
}

/* Prints the non-zero words from `first` (included) to `last` (excluded), then clears them. */
static void take_written(versioned_instance *instance, uint64_t first, uint64_t last) {
    printf("written:");
    for (uint64_t address = first; address < last; address += 4) {
        uint32_t word = word_at(instance, address);
        if (word)
            printf(" %u@%llu", word, (unsigned long long)address);
    }
    printf("\n");
    memset(versioned_memory_data(instance) + first, 0, last - first);
}

/* `copy` of versioned.wat on `memory` (`size` bytes), each access checked in turn: what the
 * compiled loop must do, whichever of its copies runs. Returns the trap code. */
static wasm2native_trap copy_in_turn(uint8_t *memory, uint64_t size, uint32_t dst, uint32_t src,
                                     uint32_t n) {
    for (;;) {
        for (uint32_t half = 0; half < 16; half += 8) {
            if ((uint64_t)src + half + 8 > size || (uint64_t)dst + half + 8 > size)
                return WASM2NATIVE_TRAP_MEMORY_OUT_OF_BOUNDS;
            memmove(memory + dst + half, memory + src + half, 8);
        }
        dst += 16;
        src += 16;
        n -= 16;
        if (n <= 15)
            return WASM2NATIVE_TRAP_NONE;
    }
}

/* Calls `copy` on memory holding a byte pattern and prints its code and whether it left memory
 * as copy_in_turn does. */
static void check_copy(versioned_instance *instance, uint32_t dst, uint32_t src, uint32_t n) {
    static uint8_t expected[65536];
    uint8_t *memory = versioned_memory_data(instance);
    for (uint32_t i = 0; i < sizeof expected; i++)
        memory[i] = (uint8_t)(i * 7 + i / 256);
    memcpy(expected, memory, sizeof expected);
    wasm2native_trap expected_code = copy_in_turn(expected, sizeof expected, dst, src, n);
    wasm2native_trap code = versioned_copy(instance, dst, src, n);
    printf("copy(%u, %u, %u): code %d, %s\n", dst, src, n, code,
           code == expected_code && memcmp(memory, expected, sizeof expected) == 0
               ? "as if checked in turn"
               : "NOT as if checked in turn");
    memset(memory, 0, sizeof expected);
}

static void report(const char *call, versioned_instance *instance, wasm2native_trap code) {
    printf("%s: code %d", call, code);
    if (code)
        printf(" \"%s\"", versioned_last_trap(instance)->message);
    printf("\n");
}

int main(void) {
    versioned_instance *instance = versioned_new(NULL, NULL);
    if (!instance)
        return 1;
    /* base + 4 i wraps from the top of the 32-bit space to address 0 after four words. */
    report("fill(-16, 4, 40)", instance, versioned_fill(instance, (uint32_t)-16, 4, 40));
    take_written(instance, 0, 200);
    /* The first four words lie at the top of the 32-bit space, far out of bounds. */
    report("fill(-16, 0, 40)", instance, versioned_fill(instance, (uint32_t)-16, 0, 40));
    take_written(instance, 0, 200);
    /* Ten words fit below the end of memory; the eleventh store traps. */
    report("fill(65496, 0, 20)", instance, versioned_fill(instance, 65536 - 40, 0, 20));
    take_written(instance, 65536 - 48, 65536);
    report("fill(1000, 0, 100)", instance, versioned_fill(instance, 1000, 0, 100));
    int32_t total = UNTOUCHED;
    report("sum(996, 0, 100)", instance, versioned_sum(instance, 996, 0, 100, &total));
    printf("total %d\n", total);
    total = UNTOUCHED;
    report("sum(65136, 0, 100)", instance, versioned_sum(instance, 65536 - 400, 0, 100, &total));
    printf("total %d\n", total);
    take_written(instance, 1000, 1400);

    report("stride(0, 1000, 1080)", instance, versioned_stride(instance, 0, 1000, 1080));
    take_written(instance, 1000, 1100);
    /* 65476 - 65472 is not a multiple of 8: the stores go on to the end of memory. */
    report("stride(0, 65472, 65476)", instance, versioned_stride(instance, 0, 65472, 65476));
    take_written(instance, 65400, 65536);

    /* Reads and writes overlap: each word is the one before it plus one, as written in turn. */
    memset(versioned_memory_data(instance) + 2000, 0, 400);
    memcpy(versioned_memory_data(instance) + 2000, &(uint32_t){7}, sizeof(uint32_t));
    report("shift(2000, 1, 40)", instance, versioned_shift(instance, 2000, 1, 40));
    take_written(instance, 2000, 2400);
    /* Disjoint: the second forty words are the first forty plus one. */
    versioned_fill(instance, 2000, 0, 40);
    report("shift(2000, 40, 40)", instance, versioned_shift(instance, 2000, 40, 40));
    take_written(instance, 2000, 2400);

    /* Disjoint and long, disjoint and short (two iterations), overlapping one way and the
     * other, running off the end of memory part-way, and a count below 16 that wraps. */
    check_copy(instance, 4000, 3000, 256);
    check_copy(instance, 4000, 3000, 32);
    check_copy(instance, 3008, 3000, 256);
    check_copy(instance, 3000, 3008, 256);
    check_copy(instance, 65536 - 40, 1000, 64);
    check_copy(instance, 5000, 3000, 8);

    /* Above 2 GiB, addresses are negative as 32-bit signed values. */
    int32_t previous = 0;
    report("grow(40000)", instance, versioned_grow(instance, 40000, &previous));
    printf("previous %d, size %llu\n", previous,
           (unsigned long long)versioned_memory_size(instance));
    uint32_t high = 0x90000000u;
    report("fill(0x90000000, 0, 64)", instance, versioned_fill(instance, high, 0, 64));
    total = UNTOUCHED;
    report("sum(0x8ffffffc, 0, 64)", instance, versioned_sum(instance, high - 4, 0, 64, &total));
    printf("total %d, words %u %u %u\n", total, word_at(instance, high),
           word_at(instance, high + 252), word_at(instance, high + 256));
    versioned_free(instance);
    return 0;
}
