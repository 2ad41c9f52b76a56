/*
 * The runtime's WASI preview 1 (module "wasi_snapshot_preview1"), used by the `main` of compiled
 * executables and available to embedders. A subset for now: arguments, environment, the standard
 * streams, clocks, randomness and proc_exit; other imports are reported as unknown.
 */
#ifndef W2N_WASI_H
#define W2N_WASI_H

#include "../include/wasm2native.h"

typedef struct w2n_wasi_context w2n_wasi_context;

/* A context whose program sees `argv` and `envp` (NULL-terminated, borrowed, not copied). */
w2n_wasi_context *w2n_wasi_context_new(int argc, char **argv, char **envp);
/* Frees a context; instances linked against it must be gone. */
void w2n_wasi_context_free(w2n_wasi_context *context);

/* A w2n_resolver for "wasi_snapshot_preview1"; `user` is a w2n_wasi_context. */
int w2n_wasi_resolver(void *user, const w2n_import *import, w2n_extern *out);

#endif
