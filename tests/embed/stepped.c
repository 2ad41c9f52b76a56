/* Loops whose addresses step by a value known only at run time (tests/embed/stepped.wat),
 * which the compiler tests once before the loop: each call prints what it returned and the
 * bytes it left in memory, which must be what checking every access in turn gives. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "stepped.h"

/* Prints the non-zero bytes from `first` (included) to `last` (excluded), then clears them. */
static void take_written(stepped_instance *instance, uint64_t first, uint64_t last) {
    uint8_t *memory = stepped_memory_data(instance);
    printf("written:");
    for (uint64_t address = first; address < last; address++) {
        if (memory[address])
            printf(" %u@%llu", memory[address], (unsigned long long)address);
    }
    printf("\n");
    memset(memory + first, 0, last - first);
}

/* Prints how many bytes from `first` (included) to `last` (excluded) are not zero, and the
 * first and last of them, then clears them. */
static void count_written(stepped_instance *instance, uint64_t first, uint64_t last) {
    uint8_t *memory = stepped_memory_data(instance);
    uint64_t count = 0, low = 0, high = 0;
    for (uint64_t address = first; address < last; address++) {
        if (memory[address]) {
            low = count++ ? low : address;
            high = address;
        }
    }
    printf("written: %llu bytes, %llu to %llu\n", (unsigned long long)count,
           (unsigned long long)low, (unsigned long long)high);
    memset(memory + first, 0, last - first);
}

static void report(const char *call, stepped_instance *instance, wasm2native_trap code) {
    printf("%s: code %d", call, code);
    if (code)
        printf(" \"%s\"", stepped_last_trap(instance)->message);
    printf("\n");
}

int main(void) {
    stepped_instance *instance = stepped_new(NULL, NULL);
    if (!instance)
        return 1;
    report("mark(1000, 0, 7, 100)", instance, stepped_mark(instance, 1000, 0, 7, 100));
    take_written(instance, 0, 65536);
    /* The twelfth store lies past the end of memory. */
    report("mark(65000, 0, 50, 1000)", instance, stepped_mark(instance, 65000, 0, 50, 1000));
    take_written(instance, 0, 65536);
    /* A negative step never reaches the end: the stores go down to address 0, then wrap. */
    report("mark(2000, 100, -3, 200)", instance, stepped_mark(instance, 2000, 100, -3, 200));
    take_written(instance, 0, 65536);
    /* The counter wraps from INT_MAX to INT_MIN and goes on; base + j wraps to address 352. */
    report("mark(2^31 + 1000, 2^31 - 648, 400, INT_MAX)", instance,
           stepped_mark(instance, 0x80000000u + 1000, INT_MAX - 647, 400, INT_MAX));
    take_written(instance, 0, 65536);
    /* A step too large to test before the loop. */
    report("mark(0, 0, 2^30, INT_MAX)", instance, stepped_mark(instance, 0, 0, 1 << 30, INT_MAX));
    take_written(instance, 0, 65536);

    report("mark_unsigned(1000, 10, 3, 100)", instance,
           stepped_mark_unsigned(instance, 1000, 10, 3, 100));
    take_written(instance, 0, 65536);
    /* The counter wraps from UINT_MAX to 0 and goes on, up to the end of memory. */
    report("mark_unsigned(1000, 2^32 - 256, 64, 2^32 - 16)", instance,
           stepped_mark_unsigned(instance, 1000, UINT32_MAX - 255, 64, UINT32_MAX - 15));
    take_written(instance, 0, 65536);

    report("mark_down(3000, 900, 9, 0)", instance, stepped_mark_down(instance, 3000, 900, 9, 0));
    take_written(instance, 0, 65536);
    /* Down past base: base + j wraps to the top of the 32-bit space. */
    report("mark_down(500, 900, 100, -2000)", instance,
           stepped_mark_down(instance, 500, 900, 100, -2000));
    take_written(instance, 0, 65536);

    report("tally(1000, 0, 10, 95)", instance, stepped_tally(instance, 1000, 0, 10, 95));
    take_written(instance, 0, 65536);
    /* The second counter wraps from INT_MAX to INT_MIN and goes on: the stores run on to the end
     * of memory. */
    report("tally(1000, INT_MAX - 25, 10, INT_MAX)", instance,
           stepped_tally(instance, 1000, INT_MAX - 25, 10, INT_MAX));
    count_written(instance, 0, 65536);

    uint8_t *memory = stepped_memory_data(instance);
    memory[5000 + 3 * 7] = 2;
    report("mark_until(5000, 3, 20)", instance, stepped_mark_until(instance, 5000, 3, 20));
    take_written(instance, 0, 65536);
    report("mark_until(6000, -4, 10)", instance, stepped_mark_until(instance, 6000, -4, 10));
    take_written(instance, 0, 65536);

    /* Overlapping: each byte is the one a step before it plus one, as written in turn. */
    memory[4000] = 7;
    report("shift(4000, 5, 5, 20)", instance, stepped_shift(instance, 4000, 5, 5, 20));
    take_written(instance, 0, 65536);
    /* Disjoint, up and down: the bytes at distance 1000 are those at the start plus one. */
    for (int i = 0; i < 20; i++)
        memory[4000 + 5 * i] = (uint8_t)(10 + i);
    report("shift(4000, 1000, 5, 20)", instance, stepped_shift(instance, 4000, 1000, 5, 20));
    take_written(instance, 0, 65536);
    for (int i = 0; i < 20; i++)
        memory[4095 - 5 * i] = (uint8_t)(10 + i);
    report("shift(4095, 1000, -5, 20)", instance, stepped_shift(instance, 4095, 1000, -5, 20));
    take_written(instance, 0, 65536);
    stepped_free(instance);
    return 0;
}
