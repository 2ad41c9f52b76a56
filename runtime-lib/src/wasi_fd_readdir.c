/*
 * WASI fd_readdir: a directory's entries as a stream of dirents (a 24-byte header, then the
 * name without a NUL), resumable at any entry through its cookie.
 *
 * "." and ".." come first, then the host's entries in the host's order. An entry's cookie
 * (its d_next) is its index plus one: 1 after ".", 2 after "..", and so on. Indices rather than
 * host telldir positions because the guest keeps cookies in a 32-bit long (telldir/seekdir),
 * while host positions are 64-bit hashes on some file systems. To stay linear over a whole
 * listing, the descriptor's stream remembers where it was left; a call resuming there continues
 * reading, any other call re-reads from the start and skips to its cookie.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wasi_internal.h"

#define COOKIE_START 0u
#define COOKIE_AFTER_DOT 1u
/* After "..": the host's first entry comes next. */
#define COOKIE_HOST_START 2u

/* One entry as fd_readdir writes it. */
typedef struct listed_entry {
    uint64_t inode;
    uint8_t filetype;
    char name[sizeof ((struct dirent *)0)->d_name];
} listed_entry;

/*
 * A descriptor's directory stream and where it was left: the entry of cookie `cookie` is the
 * next to write. When that entry did not fit in the guest's buffer the stream is already past
 * it, and `pending` keeps it.
 */
struct wasi_dir_stream {
    DIR *dir;
    uint64_t cookie;
    int has_pending;
    listed_entry pending;
};

static void remember(wasi_dir_stream *stream, uint64_t cookie, const listed_entry *pending) {
    stream->cookie = cookie;
    stream->has_pending = pending != NULL;
    if (pending)
        stream->pending = *pending;
}

void wasi_dir_stream_close(wasi_dir_stream *stream) {
    closedir(stream->dir); /* closes its own duplicate of the host fd */
    free(stream);
}

static uint8_t filetype_of_dirent(DIR *dir, const struct dirent *host) {
    switch (host->d_type) {
    case DT_BLK: return WASI_FILETYPE_BLOCK_DEVICE;
    case DT_CHR: return WASI_FILETYPE_CHARACTER_DEVICE;
    case DT_DIR: return WASI_FILETYPE_DIRECTORY;
    case DT_REG: return WASI_FILETYPE_REGULAR_FILE;
    case DT_LNK: return WASI_FILETYPE_SYMBOLIC_LINK;
    case DT_SOCK: return WASI_FILETYPE_SOCKET_STREAM;
    case DT_UNKNOWN: {
        /* Some file systems leave the type out of their entries; the entry itself has it. */
        struct stat status;
        if (fstatat(dirfd(dir), host->d_name, &status, AT_SYMLINK_NOFOLLOW) == 0)
            return wasi_filetype_of_mode(status.st_mode);
        return WASI_FILETYPE_UNKNOWN;
    }
    default: return WASI_FILETYPE_UNKNOWN;
    }
}

/*
 * The stream's next entry other than the host's own "." and ".." (listed first instead);
 * 0 at the end of the stream, -1 with *error set on a host error.
 */
static int read_entry(DIR *dir, listed_entry *entry, int32_t *error) {
    for (;;) {
        errno = 0;
        struct dirent *host = readdir(dir);
        if (!host) {
            *error = wasi_errno(errno);
            return errno ? -1 : 0;
        }
        if (strcmp(host->d_name, ".") == 0 || strcmp(host->d_name, "..") == 0)
            continue;
        entry->inode = host->d_ino;
        entry->filetype = filetype_of_dirent(dir, host);
        strcpy(entry->name, host->d_name);
        return 1;
    }
}

/*
 * Moves `dir` to the entry of `*cookie` (at least COOKIE_HOST_START): from where it was left
 * when that is at or before the cookie, else from the start. A stream that ends before lowers
 * `*cookie` to its end, so that only true positions are remembered. When the stream is
 * already past the entry, copies it to `pending` and returns 1; otherwise 0, or -1 with
 * *error set.
 */
static int seek_to(wasi_dir_stream *stream, uint64_t *cookie, listed_entry *pending,
                   int32_t *error) {
    DIR *dir = stream->dir;
    uint64_t at = COOKIE_HOST_START;
    if (stream->cookie >= COOKIE_HOST_START && stream->cookie <= *cookie) {
        at = stream->cookie;
        if (stream->has_pending && at == *cookie) {
            *pending = stream->pending;
            return 1;
        }
        at += stream->has_pending;
    } else {
        rewinddir(dir);
    }
    listed_entry skipped;
    for (; at < *cookie; at++) {
        int found = read_entry(dir, &skipped, error);
        if (found <= 0) {
            *cookie = at;
            return found;
        }
    }
    return 0;
}

/* Where the dirents go: the guest buffer and how much of it is filled. */
typedef struct dirent_writer {
    wasi_memory memory;
    uint32_t buf;
    uint32_t buf_len;
    uint32_t used;
} dirent_writer;

static int is_full(const dirent_writer *writer) {
    return writer->used == writer->buf_len;
}

/* Copies what fits of `bytes`; the buffer's end cuts the last entry, as the spec says. */
static void write_bytes(dirent_writer *writer, const void *bytes, size_t length) {
    uint32_t room = writer->buf_len - writer->used;
    uint32_t count = length < room ? (uint32_t)length : room;
    memcpy(writer->memory.base + writer->buf + writer->used, bytes, count);
    writer->used += count;
}

/* Writes one dirent whose d_next is `next`; returns whether all of it fitted. */
static int write_dirent(dirent_writer *writer, uint64_t next, const listed_entry *entry) {
    size_t name_length = strlen(entry->name);
    uint8_t header[WASI_DIRENT_SIZE] = {0};
    uint32_t name_length32 = (uint32_t)name_length;
    memcpy(header + 0, &next, 8);
    memcpy(header + 8, &entry->inode, 8);
    memcpy(header + 16, &name_length32, 4);
    header[20] = entry->filetype;
    uint32_t room = writer->buf_len - writer->used;
    write_bytes(writer, header, sizeof header);
    write_bytes(writer, entry->name, name_length);
    return sizeof header + name_length <= room;
}

/* "." (unless resuming after it) and "..", which a sandbox root shows like any directory. */
static int32_t write_dot_entries(dirent_writer *writer, int host, uint64_t cookie) {
    struct stat self;
    if (fstat(host, &self) != 0)
        return wasi_errno(errno);
    listed_entry dot = {self.st_ino, WASI_FILETYPE_DIRECTORY, "."};
    if (cookie == COOKIE_START && !write_dirent(writer, COOKIE_AFTER_DOT, &dot))
        return WASI_ESUCCESS;
    struct stat parent;
    listed_entry dotdot = {self.st_ino, WASI_FILETYPE_DIRECTORY, ".."};
    if (fstatat(host, "..", &parent, AT_SYMLINK_NOFOLLOW) == 0)
        dotdot.inode = parent.st_ino;
    write_dirent(writer, COOKIE_HOST_START, &dotdot);
    return WASI_ESUCCESS;
}

/*
 * The host's entries from that of `cookie` (first `pending`, if the stream is past it) until
 * the buffer fills or the stream ends; an entry cut short is kept for the next call.
 */
static int32_t write_host_entries(dirent_writer *writer, wasi_dir_stream *stream,
                                  uint64_t cookie, const listed_entry *pending) {
    listed_entry entry;
    if (pending) {
        if (!write_dirent(writer, cookie + 1, pending))
            return WASI_ESUCCESS; /* the stream is still remembered as it is */
        cookie++;
    }
    while (!is_full(writer)) {
        int32_t error;
        int found = read_entry(stream->dir, &entry, &error);
        if (found <= 0) {
            remember(stream, cookie, NULL);
            return error;
        }
        if (!write_dirent(writer, cookie + 1, &entry)) {
            remember(stream, cookie, &entry);
            return WASI_ESUCCESS;
        }
        cookie++;
    }
    remember(stream, cookie, NULL);
    return WASI_ESUCCESS;
}

/*
 * The descriptor's directory stream, opened on first use. It reads through a duplicate of the
 * host fd so that closedir, when the slot is released, leaves the descriptor to its owner.
 */
static wasi_dir_stream *stream_of(wasi_fd *entry, int32_t *error) {
    if (entry->directory)
        return entry->directory;
    wasi_dir_stream *stream = calloc(1, sizeof *stream);
    int duplicate = stream ? fcntl(entry->host, F_DUPFD_CLOEXEC, WASI_STANDARD_STREAMS) : -1;
    DIR *dir = duplicate >= 0 ? fdopendir(duplicate) : NULL;
    if (!dir) {
        *error = stream ? wasi_errno(errno) : WASI_ENOMEM;
        if (duplicate >= 0)
            close(duplicate);
        free(stream);
        return NULL;
    }
    stream->dir = dir;
    stream->cookie = COOKIE_HOST_START;
    entry->directory = stream;
    return stream;
}

int32_t wasi_fd_readdir(w2n_instance *caller, int32_t fd, uint32_t buf, uint32_t buf_len,
                        int64_t cookie, uint32_t bufused) {
    w2n_wasi_context *context = wasi_context_of(caller);
    int32_t error;
    wasi_fd *entry = wasi_fd_get(context, fd, 0, &error);
    if (!entry)
        return error;
    /* Only a directory has entries, whatever rights another descriptor holds. */
    if (entry->filetype != WASI_FILETYPE_DIRECTORY)
        return WASI_EBADF;
    if (!wasi_fd_get(context, fd, WASI_RIGHT_FD_READDIR, &error))
        return error;
    wasi_memory memory = wasi_caller_memory(caller);
    if (!wasi_in_bounds(memory, buf, buf_len) || !wasi_in_bounds(memory, bufused, 4))
        return WASI_EFAULT;
    wasi_dir_stream *stream = stream_of(entry, &error);
    if (!stream)
        return error;

    dirent_writer writer = {memory, buf, buf_len, 0};
    uint64_t position = (uint64_t)cookie;
    if (position < COOKIE_HOST_START) {
        error = write_dot_entries(&writer, entry->host, position);
        position = COOKIE_HOST_START;
    }
    listed_entry pending;
    int has_pending = 0;
    if (error == WASI_ESUCCESS && !is_full(&writer))
        has_pending = seek_to(stream, &position, &pending, &error) > 0;
    if (error == WASI_ESUCCESS && !is_full(&writer))
        error = write_host_entries(&writer, stream, position, has_pending ? &pending : NULL);
    if (error != WASI_ESUCCESS)
        return error;
    wasi_store_u32(memory, bufused, writer.used);
    return WASI_ESUCCESS;
}
