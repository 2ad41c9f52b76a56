/*
 * WASI fd_* data transfer and positions: read, write, pread, pwrite, seek, tell, sync,
 * datasync, advise, allocate.
 *
 * Guest iovecs become host iovecs pointing straight into linear memory once every buffer has
 * been bounds-checked, so a transfer is one readv/writev-like call with no copy.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/uio.h>
#include <unistd.h>

#include "wasi_internal.h"

typedef enum { TRANSFER_READ, TRANSFER_WRITE } transfer_direction;

/*
 * One readv/writev (or preadv/pwritev when `positioned`) over the guest's iovecs, storing the
 * byte count at `counted`. A list longer than IOV_MAX transfers its first IOV_MAX buffers, a
 * short transfer the caller sees and continues.
 */
static int32_t transfer(w2n_instance *caller, int32_t fd, uint64_t rights,
                        transfer_direction direction, uint32_t iovs, uint32_t iovs_len,
                        int positioned, int64_t offset, uint32_t counted) {
    w2n_wasi_context *context = wasi_context_of(caller);
    int32_t error;
    wasi_fd *entry = wasi_fd_get_stream(context, fd, rights, &error);
    if (!entry)
        return error;
    wasi_memory memory = wasi_caller_memory(caller);
    if (!wasi_in_bounds(memory, counted, 4))
        return WASI_EFAULT;
    /* Offsets are unsigned in WASI; those past the host's off_t range cannot exist. */
    if (positioned && offset < 0)
        return WASI_EINVAL;
    wasi_iovecs buffers;
    error = wasi_iovecs_get(memory, iovs, iovs_len, &buffers);
    if (error != WASI_ESUCCESS)
        return error;

    struct iovec *host = buffers.vectors;
    ssize_t done;
    do {
        if (direction == TRANSFER_READ)
            done = positioned ? preadv(entry->host, host, buffers.count, offset)
                              : readv(entry->host, host, buffers.count);
        else
            done = positioned ? pwritev(entry->host, host, buffers.count, offset)
                              : writev(entry->host, host, buffers.count);
    } while (done < 0 && errno == EINTR);
    int saved_errno = errno;
    wasi_iovecs_release(&buffers);
    if (done < 0)
        return wasi_errno(saved_errno);
    /* Linux moves at most 0x7ffff000 bytes per call, so the count fits the guest's u32. */
    wasi_store_u32(memory, counted, (uint32_t)done);
    return WASI_ESUCCESS;
}

int32_t wasi_fd_read(w2n_instance *caller, int32_t fd, uint32_t iovs, uint32_t iovs_len,
                     uint32_t nread) {
    return transfer(caller, fd, WASI_RIGHT_FD_READ, TRANSFER_READ, iovs, iovs_len, 0, 0, nread);
}

int32_t wasi_fd_write(w2n_instance *caller, int32_t fd, uint32_t iovs, uint32_t iovs_len,
                      uint32_t nwritten) {
    return transfer(caller, fd, WASI_RIGHT_FD_WRITE, TRANSFER_WRITE, iovs, iovs_len, 0, 0,
                    nwritten);
}

int32_t wasi_fd_pread(w2n_instance *caller, int32_t fd, uint32_t iovs, uint32_t iovs_len,
                      int64_t offset, uint32_t nread) {
    return transfer(caller, fd, WASI_RIGHT_FD_READ | WASI_RIGHT_FD_SEEK, TRANSFER_READ, iovs,
                    iovs_len, 1, offset, nread);
}

int32_t wasi_fd_pwrite(w2n_instance *caller, int32_t fd, uint32_t iovs, uint32_t iovs_len,
                       int64_t offset, uint32_t nwritten) {
    return transfer(caller, fd, WASI_RIGHT_FD_WRITE | WASI_RIGHT_FD_SEEK, TRANSFER_WRITE, iovs,
                    iovs_len, 1, offset, nwritten);
}

/* A stream descriptor holding FD_TELL or FD_SEEK, which implies it. */
static wasi_fd *tellable(w2n_wasi_context *context, int32_t fd, int32_t *error) {
    wasi_fd *entry = wasi_fd_get_stream(context, fd, WASI_RIGHT_FD_TELL, error);
    return entry ? entry : wasi_fd_get_stream(context, fd, WASI_RIGHT_FD_SEEK, error);
}

int32_t wasi_fd_seek(w2n_instance *caller, int32_t fd, int64_t offset, int32_t whence,
                     uint32_t new_offset) {
    w2n_wasi_context *context = wasi_context_of(caller);
    int32_t error;
    /* Asking where the offset is, without moving it, is what FD_TELL alone allows. */
    wasi_fd *entry = offset == 0 && whence == WASI_WHENCE_CUR
                         ? tellable(context, fd, &error)
                         : wasi_fd_get_stream(context, fd, WASI_RIGHT_FD_SEEK, &error);
    if (!entry)
        return error;
    int host_whence;
    switch (whence) {
    case WASI_WHENCE_SET: host_whence = SEEK_SET; break;
    case WASI_WHENCE_CUR: host_whence = SEEK_CUR; break;
    case WASI_WHENCE_END: host_whence = SEEK_END; break;
    default: return WASI_EINVAL;
    }
    wasi_memory memory = wasi_caller_memory(caller);
    if (!wasi_in_bounds(memory, new_offset, 8))
        return WASI_EFAULT;
    /* The host refuses a negative result with EINVAL and leaves the offset where it was. */
    off_t position = lseek(entry->host, (off_t)offset, host_whence);
    if (position < 0)
        return wasi_errno(errno);
    wasi_store_u64(memory, new_offset, (uint64_t)position);
    return WASI_ESUCCESS;
}

int32_t wasi_fd_tell(w2n_instance *caller, int32_t fd, uint32_t offset) {
    w2n_wasi_context *context = wasi_context_of(caller);
    int32_t error;
    wasi_fd *entry = tellable(context, fd, &error);
    if (!entry)
        return error;
    wasi_memory memory = wasi_caller_memory(caller);
    if (!wasi_in_bounds(memory, offset, 8))
        return WASI_EFAULT;
    off_t position = lseek(entry->host, 0, SEEK_CUR);
    if (position < 0)
        return wasi_errno(errno);
    wasi_store_u64(memory, offset, (uint64_t)position);
    return WASI_ESUCCESS;
}

/* Syncing is meaningful for directories too (it makes their entries durable). */
static int32_t sync_with(w2n_instance *caller, int32_t fd, uint64_t right, int (*sync)(int)) {
    w2n_wasi_context *context = wasi_context_of(caller);
    int32_t error;
    wasi_fd *entry = wasi_fd_get(context, fd, right, &error);
    if (!entry)
        return error;
    int result;
    do
        result = sync(entry->host);
    while (result != 0 && errno == EINTR);
    return result == 0 ? WASI_ESUCCESS : wasi_errno(errno);
}

int32_t wasi_fd_sync(w2n_instance *caller, int32_t fd) {
    return sync_with(caller, fd, WASI_RIGHT_FD_SYNC, fsync);
}

int32_t wasi_fd_datasync(w2n_instance *caller, int32_t fd) {
    return sync_with(caller, fd, WASI_RIGHT_FD_DATASYNC, fdatasync);
}

int32_t wasi_fd_advise(w2n_instance *caller, int32_t fd, int64_t offset, int64_t len,
                       int32_t advice) {
    /* WASI's advice values in order: normal, sequential, random, willneed, dontneed, noreuse. */
    static const int host_advice[] = {POSIX_FADV_NORMAL,   POSIX_FADV_SEQUENTIAL,
                                      POSIX_FADV_RANDOM,   POSIX_FADV_WILLNEED,
                                      POSIX_FADV_DONTNEED, POSIX_FADV_NOREUSE};
    if (advice < 0 || advice >= (int32_t)(sizeof host_advice / sizeof host_advice[0]))
        return WASI_EINVAL;
    w2n_wasi_context *context = wasi_context_of(caller);
    int32_t error;
    wasi_fd *entry = wasi_fd_get_stream(context, fd, WASI_RIGHT_FD_ADVISE, &error);
    if (!entry)
        return error;
    /* posix_fadvise returns its error rather than setting errno. */
    return wasi_errno(posix_fadvise(entry->host, (off_t)offset, (off_t)len, host_advice[advice]));
}

int32_t wasi_fd_allocate(w2n_instance *caller, int32_t fd, int64_t offset, int64_t len) {
    w2n_wasi_context *context = wasi_context_of(caller);
    int32_t error;
    wasi_fd *entry = wasi_fd_get_stream(context, fd, WASI_RIGHT_FD_ALLOCATE, &error);
    if (!entry)
        return error;
    /* posix_fallocate returns its error rather than setting errno. */
    int result;
    do
        result = posix_fallocate(entry->host, (off_t)offset, (off_t)len);
    while (result == EINTR);
    return wasi_errno(result);
}
