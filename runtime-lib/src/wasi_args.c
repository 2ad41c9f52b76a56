/* WASI args_* and environ_*: copy NUL-terminated strings and their pointers into the guest. */
#include <string.h>

#include "wasi_internal.h"

static uint32_t count_of(char **strings, int limit) {
    uint32_t count = 0;
    while (strings && strings[count] && (limit < 0 || (int)count < limit))
        count++;
    return count;
}

static uint64_t bytes_of(char **strings, uint32_t count) {
    uint64_t bytes = 0;
    for (uint32_t i = 0; i < count; i++)
        bytes += strlen(strings[i]) + 1;
    return bytes;
}

static int32_t sizes_get(w2n_instance *caller, char **strings, uint32_t count, uint32_t count_out,
                         uint32_t size_out) {
    wasi_memory memory = wasi_caller_memory(caller);
    uint64_t bytes = bytes_of(strings, count);
    if (bytes > UINT32_MAX)
        return WASI_EOVERFLOW;
    if (!wasi_in_bounds(memory, count_out, 4) || !wasi_in_bounds(memory, size_out, 4))
        return WASI_EFAULT;
    wasi_store_u32(memory, count_out, count);
    wasi_store_u32(memory, size_out, (uint32_t)bytes);
    return WASI_ESUCCESS;
}

static int32_t strings_get(w2n_instance *caller, char **strings, uint32_t count, uint32_t pointers,
                           uint32_t buffer) {
    wasi_memory memory = wasi_caller_memory(caller);
    uint64_t bytes = bytes_of(strings, count);
    if (!wasi_in_bounds(memory, pointers, (uint64_t)count * 4) ||
        !wasi_in_bounds(memory, buffer, bytes))
        return WASI_EFAULT;
    uint32_t offset = buffer;
    for (uint32_t i = 0; i < count; i++) {
        size_t length = strlen(strings[i]) + 1;
        wasi_store_u32(memory, pointers + 4 * i, offset);
        memcpy(memory.base + offset, strings[i], length);
        offset += (uint32_t)length;
    }
    return WASI_ESUCCESS;
}

int32_t wasi_args_sizes_get(w2n_instance *caller, uint32_t argc, uint32_t size) {
    w2n_wasi_context *context = wasi_context_of(caller);
    uint32_t count = count_of(context->argv, context->argc);
    return sizes_get(caller, context->argv, count, argc, size);
}

int32_t wasi_args_get(w2n_instance *caller, uint32_t argv_out, uint32_t argv_buf) {
    w2n_wasi_context *context = wasi_context_of(caller);
    uint32_t count = count_of(context->argv, context->argc);
    return strings_get(caller, context->argv, count, argv_out, argv_buf);
}

int32_t wasi_environ_sizes_get(w2n_instance *caller, uint32_t count_out, uint32_t size) {
    w2n_wasi_context *context = wasi_context_of(caller);
    return sizes_get(caller, context->envp, count_of(context->envp, -1), count_out, size);
}

int32_t wasi_environ_get(w2n_instance *caller, uint32_t environ_out, uint32_t environ_buf) {
    w2n_wasi_context *context = wasi_context_of(caller);
    return strings_get(caller, context->envp, count_of(context->envp, -1), environ_out,
                       environ_buf);
}
