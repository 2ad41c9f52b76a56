/* /sandbox granted read-only: reading, listing, stat and readlink work, and every change is
   refused (EPERM or ENOTCAPABLE): opening for writing, creating, truncating, resizing, setting
   times, making and removing directories, unlinking, renaming, hard and symbolic links, through
   the preopen and through a subdirectory opened from it that passes on every right. With argument
   `descriptors`: writing, resizing, allocating and setting times through descriptors opened
   read-only, also once renumbered. The test runner checks that the host tree is byte-identical
   after. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wasi/api.h>

#define SANDBOX 3

/* A refusal is what the grant promises; anything else is printed as it is. */
static const char *refused(int status, int error) {
    if (status >= 0)
        return "ALLOWED";
    return error == EPERM || error == ENOTCAPABLE ? "refused" : strerror(error);
}

static void check(const char *what, int status) {
    printf("%-44s %s\n", what, refused(status, errno));
}

static void check_wasi(const char *what, int error) {
    printf("%-44s %s\n", what, error == 0 ? "ALLOWED" : refused(-1, error));
}

static int compare(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void list(const char *path) {
    DIR *dir = opendir(path);
    if (!dir) {
        printf("list %s: %s\n", path, strerror(errno));
        return;
    }
    char *names[64];
    int count = 0;
    for (struct dirent *entry; count < 64 && (entry = readdir(dir));)
        names[count++] = strdup(entry->d_name);
    closedir(dir);
    qsort(names, count, sizeof *names, compare);
    printf("list %s:", path);
    for (int i = 0; i < count; i++) {
        printf(" %s", names[i]);
        free(names[i]);
    }
    printf("\n");
}

static void reads(void) {
    char text[64] = {0};
    int fd = open("/sandbox/hello.txt", O_RDONLY);
    ssize_t length = fd >= 0 ? read(fd, text, sizeof text - 1) : -1;
    printf("read hello.txt: %zd bytes: %s", length, length > 0 ? text : "(nothing)\n");
    struct stat info;
    printf("stat sub/nested.txt: %s, %lld bytes\n",
           stat("/sandbox/sub/nested.txt", &info) == 0 ? "ok" : strerror(errno),
           (long long)info.st_size);
    char target[64] = {0};
    printf("readlink evil_file: %s\n", readlink("/sandbox/evil_file", target, sizeof target - 1) > 0
                                           ? target
                                           : strerror(errno));
    list("/sandbox");
    list("/sandbox/sub");
    if (fd >= 0)
        close(fd);
}

static void changes_by_path(void) {
    check("open hello.txt O_WRONLY", open("/sandbox/hello.txt", O_WRONLY));
    check("open hello.txt O_RDWR", open("/sandbox/hello.txt", O_RDWR));
    check("open hello.txt O_WRONLY | O_APPEND", open("/sandbox/hello.txt", O_WRONLY | O_APPEND));
    check("open hello.txt O_RDONLY | O_TRUNC", open("/sandbox/hello.txt", O_RDONLY | O_TRUNC));
    check("open new.txt O_CREAT", open("/sandbox/new.txt", O_WRONLY | O_CREAT, 0644));
    check("open hello.txt O_RDONLY | O_CREAT",
          open("/sandbox/hello.txt", O_RDONLY | O_CREAT, 0644));
    check("open sub/new.txt O_CREAT", open("/sandbox/sub/new.txt", O_RDWR | O_CREAT, 0644));
    check("truncate hello.txt", truncate("/sandbox/hello.txt", 1));
    check("mkdir newdir", mkdir("/sandbox/newdir", 0755));
    check("mkdir sub/deeper/newdir", mkdir("/sandbox/sub/deeper/newdir", 0755));
    check("rmdir empty", rmdir("/sandbox/empty"));
    check("unlink hello.txt", unlink("/sandbox/hello.txt"));
    check("unlink evil_file (a symlink)", unlink("/sandbox/evil_file"));
    check("rename hello.txt to moved.txt", rename("/sandbox/hello.txt", "/sandbox/moved.txt"));
    check("rename hello.txt over keep.txt", rename("/sandbox/hello.txt", "/sandbox/keep.txt"));
    check("rename sub to sub2", rename("/sandbox/sub", "/sandbox/sub2"));
    check("link hello.txt to sub/hard", link("/sandbox/hello.txt", "/sandbox/sub/hard"));
    check("symlink hello.txt as soft", symlink("hello.txt", "/sandbox/soft"));
    struct timespec times[2] = {{1, 0}, {1, 0}};
    check("utimensat hello.txt", utimensat(AT_FDCWD, "/sandbox/hello.txt", times, 0));
    check("utimensat sub", utimensat(AT_FDCWD, "/sandbox/sub", times, 0));
    check("utimensat evil_file, no follow",
          utimensat(AT_FDCWD, "/sandbox/evil_file", times, AT_SYMLINK_NOFOLLOW));
}

static void changes_by_descriptor(void) {
    int fd = open("/sandbox/hello.txt", O_RDONLY);
    check("ftruncate", ftruncate(fd, 0));
    struct timespec times[2] = {{1, 0}, {1, 0}};
    check("futimens", futimens(fd, times));
    close(fd);

    /* Raw calls, asking for every right: the grant refuses all the same. */
    __wasi_fd_t opened;
    __wasi_rights_t all = ~(__wasi_rights_t)0 >> 34;
    check_wasi("path_open for writing, every right",
               __wasi_path_open(SANDBOX, 0, "keep.txt", 0, all, all, 0, &opened));
    check_wasi("path_open O_TRUNC, no rights",
               __wasi_path_open(SANDBOX, 0, "keep.txt", __WASI_OFLAGS_TRUNC, 0, 0, 0, &opened));
    check_wasi("path_filestat_set_times keep.txt",
               __wasi_path_filestat_set_times(SANDBOX, 0, "keep.txt", 1, 1,
                                              __WASI_FSTFLAGS_ATIM_NOW | __WASI_FSTFLAGS_MTIM_NOW));
    check_wasi(
        "fd_filestat_set_times on the preopen",
        __wasi_fd_filestat_set_times(SANDBOX, 1, 1, __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM));
    check_wasi("path_symlink", __wasi_path_symlink("keep.txt", SANDBOX, "soft2"));
    check_wasi("path_link", __wasi_path_link(SANDBOX, 0, "keep.txt", SANDBOX, "hard2"));

    /* A subdirectory opened from the grant, asking for every right but writing and passing on
     * every right, is read-only too. */
    __wasi_fd_t sub;
    __wasi_rights_t writing = __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_DATASYNC |
                              __WASI_RIGHTS_FD_ALLOCATE | __WASI_RIGHTS_FD_FILESTAT_SET_SIZE;
    int error =
        __wasi_path_open(SANDBOX, 0, "sub", __WASI_OFLAGS_DIRECTORY, all & ~writing, all, 0, &sub);
    printf("%-44s %s\n", "open sub passing on every right", error == 0 ? "ok" : strerror(error));
    if (error == 0) {
        check_wasi("create sub/x.txt",
                   __wasi_path_open(sub, 0, "x.txt", __WASI_OFLAGS_CREAT, all, all, 0, &opened));
        check_wasi("create sub/xdir", __wasi_path_create_directory(sub, "xdir"));
        check_wasi("unlink sub/nested.txt", __wasi_path_unlink_file(sub, "nested.txt"));
        check_wasi("remove sub/deeper", __wasi_path_remove_directory(sub, "deeper"));
        check_wasi("rename sub/nested.txt", __wasi_path_rename(sub, "nested.txt", sub, "n.txt"));
        error = __wasi_path_open(sub, 0, "nested.txt", 0, __WASI_RIGHTS_FD_READ, 0, 0, &opened);
        printf("%-44s %s\n", "read sub/nested.txt through sub",
               error == 0 ? "ok" : strerror(error));
        __wasi_fd_close(sub);
    }
}

/* What a descriptor opened read-only refuses, under any grant. */
static void read_only_descriptors(void) {
    int fd = open("/sandbox/hello.txt", O_RDONLY);
    char byte = 'x';
    check("write", (int)write(fd, &byte, 1));
    check("pwrite", (int)pwrite(fd, &byte, 1, 0));
    int error = posix_fallocate(fd, 0, 4096);
    check("posix_fallocate", error ? (errno = error, -1) : 0);
    /* Renumbered over another descriptor, it keeps its grant. */
    int other = open("/sandbox/keep.txt", O_RDONLY);
    error = __wasi_fd_renumber(fd, other);
    printf("%-44s %s\n", "fd_renumber", error == 0 ? "ok" : strerror(error));
    check_wasi("fd_filestat_set_size, renumbered", __wasi_fd_filestat_set_size(other, 0));
    check_wasi(
        "fd_filestat_set_times, renumbered",
        __wasi_fd_filestat_set_times(other, 1, 1, __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM));
    check_wasi("fd_write, renumbered",
               __wasi_fd_write(other, &(__wasi_ciovec_t){(const uint8_t *)&byte, 1}, 1,
                               &(__wasi_size_t){0}));
    close(other);
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "descriptors") == 0) {
        read_only_descriptors();
        return 0;
    }
    reads();
    changes_by_path();
    changes_by_descriptor();
    return 0;
}
