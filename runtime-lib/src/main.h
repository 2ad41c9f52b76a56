/*
 * Private to the `main` of compiled executables (main*.c, archived apart from the runtime).
 *
 * What a program is granted comes from an options string: the one the compiler baked into the
 * executable (`wasm2native --dir ... --env ...`), or, when set, the environment variable
 * WASM2NATIVE_OPTIONS, which replaces it as a whole. The syntax is the compiler's flags, split
 * into words as a POSIX shell would (quotes and backslashes):
 *     --dir HOST[::GUEST][:readonly]
 *                           grant a host directory, seen by the program as GUEST (default
 *                           HOST); with :readonly, nothing under it may be changed
 *     --env NAME=VALUE      set a variable in the program's environment
 *     --inherit-env         pass this process's environment on (before the --env entries)
 *     --invoke NAME         after _initialize, call export NAME with the command-line
 *                           arguments as its parameters and print its results
 */
#ifndef W2N_MAIN_H
#define W2N_MAIN_H

#include "internal.h"

#define W2N_OPTIONS_VARIABLE "WASM2NATIVE_OPTIONS"
/* Ends a --dir grant that is read-only (the compiler's --dir checks it the same way). */
#define W2N_READ_ONLY_SUFFIX ":readonly"

typedef struct w2n_granted_dir {
    char *host;
    char *guest;
    uint32_t flags; /* W2N_WASI_DIR_READ_ONLY, or 0 */
} w2n_granted_dir;

typedef struct w2n_launch_options {
    w2n_granted_dir *dirs;
    size_t dir_count;
    char **env; /* NAME=VALUE entries given with --env, in order */
    size_t env_count;
    int inherit_env;
    char *invoke; /* NULL: run the module's _start */
} w2n_launch_options;

/*
 * Parses an options string into `options` (zeroed by the caller). Returns 0, or -1 after
 * writing "what is wrong" to `error` (size `error_size`). `origin` names where the string
 * came from, for the message.
 */
int w2n_parse_launch_options(const char *text, const char *origin, w2n_launch_options *options,
                             char *error, size_t error_size);
/*
 * The program's environment: the inherited one (without WASM2NATIVE_OPTIONS) when asked for,
 * then the --env entries, a later NAME replacing an earlier one. NULL when out of memory.
 */
char **w2n_program_environment(const w2n_launch_options *options, char **host_environment);

/*
 * Calls export `name` of `instance` with `argc` arguments parsed from text by its parameter
 * types and prints each result on its own line. Returns the process exit status.
 */
int w2n_invoke_export(w2n_instance *instance, const char *name, int argc, char **argv);

/* The exit status of an entry's result; reports a trap on stderr. */
int w2n_exit_status_of(const w2n_result *result);

#endif
