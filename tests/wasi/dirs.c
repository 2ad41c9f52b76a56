/* Directories inside the granted one: listing with readdir (sorted, with entry types), a listing
   of 300 entries (several fd_readdir calls), rewinddir, fd_readdir itself (a buffer too small for
   one entry, resuming from each entry's cookie, a cookie past the end), nested mkdir, rename of a
   directory, rmdir of empty, non-empty and non-directory paths, and the errors of each misuse. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wasi/api.h>

static const char *result(int status) { return status == 0 ? "ok" : strerror(errno); }

static int compare_strings(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static char type_letter(unsigned char type) {
    switch (type) {
    case DT_REG: return 'f';
    case DT_DIR: return 'd';
    case DT_LNK: return 'l';
    default: return '?';
    }
}

/* Lists `path` sorted; with `verbose` each name and type, otherwise only the count. */
static void list(const char *path, int verbose) {
    DIR *dir = opendir(path);
    if (!dir) {
        printf("  opendir %s: %s\n", path, strerror(errno));
        return;
    }
    char **names = NULL;
    size_t count = 0;
    for (struct dirent *entry; (entry = readdir(dir));) {
        names = realloc(names, (count + 1) * sizeof *names);
        names[count] = malloc(strlen(entry->d_name) + 3);
        sprintf(names[count++], "%s %c", entry->d_name, type_letter(entry->d_type));
    }
    closedir(dir);
    qsort(names, count, sizeof *names, compare_strings);
    printf("  %s: %zu entries\n", path, count);
    for (size_t i = 0; i < count; i++) {
        if (verbose)
            printf("    %s\n", names[i]);
        free(names[i]);
    }
    free(names);
}

/* Lists sub/ through fd_readdir one entry at a time, resuming each call from the cookie of the
   entry before, as a program that keeps only a cookie between calls does. */
static void list_by_cookie(void) {
    int fd = open("/sandbox/sub", O_RDONLY | O_DIRECTORY);
    uint8_t buffer[256];
    __wasi_size_t used = 0;
    const size_t header = sizeof(__wasi_dirent_t);
    __wasi_errno_t error = __wasi_fd_readdir(fd, buffer, (__wasi_size_t)header - 4, 0, &used);
    printf("  fd_readdir into %zu bytes: error %d, filled it %d\n", header - 4, error,
           used == header - 4);
    char *names[16];
    size_t count = 0;
    __wasi_dircookie_t cookie = 0;
    while (count < 16) {
        if (__wasi_fd_readdir(fd, buffer, sizeof buffer, cookie, &used) != 0 || used < header)
            break;
        __wasi_dirent_t entry;
        memcpy(&entry, buffer, header);
        names[count] = strndup((const char *)buffer + header, entry.d_namlen);
        count++;
        cookie = entry.d_next;
    }
    qsort(names, count, sizeof *names, compare_strings);
    printf("  sub/ by cookie: %zu entries:", count);
    for (size_t i = 0; i < count; i++) {
        printf(" %s", names[i]);
        free(names[i]);
    }
    error = __wasi_fd_readdir(fd, buffer, sizeof buffer, cookie, &used);
    printf("\n  fd_readdir from the last cookie: error %d, %u bytes\n", error, (unsigned)used);
    close(fd);
}

int main(void) {
    printf("the fixture:\n");
    list("/sandbox", 1);
    list("/sandbox/sub", 1);
    list_by_cookie();

    printf("nested directories:\n");
    printf("  mkdir a: %s\n", result(mkdir("/sandbox/a", 0755)));
    printf("  mkdir a/b: %s\n", result(mkdir("/sandbox/a/b", 0755)));
    printf("  mkdir a/b/c: %s\n", result(mkdir("/sandbox/a/b/c", 0755)));
    printf("  mkdir x/y without x: %s\n", result(mkdir("/sandbox/x/y", 0755)));
    printf("  mkdir a again: %s\n", result(mkdir("/sandbox/a", 0755)));
    printf("  mkdir over a file: %s\n", result(mkdir("/sandbox/hello.txt", 0755)));
    int fd = open("/sandbox/a/b/c/deep.txt", O_CREAT | O_WRONLY, 0644);
    printf("  write a/b/c/deep.txt: %zd\n", write(fd, "deep\n", 5));
    close(fd);
    struct stat info;
    printf("  stat a/b/c is a directory: %d\n",
           stat("/sandbox/a/b/c", &info) == 0 && S_ISDIR(info.st_mode));
    printf("  a/./b/../b/c/deep.txt resolves: %s\n",
           result(stat("/sandbox/a/./b/../b/c/deep.txt", &info)));
    printf("  a/b//c/ with doubled and trailing slashes: %s\n",
           result(stat("/sandbox/a/b//c/", &info)));
    list("/sandbox/a/b/c", 1);

    printf("a large directory:\n");
    mkdir("/sandbox/many", 0755);
    char path[128];
    for (int i = 0; i < 300; i++) {
        snprintf(path, sizeof path, "/sandbox/many/entry-with-a-long-name-%03d.txt", i);
        close(open(path, O_CREAT | O_WRONLY, 0644));
    }
    list("/sandbox/many", 0);
    DIR *dir = opendir("/sandbox/many");
    int first_pass = 0, second_pass = 0;
    while (readdir(dir))
        first_pass++;
    rewinddir(dir);
    while (readdir(dir))
        second_pass++;
    closedir(dir);
    printf("  rewinddir lists the same count again: %d\n", first_pass == second_pass);
    for (int i = 0; i < 300; i++) {
        snprintf(path, sizeof path, "/sandbox/many/entry-with-a-long-name-%03d.txt", i);
        unlink(path);
    }
    printf("  rmdir after emptying: %s\n", result(rmdir("/sandbox/many")));

    printf("rename and remove:\n");
    printf("  rename a to renamed: %s\n", result(rename("/sandbox/a", "/sandbox/renamed")));
    printf("  rename a directory into itself: %s\n",
           result(rename("/sandbox/renamed", "/sandbox/renamed/b/inside")));
    printf("  rename a directory over a file: %s\n",
           result(rename("/sandbox/renamed", "/sandbox/hello.txt")));
    printf("  rename a directory over an empty one: %s\n",
           result(rename("/sandbox/sub/deeper", "/sandbox/empty")));
    printf("  rmdir non-empty: %s\n", result(rmdir("/sandbox/renamed")));
    printf("  rmdir a file: %s\n", result(rmdir("/sandbox/hello.txt")));
    printf("  rmdir missing: %s\n", result(rmdir("/sandbox/nothing")));
    printf("  opendir a file: %s\n", opendir("/sandbox/hello.txt") ? "opened" : strerror(errno));
    printf("  unlink deep.txt: %s\n", result(unlink("/sandbox/renamed/b/c/deep.txt")));
    printf("  rmdir c: %s\n", result(rmdir("/sandbox/renamed/b/c")));
    printf("  rmdir b: %s\n", result(rmdir("/sandbox/renamed/b")));
    printf("  rmdir renamed: %s\n", result(rmdir("/sandbox/renamed")));
    printf("  stat removed: %s\n", result(stat("/sandbox/renamed", &info)));
    printf("the end:\n");
    list("/sandbox", 1);
    return 0;
}
