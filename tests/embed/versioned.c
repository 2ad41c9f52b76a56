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
