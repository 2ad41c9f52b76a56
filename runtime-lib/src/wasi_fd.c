/*
 * WASI fd_* functions. Only the standard streams exist for now (no preopened directories):
 * WASI fds 0, 1 and 2 are the process's, every other fd is EBADF, so a guest can never reach a
 * host descriptor the runtime did not give it.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wasi_internal.h"

#define STANDARD_STREAMS 3
#define IOVEC_SIZE 8

/* WASI filetype values. */
enum { FILETYPE_UNKNOWN = 0, FILETYPE_CHARACTER_DEVICE = 2, FILETYPE_DIRECTORY = 3,
       FILETYPE_REGULAR_FILE = 4 };
#define FDFLAGS_APPEND 1

int32_t wasi_errno(int host_errno) {
    switch (host_errno) {
    case EAGAIN: return WASI_EAGAIN;
    case EBADF: return WASI_EBADF;
    case EFAULT: return WASI_EFAULT;
    case EINTR: return WASI_EINTR;
    case EINVAL: return WASI_EINVAL;
    case EISDIR: return WASI_EISDIR;
    case ENOMEM: return WASI_ENOMEM;
    case ENOSPC: return WASI_ENOSPC;
    case EOVERFLOW: return WASI_EOVERFLOW;
    case EPIPE: return WASI_EPIPE;
    case ESPIPE: return WASI_ESPIPE;
    default: return WASI_EIO;
    }
}

static int is_stream(int32_t fd) {
    return fd >= 0 && fd < STANDARD_STREAMS;
}

/* Checks the iovec array and every buffer it names before any byte moves. */
static int32_t check_iovecs(wasi_memory memory, uint32_t iovs, uint32_t iovs_len) {
    if (!wasi_in_bounds(memory, iovs, (uint64_t)iovs_len * IOVEC_SIZE))
        return WASI_EFAULT;
    for (uint32_t i = 0; i < iovs_len; i++) {
        uint32_t iov = iovs + i * IOVEC_SIZE;
        if (!wasi_in_bounds(memory, wasi_load_u32(memory, iov), wasi_load_u32(memory, iov + 4)))
            return WASI_EFAULT;
    }
    return WASI_ESUCCESS;
}

typedef ssize_t (*transfer_fn)(int fd, uint8_t *buffer, size_t length);

static ssize_t write_some(int fd, uint8_t *buffer, size_t length) {
    return write(fd, buffer, length);
}

static ssize_t read_some(int fd, uint8_t *buffer, size_t length) {
    return read(fd, buffer, length);
}

/* Moves the iovec buffers in order, stopping at a short transfer, as readv and writev do. */
static int32_t transfer(w2n_instance *caller, int32_t fd, uint32_t iovs, uint32_t iovs_len,
                        uint32_t done_out, transfer_fn move) {
    if (!is_stream(fd))
        return WASI_EBADF;
    wasi_memory memory = wasi_caller_memory(caller);
    int32_t status = check_iovecs(memory, iovs, iovs_len);
    if (status != WASI_ESUCCESS)
        return status;
    if (!wasi_in_bounds(memory, done_out, 4))
        return WASI_EFAULT;
    uint64_t done = 0;
    for (uint32_t i = 0; i < iovs_len; i++) {
        uint32_t buffer = wasi_load_u32(memory, iovs + i * IOVEC_SIZE);
        uint32_t length = wasi_load_u32(memory, iovs + i * IOVEC_SIZE + 4);
        ssize_t moved;
        do
            moved = move(fd, memory.base + buffer, length);
        while (moved < 0 && errno == EINTR);
        if (moved < 0) {
            if (done == 0)
                return wasi_errno(errno);
            break;
        }
        done += (uint64_t)moved;
        if ((uint32_t)moved < length)
            break;
    }
    wasi_store_u32(memory, done_out, (uint32_t)done);
    return WASI_ESUCCESS;
}

int32_t wasi_fd_write(w2n_instance *caller, int32_t fd, uint32_t iovs, uint32_t iovs_len,
                      uint32_t nwritten) {
    return transfer(caller, fd, iovs, iovs_len, nwritten, write_some);
}

int32_t wasi_fd_read(w2n_instance *caller, int32_t fd, uint32_t iovs, uint32_t iovs_len,
                     uint32_t nread) {
    return transfer(caller, fd, iovs, iovs_len, nread, read_some);
}

/* The standard streams stay open for the runtime's own messages; closing them is a no-op. */
int32_t wasi_fd_close(w2n_instance *caller, int32_t fd) {
    (void)caller;
    return is_stream(fd) ? WASI_ESUCCESS : WASI_EBADF;
}

int32_t wasi_fd_seek(w2n_instance *caller, int32_t fd, int64_t offset, int32_t whence,
                     uint32_t new_offset) {
    if (!is_stream(fd))
        return WASI_EBADF;
    /* WASI's whence values (set, cur, end) are the host's SEEK_SET, SEEK_CUR and SEEK_END. */
    if (whence < 0 || whence > 2)
        return WASI_EINVAL;
    wasi_memory memory = wasi_caller_memory(caller);
    if (!wasi_in_bounds(memory, new_offset, 8))
        return WASI_EFAULT;
    off_t position = lseek(fd, (off_t)offset, whence);
    if (position < 0)
        return wasi_errno(errno);
    wasi_store_u64(memory, new_offset, (uint64_t)position);
    return WASI_ESUCCESS;
}

static uint8_t filetype_of(int fd) {
    struct stat status;
    if (fstat(fd, &status) != 0)
        return FILETYPE_UNKNOWN;
    if (S_ISCHR(status.st_mode))
        return FILETYPE_CHARACTER_DEVICE;
    if (S_ISDIR(status.st_mode))
        return FILETYPE_DIRECTORY;
    if (S_ISREG(status.st_mode))
        return FILETYPE_REGULAR_FILE;
    return FILETYPE_UNKNOWN;
}

/* fdstat: filetype u8 at 0, flags u16 at 2, rights base u64 at 8, rights inheriting u64 at 16. */
int32_t wasi_fd_fdstat_get(w2n_instance *caller, int32_t fd, uint32_t stat) {
    if (!is_stream(fd))
        return WASI_EBADF;
    wasi_memory memory = wasi_caller_memory(caller);
    if (!wasi_in_bounds(memory, stat, 24))
        return WASI_EFAULT;
    int flags = fcntl(fd, F_GETFL);
    uint16_t fdflags = flags >= 0 && (flags & O_APPEND) ? FDFLAGS_APPEND : 0;
    uint8_t *out = memory.base + stat;
    out[0] = filetype_of(fd);
    out[1] = 0;
    out[2] = (uint8_t)fdflags;
    out[3] = (uint8_t)(fdflags >> 8);
    wasi_store_u32(memory, stat + 4, 0);
    wasi_store_u64(memory, stat + 8, UINT64_MAX);
    wasi_store_u64(memory, stat + 16, UINT64_MAX);
    return WASI_ESUCCESS;
}

/* No preopened directories: the scan of fds from 3 upwards ends at once. */
int32_t wasi_fd_prestat_get(w2n_instance *caller, int32_t fd, uint32_t prestat) {
    (void)caller, (void)fd, (void)prestat;
    return WASI_EBADF;
}

int32_t wasi_fd_prestat_dir_name(w2n_instance *caller, int32_t fd, uint32_t path,
                                 uint32_t path_len) {
    (void)caller, (void)fd, (void)path, (void)path_len;
    return WASI_EBADF;
}
