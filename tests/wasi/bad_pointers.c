/* Guest pointers and lengths that reach past the end of linear memory, passed straight to the
   WASI imports: each call must fail with an error (and the program carry on), never crash the
   process or touch memory outside the guest's. Also calls with out-of-range descriptors and
   counts. Only "error" or "ok" is printed: runtimes differ in which errno they give. The runner
   grants an environment variable, so that environ_get has something to write. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define IMPORT(name) __attribute__((import_module("wasi_snapshot_preview1"), import_name(#name)))

IMPORT(fd_write)
int32_t raw_fd_write(int32_t fd, uint32_t iovs, uint32_t count, uint32_t written);
IMPORT(fd_read)
int32_t raw_fd_read(int32_t fd, uint32_t iovs, uint32_t count, uint32_t read);
IMPORT(path_open)
int32_t raw_path_open(int32_t fd, int32_t dirflags, uint32_t path, uint32_t length, int32_t oflags,
                      int64_t base, int64_t inheriting, int32_t fdflags, uint32_t opened);
IMPORT(args_sizes_get)
int32_t raw_args_sizes_get(uint32_t count, uint32_t size);
IMPORT(args_get)
int32_t raw_args_get(uint32_t argv, uint32_t buffer);
IMPORT(environ_get)
int32_t raw_environ_get(uint32_t environ, uint32_t buffer);
IMPORT(clock_time_get)
int32_t raw_clock_time_get(int32_t clock, int64_t precision, uint32_t time);
IMPORT(random_get)
int32_t raw_random_get(uint32_t buffer, uint32_t length);
IMPORT(fd_prestat_dir_name)
int32_t raw_fd_prestat_dir_name(int32_t fd, uint32_t path, uint32_t length);
IMPORT(fd_filestat_get)
int32_t raw_fd_filestat_get(int32_t fd, uint32_t filestat);
IMPORT(fd_readdir)
int32_t raw_fd_readdir(int32_t fd, uint32_t buffer, uint32_t length, int64_t cookie, uint32_t used);
IMPORT(poll_oneoff)
int32_t raw_poll_oneoff(uint32_t in, uint32_t out, uint32_t count, uint32_t events);
IMPORT(fd_close)
int32_t raw_fd_close(int32_t fd);
IMPORT(path_create_directory)
int32_t raw_path_create_directory(int32_t fd, uint32_t path, uint32_t length);

static uint32_t address(const void *pointer) { return (uint32_t)(uintptr_t)pointer; }

static void expect_error(const char *what, int32_t error) {
    printf("%-60s %s\n", what, error != 0 ? "error" : "ok (UNEXPECTED)");
}

int main(void) {
    /* The first byte past linear memory, and the last one inside it. */
    const uint32_t end = (uint32_t)__builtin_wasm_memory_size(0) * 65536u;
    const uint32_t last = end - 1;
    uint32_t out[4] = {0};
    static char text[] = "inside\n";
    uint32_t iov[2] = {address(text), 7};

    expect_error("fd_write: iovec array past the end", raw_fd_write(1, last - 3, 1, address(out)));
    iov[0] = last - 2;
    iov[1] = 16;
    expect_error("fd_write: buffer running past the end",
                 raw_fd_write(1, address(iov), 1, address(out)));
    iov[0] = address(text);
    iov[1] = 0xffffffffu;
    expect_error("fd_write: length 4 GiB - 1", raw_fd_write(1, address(iov), 1, address(out)));
    iov[1] = 7;
    expect_error("fd_write: result pointer past the end", raw_fd_write(1, address(iov), 1, end));
    expect_error("fd_write: 2^28 iovecs", raw_fd_write(1, address(iov), 1u << 28, address(out)));
    iov[0] = last;
    iov[1] = 2;
    expect_error("fd_read: buffer running past the end",
                 raw_fd_read(0, address(iov), 1, address(out)));

    char name[] = "sandbox-dir";
    expect_error("path_create_directory: path past the end",
                 raw_path_create_directory(3, last - 2, 8));
    expect_error("path_create_directory: length 4 GiB - 1",
                 raw_path_create_directory(3, address(name), 0xffffffffu));
    expect_error("path_open: path past the end",
                 raw_path_open(3, 0, last, 4, 0, 2, 0, 0, address(out)));
    expect_error("path_open: result pointer past the end",
                 raw_path_open(3, 0, address("hello.txt"), 9, 0, 2, 0, 0, last - 1));
    expect_error("args_sizes_get: pointer past the end", raw_args_sizes_get(end, address(out)));
    expect_error("args_get: buffer at the end", raw_args_get(address(out), last));
    expect_error("environ_get: array past the end", raw_environ_get(end - 2, address(out)));
    expect_error("clock_time_get: result straddling the end", raw_clock_time_get(1, 1, last - 3));
    expect_error("random_get: 64 bytes from the last one", raw_random_get(last, 64));
    expect_error("random_get: 4 GiB - 1 bytes", raw_random_get(address(out), 0xffffffffu));
    expect_error("fd_prestat_dir_name: buffer past the end", raw_fd_prestat_dir_name(3, last, 64));
    expect_error("fd_filestat_get: result straddling the end", raw_fd_filestat_get(3, last - 8));
    expect_error("fd_readdir: buffer past the end",
                 raw_fd_readdir(3, last - 10, 4096, 0, address(out)));
    expect_error("poll_oneoff: subscriptions past the end",
                 raw_poll_oneoff(last - 10, address(out), 1, address(out)));
    expect_error("poll_oneoff: no subscriptions",
                 raw_poll_oneoff(address(out), address(out), 0, address(out)));
    expect_error("fd_close: descriptor 12345", raw_fd_close(12345));
    expect_error("fd_close: descriptor -1", raw_fd_close(-1));
    expect_error("fd_write: descriptor 1 << 30",
                 raw_fd_write(1 << 30, address(iov), 0, address(out)));

    /* A buffer that ends exactly at the end of memory is valid. */
    fflush(stdout);
    memcpy((char *)(uintptr_t)(end - 4), "end\n", 4);
    iov[0] = end - 4;
    iov[1] = 4;
    int32_t error = raw_fd_write(1, address(iov), 1, address(out));
    printf("fd_write of the last 4 bytes of memory: %s\n",
           error == 0 && out[0] == 4 ? "ok" : "error");
    printf("random_get into the last 4 bytes: %s\n",
           raw_random_get(end - 4, 4) == 0 ? "ok" : "error");
    printf("still running: ok\n");
    return 0;
}
