/*
 * A freestanding wasm64 program (no libc) that grows its linear memory past 5 GiB and uses it:
 * a stride walk writes a value derived from each address at every 64 MiB step over the whole
 * memory, then reads them back and sums them. The sum comes back to the test both as the
 * result and through an import, which also hears each stage.
 */
#include <stdint.h>

#define PAGE_SIZE 65536ull
#define STRIDE (64ull << 20)

__attribute__((import_module("env"), import_name("stage"))) void stage(int32_t which,
                                                                       uint64_t value);

static uint64_t mix(uint64_t address) {
    address ^= address >> 29;
    address *= 0xbf58476d1ce4e5b9ull;
    return address ^ (address >> 32);
}

/* Grows memory 0 to at least `bytes`; the old size in pages, or -1. */
static int64_t grow_to(uint64_t bytes) {
    uint64_t pages = __builtin_wasm_memory_size(0);
    uint64_t wanted = (bytes + PAGE_SIZE - 1) / PAGE_SIZE;
    return wanted > pages ? (int64_t)__builtin_wasm_memory_grow(0, wanted - pages) : (int64_t)pages;
}

__attribute__((export_name("run"))) uint64_t run(uint64_t bytes) {
    if (grow_to(bytes) < 0)
        return 0;
    uint64_t size = __builtin_wasm_memory_size(0) * PAGE_SIZE;
    stage(1, size);
    /* The first of 64 MiB steps past the program's own data, up to the last 8 bytes. */
    for (uint64_t address = STRIDE; address + 8 <= size; address += STRIDE)
        *(volatile uint64_t *)address = mix(address);
    *(volatile uint64_t *)(size - 8) = mix(size - 8);
    uint64_t sum = 0;
    for (uint64_t address = STRIDE; address + 8 <= size; address += STRIDE)
        sum += *(volatile uint64_t *)address ^ address;
    sum += *(volatile uint64_t *)(size - 8);
    stage(2, sum);
    return sum;
}

/* A load the test aims out of bounds. */
__attribute__((export_name("load"))) uint64_t load(uint64_t address) {
    return *(volatile uint64_t *)address;
}
