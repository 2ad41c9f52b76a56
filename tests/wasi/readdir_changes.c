/* fd_readdir on a directory that changes. With argument `fresh`: a listing at cookie 0 after a
   file was created sees it (also after a listing that ran to the end), and a cookie saved from a
   listing resumes it after another listing at cookie 0 ran in between. With `changing`: a
   listing continued from its cookie after entries were added and removed behind and ahead of
   it yields no entry twice, no name that never existed, and every entry that stayed. Names are
   printed sorted, cookies as their order, so the output does not depend on the host's order. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wasi/api.h>

#define MAX_NAMES 64

typedef struct names {
    char name[MAX_NAMES][32];
    int count;
} names;

/* Up to `max_entries` whole entries from `cookie` (all when max_entries is 0), appended to
   `out`; returns the cookie after the last one taken, or `cookie` at the end. */
static __wasi_dircookie_t read_from(int fd, __wasi_dircookie_t cookie, int max_entries,
                                    names *out) {
    static uint8_t buffer[4096];
    for (int taken = 0; max_entries == 0 || taken < max_entries;) {
        __wasi_size_t used = 0;
        __wasi_errno_t error = __wasi_fd_readdir(fd, buffer, sizeof buffer, cookie, &used);
        if (error != 0) {
            printf("fd_readdir at cookie %llu: error %d\n", (unsigned long long)cookie, error);
            exit(1);
        }
        size_t at = 0;
        int whole = 0;
        while (at + sizeof(__wasi_dirent_t) <= used) {
            __wasi_dirent_t entry;
            memcpy(&entry, buffer + at, sizeof entry);
            if (at + sizeof entry + entry.d_namlen > used)
                break; /* cut short by the buffer's end: read again from `cookie` */
            char name[32] = {0};
            memcpy(name, buffer + at + sizeof entry, entry.d_namlen < 31 ? entry.d_namlen : 31);
            if (out->count < MAX_NAMES)
                strcpy(out->name[out->count++], name);
            cookie = entry.d_next;
            at += sizeof entry + entry.d_namlen;
            whole++;
            if (max_entries && ++taken == max_entries)
                return cookie;
        }
        if (used < sizeof buffer && whole == 0)
            return cookie; /* the end */
    }
    return cookie;
}

static int compare(const void *a, const void *b) { return strcmp(a, b); }

static void show(const char *what, names *list) {
    qsort(list->name, list->count, sizeof list->name[0], compare);
    printf("%s:", what);
    for (int i = 0; i < list->count; i++)
        printf(" %s", list->name[i]);
    printf("\n");
}

static int open_directory(const char *path) {
    int fd = open(path, O_RDONLY | O_DIRECTORY);
    if (fd < 0) {
        printf("open %s: %s\n", path, strerror(errno));
        exit(1);
    }
    return fd;
}

static void create(const char *path) {
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fd < 0 || close(fd) != 0)
        printf("create %s: %s\n", path, strerror(errno));
}

static void fresh(void) {
    int fd = open_directory("/sandbox/empty");
    names list = {0};
    read_from(fd, 0, 0, &list);
    show("empty at cookie 0", &list);
    create("/sandbox/empty/new");
    list.count = 0;
    read_from(fd, 0, 0, &list);
    show("after creating new, at cookie 0", &list);
    create("/sandbox/empty/newer");
    list.count = 0;
    read_from(fd, 0, 0, &list);
    show("after creating newer, at cookie 0", &list);

    for (int i = 0; i < 12; i++) {
        char path[64];
        snprintf(path, sizeof path, "/sandbox/empty/f%02d", i);
        create(path);
    }
    /* A listing's first five entries, then a whole listing, then the first one resumed. */
    names first = {0}, whole = {0};
    __wasi_dircookie_t saved = read_from(fd, 0, 5, &first);
    read_from(fd, 0, 0, &whole);
    names rest = first;
    read_from(fd, saved, 0, &rest);
    show("whole listing", &whole);
    show("five, then resumed at the fifth's cookie", &rest);
    printf("resumed listing equals the whole: %s\n",
           rest.count == whole.count && memcmp(rest.name, whole.name, sizeof rest.name) == 0
               ? "yes"
               : "NO");
    /* Past the end: nothing, and no error. */
    names none = {0};
    read_from(fd, 1000, 0, &none);
    read_from(fd, (__wasi_dircookie_t)1 << 40, 0, &none);
    printf("entries past the end: %d\n", none.count);
    close(fd);
}

static int find(const names *list, const char *name) {
    int found = 0;
    for (int i = 0; i < list->count; i++)
        found += strcmp(list->name[i], name) == 0;
    return found;
}

static void changing(void) {
    char path[64];
    for (int i = 0; i < 20; i++) {
        snprintf(path, sizeof path, "/sandbox/empty/g%02d", i);
        create(path);
    }
    int fd = open_directory("/sandbox/empty");
    names before = {0};
    read_from(fd, 0, 0, &before);
    /* Half a listing, then every second file removed, six added, and the listing resumed. */
    names seen = {0};
    __wasi_dircookie_t cookie = read_from(fd, 0, 11, &seen);
    for (int i = 0; i < 20; i += 2) {
        snprintf(path, sizeof path, "/sandbox/empty/g%02d", i);
        if (unlink(path) != 0)
            printf("unlink %s: %s\n", path, strerror(errno));
    }
    for (int i = 0; i < 6; i++) {
        snprintf(path, sizeof path, "/sandbox/empty/h%02d", i);
        create(path);
    }
    read_from(fd, cookie, 0, &seen);
    int twice = 0, unknown = 0, missing = 0;
    for (int i = 0; i < seen.count; i++) {
        twice += find(&seen, seen.name[i]) > 1;
        unknown += !find(&before, seen.name[i]) && seen.name[i][0] != 'h';
    }
    /* Every entry that was there all along: the odd-numbered files and the dots. */
    for (int i = 0; i < before.count; i++) {
        const char *name = before.name[i];
        int removed = name[0] == 'g' && atoi(name + 1) % 2 == 0;
        missing += !removed && !find(&seen, name);
    }
    printf("resumed after changes: entries seen twice %d, never existed %d, kept but missing %d\n",
           twice, unknown, missing);
    /* A fresh listing sees exactly what is there now. */
    names now = {0};
    read_from(fd, 0, 0, &now);
    show("at cookie 0 after the changes", &now);
    close(fd);
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "changing") == 0)
        changing();
    else
        fresh();
    return 0;
}
