/* WASI access to the caller's linear memory: bounds checks first, then little-endian copies. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "wasi_internal.h"

/* WASI programs share the memory they export as "memory"; modules without one get none. */
wasi_memory wasi_caller_memory(w2n_instance *caller) {
    wasi_memory memory = {NULL, 0};
    w2n_extern exported;
    if (w2n_instance_export(caller, "memory", 6, W2N_EXTERN_MEMORY, &exported) == 0) {
        memory.base = exported.of.memory->base;
        memory.size = exported.of.memory->size;
    }
    return memory;
}

int wasi_in_bounds(wasi_memory memory, uint32_t pointer, uint64_t length) {
    return memory.base && length <= memory.size && (uint64_t)pointer <= memory.size - length;
}

uint16_t wasi_load_u16(wasi_memory memory, uint32_t pointer) {
    uint16_t value;
    memcpy(&value, memory.base + pointer, sizeof value);
    return value;
}

uint32_t wasi_load_u32(wasi_memory memory, uint32_t pointer) {
    uint32_t value;
    memcpy(&value, memory.base + pointer, sizeof value);
    return value;
}

uint64_t wasi_load_u64(wasi_memory memory, uint32_t pointer) {
    uint64_t value;
    memcpy(&value, memory.base + pointer, sizeof value);
    return value;
}

void wasi_store_u8(wasi_memory memory, uint32_t pointer, uint8_t value) {
    memory.base[pointer] = value;
}

void wasi_store_u16(wasi_memory memory, uint32_t pointer, uint16_t value) {
    memcpy(memory.base + pointer, &value, sizeof value);
}

void wasi_store_u32(wasi_memory memory, uint32_t pointer, uint32_t value) {
    memcpy(memory.base + pointer, &value, sizeof value);
}

void wasi_store_u64(wasi_memory memory, uint32_t pointer, uint64_t value) {
    memcpy(memory.base + pointer, &value, sizeof value);
}

int32_t wasi_iovecs_get(wasi_memory memory, uint32_t iovs, uint32_t iovs_len, wasi_iovecs *out) {
    if (!wasi_in_bounds(memory, iovs, (uint64_t)iovs_len * WASI_IOVEC_SIZE))
        return WASI_EFAULT;
    for (uint32_t i = 0; i < iovs_len; i++) {
        uint32_t iov = iovs + i * WASI_IOVEC_SIZE;
        if (!wasi_in_bounds(memory, wasi_load_u32(memory, iov), wasi_load_u32(memory, iov + 4)))
            return WASI_EFAULT;
    }
    uint32_t count = iovs_len < IOV_MAX ? iovs_len : IOV_MAX;
    out->vectors = out->local;
    if (count > sizeof out->local / sizeof out->local[0]) {
        out->vectors = malloc(count * sizeof *out->vectors);
        if (!out->vectors)
            return WASI_ENOMEM;
    }
    for (uint32_t i = 0; i < count; i++) {
        uint32_t iov = iovs + i * WASI_IOVEC_SIZE;
        out->vectors[i].iov_base = memory.base + wasi_load_u32(memory, iov);
        out->vectors[i].iov_len = wasi_load_u32(memory, iov + 4);
    }
    out->count = (int)count;
    return WASI_ESUCCESS;
}

void wasi_iovecs_release(wasi_iovecs *iovecs) {
    if (iovecs->vectors != iovecs->local)
        free(iovecs->vectors);
}
