/* Regular files inside the granted directory: create, write, read, stat sizes and types,
   seek/tell, pread/pwrite, ftruncate (shrink and grow), O_APPEND (at open and set by fcntl),
   O_EXCL, holes, hard links, rename (also over an existing file), set and read times, fsync,
   fd_renumber, long names, 300 open descriptors, and unlink. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wasi/api.h>

static const char *result(int status) { return status == 0 ? "ok" : strerror(errno); }

static void print_file(const char *path) {
    char buffer[128];
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        printf("  %s: open: %s\n", path, strerror(errno));
        return;
    }
    ssize_t count = read(fd, buffer, sizeof buffer);
    close(fd);
    printf("  %s: %zd bytes [", path, count);
    for (ssize_t i = 0; i < count; i++)
        printf(buffer[i] == '\n' ? "\\n" : buffer[i] ? "%c" : "\\0", buffer[i]);
    printf("]\n");
}

static void print_stat(const char *path) {
    struct stat info;
    if (stat(path, &info) != 0) {
        printf("  stat %s: %s\n", path, strerror(errno));
        return;
    }
    /* A directory's size and link count depend on the host file system: print only its type. */
    if (S_ISDIR(info.st_mode)) {
        printf("  stat %s: dir\n", path);
        return;
    }
    const char *type = S_ISREG(info.st_mode) ? "file" : "other";
    printf("  stat %s: %s, %lld bytes, %llu links\n", path, type, (long long)info.st_size,
           (unsigned long long)info.st_nlink);
}

int main(void) {
    printf("the fixture's file:\n");
    print_file("/sandbox/hello.txt");
    print_stat("/sandbox/hello.txt");
    print_stat("/sandbox");

    printf("create and write:\n");
    int fd = open("/sandbox/data.txt", O_CREAT | O_RDWR | O_TRUNC, 0644);
    printf("  open O_CREAT: %s\n", fd >= 0 ? "ok" : strerror(errno));
    printf("  write: %zd\n", write(fd, "0123456789abcdef", 16));
    printf("  tell after write: %lld\n", (long long)lseek(fd, 0, SEEK_CUR));
    printf("  seek to 4: %lld\n", (long long)lseek(fd, 4, SEEK_SET));
    char buffer[64] = {0};
    printf("  read 6: %zd [%.6s]\n", read(fd, buffer, 6), buffer);
    printf("  seek -3 from end: %lld\n", (long long)lseek(fd, -3, SEEK_END));
    printf("  read rest: %zd [%.3s]\n", read(fd, buffer, sizeof buffer), buffer);
    printf("  read at eof: %zd\n", read(fd, buffer, sizeof buffer));
    printf("  seek -14 from current: %lld\n", (long long)lseek(fd, -14, SEEK_CUR));
    /* Each call is made before its printf: argument evaluation order would race errno. */
    off_t position = lseek(fd, -100, SEEK_CUR);
    printf("  seek before start: %lld (%s)\n", (long long)position, strerror(errno));
    printf("  pwrite at 10: %zd\n", pwrite(fd, "XY", 2, 10));
    memset(buffer, 0, sizeof buffer);
    printf("  pread at 8: %zd [%.4s]\n", pread(fd, buffer, 4, 8), buffer);
    printf("  position unchanged by pread/pwrite: %lld\n", (long long)lseek(fd, 0, SEEK_CUR));
    printf("  fsync: %s, fdatasync: %s\n", result(fsync(fd)), result(fdatasync(fd)));
    printf("  posix_fadvise: %d\n", posix_fadvise(fd, 0, 16, POSIX_FADV_SEQUENTIAL));

    printf("truncate:\n");
    printf("  ftruncate to 5: %s\n", result(ftruncate(fd, 5)));
    print_stat("/sandbox/data.txt");
    printf("  ftruncate to 12: %s\n", result(ftruncate(fd, 12)));
    print_file("/sandbox/data.txt");
    printf("  write past the end after seek to 20: %zd\n",
           (lseek(fd, 20, SEEK_SET), write(fd, "end", 3)));
    print_file("/sandbox/data.txt");
    struct stat info;
    fstat(fd, &info);
    printf("  fstat size: %lld, is file %d\n", (long long)info.st_size, S_ISREG(info.st_mode));
    close(fd);

    printf("times:\n");
    struct timespec times[2] = {{1600000000, 5}, {1700000000, 123456789}};
    printf("  utimensat: %s\n", result(utimensat(AT_FDCWD, "/sandbox/data.txt", times, 0)));
    stat("/sandbox/data.txt", &info);
    printf("  atime %lld.%09ld mtime %lld.%09ld\n", (long long)info.st_atim.tv_sec,
           info.st_atim.tv_nsec, (long long)info.st_mtim.tv_sec, info.st_mtim.tv_nsec);
    fd = open("/sandbox/data.txt", O_RDWR);
    struct timespec mtime_only[2] = {{0, UTIME_OMIT}, {1650000000, 0}};
    printf("  futimens mtime only: %s\n", result(futimens(fd, mtime_only)));
    fstat(fd, &info);
    printf("  atime %lld mtime %lld\n", (long long)info.st_atim.tv_sec,
           (long long)info.st_mtim.tv_sec);
    close(fd);

    printf("append and exclusive create:\n");
    fd = open("/sandbox/log.txt", O_CREAT | O_WRONLY | O_APPEND, 0644);
    write(fd, "one\n", 4);
    lseek(fd, 0, SEEK_SET);
    write(fd, "two\n", 4);
    printf("  O_APPEND flag reported: %d\n", (fcntl(fd, F_GETFL) & O_APPEND) != 0);
    close(fd);
    print_file("/sandbox/log.txt");
    fd = open("/sandbox/log.txt", O_RDWR);
    printf("  fcntl F_SETFL O_APPEND: %s\n", result(fcntl(fd, F_SETFL, O_APPEND)));
    printf("  O_APPEND now reported: %d\n", (fcntl(fd, F_GETFL) & O_APPEND) != 0);
    lseek(fd, 0, SEEK_SET);
    write(fd, "three\n", 6);
    close(fd);
    print_file("/sandbox/log.txt");
    fd = open("/sandbox/log.txt", O_CREAT | O_EXCL | O_WRONLY, 0644);
    printf("  O_EXCL on an existing file: %s\n", fd >= 0 ? "opened" : strerror(errno));
    printf("  open a missing file: %s\n",
           open("/sandbox/missing.txt", O_RDONLY) >= 0 ? "opened" : strerror(errno));
    printf("  open a file as a directory: %s\n",
           open("/sandbox/log.txt", O_RDONLY | O_DIRECTORY) >= 0 ? "opened" : strerror(errno));
    printf("  open a file with a trailing slash: %s\n",
           open("/sandbox/log.txt/", O_RDONLY) >= 0 ? "opened" : strerror(errno));
    fd = open("/sandbox/log.txt", O_RDONLY);
    ssize_t written = write(fd, "x", 1);
    printf("  write to a read-only descriptor: %zd (%s)\n", written, strerror(errno));
    close(fd);

    printf("names and descriptors:\n");
    char name[300] = "/sandbox/";
    memset(name + 9, 'n', 255);
    fd = open(name, O_CREAT | O_WRONLY, 0644);
    printf("  create a 255-byte name: %s\n", fd >= 0 ? "ok" : strerror(errno));
    close(fd);
    printf("  unlink it: %s\n", result(unlink(name)));
    name[9 + 256] = '\0';
    name[9 + 255] = 'n';
    printf("  create a 256-byte name: %s\n",
           open(name, O_CREAT | O_WRONLY, 0644) >= 0 ? "opened" : strerror(errno));
    int many[300], opened = 0, distinct = 1;
    for (int i = 0; i < 300; i++) {
        many[i] = open("/sandbox/hello.txt", O_RDONLY);
        opened += many[i] >= 0;
        for (int j = 0; j < i; j++)
            distinct &= many[j] != many[i];
    }
    printf("  300 descriptors open at once: %d, all distinct %d\n", opened, distinct);
    for (int i = 0; i < 300; i++)
        close(many[i]);

    printf("renumber:\n");
    int first = open("/sandbox/hello.txt", O_RDONLY), second = open("/sandbox/log.txt", O_RDONLY);
    printf("  fd_renumber: %d\n", __wasi_fd_renumber(first, second));
    memset(buffer, 0, sizeof buffer);
    printf("  read the new number: %zd [%.5s]\n", read(second, buffer, 5), buffer);
    ssize_t count = read(first, buffer, 1);
    printf("  the old number is closed: %zd (%s)\n", count, strerror(errno));
    printf("  close twice: %s\n", result(close(second) == 0 ? close(second) : -1));

    printf("links and renames:\n");
    printf("  link: %s\n", result(link("/sandbox/log.txt", "/sandbox/log-link.txt")));
    print_stat("/sandbox/log.txt");
    printf("  link onto an existing name: %s\n",
           result(link("/sandbox/log.txt", "/sandbox/data.txt")));
    printf("  rename: %s\n", result(rename("/sandbox/log-link.txt", "/sandbox/renamed.txt")));
    printf("  rename over an existing file: %s\n",
           result(rename("/sandbox/renamed.txt", "/sandbox/data.txt")));
    print_file("/sandbox/data.txt");
    print_stat("/sandbox/log.txt");
    printf("  rename a missing file: %s\n", result(rename("/sandbox/nothing", "/sandbox/x")));
    printf("  unlink: %s\n", result(unlink("/sandbox/log.txt")));
    printf("  unlink again: %s\n", result(unlink("/sandbox/log.txt")));
    printf("  unlink a directory: %s\n", result(unlink("/sandbox/sub")));
    print_stat("/sandbox/data.txt");
    printf("  access data.txt: %s\n", result(access("/sandbox/data.txt", R_OK | W_OK)));
    return 0;
}
