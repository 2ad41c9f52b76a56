/*
 * The guest's descriptor table: guest fd -> host fd, its filetype and its rights. Guest fds are
 * indices into the table, never host numbers, so a guest can name only what it was given or
 * opened itself.
 */
#include <stdlib.h>
#include <unistd.h>

#include "wasi_internal.h"

/* Beyond this many guest fds, opening more fails with ENFILE (the table doubles up to it). */
#define WASI_FD_LIMIT (1u << 20)

wasi_fd *wasi_fd_get(w2n_wasi_context *context, int32_t fd, uint64_t rights, int32_t *error) {
    if (fd < 0 || (uint32_t)fd >= context->fd_count || context->fds[fd].host < 0) {
        *error = WASI_EBADF;
        return NULL;
    }
    wasi_fd *entry = &context->fds[fd];
    /* First, so that every change through a read-only grant is refused alike. */
    if (entry->read_only && (rights & WASI_RIGHTS_MUTATING)) {
        *error = WASI_EPERM;
        return NULL;
    }
    if ((entry->rights_base & rights) != rights) {
        *error = WASI_ENOTCAPABLE;
        return NULL;
    }
    *error = WASI_ESUCCESS;
    return entry;
}

wasi_fd *wasi_fd_get_stream(w2n_wasi_context *context, int32_t fd, uint64_t rights,
                            int32_t *error) {
    wasi_fd *entry = wasi_fd_get(context, fd, 0, error);
    if (!entry)
        return NULL;
    if (entry->filetype == WASI_FILETYPE_DIRECTORY) {
        *error = WASI_EBADF;
        return NULL;
    }
    return wasi_fd_get(context, fd, rights, error);
}

static int grow(w2n_wasi_context *context) {
    uint32_t count = context->fd_count ? context->fd_count * 2 : 16;
    if (count > WASI_FD_LIMIT)
        return -1;
    wasi_fd *fds = realloc(context->fds, count * sizeof *fds);
    if (!fds)
        return -1;
    for (uint32_t fd = context->fd_count; fd < count; fd++)
        fds[fd] = (wasi_fd){.host = -1};
    context->fds = fds;
    context->fd_count = count;
    return 0;
}

int32_t wasi_fd_insert(w2n_wasi_context *context, int host, uint8_t filetype, uint64_t rights_base,
                       uint64_t rights_inheriting, uint32_t *out) {
    uint32_t fd = 0;
    while (fd < context->fd_count && context->fds[fd].host >= 0)
        fd++;
    if (fd == context->fd_count && grow(context) != 0) {
        if (host >= WASI_STANDARD_STREAMS)
            close(host);
        return context->fd_count >= WASI_FD_LIMIT ? WASI_ENFILE : WASI_ENOMEM;
    }
    context->fds[fd] = (wasi_fd){
        .host = host,
        .filetype = filetype,
        .rights_base = rights_base,
        .rights_inheriting = rights_inheriting,
    };
    *out = fd;
    return WASI_ESUCCESS;
}

void wasi_fd_release(wasi_fd *entry) {
    if (entry->directory)
        wasi_dir_stream_close(entry->directory);
    if (entry->host >= WASI_STANDARD_STREAMS)
        close(entry->host);
    free(entry->preopen);
    *entry = (wasi_fd){.host = -1};
}
