/* Two granted directories, /sandbox and /other: the preopened descriptors and their names in
   grant order, files moved and linked between them (both granted, so allowed), and `..` from one
   into the other, which leaves a granted directory and is refused even though the target is
   granted too. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wasi/api.h>

static const char *result(int status) { return status == 0 ? "ok" : strerror(errno); }

static const char *boundary(int status) { return status == 0 ? "ESCAPED" : "denied"; }

int main(void) {
    for (int fd = 3; fd < 8; fd++) {
        __wasi_prestat_t prestat;
        if (__wasi_fd_prestat_get(fd, &prestat) != 0) {
            printf("fd %d: not a preopened directory\n", fd);
            break;
        }
        char name[64] = {0};
        size_t length = prestat.u.dir.pr_name_len;
        int error =
            length < sizeof name ? __wasi_fd_prestat_dir_name(fd, (uint8_t *)name, length) : -1;
        printf("fd %d: preopened %s [%s]\n", fd, error == 0 ? "directory" : "?", name);
        __wasi_fdstat_t fdstat;
        int is_directory = __wasi_fd_fdstat_get(fd, &fdstat) == 0 &&
                           fdstat.fs_filetype == __WASI_FILETYPE_DIRECTORY;
        printf("fd %d: fdstat type directory %d\n", fd, is_directory);
    }
    char name[4];
    printf("prestat_dir_name into a too small buffer fails: %d\n",
           __wasi_fd_prestat_dir_name(3, (uint8_t *)name, 2) != 0);
    __wasi_prestat_t prestat;
    printf("prestat of stdout fails: %d\n", __wasi_fd_prestat_get(1, &prestat) != 0);

    char buffer[32] = {0};
    int fd = open("/other/other.txt", O_RDONLY);
    printf("read /other/other.txt: %zd [%.5s]\n", read(fd, buffer, sizeof buffer), buffer);
    close(fd);
    fd = open("/sandbox/travels.txt", O_CREAT | O_WRONLY, 0644);
    write(fd, "travels\n", 8);
    close(fd);
    printf("rename /sandbox -> /other: %s\n",
           result(rename("/sandbox/travels.txt", "/other/travels.txt")));
    printf("link /other -> /sandbox: %s\n",
           result(link("/other/travels.txt", "/sandbox/travels-link.txt")));
    struct stat info;
    printf("links of travels.txt: %llu\n",
           stat("/sandbox/travels-link.txt", &info) == 0 ? (unsigned long long)info.st_nlink : 0);
    printf("rename a directory /sandbox/empty -> /other/empty: %s\n",
           result(rename("/sandbox/empty", "/other/empty")));

    printf("/other/../sandbox/hello.txt: %s\n",
           boundary(open("/other/../sandbox/hello.txt", O_RDONLY) < 0 ? -1 : 0));
    printf("/sandbox/../sandbox2/other.txt: %s\n",
           boundary(open("/sandbox/../sandbox2/other.txt", O_RDONLY) < 0 ? -1 : 0));
    printf("/sandbox/../outside/secret.txt: %s\n",
           boundary(open("/sandbox/../outside/secret.txt", O_RDONLY) < 0 ? -1 : 0));
    printf("rename into /other/../outside: %s\n",
           boundary(rename("/sandbox/hello.txt", "/other/../outside/hello.txt")));
    printf("opendir /: %s\n", boundary(opendir("/") ? 0 : -1));
    return 0;
}
