/*
 * The capability sandbox shared by the path_* functions (wasi_path.c): guest paths resolved
 * beneath a directory descriptor, never leaving it (wasi_resolve.c).
 */
#ifndef W2N_WASI_RESOLVE_H
#define W2N_WASI_RESOLVE_H

#include <limits.h>

#include "wasi_internal.h"

/* A final symlink is expanded too (lookupflags::symlink_follow, and path_open's default). */
#define WASI_RESOLVE_FOLLOW 1
/*
 * The operation acts on the final directory entry itself (create, remove, rename, or
 * path_open with oflags::creat), and the host checks a trailing slash on it without following
 * anything, so "name/" is handed over as it is. Without this flag a trailing slash means the
 * final component is a directory to walk into, as POSIX reads "name/" as "name/.".
 */
#define WASI_RESOLVE_ENTRY 2

/* Where a guest path leads: the operation runs as *at(parent, name) without following. */
typedef struct wasi_resolved {
    int parent;              /* owned host fd of the directory holding the final component */
    uint32_t depth;          /* how many directories `parent` lies below the starting one */
    char name[NAME_MAX + 2]; /* a plain name, ".", or with WASI_RESOLVE_ENTRY "name/" */
} wasi_resolved;

/*
 * Copies the guest string [pointer, pointer + length) into `out` (PATH_MAX bytes, then
 * NUL-terminated): WASI_EFAULT out of bounds, WASI_ENAMETOOLONG from PATH_MAX bytes on,
 * WASI_EILSEQ when not UTF-8, WASI_EINVAL with a NUL inside, WASI_ENOENT when empty.
 */
W2N_INTERNAL int32_t wasi_read_path(wasi_memory memory, uint32_t pointer, uint32_t length,
                                    char out[PATH_MAX]);

/*
 * Resolves the guest path at [pointer, pointer + length) beneath the directory `dir`, with
 * WASI_RESOLVE_* `flags`. Absolute paths, symlinks to absolute paths and ".." above `dir` give
 * WASI_EPERM; more than 40 symlink expansions give WASI_ELOOP. On success the caller closes
 * out->parent.
 */
W2N_INTERNAL int32_t wasi_resolve(wasi_memory memory, const wasi_fd *dir, uint32_t pointer,
                                  uint32_t length, int flags, wasi_resolved *out);

#endif
