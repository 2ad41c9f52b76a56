/* WASI access to the caller's linear memory: bounds checks first, then little-endian copies. */
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

int32_t wasi_check_iovecs(wasi_memory memory, uint32_t iovs, uint32_t iovs_len,
                          uint64_t *total) {
    if (!wasi_in_bounds(memory, iovs, (uint64_t)iovs_len * WASI_IOVEC_SIZE))
        return WASI_EFAULT;
    uint64_t sum = 0;
    for (uint32_t i = 0; i < iovs_len; i++) {
        uint32_t iov = iovs + i * WASI_IOVEC_SIZE;
        uint32_t length = wasi_load_u32(memory, iov + 4);
        if (!wasi_in_bounds(memory, wasi_load_u32(memory, iov), length))
            return WASI_EFAULT;
        sum += length;
    }
    *total = sum;
    return WASI_ESUCCESS;
}
