/* Private to the WASI files: guest memory access, errno values and the function list. */
#ifndef W2N_WASI_INTERNAL_H
#define W2N_WASI_INTERNAL_H

#include "internal.h"
#include "wasi.h"

/* Guest memory is little-endian and the loads below copy host words as they are. */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "little-endian host required");

/* WASI errno values (a subset). */
enum {
    WASI_ESUCCESS = 0,
    WASI_EAGAIN = 6,
    WASI_EBADF = 8,
    WASI_EFAULT = 21,
    WASI_EINTR = 27,
    WASI_EINVAL = 28,
    WASI_EIO = 29,
    WASI_EISDIR = 31,
    WASI_ENOMEM = 48,
    WASI_ENOSPC = 51,
    WASI_ENOSYS = 52,
    WASI_EOVERFLOW = 61,
    WASI_EPIPE = 64,
    WASI_ESPIPE = 70,
};

typedef struct wasi_function {
    const char *name;
    const char *signature;
    void *code;
} wasi_function;

/* The caller's exported memory; base is NULL when it has none. */
typedef struct wasi_memory {
    uint8_t *base;
    uint64_t size;
} wasi_memory;

W2N_INTERNAL wasi_memory wasi_caller_memory(w2n_instance *caller);
W2N_INTERNAL void wasi_caller_args(w2n_instance *caller, int *argc, char ***argv, char ***envp);
/* Whether guest bytes [pointer, pointer + length) exist; checked before every access. */
W2N_INTERNAL int wasi_in_bounds(wasi_memory memory, uint32_t pointer, uint64_t length);
W2N_INTERNAL uint32_t wasi_load_u32(wasi_memory memory, uint32_t pointer);
W2N_INTERNAL void wasi_store_u32(wasi_memory memory, uint32_t pointer, uint32_t value);
W2N_INTERNAL void wasi_store_u64(wasi_memory memory, uint32_t pointer, uint64_t value);
/* A host errno as a WASI errno. */
W2N_INTERNAL int32_t wasi_errno(int host_errno);

/* wasi_args.c */
W2N_INTERNAL int32_t wasi_args_get(w2n_instance *caller, uint32_t argv, uint32_t argv_buf);
W2N_INTERNAL int32_t wasi_args_sizes_get(w2n_instance *caller, uint32_t argc, uint32_t size);
W2N_INTERNAL int32_t wasi_environ_get(w2n_instance *caller, uint32_t environ,
                                      uint32_t environ_buf);
W2N_INTERNAL int32_t wasi_environ_sizes_get(w2n_instance *caller, uint32_t count, uint32_t size);

/* wasi_fd.c */
W2N_INTERNAL int32_t wasi_fd_write(w2n_instance *caller, int32_t fd, uint32_t iovs,
                                   uint32_t iovs_len, uint32_t nwritten);
W2N_INTERNAL int32_t wasi_fd_read(w2n_instance *caller, int32_t fd, uint32_t iovs,
                                  uint32_t iovs_len, uint32_t nread);
W2N_INTERNAL int32_t wasi_fd_close(w2n_instance *caller, int32_t fd);
W2N_INTERNAL int32_t wasi_fd_seek(w2n_instance *caller, int32_t fd, int64_t offset,
                                  int32_t whence, uint32_t new_offset);
W2N_INTERNAL int32_t wasi_fd_fdstat_get(w2n_instance *caller, int32_t fd, uint32_t stat);
W2N_INTERNAL int32_t wasi_fd_prestat_get(w2n_instance *caller, int32_t fd, uint32_t prestat);
W2N_INTERNAL int32_t wasi_fd_prestat_dir_name(w2n_instance *caller, int32_t fd, uint32_t path,
                                              uint32_t path_len);

/* wasi_proc.c */
W2N_INTERNAL int32_t wasi_clock_time_get(w2n_instance *caller, int32_t clock_id,
                                         int64_t precision, uint32_t time);
W2N_INTERNAL int32_t wasi_clock_res_get(w2n_instance *caller, int32_t clock_id,
                                        uint32_t resolution);
W2N_INTERNAL int32_t wasi_random_get(w2n_instance *caller, uint32_t buf, uint32_t buf_len);
W2N_INTERNAL int32_t wasi_sched_yield(w2n_instance *caller);
W2N_INTERNAL _Noreturn void wasi_proc_exit(w2n_instance *caller, int32_t status);

#endif
