/*
 * Linear memories and the memory instructions that call into the runtime.
 *
 * A memory reserves address space for its maximum (declared, or 4 GiB) plus a guard, all
 * PROT_NONE, and growing makes more of it read-write, so `base` stays put. A 32-bit memory
 * grows to W2N_MAX_USABLE_PAGES at most, a page short of 4 GiB (the header says why). If the
 * reservation fails (a limited address space), only the current size is reserved and growing
 * moves the memory; compiled code reloads `base` after calls and memory.grow, so both work.
 *
 * A guarded memory, for code compiled with --bounds-checks=guard, reserves
 * W2N_GUARDED_RESERVATION_BYTES whatever its maximum, known to the fault handler: every address
 * that code forms without a check lies inside, and faults past `size`. It holds the largest
 * size, so growing never moves it; and there is no smaller fallback, since the code's bounds
 * depend on the guard.
 *
 * A 64-bit memory (memory64) is never guarded: code checks every access to it. It reserves its
 * maximum up to MEMORY64_RESERVATION_PAGES, and moves when it grows past that.
 *
 * `reserved` holds the bytes reserved at base, a multiple of the OS page size, with bit 0 set
 * when the memory has a declared maximum (max_pages == W2N_MAX_PAGES cannot tell) and bit 1 when
 * it is a 64-bit memory. It tells a guarded memory too: only those reserve
 * W2N_GUARDED_RESERVATION_BYTES. A memory made by a host with reserved == 0 cannot grow: the
 * runtime does not know how it was allocated.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "internal.h"

#define HAS_MAX_FLAG ((uint64_t)1)
#define ADDRESS64_FLAG ((uint64_t)2)
#define FLAGS (HAS_MAX_FLAG | ADDRESS64_FLAG)
/* 64 GiB of address space, reserved up front for a 64-bit memory that may grow that far. */
#define MEMORY64_RESERVATION_PAGES ((uint64_t)1 << 20)
/* Inaccessible bytes after the largest size, so an access straddling the end faults. */
#define GUARD_BYTES ((uint64_t)W2N_PAGE_SIZE)

static uint64_t reserved_bytes(const w2n_memory *memory) { return memory->reserved & ~FLAGS; }

int w2n_rt_memory_is_64(const w2n_memory *memory) {
    return (memory->reserved & ADDRESS64_FLAG) != 0;
}

/* The pages to reserve for a memory that may grow to `max_pages`. */
static uint64_t reservation_pages(uint64_t max_pages, int address64) {
    return address64 && max_pages > MEMORY64_RESERVATION_PAGES ? MEMORY64_RESERVATION_PAGES
                                                               : max_pages;
}

int w2n_rt_memory_has_max(const w2n_memory *memory) {
    return memory->max_pages < W2N_MAX_PAGES || (memory->reserved & HAS_MAX_FLAG);
}

int w2n_rt_memory_is_guarded(const w2n_memory *memory) {
    return reserved_bytes(memory) == W2N_GUARDED_RESERVATION_BYTES;
}

static uint8_t *reserve(uint64_t bytes) {
    void *base = mmap(NULL, bytes, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    return base == MAP_FAILED ? NULL : base;
}

static int commit(uint8_t *start, uint64_t bytes) {
    return bytes == 0 ? 0 : mprotect(start, bytes, PROT_READ | PROT_WRITE);
}

/* Reserves `reserve_pages` (or, failing that, `pages`) and makes the first `pages` usable. */
static uint8_t *map_memory(uint64_t pages, uint64_t reserve_pages, uint64_t *reserved) {
    uint64_t bytes = reserve_pages * W2N_PAGE_SIZE + GUARD_BYTES;
    uint8_t *base = reserve(bytes);
    if (!base) {
        bytes = pages * W2N_PAGE_SIZE + GUARD_BYTES;
        base = reserve(bytes);
    }
    if (!base)
        return NULL;
    if (commit(base, pages * W2N_PAGE_SIZE) != 0) {
        munmap(base, bytes);
        return NULL;
    }
    *reserved = bytes;
    return base;
}

/* Reserves a guarded memory's whole reservation, registered with the fault handler as
 * `memory`'s. */
static uint8_t *map_guarded_memory(const w2n_memory *memory, uint64_t pages, uint64_t *reserved) {
    uint8_t *base = reserve(W2N_GUARDED_RESERVATION_BYTES);
    if (!base)
        return NULL;
    if (commit(base, pages * W2N_PAGE_SIZE) != 0 || w2n_rt_guard_register(base, memory) != 0) {
        munmap(base, W2N_GUARDED_RESERVATION_BYTES);
        return NULL;
    }
    *reserved = W2N_GUARDED_RESERVATION_BYTES;
    return base;
}

/* The most pages a memory grows to: its maximum, within what the runtime holds. */
static uint64_t usable_pages(uint64_t max_pages, int address64) {
    uint64_t cap = address64 ? W2N_MAX_PAGES64 : W2N_MAX_USABLE_PAGES;
    return max_pages < cap ? max_pages : cap;
}

int w2n_rt_memory_create(w2n_memory *memory, const w2n_limits *limits, int guarded) {
    uint64_t cap = limits->address64 ? W2N_MAX_PAGES64 : W2N_MAX_PAGES;
    uint64_t max_pages = limits->has_max && limits->max < cap ? limits->max : cap;
    if (limits->min > usable_pages(max_pages, limits->address64))
        return -1;
    uint64_t reserved = 0;
    uint8_t *base =
        guarded && !limits->address64
            ? map_guarded_memory(memory, limits->min, &reserved)
            : map_memory(limits->min, reservation_pages(max_pages, limits->address64), &reserved);
    if (!base)
        return -1;
    memory->base = base;
    memory->size = limits->min * W2N_PAGE_SIZE;
    memory->max_pages = max_pages;
    memory->reserved =
        reserved | (limits->has_max ? HAS_MAX_FLAG : 0) | (limits->address64 ? ADDRESS64_FLAG : 0);
    return 0;
}

void w2n_rt_memory_release(w2n_memory *memory) {
    /* Out of the handler's table first: the range may be mapped again by anything. */
    if (w2n_rt_memory_is_guarded(memory))
        w2n_rt_guard_unregister(memory->base);
    if (reserved_bytes(memory))
        munmap(memory->base, reserved_bytes(memory));
    memory->base = NULL;
    memory->size = 0;
    memory->reserved = 0;
}

/* Moves a memory whose reservation is too small into a new one that fits `new_size`. */
static int relocate(w2n_memory *memory, uint64_t new_size) {
    uint64_t reserved = 0;
    uint64_t reserve_pages = reservation_pages(memory->max_pages, w2n_rt_memory_is_64(memory));
    if (reserve_pages < new_size / W2N_PAGE_SIZE)
        reserve_pages = new_size / W2N_PAGE_SIZE;
    uint8_t *base = map_memory(new_size / W2N_PAGE_SIZE, reserve_pages, &reserved);
    if (!base)
        return -1;
    memcpy(base, memory->base, memory->size);
    munmap(memory->base, reserved_bytes(memory));
    memory->base = base;
    memory->reserved = reserved | (memory->reserved & FLAGS);
    return 0;
}

int64_t w2n_memory_grow(w2n_instance *vmctx, uint32_t memory_index, uint64_t delta_pages) {
    w2n_memory *memory = vmctx->memories[memory_index];
    uint64_t old_pages = memory->size / W2N_PAGE_SIZE;
    uint64_t max_pages = usable_pages(memory->max_pages, w2n_rt_memory_is_64(memory));
    if (delta_pages > max_pages - old_pages)
        return -1;
    uint64_t new_pages = old_pages + delta_pages;
    if (delta_pages == 0)
        return (int64_t)old_pages;
    if (reserved_bytes(memory) == 0)
        return -1;
    uint64_t new_size = new_pages * W2N_PAGE_SIZE;
    /* Always true for a guarded memory, whose reservation holds its largest size. */
    if (new_size + GUARD_BYTES <= reserved_bytes(memory)) {
        if (commit(memory->base + memory->size, new_size - memory->size) != 0)
            return -1;
    } else if (relocate(memory, new_size) != 0) {
        return -1;
    }
    memory->size = new_size;
    return (int64_t)old_pages;
}

/* Whether [offset, offset + length) lies within `size` bytes, without wrapping around. */
static int in_bounds(uint64_t offset, uint64_t length, uint64_t size) {
    return length <= size && offset <= size - length;
}

void w2n_memory_init(w2n_instance *vmctx, uint32_t memory_index, uint32_t data_index, uint64_t dst,
                     uint32_t src, uint32_t len) {
    w2n_memory *memory = vmctx->memories[memory_index];
    /* A dropped segment has size 0, so only an empty copy from offset 0 passes. */
    uint64_t segment_size = vmctx->data_segment_sizes[data_index];
    if (!in_bounds(src, len, segment_size) || !in_bounds(dst, len, memory->size))
        w2n_trap(W2N_TRAP_MEMORY_OUT_OF_BOUNDS);
    if (len)
        memcpy(memory->base + dst, vmctx->module->data_segments[data_index].bytes + src, len);
}

void w2n_data_drop(w2n_instance *vmctx, uint32_t data_index) {
    vmctx->data_segment_sizes[data_index] = 0;
}

w2n_memory *w2n_memory_new(uint64_t min_pages, uint64_t max_pages, int has_max) {
    w2n_memory *memory = calloc(1, sizeof *memory);
    w2n_limits limits = {.min = min_pages, .max = max_pages, .has_max = has_max != 0};
    /* Guarded when possible, since the host cannot know how its importers were compiled. */
    if (memory && w2n_rt_memory_create(memory, &limits, 1) != 0 &&
        w2n_rt_memory_create(memory, &limits, 0) != 0) {
        free(memory);
        return NULL;
    }
    return memory;
}
