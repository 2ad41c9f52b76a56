/* Loops and structure reads that run out of memory part-way: the trap comes at the first
 * out-of-bounds access and every store before it is visible, as if each access were checked in
 * turn. */
#include <stdio.h>
#include <string.h>

#include "loops.h"

#define UNTOUCHED 12345

/* Prints the words from `first` to the end of memory that are not zero. */
static void print_written(loops_instance *instance, uint32_t first) {
    uint32_t size = (uint32_t)loops_memory_size(instance);
    printf("written:");
    for (uint32_t address = first; address + 4 <= size; address += 4) {
        uint32_t word;
        memcpy(&word, loops_memory_data(instance) + address, sizeof word);
        if (word)
            printf(" %u@%u", word, address);
    }
    printf("\n");
}

int main(void) {
    loops_instance *instance = loops_new(NULL, NULL);
    if (!instance)
        return 1;
    /* Ten words fit below the end of the 64 KiB memory; the eleventh store traps. */
    wasm2native_trap code = loops_fill(instance, 65536 - 40, 20);
    printf("fill(65496, 20): code %d \"%s\"\n", code, loops_last_trap(instance)->message);
    print_written(instance, 65536 - 48);
    code = loops_fill(instance, 1000, 3);
    printf("fill(1000, 3): code %d\n", code);
    print_written(instance, 996);

    int32_t total = UNTOUCHED;
    code = loops_sum(instance, 65536 - 48, 10, &total);
    printf("sum(65488, 10): code %d total %d\n", code, total);
    total = UNTOUCHED;
    code = loops_sum(instance, 65536 - 48, 11, &total);
    printf("sum(65488, 11): code %d \"%s\" total %d\n", code, loops_last_trap(instance)->message,
           total);

    int32_t value = UNTOUCHED;
    code = loops_fields(instance, 65536 - 12, &value);
    printf("fields(65524): code %d value %d\n", code, value);
    value = UNTOUCHED;
    code = loops_fields(instance, 65536 - 8, &value);
    printf("fields(65528): code %d value %d\n", code, value);
    code = loops_store_then_load(instance, 65536 - 8, &value);
    print_written(instance, 65536 - 8);
    printf("store_then_load(65528): code %d value %d\n", code, value);
    loops_free(instance);
    return 0;
}
