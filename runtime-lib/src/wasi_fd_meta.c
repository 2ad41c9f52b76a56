/*
 * WASI fd_* descriptor state: close, renumber, fdstat, filestat and the preopened directories'
 * names.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wasi_internal.h"

/* The fdflags a descriptor may change after it is open; the sync flags are fixed at open. */
#define SETTABLE_FDFLAGS (WASI_FDFLAGS_APPEND | WASI_FDFLAGS_NONBLOCK)
#define SYNC_FDFLAGS (WASI_FDFLAGS_DSYNC | WASI_FDFLAGS_RSYNC | WASI_FDFLAGS_SYNC)

int32_t wasi_fd_close(w2n_instance *caller, int32_t fd) {
    w2n_wasi_context *context = wasi_context_of(caller);
    int32_t error;
    wasi_fd *entry = wasi_fd_get(context, fd, 0, &error);
    if (!entry)
        return error;
    /* Preopens close like any descriptor; the standard streams free only the guest slot. */
    wasi_fd_release(entry);
    return WASI_ESUCCESS;
}

int32_t wasi_fd_renumber(w2n_instance *caller, int32_t fd, int32_t to) {
    w2n_wasi_context *context = wasi_context_of(caller);
    int32_t error;
    wasi_fd *from_entry = wasi_fd_get(context, fd, 0, &error);
    if (!from_entry)
        return error;
    wasi_fd *to_entry = wasi_fd_get(context, to, 0, &error);
    if (!to_entry)
        return error;
    if (from_entry == to_entry)
        return WASI_ESUCCESS;
    /* The slot moves whole, with its rights, preopen name and directory stream. */
    wasi_fd_release(to_entry);
    *to_entry = *from_entry;
    *from_entry = (wasi_fd){.host = -1};
    return WASI_ESUCCESS;
}

/* Host socket files do not say whether they are stream or datagram sockets; the socket does. */
static uint8_t filetype_of(const wasi_fd *entry) {
    int type;
    socklen_t length = sizeof type;
    if (entry->filetype == WASI_FILETYPE_SOCKET_STREAM &&
        getsockopt(entry->host, SOL_SOCKET, SO_TYPE, &type, &length) == 0 && type == SOCK_DGRAM)
        return WASI_FILETYPE_SOCKET_DGRAM;
    return entry->filetype;
}

static uint16_t fdflags_of(int host_flags) {
    uint16_t flags = 0;
    if (host_flags & O_APPEND)
        flags |= WASI_FDFLAGS_APPEND;
    if (host_flags & O_NONBLOCK)
        flags |= WASI_FDFLAGS_NONBLOCK;
    if (host_flags & O_DSYNC)
        flags |= WASI_FDFLAGS_DSYNC;
    /* O_SYNC includes the O_DSYNC bit, and O_RSYNC is O_SYNC on Linux. */
    if ((host_flags & O_SYNC) == O_SYNC)
        flags |= WASI_FDFLAGS_SYNC;
    if ((host_flags & O_RSYNC) == O_RSYNC)
        flags |= WASI_FDFLAGS_RSYNC;
    return flags;
}

int32_t wasi_fd_fdstat_get(w2n_instance *caller, int32_t fd, uint32_t stat) {
    w2n_wasi_context *context = wasi_context_of(caller);
    int32_t error;
    wasi_fd *entry = wasi_fd_get(context, fd, 0, &error);
    if (!entry)
        return error;
    wasi_memory memory = wasi_caller_memory(caller);
    if (!wasi_in_bounds(memory, stat, WASI_FDSTAT_SIZE))
        return WASI_EFAULT;
    int host_flags = fcntl(entry->host, F_GETFL);
    if (host_flags < 0)
        return wasi_errno(errno);
    /* Whole words first, so the padding bytes read as zero. */
    wasi_store_u64(memory, stat + 0, 0);
    wasi_store_u8(memory, stat + 0, filetype_of(entry));
    wasi_store_u16(memory, stat + 2, fdflags_of(host_flags));
    wasi_store_u64(memory, stat + 8, entry->rights_base);
    wasi_store_u64(memory, stat + 16, entry->rights_inheriting);
    return WASI_ESUCCESS;
}

int32_t wasi_fd_fdstat_set_flags(w2n_instance *caller, int32_t fd, int32_t flags) {
    w2n_wasi_context *context = wasi_context_of(caller);
    int32_t error;
    wasi_fd *entry = wasi_fd_get_stream(context, fd, WASI_RIGHT_FD_FDSTAT_SET_FLAGS, &error);
    if (!entry)
        return error;
    /* Linux cannot turn the sync modes on or off once a file is open. */
    if ((uint32_t)flags & ~(uint32_t)SETTABLE_FDFLAGS)
        return WASI_EINVAL;
    int host_flags = fcntl(entry->host, F_GETFL);
    if (host_flags < 0)
        return wasi_errno(errno);
    host_flags &= ~(O_APPEND | O_NONBLOCK);
    if (flags & WASI_FDFLAGS_APPEND)
        host_flags |= O_APPEND;
    if (flags & WASI_FDFLAGS_NONBLOCK)
        host_flags |= O_NONBLOCK;
    if (fcntl(entry->host, F_SETFL, host_flags) != 0)
        return wasi_errno(errno);
    return WASI_ESUCCESS;
}

int32_t wasi_fd_fdstat_set_rights(w2n_instance *caller, int32_t fd, int64_t rights_base,
                                  int64_t rights_inheriting) {
    w2n_wasi_context *context = wasi_context_of(caller);
    int32_t error;
    wasi_fd *entry = wasi_fd_get(context, fd, 0, &error);
    if (!entry)
        return error;
    /* Rights can only be dropped: a descriptor never gains what it was not given. */
    uint64_t base = (uint64_t)rights_base;
    uint64_t inheriting = (uint64_t)rights_inheriting;
    if ((base & ~entry->rights_base) || (inheriting & ~entry->rights_inheriting))
        return WASI_ENOTCAPABLE;
    entry->rights_base = base;
    entry->rights_inheriting = inheriting;
    return WASI_ESUCCESS;
}

int32_t wasi_fd_filestat_get(w2n_instance *caller, int32_t fd, uint32_t buf) {
    w2n_wasi_context *context = wasi_context_of(caller);
    int32_t error;
    wasi_fd *entry = wasi_fd_get(context, fd, WASI_RIGHT_FD_FILESTAT_GET, &error);
    if (!entry)
        return error;
    wasi_memory memory = wasi_caller_memory(caller);
    if (!wasi_in_bounds(memory, buf, WASI_FILESTAT_SIZE))
        return WASI_EFAULT;
    struct stat status;
    if (fstat(entry->host, &status) != 0)
        return wasi_errno(errno);
    wasi_store_filestat(memory, buf, &status);
    return WASI_ESUCCESS;
}

int32_t wasi_fd_filestat_set_size(w2n_instance *caller, int32_t fd, int64_t size) {
    w2n_wasi_context *context = wasi_context_of(caller);
    int32_t error;
    wasi_fd *entry = wasi_fd_get_stream(context, fd, WASI_RIGHT_FD_FILESTAT_SET_SIZE, &error);
    if (!entry)
        return error;
    /* Sizes are unsigned in WASI; those past the host's off_t range cannot exist. */
    if (size < 0)
        return WASI_EINVAL;
    int result;
    do
        result = ftruncate(entry->host, (off_t)size);
    while (result != 0 && errno == EINTR);
    return result == 0 ? WASI_ESUCCESS : wasi_errno(errno);
}

int32_t wasi_fd_filestat_set_times(w2n_instance *caller, int32_t fd, int64_t atim, int64_t mtim,
                                   int32_t fst_flags) {
    if ((uint32_t)fst_flags > UINT16_MAX)
        return WASI_EINVAL;
    struct timespec times[2];
    int32_t error = wasi_times_of((uint64_t)atim, (uint64_t)mtim, (uint16_t)fst_flags, times);
    if (error != WASI_ESUCCESS)
        return error;
    w2n_wasi_context *context = wasi_context_of(caller);
    wasi_fd *entry = wasi_fd_get(context, fd, WASI_RIGHT_FD_FILESTAT_SET_TIMES, &error);
    if (!entry)
        return error;
    if (futimens(entry->host, times) != 0)
        return wasi_errno(errno);
    return WASI_ESUCCESS;
}

int32_t wasi_fd_prestat_get(w2n_instance *caller, int32_t fd, uint32_t prestat) {
    w2n_wasi_context *context = wasi_context_of(caller);
    int32_t error;
    wasi_fd *entry = wasi_fd_get(context, fd, 0, &error);
    if (!entry)
        return error;
    /* EBADF past the preopens is how the guest's startup scan of them knows to stop. */
    if (!entry->preopen)
        return WASI_EBADF;
    wasi_memory memory = wasi_caller_memory(caller);
    if (!wasi_in_bounds(memory, prestat, WASI_PRESTAT_SIZE))
        return WASI_EFAULT;
    wasi_store_u64(memory, prestat, 0); /* tag 0 = directory, and padding */
    wasi_store_u32(memory, prestat + 4, (uint32_t)strlen(entry->preopen));
    return WASI_ESUCCESS;
}

int32_t wasi_fd_prestat_dir_name(w2n_instance *caller, int32_t fd, uint32_t path,
                                 uint32_t path_len) {
    w2n_wasi_context *context = wasi_context_of(caller);
    int32_t error;
    wasi_fd *entry = wasi_fd_get(context, fd, 0, &error);
    if (!entry)
        return error;
    if (!entry->preopen)
        return WASI_ENOTDIR;
    size_t length = strlen(entry->preopen);
    if (length > path_len)
        return WASI_ENAMETOOLONG;
    wasi_memory memory = wasi_caller_memory(caller);
    if (!wasi_in_bounds(memory, path, length))
        return WASI_EFAULT;
    /* The name goes without a terminating NUL: its length came from fd_prestat_get. */
    memcpy(memory.base + path, entry->preopen, length);
    return WASI_ESUCCESS;
}
