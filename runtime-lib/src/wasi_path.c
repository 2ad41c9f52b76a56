/*
 * The path_* functions. Each resolves its guest path beneath a directory descriptor with
 * wasi_resolve (the sandbox, wasi_resolve.c) and then acts on the final component with one *at
 * call relative to the resolved parent, never following a symlink there: a final symlink is
 * expanded by the resolver when the operation follows it, so a symlink appearing between
 * resolution and use is acted on itself, or refused, but never followed out of the sandbox.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "wasi_resolve.h"

/* Resolutions tried when the final component turns into a symlink under a following call. */
#define RESOLVE_ATTEMPTS 8

/*
 * The directory descriptor `fd` holding `rights`: WASI_EBADF when it is not open, WASI_ENOTDIR
 * when it is not a directory, WASI_ENOTCAPABLE when a right is missing.
 */
static wasi_fd *directory_of(w2n_wasi_context *context, int32_t fd, uint64_t rights,
                             int32_t *error) {
    wasi_fd *entry = wasi_fd_get(context, fd, 0, error);
    if (!entry)
        return NULL;
    if (entry->filetype != WASI_FILETYPE_DIRECTORY) {
        *error = WASI_ENOTDIR;
        return NULL;
    }
    return wasi_fd_get(context, fd, rights, error);
}

/* Resolves the guest path beneath the directory `fd`, which must hold `rights`. */
static int32_t resolve_in(w2n_instance *caller, int32_t fd, uint64_t rights, uint32_t path,
                          uint32_t path_len, int flags, wasi_resolved *out) {
    int32_t error;
    wasi_fd *dir = directory_of(wasi_context_of(caller), fd, rights, &error);
    if (!dir)
        return error;
    return wasi_resolve(wasi_caller_memory(caller), dir, path, path_len, flags, out);
}

/* The outcome of a host call (0 or -1 with errno) on a resolved path, whose parent it closes. */
static int32_t finish_call(wasi_resolved *resolved, int result) {
    int32_t error = result == 0 ? WASI_ESUCCESS : wasi_errno(errno);
    close(resolved->parent);
    return error;
}

static int32_t check_lookupflags(int32_t flags) {
    return flags & ~WASI_LOOKUPFLAGS_SYMLINK_FOLLOW ? WASI_EINVAL : WASI_ESUCCESS;
}

static int resolve_flags_of(int32_t lookupflags) {
    return lookupflags & WASI_LOOKUPFLAGS_SYMLINK_FOLLOW ? WASI_RESOLVE_FOLLOW : 0;
}

/* ------------------------------------------------------------ open --- */

/* The rights that make path_open give the host descriptor read, or write, access. */
#define READ_RIGHTS (WASI_RIGHT_FD_READ | WASI_RIGHT_FD_READDIR)
#define WRITE_RIGHTS                                                                               \
    (WASI_RIGHT_FD_WRITE | WASI_RIGHT_FD_DATASYNC | WASI_RIGHT_FD_ALLOCATE |                       \
     WASI_RIGHT_FD_FILESTAT_SET_SIZE)

/*
 * The host flags of a path_open. The access mode comes from the rights asked for, so a
 * descriptor is writable on the host only when the guest asked to write through it.
 */
static int open_flags(int32_t oflags, int32_t fdflags, uint64_t rights) {
    int reads = (rights & READ_RIGHTS) != 0, writes = (rights & WRITE_RIGHTS) != 0;
    int flags = O_NOFOLLOW | O_CLOEXEC | O_NOCTTY;
    flags |= reads && writes ? O_RDWR : writes ? O_WRONLY : O_RDONLY;
    if (oflags & WASI_OFLAGS_CREAT)
        flags |= O_CREAT;
    if (oflags & WASI_OFLAGS_DIRECTORY)
        flags |= O_DIRECTORY;
    if (oflags & WASI_OFLAGS_EXCL)
        flags |= O_EXCL;
    if (oflags & WASI_OFLAGS_TRUNC)
        flags |= O_TRUNC;
    if (fdflags & WASI_FDFLAGS_APPEND)
        flags |= O_APPEND;
    if (fdflags & WASI_FDFLAGS_DSYNC)
        flags |= O_DSYNC;
    if (fdflags & WASI_FDFLAGS_NONBLOCK)
        flags |= O_NONBLOCK;
    if (fdflags & WASI_FDFLAGS_RSYNC)
        flags |= O_RSYNC;
    if (fdflags & WASI_FDFLAGS_SYNC)
        flags |= O_SYNC;
    return flags;
}

/*
 * The rights `fd` must hold to open with these flags (a missing one is WASI_ENOTCAPABLE): the
 * witx makes truncation the directory's right, whatever the new descriptor may do.
 */
static uint64_t open_rights(int32_t oflags) {
    uint64_t rights = WASI_RIGHT_PATH_OPEN;
    if (oflags & WASI_OFLAGS_CREAT)
        rights |= WASI_RIGHT_PATH_CREATE_FILE;
    if (oflags & WASI_OFLAGS_TRUNC)
        rights |= WASI_RIGHT_PATH_FILESTAT_SET_SIZE;
    return rights;
}

/* Opens the resolved path, resolving again if its final component became a symlink. */
static int32_t open_host(wasi_memory memory, const wasi_fd *dir, uint32_t path, uint32_t path_len,
                         int resolve_flags, int host_flags, int *host) {
    for (int attempt = 1;; attempt++) {
        wasi_resolved at;
        int32_t error = wasi_resolve(memory, dir, path, path_len, resolve_flags, &at);
        if (error != WASI_ESUCCESS)
            return error;
        do {
            *host = openat(at.parent, at.name, host_flags, 0666);
        } while (*host < 0 && errno == EINTR);
        int open_errno = errno;
        close(at.parent);
        if (*host >= 0)
            return WASI_ESUCCESS;
        /* ELOOP under O_NOFOLLOW: a symlink took the place of what the resolver saw. */
        if (open_errno != ELOOP || !(resolve_flags & WASI_RESOLVE_FOLLOW) ||
            attempt == RESOLVE_ATTEMPTS)
            return wasi_errno(open_errno);
    }
}

int32_t wasi_path_open(w2n_instance *caller, int32_t fd, int32_t dirflags, uint32_t path,
                       uint32_t path_len, int32_t oflags, int64_t rights_base,
                       int64_t rights_inheriting, int32_t fdflags, uint32_t opened_fd) {
    const int32_t known_oflags =
        WASI_OFLAGS_CREAT | WASI_OFLAGS_DIRECTORY | WASI_OFLAGS_EXCL | WASI_OFLAGS_TRUNC;
    const int32_t known_fdflags = WASI_FDFLAGS_APPEND | WASI_FDFLAGS_DSYNC | WASI_FDFLAGS_NONBLOCK |
                                  WASI_FDFLAGS_RSYNC | WASI_FDFLAGS_SYNC;
    if (check_lookupflags(dirflags) != WASI_ESUCCESS || (oflags & ~known_oflags) ||
        (fdflags & ~known_fdflags))
        return WASI_EINVAL;
    /* Not every host kernel refuses to create a directory through open. */
    if ((oflags & WASI_OFLAGS_CREAT) && (oflags & WASI_OFLAGS_DIRECTORY))
        return WASI_EINVAL;
    w2n_wasi_context *context = wasi_context_of(caller);
    wasi_memory memory = wasi_caller_memory(caller);
    int32_t error;
    wasi_fd *dir = directory_of(context, fd, open_rights(oflags), &error);
    if (!dir)
        return error;
    /* Synchronized writes are granted as rights a new descriptor inherits. */
    uint64_t sync_rights = 0;
    if (fdflags & WASI_FDFLAGS_DSYNC)
        sync_rights |= WASI_RIGHT_FD_DATASYNC;
    if (fdflags & (WASI_FDFLAGS_RSYNC | WASI_FDFLAGS_SYNC))
        sync_rights |= WASI_RIGHT_FD_SYNC;
    uint64_t base = (uint64_t)rights_base, inheriting = (uint64_t)rights_inheriting;
    /* A directory is never open for writing: write rights do not apply to it. */
    uint64_t access = oflags & WASI_OFLAGS_DIRECTORY ? base & ~WRITE_RIGHTS : base;
    /* A read-only grant opens nothing for writing: the host descriptor could write. */
    if (dir->read_only && (access & WRITE_RIGHTS))
        return WASI_EPERM;
    /* A new descriptor gets only rights its directory may pass on: asking for more is refused
     * rather than quietly cut, as the witx allows fewer rights only where they do not apply. */
    if (((sync_rights | base | inheriting) & ~dir->rights_inheriting) != 0)
        return WASI_ENOTCAPABLE;
    /* Checked before anything is opened, so that a bad pointer leaves no descriptor behind. */
    if (!wasi_in_bounds(memory, opened_fd, 4))
        return WASI_EFAULT;
    uint8_t read_only = dir->read_only; /* `dir` moves if inserting grows the table */

    /* O_CREAT|O_EXCL never follows a final symlink; O_CREAT acts on the entry itself, so a
     * trailing slash goes to the host, which refuses it without following anything. */
    int creates = oflags & WASI_OFLAGS_CREAT;
    int resolve_flags = creates ? WASI_RESOLVE_ENTRY : 0;
    if ((dirflags & WASI_LOOKUPFLAGS_SYMLINK_FOLLOW) && !(creates && (oflags & WASI_OFLAGS_EXCL)))
        resolve_flags |= WASI_RESOLVE_FOLLOW;
    int host;
    error = open_host(memory, dir, path, path_len, resolve_flags,
                      open_flags(oflags, fdflags, access), &host);
    if (error != WASI_ESUCCESS)
        return error;
    struct stat status;
    if (fstat(host, &status) != 0) {
        error = wasi_errno(errno);
        close(host);
        return error;
    }
    uint8_t filetype = wasi_filetype_of_mode(status.st_mode);
    base &= filetype == WASI_FILETYPE_DIRECTORY ? WASI_RIGHTS_DIRECTORY : WASI_RIGHTS_FILE;
    uint32_t new_fd;
    error = wasi_fd_insert(context, host, filetype, base, inheriting, &new_fd);
    if (error != WASI_ESUCCESS)
        return error;
    context->fds[new_fd].read_only = read_only;
    wasi_store_u32(memory, opened_fd, new_fd);
    return WASI_ESUCCESS;
}

/* ------------------------------------------------- create and remove --- */

int32_t wasi_path_create_directory(w2n_instance *caller, int32_t fd, uint32_t path,
                                   uint32_t path_len) {
    wasi_resolved at;
    int32_t error = resolve_in(caller, fd, WASI_RIGHT_PATH_CREATE_DIRECTORY, path, path_len,
                               WASI_RESOLVE_ENTRY, &at);
    if (error != WASI_ESUCCESS)
        return error;
    return finish_call(&at, mkdirat(at.parent, at.name, 0777));
}

int32_t wasi_path_remove_directory(w2n_instance *caller, int32_t fd, uint32_t path,
                                   uint32_t path_len) {
    wasi_resolved at;
    int32_t error = resolve_in(caller, fd, WASI_RIGHT_PATH_REMOVE_DIRECTORY, path, path_len,
                               WASI_RESOLVE_ENTRY, &at);
    if (error != WASI_ESUCCESS)
        return error;
    return finish_call(&at, unlinkat(at.parent, at.name, AT_REMOVEDIR));
}

int32_t wasi_path_unlink_file(w2n_instance *caller, int32_t fd, uint32_t path, uint32_t path_len) {
    wasi_resolved at;
    int32_t error = resolve_in(caller, fd, WASI_RIGHT_PATH_UNLINK_FILE, path, path_len,
                               WASI_RESOLVE_ENTRY, &at);
    if (error != WASI_ESUCCESS)
        return error;
    return finish_call(&at, unlinkat(at.parent, at.name, 0));
}

/* ---------------------------------------------------------- metadata --- */

int32_t wasi_path_filestat_get(w2n_instance *caller, int32_t fd, int32_t flags, uint32_t path,
                               uint32_t path_len, uint32_t buf) {
    if (check_lookupflags(flags) != WASI_ESUCCESS)
        return WASI_EINVAL;
    wasi_memory memory = wasi_caller_memory(caller);
    if (!wasi_in_bounds(memory, buf, WASI_FILESTAT_SIZE))
        return WASI_EFAULT;
    int resolve_flags = resolve_flags_of(flags);
    struct stat status;
    for (int attempt = 1;; attempt++) {
        wasi_resolved at;
        int32_t error = resolve_in(caller, fd, WASI_RIGHT_PATH_FILESTAT_GET, path, path_len,
                                   resolve_flags, &at);
        if (error == WASI_ESUCCESS)
            error = finish_call(&at, fstatat(at.parent, at.name, &status, AT_SYMLINK_NOFOLLOW));
        if (error != WASI_ESUCCESS)
            return error;
        /* A symlink here under symlink_follow took the place of what the resolver saw. */
        if (!S_ISLNK(status.st_mode) || !(resolve_flags & WASI_RESOLVE_FOLLOW))
            break;
        if (attempt == RESOLVE_ATTEMPTS)
            return WASI_ELOOP;
    }
    wasi_store_filestat(memory, buf, &status);
    return WASI_ESUCCESS;
}

int32_t wasi_path_filestat_set_times(w2n_instance *caller, int32_t fd, int32_t flags, uint32_t path,
                                     uint32_t path_len, int64_t atim, int64_t mtim,
                                     int32_t fst_flags) {
    struct timespec times[2];
    if (check_lookupflags(flags) != WASI_ESUCCESS || (fst_flags & ~0xFFFF))
        return WASI_EINVAL;
    int32_t error = wasi_times_of((uint64_t)atim, (uint64_t)mtim, (uint16_t)fst_flags, times);
    if (error != WASI_ESUCCESS)
        return error;
    wasi_resolved at;
    error = resolve_in(caller, fd, WASI_RIGHT_PATH_FILESTAT_SET_TIMES, path, path_len,
                       resolve_flags_of(flags), &at);
    if (error != WASI_ESUCCESS)
        return error;
    return finish_call(&at, utimensat(at.parent, at.name, times, AT_SYMLINK_NOFOLLOW));
}

/* ------------------------------------------------------------- links --- */

int32_t wasi_path_link(w2n_instance *caller, int32_t old_fd, int32_t old_flags, uint32_t old_path,
                       uint32_t old_path_len, int32_t new_fd, uint32_t new_path,
                       uint32_t new_path_len) {
    if (check_lookupflags(old_flags) != WASI_ESUCCESS)
        return WASI_EINVAL;
    wasi_resolved from, to;
    int32_t error = resolve_in(caller, old_fd, WASI_RIGHT_PATH_LINK_SOURCE, old_path, old_path_len,
                               resolve_flags_of(old_flags), &from);
    if (error != WASI_ESUCCESS)
        return error;
    error = resolve_in(caller, new_fd, WASI_RIGHT_PATH_LINK_TARGET, new_path, new_path_len,
                       WASI_RESOLVE_ENTRY, &to);
    if (error != WASI_ESUCCESS) {
        close(from.parent);
        return error;
    }
    error = finish_call(&to, linkat(from.parent, from.name, to.parent, to.name, 0));
    close(from.parent);
    return error;
}

int32_t wasi_path_rename(w2n_instance *caller, int32_t fd, uint32_t old_path, uint32_t old_path_len,
                         int32_t new_fd, uint32_t new_path, uint32_t new_path_len) {
    wasi_resolved from, to;
    int32_t error = resolve_in(caller, fd, WASI_RIGHT_PATH_RENAME_SOURCE, old_path, old_path_len,
                               WASI_RESOLVE_ENTRY, &from);
    if (error != WASI_ESUCCESS)
        return error;
    error = resolve_in(caller, new_fd, WASI_RIGHT_PATH_RENAME_TARGET, new_path, new_path_len,
                       WASI_RESOLVE_ENTRY, &to);
    if (error != WASI_ESUCCESS) {
        close(from.parent);
        return error;
    }
    error = finish_call(&to, renameat(from.parent, from.name, to.parent, to.name));
    close(from.parent);
    return error;
}

/*
 * Whether a symlink target, stored in a directory `depth` levels below the descriptor it was
 * created through, names something beneath that descriptor. The sandbox never follows it
 * outside anyway; refusing it keeps host programs that do follow links inside too.
 */
static int target_stays_inside(const char *target, uint32_t depth) {
    if (target[0] == '/')
        return 0;
    uint64_t level = depth;
    for (const char *at = target; *at;) {
        const char *end = strchrnul(at, '/');
        size_t length = (size_t)(end - at);
        if (length == 2 && at[0] == '.' && at[1] == '.') {
            if (level == 0)
                return 0;
            level--;
        } else if (length > 0 && !(length == 1 && at[0] == '.')) {
            level++;
        }
        at = *end ? end + 1 : end;
    }
    return 1;
}

int32_t wasi_path_symlink(w2n_instance *caller, uint32_t old_path, uint32_t old_path_len,
                          int32_t fd, uint32_t new_path, uint32_t new_path_len) {
    char target[PATH_MAX];
    int32_t error = wasi_read_path(wasi_caller_memory(caller), old_path, old_path_len, target);
    if (error != WASI_ESUCCESS)
        return error;
    wasi_resolved at;
    error = resolve_in(caller, fd, WASI_RIGHT_PATH_SYMLINK, new_path, new_path_len,
                       WASI_RESOLVE_ENTRY, &at);
    if (error != WASI_ESUCCESS)
        return error;
    if (!target_stays_inside(target, at.depth)) {
        close(at.parent);
        return WASI_EPERM;
    }
    return finish_call(&at, symlinkat(target, at.parent, at.name));
}

int32_t wasi_path_readlink(w2n_instance *caller, int32_t fd, uint32_t path, uint32_t path_len,
                           uint32_t buf, uint32_t buf_len, uint32_t bufused) {
    wasi_memory memory = wasi_caller_memory(caller);
    if (!wasi_in_bounds(memory, buf, buf_len) || !wasi_in_bounds(memory, bufused, 4))
        return WASI_EFAULT;
    wasi_resolved at;
    int32_t error = resolve_in(caller, fd, WASI_RIGHT_PATH_READLINK, path, path_len, 0, &at);
    if (error != WASI_ESUCCESS)
        return error;
    /* Read whole, then cut to the guest's buffer, which may hold fewer bytes (or none). */
    char target[PATH_MAX];
    ssize_t length = readlinkat(at.parent, at.name, target, sizeof target);
    error = finish_call(&at, length < 0 ? -1 : 0);
    if (error != WASI_ESUCCESS)
        return error;
    uint32_t used = (uint64_t)length < buf_len ? (uint32_t)length : buf_len;
    memcpy(memory.base + buf, target, used);
    wasi_store_u32(memory, bufused, used);
    return WASI_ESUCCESS;
}
