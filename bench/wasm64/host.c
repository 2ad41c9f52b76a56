/*
 * The host of a benchmark program built for wasm64 (bench/README.md): linked with the static
 * library `wasm2native --emit staticlib --prefix bench64` makes of the module, it gives the
 * program the imports bench/wasm64/libc.c declares (its arguments, stdout and stderr, two clocks,
 * exit), calls its export `run` and exits with its status, so that the executable behaves as
 * wasm2native's own for a WASI command: the same output protocol (bench.h), exit status 134
 * after a trap, reported as "wasm trap: MESSAGE", and 1 when the module cannot be instantiated.
 *
 * Guest addresses and sizes are 64-bit; -DBENCH_WASM32 builds this host for the same library
 * built for wasm32 instead (to compare the shim with WASI libc).
 */
#include "bench64.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifdef BENCH_WASM32
typedef int32_t guest_size;
#else
typedef int64_t guest_size;
#endif

#define TRAP_EXIT_STATUS 134

/* What the imports share: the program's arguments and how it exited. */
struct host {
    int argc;
    char **argv;
    int exited;
    int32_t exit_status;
};

static struct host *host_of(bench64_instance *instance) { return bench64_context(instance); }

static const char *argument(bench64_instance *instance, int32_t index) {
    struct host *host = host_of(instance);
    if (index < 0 || index >= host->argc)
        bench64_trap(instance, "env.arg_size/arg_copy: no such argument");
    return host->argv[index];
}

int32_t bench64_env_arg_count(bench64_instance *instance, void *context) {
    (void)context;
    return host_of(instance)->argc;
}

guest_size bench64_env_arg_size(bench64_instance *instance, void *context, int32_t index) {
    (void)context;
    return (guest_size)strlen(argument(instance, index));
}

void bench64_env_arg_copy(bench64_instance *instance, void *context, int32_t index,
                          guest_size buffer) {
    (void)context;
    const char *text = argument(instance, index);
    size_t size = strlen(text) + 1;
    void *to = bench64_memory_at(instance, (uint64_t)buffer, size);
    if (to == NULL)
        bench64_trap(instance, "env.arg_copy: buffer out of bounds");
    memcpy(to, text, size);
}

int64_t bench64_env_clock_ns(bench64_instance *instance, void *context, int32_t clock) {
    (void)context;
    /* The guest's clock numbers (bench/wasm64/include/time.h). */
    clockid_t id = clock == 0 ? CLOCK_REALTIME : CLOCK_MONOTONIC;
    if (clock != 0 && clock != 1)
        bench64_trap(instance, "env.clock_ns: unknown clock");
    struct timespec now;
    if (clock_gettime(id, &now) != 0)
        return -1;
    return (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
}

void bench64_env_write(bench64_instance *instance, void *context, int32_t fd, guest_size data,
                       guest_size size) {
    (void)context;
    if (fd != STDOUT_FILENO && fd != STDERR_FILENO)
        bench64_trap(instance, "env.write: only to stdout or stderr");
    const char *from = bench64_memory_at(instance, (uint64_t)data, (uint64_t)size);
    if (from == NULL)
        bench64_trap(instance, "env.write: data out of bounds");
    for (size_t left = (size_t)size; left > 0;) {
        ssize_t written = write(fd, from, left);
        if (written < 0 && errno == EINTR)
            continue;
        if (written <= 0)
            bench64_trap(instance, "env.write: the write failed");
        from += written;
        left -= (size_t)written;
    }
}

/* Ends the program's call to `run` (a trap the host recognises), not the process from inside it. */
void bench64_env_exit(bench64_instance *instance, void *context, int32_t status) {
    (void)context;
    struct host *host = host_of(instance);
    host->exited = 1;
    host->exit_status = status;
    bench64_trap(instance, "exit");
}

int main(int argc, char **argv) {
    struct host host = {.argc = argc, .argv = argv};
    bench64_config config = {.context = &host};
    wasm2native_result result;
    bench64_instance *instance = bench64_new(&config, &result);
    if (instance == NULL) {
        fprintf(stderr, "%s: cannot instantiate the module: %s\n", argv[0], result.message);
        return result.trap == WASM2NATIVE_TRAP_NONE ? 1 : TRAP_EXIT_STATUS;
    }
    int32_t status = 0;
    if (bench64_run(instance, &status) != WASM2NATIVE_TRAP_NONE) {
        if (host.exited) {
            status = host.exit_status;
        } else {
            fprintf(stderr, "wasm trap: %s\n", bench64_last_trap(instance)->message);
            status = TRAP_EXIT_STATUS;
        }
    }
    bench64_free(instance);
    return status;
}
