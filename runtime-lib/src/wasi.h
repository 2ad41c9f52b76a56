/*
 * The runtime's WASI preview 1 (module "wasi_snapshot_preview1"): every function of the spec,
 * used by the `main` of compiled executables and available to embedders.
 *
 * Sandbox: the program reaches the host file system only through the directories granted with
 * w2n_wasi_context_preopen; paths are resolved beneath them one component at a time and never
 * leave them (see wasi_resolve.c). It also has the process's standard streams as fds 0, 1, 2.
 */
#ifndef W2N_WASI_H
#define W2N_WASI_H

#include "../include/wasm2native.h"

typedef struct w2n_wasi_context w2n_wasi_context;

/* A context whose program sees `argv` and `envp` (NULL-terminated, borrowed, not copied). */
w2n_wasi_context *w2n_wasi_context_new(int argc, char **argv, char **envp);
/*
 * Grants the host directory `host_path` to the program as the preopened directory named
 * `guest_path`, with every right; `flags` is 0 or W2N_WASI_DIR_READ_ONLY (nothing under it
 * may be changed). Preopens get fds 3, 4, ... in the order they are granted. Returns 0, or -1
 * with errno set when the directory cannot be opened.
 */
int w2n_wasi_context_preopen(w2n_wasi_context *context, const char *host_path,
                             const char *guest_path, uint32_t flags);
/* Frees a context and closes its descriptors; instances linked against it must be gone. */
void w2n_wasi_context_free(w2n_wasi_context *context);

/* A w2n_resolver for "wasi_snapshot_preview1"; `user` is a w2n_wasi_context. */
int w2n_wasi_resolver(void *user, const w2n_import *import, w2n_extern *out);

#endif
