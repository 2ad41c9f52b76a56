/* Rights as preview 1's witx assigns them. path_open with oflags TRUNC needs the directory's
   PATH_FILESTAT_SET_SIZE, whatever the new descriptor asks for (none at all here, or read-only
   through open(O_RDONLY | O_TRUNC)); without that right it fails with ENOTCAPABLE and leaves the
   file as it was. FD_SEEK implies FD_TELL; polling needs FD_READ or FD_WRITE besides
   POLL_FD_READWRITE; a new descriptor may ask only for rights its directory passes on; rights
   can be dropped, never added. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wasi/api.h>

/* The preopened /sandbox. */
#define SANDBOX 3

static const char *errno_name(int error) {
    switch (error) {
    case 0: return "ok";
    case __WASI_ERRNO_BADF: return "EBADF";
    case __WASI_ERRNO_INVAL: return "EINVAL";
    case __WASI_ERRNO_NOTCAPABLE: return "ENOTCAPABLE";
    case __WASI_ERRNO_PERM: return "EPERM";
    default: return strerror(error);
    }
}

static long long size_of(const char *path) {
    struct stat info;
    return stat(path, &info) == 0 ? (long long)info.st_size : -1;
}

static void write_text(const char *path, const char *text) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text) || close(fd) != 0)
        printf("cannot write %s: %s\n", path, strerror(errno));
}

/* path_open beneath `dir`, closing what it opens; the errno of the call. */
static int try_open(int dir, const char *path, __wasi_oflags_t oflags, __wasi_rights_t base,
                    __wasi_rights_t inheriting) {
    __wasi_fd_t fd;
    int error = __wasi_path_open(dir, 0, path, oflags, base, inheriting, 0, &fd);
    if (error == 0)
        __wasi_fd_close(fd);
    return error;
}

static void truncation(void) {
    write_text("/sandbox/t1.txt", "twelve bytes");
    printf("TRUNC asking no rights: %s, t1.txt now %lld bytes\n",
           errno_name(try_open(SANDBOX, "t1.txt", __WASI_OFLAGS_TRUNC, 0, 0)),
           size_of("/sandbox/t1.txt"));
    write_text("/sandbox/t2.txt", "twelve bytes");
    int fd = open("/sandbox/t2.txt", O_RDONLY | O_TRUNC);
    printf("open(O_RDONLY | O_TRUNC): %s, t2.txt now %lld bytes\n",
           fd >= 0 ? "ok" : strerror(errno), size_of("/sandbox/t2.txt"));
    if (fd >= 0)
        close(fd);

    /* The same through a directory that dropped PATH_FILESTAT_SET_SIZE. */
    __wasi_fd_t sub;
    int error = __wasi_path_open(SANDBOX, 0, "sub", __WASI_OFLAGS_DIRECTORY,
                                 __WASI_RIGHTS_PATH_OPEN | __WASI_RIGHTS_PATH_FILESTAT_SET_SIZE |
                                     __WASI_RIGHTS_FD_READDIR,
                                 ~(__wasi_rights_t)0 >> 34, 0, &sub);
    printf("open sub with PATH_FILESTAT_SET_SIZE: %s\n", errno_name(error));
    write_text("/sandbox/sub/t3.txt", "twelve bytes");
    printf("TRUNC through sub: %s, t3.txt now %lld bytes\n",
           errno_name(try_open(sub, "t3.txt", __WASI_OFLAGS_TRUNC, 0, 0)),
           size_of("/sandbox/sub/t3.txt"));
    write_text("/sandbox/sub/t3.txt", "twelve bytes");
    __wasi_fdstat_t stat;
    __wasi_fd_fdstat_get(sub, &stat);
    printf("drop PATH_FILESTAT_SET_SIZE from sub: %s\n",
           errno_name(__wasi_fd_fdstat_set_rights(
               sub, stat.fs_rights_base & ~__WASI_RIGHTS_PATH_FILESTAT_SET_SIZE,
               stat.fs_rights_inheriting)));
    printf("TRUNC through sub again: %s, t3.txt still %lld bytes\n",
           errno_name(try_open(sub, "t3.txt", __WASI_OFLAGS_TRUNC, 0, 0)),
           size_of("/sandbox/sub/t3.txt"));
    printf("TRUNC asking to write, through sub: %s, t3.txt still %lld bytes\n",
           errno_name(try_open(sub, "t3.txt", __WASI_OFLAGS_TRUNC, __WASI_RIGHTS_FD_WRITE, 0)),
           size_of("/sandbox/sub/t3.txt"));
    printf("plain open through sub: %s\n",
           errno_name(try_open(sub, "t3.txt", 0, __WASI_RIGHTS_FD_READ, 0)));
    printf("add PATH_FILESTAT_SET_SIZE back: %s\n",
           errno_name(
               __wasi_fd_fdstat_set_rights(sub, stat.fs_rights_base, stat.fs_rights_inheriting)));

    /* A directory passes on only its inheriting rights: asking for more is refused. */
    __wasi_fd_fdstat_set_rights(sub, stat.fs_rights_base & ~__WASI_RIGHTS_PATH_FILESTAT_SET_SIZE,
                                stat.fs_rights_inheriting & ~__WASI_RIGHTS_FD_WRITE);
    printf(
        "ask sub for FD_WRITE it cannot pass on: %s\n",
        errno_name(try_open(sub, "t3.txt", 0, __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE, 0)));
    printf("ask sub for FD_READ: %s\n",
           errno_name(try_open(sub, "t3.txt", 0, __WASI_RIGHTS_FD_READ, 0)));
    __wasi_fd_close(sub);
}

static void seek_and_tell(void) {
    __wasi_fd_t fd;
    __wasi_path_open(SANDBOX, 0, "hello.txt", 0,
                     __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_TELL, 0, 0,
                     &fd);
    __wasi_filesize_t position = 99;
    __wasi_fd_fdstat_set_rights(fd, __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_SEEK, 0);
    printf("FD_SEEK without FD_TELL: seek 3 %s,",
           errno_name(__wasi_fd_seek(fd, 3, __WASI_WHENCE_SET, &position)));
    printf(" tell %s at %llu,", errno_name(__wasi_fd_tell(fd, &position)),
           (unsigned long long)position);
    printf(" seek 0 from CUR %s\n",
           errno_name(__wasi_fd_seek(fd, 0, __WASI_WHENCE_CUR, &position)));
    __wasi_fd_fdstat_set_rights(fd, __WASI_RIGHTS_FD_READ, 0);
    printf("neither: tell %s, seek 0 from CUR %s\n", errno_name(__wasi_fd_tell(fd, &position)),
           errno_name(__wasi_fd_seek(fd, 0, __WASI_WHENCE_CUR, &position)));
    __wasi_fd_close(fd);

    __wasi_path_open(SANDBOX, 0, "hello.txt", 0, __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_TELL, 0,
                     0, &fd);
    printf("FD_TELL without FD_SEEK: tell %s, seek 0 from CUR %s,",
           errno_name(__wasi_fd_tell(fd, &position)),
           errno_name(__wasi_fd_seek(fd, 0, __WASI_WHENCE_CUR, &position)));
    printf(" seek 1 %s\n", errno_name(__wasi_fd_seek(fd, 1, __WASI_WHENCE_SET, &position)));
    __wasi_fd_close(fd);
}

static void polling(void) {
    __wasi_fd_t fd;
    __wasi_path_open(SANDBOX, 0, "hello.txt", 0,
                     __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_POLL_FD_READWRITE, 0, 0, &fd);
    __wasi_subscription_t subscriptions[2] = {0};
    subscriptions[0].userdata = 1;
    subscriptions[0].u.tag = __WASI_EVENTTYPE_FD_READ;
    subscriptions[0].u.u.fd_read.file_descriptor = fd;
    subscriptions[1].userdata = 2;
    subscriptions[1].u.tag = __WASI_EVENTTYPE_FD_WRITE;
    subscriptions[1].u.u.fd_write.file_descriptor = fd;
    __wasi_event_t events[2];
    __wasi_size_t count = 0;
    int error = __wasi_poll_oneoff(subscriptions, events, 2, &count);
    printf("poll a read-only descriptor: %s, %u events:", errno_name(error), (unsigned)count);
    for (__wasi_size_t i = 0; i < count; i++)
        printf(" [%llu %s]", (unsigned long long)events[i].userdata, errno_name(events[i].error));
    printf("\n");
    __wasi_fd_close(fd);
}

int main(void) {
    truncation();
    seek_and_tell();
    polling();
    return 0;
}
