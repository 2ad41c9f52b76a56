/* The WASI reactor (wasi_reactor.c) run through the runtime's WASI with arguments, environment
 * and one directory (argv[1]) granted twice, as /data and read-only as /data-ro; with "capture"
 * as argv[2], the embedder supplies fd_write and collects what the module prints instead. */
#include <stdio.h>
#include <string.h>

#include "reactor.h"

typedef struct captured {
    char text[1024];
    size_t length;
} captured;

/* fd_write as the embedder's: appends the iovecs' bytes to the context's buffer. */
static int32_t capture(reactor_instance *instance, void *context, int32_t fd, int32_t iovs,
                       int32_t iovs_len, int32_t nwritten) {
    captured *out = (captured *)context;
    if (fd != 1)
        return 8; /* WASI's EBADF */
    uint32_t total = 0;
    for (int32_t i = 0; i < iovs_len; i++) {
        uint32_t iov[2]; /* buffer address, length */
        const void *at = reactor_memory_at(instance, (uint32_t)iovs + 8 * (uint32_t)i, sizeof iov);
        if (!at)
            return 21; /* WASI's EFAULT */
        memcpy(iov, at, sizeof iov);
        const char *bytes = (const char *)reactor_memory_at(instance, iov[0], iov[1]);
        if (!bytes || out->length + iov[1] > sizeof out->text)
            return 21;
        memcpy(out->text + out->length, bytes, iov[1]);
        out->length += iov[1];
        total += iov[1];
    }
    void *written = reactor_memory_at(instance, (uint32_t)nwritten, sizeof total);
    if (!written)
        return 21;
    memcpy(written, &total, sizeof total);
    return 0;
}

/* Copies `path` into the module's buffer and asks it to print that file. */
static void show_file(reactor_instance *instance, const char *path) {
    int32_t buffer = 0, length = 0;
    reactor_path_buffer(instance, &buffer);
    memcpy(reactor_memory_at(instance, (uint32_t)buffer, strlen(path) + 1), path, strlen(path) + 1);
    wasm2native_trap code = reactor_show_file(instance, buffer, &length);
    printf("show_file: code %d length %d\n", code, length);
}

/* Copies `path` into the module's buffer and asks it to append a line to that file. */
static void append_line(reactor_instance *instance, const char *path) {
    int32_t buffer = 0, error = 0;
    reactor_path_buffer(instance, &buffer);
    memcpy(reactor_memory_at(instance, (uint32_t)buffer, strlen(path) + 1), path, strlen(path) + 1);
    wasm2native_trap code = reactor_append_line(instance, buffer, &error);
    printf("append_line %s: code %d errno %d\n", path, code, error);
}

int main(int argc, char **argv) {
    if (argc < 2)
        return 2;
    /* Unbuffered, so that this program's lines and the module's writes to fd 1 keep their order. */
    setvbuf(stdout, NULL, _IONBF, 0);
    const char *const module_argv[] = {"reactor", "--verbose", "two words"};
    const char *const env[] = {"MODE=test", "EMPTY=", NULL};
    const wasm2native_wasi_dir dirs[] = {{argv[1], "/data", 0},
                                         {argv[1], "/data-ro", WASM2NATIVE_WASI_DIR_READ_ONLY}};
    wasm2native_wasi wasi = {3, module_argv, env, dirs, 2};
    captured out = {{0}, 0};
    reactor_imports imports = {.wasi_snapshot_preview1_fd_write = capture};
    int capturing = argc > 2 && strcmp(argv[2], "capture") == 0;
    reactor_config config = {
        .context = &out, .imports = capturing ? &imports : NULL, .wasi = &wasi};

    wasm2native_result result;
    reactor_instance *instance = reactor_new(&config, &result);
    if (!instance) {
        printf("new failed: %s\n", result.message);
        return 1;
    }
    printf("show_args: code %d\n", reactor_show_args(instance));
    show_file(instance, "/data/note.txt");
    show_file(instance, "/etc/passwd");
    show_file(instance, "/data-ro/note.txt");
    append_line(instance, "/data-ro/note.txt");
    append_line(instance, "/data-ro/new.txt");
    append_line(instance, "/data/log.txt");
    if (capturing)
        printf("captured:\n%.*s", (int)out.length, out.text);

    wasm2native_trap code = reactor_quit(instance, 3);
    const wasm2native_result *last = reactor_last_trap(instance);
    printf("quit: code %d last %u exit status %d\n", code, last->trap, last->exit_status);
    reactor_free(instance);
    printf("still running\n");
    return 0;
}
