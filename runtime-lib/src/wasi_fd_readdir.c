/*
 * WASI fd_readdir: a directory's entries as a stream of dirents (a 24-byte header, then the
 * name without a NUL), resumable at any entry through its cookie.
 *
 * "." and ".." come first, then the host's entries in the host's order. An entry's cookie
 * (its d_next) is its index in the listing plus one: 1 after ".", 2 after "..", and so on.
 * Indices rather than host positions because the guest keeps cookies in a 32-bit long
 * (telldir/seekdir), while host positions are 64-bit hashes on some file systems.
 *
 * A call that starts at the host's first entry (cookie 0, 1 or 2) reads the host directory
 * again from its start, so it sees every change made before it: that is a fresh listing. As a
 * listing's entries are read, the host position after each is recorded, and a call resuming at
 * one of its cookies continues from that host position (seekdir): the host's own promise to a
 * program listing natively, so entries added or removed meanwhile may or may not appear, and
 * none appears twice. A cookie past what the listing has read reads on up to it. A call
 * continuing where the last one stopped just reads on; an entry the guest's buffer cut short
 * is read again by the next call, from the position recorded before it.
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
/* After "..": the host's first entry comes next. A host entry's cookie is its index plus this
 * plus one. */
#define COOKIE_HOST_START 2u
/* Until a readdir says where the stream is, it is nowhere known. */
#define INDEX_UNKNOWN UINT64_MAX

/* One entry as fd_readdir writes it. */
typedef struct listed_entry {
    uint64_t inode;
    uint8_t filetype;
    char name[sizeof((struct dirent *)0)->d_name];
} listed_entry;

/*
 * A descriptor's directory stream and the listing being read from it: `positions[i]` is the
 * host position (telldir) after the listing's host entry i, for the first `recorded` entries,
 * and `next` the index of the entry readdir returns next.
 */
struct wasi_dir_stream {
    DIR *dir;
    long *positions;
    uint64_t recorded;
    uint64_t capacity;
    uint64_t next;
};

void wasi_dir_stream_close(wasi_dir_stream *stream) {
    closedir(stream->dir); /* closes its own duplicate of the host fd */
    free(stream->positions);
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

/* Records the host position after the listing's entry `index`, just read. */
static int32_t record_position(wasi_dir_stream *stream, uint64_t index, long position) {
    if (index < stream->recorded) {
        stream->positions[index] = position;
        return WASI_ESUCCESS;
    }
    if (stream->recorded == stream->capacity) {
        uint64_t capacity = stream->capacity ? stream->capacity * 2 : 64;
        long *grown = realloc(stream->positions, capacity * sizeof *grown);
        if (!grown)
            return WASI_ENOMEM;
        stream->positions = grown;
        stream->capacity = capacity;
    }
    stream->positions[stream->recorded++] = position;
    return WASI_ESUCCESS;
}

/*
 * The listing's next entry other than the host's own "." and ".." (listed first instead), its
 * position recorded; 0 at the end of the stream, -1 with *error set on a host error.
 */
static int read_entry(wasi_dir_stream *stream, listed_entry *entry, int32_t *error) {
    for (;;) {
        errno = 0;
        struct dirent *host = readdir(stream->dir);
        if (!host) {
            *error = wasi_errno(errno);
            if (errno)
                stream->next = INDEX_UNKNOWN;
            return errno ? -1 : 0;
        }
        if (strcmp(host->d_name, ".") == 0 || strcmp(host->d_name, "..") == 0)
            continue;
        *error = record_position(stream, stream->next, telldir(stream->dir));
        if (*error != WASI_ESUCCESS) {
            stream->next = INDEX_UNKNOWN;
            return -1;
        }
        stream->next++;
        entry->inode = host->d_ino;
        entry->filetype = filetype_of_dirent(stream->dir, host);
        strcpy(entry->name, host->d_name);
        return 1;
    }
}

/*
 * Moves the stream to the listing's host entry `index`: its start (a fresh listing) for 0,
 * else the position recorded before the entry, else as far as recorded and then reading on.
 * Returns 1 when there, 0 when the directory ends before it, -1 with *error set.
 */
static int seek_to(wasi_dir_stream *stream, uint64_t index, int32_t *error) {
    if (index == 0) {
        rewinddir(stream->dir);
        stream->recorded = 0;
        stream->next = 0;
        return 1;
    }
    if (stream->next == index)
        return 1;
    uint64_t from = index <= stream->recorded ? index : stream->recorded;
    if (from == 0) {
        rewinddir(stream->dir);
    } else {
        seekdir(stream->dir, stream->positions[from - 1]);
    }
    stream->next = from;
    listed_entry skipped;
    while (stream->next < index) {
        int found = read_entry(stream, &skipped, error);
        if (found <= 0)
            return found;
    }
    return 1;
}

/* Where the dirents go: the guest buffer and how much of it is filled. */
typedef struct dirent_writer {
    wasi_memory memory;
    uint32_t buf;
    uint32_t buf_len;
    uint32_t used;
} dirent_writer;

static int is_full(const dirent_writer *writer) { return writer->used == writer->buf_len; }

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

/* The host's entries from the listing's entry `index` until the buffer fills or they end. */
static int32_t write_host_entries(dirent_writer *writer, wasi_dir_stream *stream, uint64_t index) {
    int32_t error = WASI_ESUCCESS;
    if (seek_to(stream, index, &error) <= 0)
        return error;
    listed_entry entry;
    while (!is_full(writer)) {
        int found = read_entry(stream, &entry, &error);
        if (found <= 0)
            return error;
        /* One cut short is read again from its recorded position by the next call. */
        if (!write_dirent(writer, COOKIE_HOST_START + stream->next, &entry))
            break;
    }
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
    stream->next = 0;
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
    if (error == WASI_ESUCCESS && !is_full(&writer))
        error = write_host_entries(&writer, stream, position - COOKIE_HOST_START);
    if (error != WASI_ESUCCESS)
        return error;
    wasi_store_u32(memory, bufused, writer.used);
    return WASI_ESUCCESS;
}
