/*
 * The `main` of a compiled executable: instantiates the module linked beside it with WASI and
 * runs its "_start" (a command) or its "_initialize" (a reactor), or with --invoke one export.
 * What the program may reach is set by the launch options (see main.h).
 *
 * Exit status: 0 when the entry returns, n after proc_exit(n), 134 (as for abort, but without a
 * core dump) after a trap, reported as "wasm trap: MESSAGE" (with the access of one out of
 * bounds) and a backtrace, and 1 when the module cannot be
 * started (bad options, an ungrantable directory, a link error), reported as
 * "wasm2native: MESSAGE".
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "main.h"
#include "wasi.h"

#define TRAP_EXIT_STATUS 134

extern const w2n_module wasm2native_module;
/* The options given to the compiler, if any; the compiler defines it when there are some. */
extern const char wasm2native_launch_options[] __attribute__((weak));
extern char **environ;

int w2n_exit_status_of(const w2n_result *result) {
    switch (result->trap) {
    case W2N_TRAP_NONE: return 0;
    case W2N_TRAP_EXIT: return result->exit_status;
    default: w2n_rt_trap_print(stderr, result); return TRAP_EXIT_STATUS;
    }
}

static w2n_funcref *export_func(w2n_instance *instance, const char *name) {
    w2n_extern entry;
    if (w2n_instance_export(instance, name, strlen(name), W2N_EXTERN_FUNC, &entry) == 0)
        return entry.of.func;
    return NULL;
}

/* The runtime reports on fds 0-2; keeping them open stops a granted file from taking them. */
static void keep_standard_streams_open(void) {
    for (int fd = 0; fd < 3; fd++)
        if (fcntl(fd, F_GETFD) < 0 && errno == EBADF)
            open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
}

static int load_options(w2n_launch_options *options) {
    const char *text = getenv(W2N_OPTIONS_VARIABLE);
    const char *origin = W2N_OPTIONS_VARIABLE;
    if (!text) {
        text = wasm2native_launch_options ? wasm2native_launch_options : "";
        origin = "options baked in at compile time";
    }
    char error[512];
    if (w2n_parse_launch_options(text, origin, options, error, sizeof error) != 0) {
        fprintf(stderr, "wasm2native: %s\n", error);
        return -1;
    }
    return 0;
}

static w2n_wasi_context *make_context(const w2n_launch_options *options, int argc, char **argv) {
    char **env = w2n_program_environment(options, environ);
    w2n_wasi_context *wasi = env ? w2n_wasi_context_new(argc, argv, env) : NULL;
    if (!wasi) {
        fputs("wasm2native: out of memory\n", stderr);
        return NULL;
    }
    for (size_t i = 0; i < options->dir_count; i++) {
        const w2n_granted_dir *dir = &options->dirs[i];
        if (w2n_wasi_context_preopen(wasi, dir->host, dir->guest, dir->flags) != 0) {
            fprintf(stderr, "wasm2native: cannot grant directory %s: %s\n", dir->host,
                    strerror(errno));
            return NULL;
        }
    }
    return wasi;
}

int main(int argc, char **argv) {
    keep_standard_streams_open();
    /* A safety net only: compiled code checks its stack, so failing to install it is harmless. */
    w2n_install_fault_handler();
    w2n_launch_options options = {0};
    if (load_options(&options) != 0)
        return 1;
    w2n_wasi_context *wasi = make_context(&options, argc, argv);
    if (!wasi)
        return 1;
    w2n_result result;
    w2n_instance *instance = w2n_instantiate(&wasm2native_module, w2n_wasi_resolver, wasi, &result);
    if (!instance) {
        if (result.trap != W2N_TRAP_NONE)
            return w2n_exit_status_of(&result);
        fprintf(stderr, "wasm2native: %s\n", result.message);
        return 1;
    }
    w2n_funcref *start = export_func(instance, "_start");
    w2n_funcref *initialize = export_func(instance, "_initialize");
    w2n_value slot;
    if (options.invoke) {
        /* As for a reactor: initialize, then call the export; a command's _start is not run. */
        if (initialize && w2n_call(initialize, &slot, &result) != W2N_TRAP_NONE)
            return w2n_exit_status_of(&result);
        return w2n_invoke_export(instance, options.invoke, argc - 1, argv + 1);
    }
    w2n_funcref *entry = start ? start : initialize;
    if (!entry)
        return 0;
    w2n_call(entry, &slot, &result);
    return w2n_exit_status_of(&result);
}
