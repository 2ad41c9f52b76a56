/*
 * The capability sandbox: a guest path resolved beneath a directory descriptor without ever
 * leaving it.
 *
 * The host never walks a guest path itself. Each component is opened with openat relative to a
 * directory fd already held, with O_NOFOLLOW, so the host's lookup never meets a ".." or a
 * symlink: ".." pops a stack of the directories walked through (and popping past the starting
 * one is refused), and a symlink is read with readlinkat and its target spliced in front of the
 * remaining components, where the same rules apply. A symlink swapped in on disk while we walk
 * is either refused by O_NOFOLLOW or read and resolved like any other, so it cannot redirect
 * the walk outside. The final component is left to the caller, who acts on it with an *at call
 * that does not follow it either.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wasi_resolve.h"

/* Symlink expansions allowed in one resolution, as the host kernel allows. */
#define SYMLINK_EXPANSIONS 40

/* Well-formed UTF-8: no overlong forms, surrogates or values past U+10FFFF. */
static int is_utf8(const unsigned char *bytes, size_t length) {
    size_t at = 0;
    while (at < length) {
        unsigned char lead = bytes[at];
        size_t extra;
        uint32_t point, least;
        if (lead < 0x80) {
            at++;
            continue;
        } else if ((lead & 0xE0) == 0xC0) {
            extra = 1, point = lead & 0x1F, least = 0x80;
        } else if ((lead & 0xF0) == 0xE0) {
            extra = 2, point = lead & 0x0F, least = 0x800;
        } else if ((lead & 0xF8) == 0xF0) {
            extra = 3, point = lead & 0x07, least = 0x10000;
        } else {
            return 0;
        }
        if (length - at <= extra)
            return 0;
        for (size_t i = 1; i <= extra; i++) {
            if ((bytes[at + i] & 0xC0) != 0x80)
                return 0;
            point = point << 6 | (bytes[at + i] & 0x3F);
        }
        if (point < least || point > 0x10FFFF || (point >= 0xD800 && point <= 0xDFFF))
            return 0;
        at += extra + 1;
    }
    return 1;
}

int32_t wasi_read_path(wasi_memory memory, uint32_t pointer, uint32_t length, char out[PATH_MAX]) {
    if (!wasi_in_bounds(memory, pointer, length))
        return WASI_EFAULT;
    if (length >= PATH_MAX)
        return WASI_ENAMETOOLONG;
    const unsigned char *bytes = memory.base + pointer;
    if (!is_utf8(bytes, length))
        return WASI_EILSEQ;
    /* The host takes C strings: a NUL inside would silently cut the path short. */
    if (memchr(bytes, '\0', length))
        return WASI_EINVAL;
    if (length == 0)
        return WASI_ENOENT;
    memcpy(out, bytes, length);
    out[length] = '\0';
    return WASI_ESUCCESS;
}

/* The directories walked through: fds[0] is the starting directory (not owned), the rest are
 * owned, and fds[depth] is where the walk stands. */
typedef struct directory_stack {
    int *fds;
    uint32_t depth;
    uint32_t capacity;
} directory_stack;

static int32_t enter(directory_stack *stack, int fd) {
    if (stack->depth + 1 == stack->capacity) {
        uint32_t capacity = stack->capacity * 2;
        int *fds = realloc(stack->fds, capacity * sizeof *fds);
        if (!fds) {
            close(fd);
            return WASI_ENOMEM;
        }
        stack->fds = fds;
        stack->capacity = capacity;
    }
    stack->fds[++stack->depth] = fd;
    return WASI_ESUCCESS;
}

/* ".." returns to the directory we came from, never above the starting one. */
static int32_t leave(directory_stack *stack) {
    if (stack->depth == 0)
        return WASI_EPERM;
    close(stack->fds[stack->depth--]);
    return WASI_ESUCCESS;
}

static void close_stack(directory_stack *stack) {
    while (stack->depth > 0)
        close(stack->fds[stack->depth--]);
    free(stack->fds);
}

/* Hands the current directory over as an owned fd; close_stack closes the rest of the stack. */
static int32_t finish(directory_stack *stack, const char *name, size_t name_length,
                      wasi_resolved *out) {
    out->depth = stack->depth;
    if (stack->depth == 0) {
        out->parent = fcntl(stack->fds[0], F_DUPFD_CLOEXEC, 0);
        if (out->parent < 0)
            return wasi_errno(errno);
    } else {
        out->parent = stack->fds[stack->depth--];
    }
    memcpy(out->name, name, name_length);
    out->name[name_length] = '\0';
    return WASI_ESUCCESS;
}

/*
 * Sets *is_symlink to whether `name` in `directory` is a symlink (it is not when absent); if it
 * is, its target goes to `target` (PATH_MAX bytes) with its length in *target_length.
 */
static int32_t read_symlink(int directory, const char *name, char *target, size_t *target_length,
                            int *is_symlink) {
    ssize_t length = readlinkat(directory, name, target, PATH_MAX);
    *is_symlink = length >= 0;
    if (length < 0)
        return WASI_ESUCCESS;
    if (length == PATH_MAX)
        return WASI_ENAMETOOLONG;
    /* An absolute target would name something outside the sandbox, an empty one nothing. */
    if (length > 0 && target[0] == '/')
        return WASI_EPERM;
    if (length == 0)
        return WASI_ENOENT;
    *target_length = (size_t)length;
    return WASI_ESUCCESS;
}

/* Replaces path[0, end) (what was walked, up to and including the symlink) by its target. */
static int32_t splice_target(char *path, size_t *length, size_t end, const char *target,
                             size_t target_length) {
    size_t rest = *length - end;
    if (target_length + rest >= PATH_MAX)
        return WASI_ENAMETOOLONG;
    memmove(path + target_length, path + end, rest);
    memcpy(path, target, target_length);
    *length = target_length + rest;
    return WASI_ESUCCESS;
}

static int open_directory(int directory, const char *name) {
    int fd;
    do {
        fd = openat(directory, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    return fd;
}

static int32_t walk_path(directory_stack *stack, char *path, size_t length, int flags,
                         wasi_resolved *out) {
    char target[PATH_MAX];
    size_t target_length = 0;
    unsigned expansions = 0;
    size_t at = 0;
    for (;;) {
        while (at < length && path[at] == '/')
            at++;
        /* Nothing left (the path ended in "/", "." or ".."): it names where we stand. */
        if (at == length)
            return finish(stack, ".", 1, out);
        size_t end = at;
        while (end < length && path[end] != '/')
            end++;
        size_t next = end;
        while (next < length && path[next] == '/')
            next++;
        size_t name_length = end - at;
        if (name_length > NAME_MAX)
            return WASI_ENAMETOOLONG;
        char name[NAME_MAX + 1];
        memcpy(name, path + at, name_length);
        name[name_length] = '\0';
        int32_t error = WASI_ESUCCESS;
        if (strcmp(name, ".") == 0) {
            at = next;
            continue;
        }
        if (strcmp(name, "..") == 0) {
            error = leave(stack);
            if (error != WASI_ESUCCESS)
                return error;
            at = next;
            continue;
        }
        int is_symlink = 0;
        int trailing_slash = end < length;
        if (next == length && (!trailing_slash || (flags & WASI_RESOLVE_ENTRY))) {
            /* The final component: the caller acts on it, unless it is a symlink to follow. */
            if ((flags & WASI_RESOLVE_FOLLOW) && !trailing_slash)
                error = read_symlink(stack->fds[stack->depth], name, target, &target_length,
                                     &is_symlink);
            if (error != WASI_ESUCCESS)
                return error;
            if (!is_symlink)
                return finish(stack, path + at, next == end ? name_length : name_length + 1, out);
        } else {
            int fd = open_directory(stack->fds[stack->depth], name);
            if (fd >= 0) {
                error = enter(stack, fd);
                if (error != WASI_ESUCCESS)
                    return error;
                at = next;
                continue;
            }
            int open_errno = errno;
            /* O_NOFOLLOW refuses a symlink with ELOOP, O_DIRECTORY with ENOTDIR. */
            if (open_errno == ELOOP || open_errno == ENOTDIR)
                error = read_symlink(stack->fds[stack->depth], name, target, &target_length,
                                     &is_symlink);
            if (error != WASI_ESUCCESS)
                return error;
            if (!is_symlink)
                return wasi_errno(open_errno);
        }
        if (++expansions > SYMLINK_EXPANSIONS)
            return WASI_ELOOP;
        error = splice_target(path, &length, end, target, target_length);
        if (error != WASI_ESUCCESS)
            return error;
        at = 0;
    }
}

int32_t wasi_resolve(wasi_memory memory, const wasi_fd *dir, uint32_t pointer, uint32_t length,
                     int flags, wasi_resolved *out) {
    char path[PATH_MAX];
    int32_t error = wasi_read_path(memory, pointer, length, path);
    if (error != WASI_ESUCCESS)
        return error;
    if (path[0] == '/')
        return WASI_EPERM;
    directory_stack stack = {.fds = malloc(16 * sizeof(int)), .depth = 0, .capacity = 16};
    if (!stack.fds)
        return WASI_ENOMEM;
    stack.fds[0] = dir->host;
    error = walk_path(&stack, path, length, flags, out);
    close_stack(&stack);
    return error;
}
