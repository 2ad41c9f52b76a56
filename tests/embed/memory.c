/* Memory growth seen from C through the accessors, and the bounds `_at` keeps. */
#include <stdio.h>
#include <string.h>

#include "grow.h"

static void grow(grow_instance *instance, int32_t pages) {
    int32_t previous = 0;
    wasm2native_trap code = grow_grow(instance, pages, &previous);
    printf("grow(%d): code %d previous %d size %llu\n", pages, code, previous,
           (unsigned long long)grow_memory_size(instance));
}

static void show_at(grow_instance *instance, const char *what, uint64_t offset, uint64_t length) {
    void *at = grow_memory_at(instance, offset, length);
    if (!at)
        printf("at(%s): NULL\n", what);
    else
        printf("at(%s): data + %ld\n", what, (long)((uint8_t *)at - grow_memory_data(instance)));
}

int main(void) {
    grow_instance *instance = grow_new(NULL, NULL);
    if (!instance)
        return 1;
    printf("size %llu\n", (unsigned long long)grow_memory_size(instance));
    grow(instance, 2);
    uint64_t size = grow_memory_size(instance);

    /* Written by Wasm at the new end, read back both ways. */
    printf("mark_end: code %d\n", grow_mark_end(instance, 0x11223344));
    uint32_t through_at;
    memcpy(&through_at, grow_memory_at(instance, size - 4, 4), 4);
    const uint8_t *end = grow_memory_data(instance) + size - 4;
    printf("through _at %08x, through _data %02x %02x %02x %02x\n", through_at, end[0], end[1],
           end[2], end[3]);

    show_at(instance, "0, size", 0, size);
    show_at(instance, "size - 4, 4", size - 4, 4);
    show_at(instance, "size - 4, 5", size - 4, 5);
    show_at(instance, "size, 1", size, 1);
    show_at(instance, "old size, 4", 65536, 4);
    show_at(instance, "UINT64_MAX, 2", UINT64_MAX, 2);
    show_at(instance, "8, UINT64_MAX", 8, UINT64_MAX);
    show_at(instance, "UINT64_MAX - 1, 4", UINT64_MAX - 1, 4);

    /* Past the maximum: refused, size unchanged; then up to the maximum. */
    grow(instance, 2);
    grow(instance, 1);
    show_at(instance, "size - 4, 4", grow_memory_size(instance) - 4, 4);
    grow_free(instance);
    return 0;
}
