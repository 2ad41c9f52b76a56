/*
 * WASI preview 1: the context, the resolver, and the list of functions.
 *
 * How a WASI function reaches the calling instance: it needs the caller's memory, but an import
 * receives the vmctx of its funcref. The resolver therefore hands out funcrefs marked
 * W2N_FUNCREF_BIND_CALLER whose vmctx is the w2n_wasi_context; w2n_instantiate binds a copy of
 * each with vmctx = the importing instance (before initialize and the start function run, so
 * WASI works from a start function too) and keeps the context as the instance's import context.
 * So every WASI function gets the calling instance as its first argument and finds its context
 * with wasi_context_of.
 *
 * The functions themselves live in wasi_*.c; `wasi_functions` lists all of the spec's.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wasi_internal.h"

static const wasi_function wasi_functions[] = {
    {"args_get", "ii:i", (void *)wasi_args_get},
    {"args_sizes_get", "ii:i", (void *)wasi_args_sizes_get},
    {"environ_get", "ii:i", (void *)wasi_environ_get},
    {"environ_sizes_get", "ii:i", (void *)wasi_environ_sizes_get},
    {"clock_res_get", "ii:i", (void *)wasi_clock_res_get},
    {"clock_time_get", "iIi:i", (void *)wasi_clock_time_get},
    {"fd_advise", "iIIi:i", (void *)wasi_fd_advise},
    {"fd_allocate", "iII:i", (void *)wasi_fd_allocate},
    {"fd_close", "i:i", (void *)wasi_fd_close},
    {"fd_datasync", "i:i", (void *)wasi_fd_datasync},
    {"fd_fdstat_get", "ii:i", (void *)wasi_fd_fdstat_get},
    {"fd_fdstat_set_flags", "ii:i", (void *)wasi_fd_fdstat_set_flags},
    {"fd_fdstat_set_rights", "iII:i", (void *)wasi_fd_fdstat_set_rights},
    {"fd_filestat_get", "ii:i", (void *)wasi_fd_filestat_get},
    {"fd_filestat_set_size", "iI:i", (void *)wasi_fd_filestat_set_size},
    {"fd_filestat_set_times", "iIIi:i", (void *)wasi_fd_filestat_set_times},
    {"fd_pread", "iiiIi:i", (void *)wasi_fd_pread},
    {"fd_prestat_get", "ii:i", (void *)wasi_fd_prestat_get},
    {"fd_prestat_dir_name", "iii:i", (void *)wasi_fd_prestat_dir_name},
    {"fd_pwrite", "iiiIi:i", (void *)wasi_fd_pwrite},
    {"fd_read", "iiii:i", (void *)wasi_fd_read},
    {"fd_readdir", "iiiIi:i", (void *)wasi_fd_readdir},
    {"fd_renumber", "ii:i", (void *)wasi_fd_renumber},
    {"fd_seek", "iIii:i", (void *)wasi_fd_seek},
    {"fd_sync", "i:i", (void *)wasi_fd_sync},
    {"fd_tell", "ii:i", (void *)wasi_fd_tell},
    {"fd_write", "iiii:i", (void *)wasi_fd_write},
    {"path_create_directory", "iii:i", (void *)wasi_path_create_directory},
    {"path_filestat_get", "iiiii:i", (void *)wasi_path_filestat_get},
    {"path_filestat_set_times", "iiiiIIi:i", (void *)wasi_path_filestat_set_times},
    {"path_link", "iiiiiii:i", (void *)wasi_path_link},
    {"path_open", "iiiiiIIii:i", (void *)wasi_path_open},
    {"path_readlink", "iiiiii:i", (void *)wasi_path_readlink},
    {"path_remove_directory", "iii:i", (void *)wasi_path_remove_directory},
    {"path_rename", "iiiiii:i", (void *)wasi_path_rename},
    {"path_symlink", "iiiii:i", (void *)wasi_path_symlink},
    {"path_unlink_file", "iii:i", (void *)wasi_path_unlink_file},
    {"poll_oneoff", "iiii:i", (void *)wasi_poll_oneoff},
    {"proc_exit", "i:", (void *)wasi_proc_exit},
    {"proc_raise", "i:i", (void *)wasi_proc_raise},
    {"sched_yield", ":i", (void *)wasi_sched_yield},
    {"random_get", "ii:i", (void *)wasi_random_get},
    {"sock_accept", "iii:i", (void *)wasi_sock_accept},
    {"sock_recv", "iiiiii:i", (void *)wasi_sock_recv},
    {"sock_send", "iiiii:i", (void *)wasi_sock_send},
    {"sock_shutdown", "ii:i", (void *)wasi_sock_shutdown},
};

#define WASI_FUNCTION_COUNT (sizeof wasi_functions / sizeof wasi_functions[0])

/* The standard streams' filetype and rights come from what the host fd actually is. */
static int add_standard_stream(w2n_wasi_context *context, int host) {
    struct stat status;
    uint8_t filetype =
        fstat(host, &status) == 0 ? wasi_filetype_of_mode(status.st_mode) : WASI_FILETYPE_UNKNOWN;
    /* A terminal has no position; wasi-libc's isatty() tells one by these rights' absence. */
    uint64_t rights = WASI_RIGHTS_FILE;
    if (filetype == WASI_FILETYPE_CHARACTER_DEVICE)
        rights &= ~(WASI_RIGHT_FD_SEEK | WASI_RIGHT_FD_TELL);
    uint32_t fd;
    /* Not owned: wasi_fd_release leaves host fds 0, 1 and 2 open. */
    return wasi_fd_insert(context, host, filetype, rights, rights, &fd);
}

w2n_wasi_context *w2n_wasi_context_new(int argc, char **argv, char **envp) {
    w2n_wasi_context *context = calloc(1, sizeof *context);
    if (!context)
        return NULL;
    context->funcs = calloc(WASI_FUNCTION_COUNT, sizeof *context->funcs);
    if (!context->funcs) {
        free(context);
        return NULL;
    }
    context->argc = argc;
    context->argv = argv;
    context->envp = envp;
    for (size_t i = 0; i < WASI_FUNCTION_COUNT; i++) {
        w2n_funcref *func = &context->funcs[i];
        func->code = wasi_functions[i].code;
        func->type_id = w2n_intern_signature(wasi_functions[i].signature);
        func->reserved = W2N_FUNCREF_BIND_CALLER;
        func->vmctx = context;
    }
    for (int stream = 0; stream < WASI_STANDARD_STREAMS; stream++) {
        if (add_standard_stream(context, stream) != 0) {
            w2n_wasi_context_free(context);
            return NULL;
        }
    }
    return context;
}

int w2n_wasi_context_preopen(w2n_wasi_context *context, const char *host_path,
                             const char *guest_path, uint32_t flags) {
    int host = open(host_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (host < 0)
        return -1;
    char *name = strdup(guest_path);
    if (!name) {
        close(host);
        errno = ENOMEM;
        return -1;
    }
    uint32_t fd;
    /* wasi_fd_insert closes `host` when it fails. */
    if (wasi_fd_insert(context, host, WASI_FILETYPE_DIRECTORY, WASI_RIGHTS_DIRECTORY,
                       WASI_RIGHTS_ALL, &fd) != 0) {
        free(name);
        errno = EMFILE;
        return -1;
    }
    context->fds[fd].preopen = name;
    context->fds[fd].read_only = (flags & W2N_WASI_DIR_READ_ONLY) != 0;
    return 0;
}

void w2n_wasi_context_free(w2n_wasi_context *context) {
    if (!context)
        return;
    for (uint32_t fd = 0; fd < context->fd_count; fd++)
        if (context->fds[fd].host >= 0)
            wasi_fd_release(&context->fds[fd]);
    free(context->fds);
    free(context->funcs);
    free(context);
}

static int name_is(const char *name, uint32_t len, const char *expected) {
    return strlen(expected) == len && memcmp(name, expected, len) == 0;
}

int w2n_wasi_resolver(void *user, const w2n_import *import, w2n_extern *out) {
    w2n_wasi_context *context = user;
    if (!context || import->kind != W2N_EXTERN_FUNC ||
        !name_is(import->module, import->module_len, "wasi_snapshot_preview1"))
        return -1;
    for (size_t i = 0; i < WASI_FUNCTION_COUNT; i++) {
        if (name_is(import->name, import->name_len, wasi_functions[i].name)) {
            out->kind = W2N_EXTERN_FUNC;
            out->of.func = &context->funcs[i];
            return 0;
        }
    }
    return -1;
}

w2n_wasi_context *wasi_context_of(w2n_instance *caller) { return w2n_rt_import_context(caller); }
