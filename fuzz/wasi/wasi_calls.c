/*
 * The runtime's WASI functions under libFuzzer, AddressSanitizer and UndefinedBehaviorSanitizer
 * (built by `make fuzz-wasi-build` with clang-19 from the runtime's own sources).
 *
 * An input is a guest memory image followed by a sequence of calls: each call is a byte picking
 * a WASI function and the bytes its arguments are read from. Arguments favour what reaches deep:
 * descriptors near the open ones, pointers inside memory (and a few past it), lengths around the
 * memory's size, and paths from a list of tricky ones ("..", "../outside", absolute paths,
 * symlinks out of the directory) as often as arbitrary bytes.
 *
 * The guest is granted a directory `sandbox` (fd 3) beside a file `outside` in a directory of
 * this process's own, and a directory `readonly` beside them, read-only (fd 4). The sandbox
 * holds a file, a directory and two symlinks that lead out (one relative, one absolute); the
 * read-only directory a file, a directory with a file, and a symlink. After every input the
 * directory beside the sandbox must hold exactly `outside`, `readonly` and `sandbox`, `outside`
 * its original bytes, and everything under `readonly` its names, types, sizes, bytes, link
 * targets and modification times: anything else is a sandbox escape, reported as a crash. The
 * sandbox is then emptied and set up again, so every input starts from the same files.
 *
 * Left out: proc_exit (it ends the call through the trap handler of a call in progress, which a
 * direct call does not have) and proc_raise (it signals this process). poll_oneoff's clock
 * subscriptions are capped at a millisecond so that no input sleeps.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../runtime-lib/src/wasi_internal.h"

#define MEMORY_PAGES 2
#define MEMORY_BYTES (MEMORY_PAGES * W2N_PAGE_SIZE)
#define SENTINEL "sentinel: must never change"

/* ---------------------------------------------------------------- the guest's directory --- */

static char jail[64]; /* our own directory: `outside`, `readonly` and `sandbox` */
static char sandbox[96];
static char outside[96];
static char readonly[96];
static uint64_t readonly_fingerprint; /* of the read-only tree as set up */

static void must(int ok, const char *what) {
    if (!ok) {
        perror(what);
        abort();
    }
}

static void write_file(const char *path, const char *text) {
    FILE *file = fopen(path, "w");
    must(file != NULL, path);
    fputs(text, file);
    fclose(file);
}

/* Removes everything beneath the directory fd `dir` (which stays open). */
static void empty_directory(int dir) {
    DIR *stream = fdopendir(dup(dir));
    must(stream != NULL, "fdopendir");
    struct dirent *entry;
    while ((entry = readdir(stream)) != NULL) {
        if (!strcmp(entry->d_name, ".") || !strcmp(entry->d_name, ".."))
            continue;
        if (unlinkat(dir, entry->d_name, 0) == 0)
            continue;
        /* A directory: make it writable and searchable, empty it, remove it. */
        fchmodat(dir, entry->d_name, 0700, 0);
        int child = openat(dir, entry->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
        if (child >= 0) {
            empty_directory(child);
            close(child);
        }
        unlinkat(dir, entry->d_name, AT_REMOVEDIR);
    }
    closedir(stream);
}

static void set_up_sandbox(void) {
    int dir = open(sandbox, O_RDONLY | O_DIRECTORY);
    must(dir >= 0, sandbox);
    fchmod(dir, 0700);
    empty_directory(dir);
    close(dir);
    char path[160];
    snprintf(path, sizeof path, "%s/a", sandbox);
    write_file(path, "contents of a\n");
    snprintf(path, sizeof path, "%s/d", sandbox);
    must(mkdir(path, 0700) == 0, path);
    snprintf(path, sizeof path, "%s/d/e", sandbox);
    write_file(path, "e\n");
    snprintf(path, sizeof path, "%s/link", sandbox);
    must(symlink("../outside", path) == 0, path);
    snprintf(path, sizeof path, "%s/abs", sandbox);
    must(symlink(jail, path) == 0, path);
}

/* FNV-1a over `length` bytes, continuing from `hash`. */
static uint64_t fnv1a(uint64_t hash, const void *bytes, size_t length) {
    for (size_t i = 0; i < length; i++)
        hash = (hash ^ ((const uint8_t *)bytes)[i]) * 0x100000001b3ull;
    return hash;
}

/* A hash of everything under `path` (names in the host's order, which stays as it is while
 * nothing changes): each entry's name, mode, size, modification time, bytes or link target. */
static uint64_t fingerprint(const char *path, uint64_t hash) {
    DIR *stream = opendir(path);
    must(stream != NULL, path);
    struct dirent *entry;
    while ((entry = readdir(stream)) != NULL) {
        if (!strcmp(entry->d_name, ".") || !strcmp(entry->d_name, ".."))
            continue;
        char child[256], bytes[256];
        snprintf(child, sizeof child, "%s/%s", path, entry->d_name);
        struct stat status;
        must(lstat(child, &status) == 0, child);
        hash = fnv1a(hash, entry->d_name, strlen(entry->d_name) + 1);
        uint64_t facts[4] = {status.st_mode, (uint64_t)status.st_size,
                             (uint64_t)status.st_mtim.tv_sec, (uint64_t)status.st_mtim.tv_nsec};
        hash = fnv1a(hash, facts, sizeof facts);
        ssize_t length = 0;
        if (S_ISLNK(status.st_mode)) {
            length = readlink(child, bytes, sizeof bytes);
        } else if (S_ISREG(status.st_mode)) {
            int file = open(child, O_RDONLY | O_NOFOLLOW);
            must(file >= 0, child);
            length = read(file, bytes, sizeof bytes);
            close(file);
        } else if (S_ISDIR(status.st_mode)) {
            hash = fingerprint(child, hash);
        }
        hash = fnv1a(hash, bytes, length > 0 ? (size_t)length : 0);
    }
    closedir(stream);
    return hash;
}

static void set_up_readonly(void) {
    char path[160];
    must(mkdir(readonly, 0700) == 0, readonly);
    snprintf(path, sizeof path, "%s/r", readonly);
    write_file(path, "read me, never write me\n");
    snprintf(path, sizeof path, "%s/rd", readonly);
    must(mkdir(path, 0700) == 0, path);
    snprintf(path, sizeof path, "%s/rd/f", readonly);
    write_file(path, "f\n");
    snprintf(path, sizeof path, "%s/rl", readonly);
    must(symlink("r", path) == 0, path);
    readonly_fingerprint = fingerprint(readonly, 0xcbf29ce484222325ull);
}

static void set_up_jail(void) {
    snprintf(jail, sizeof jail, "/tmp/wasm2native-wasi-fuzz-%d", (int)getpid());
    snprintf(sandbox, sizeof sandbox, "%s/sandbox", jail);
    snprintf(outside, sizeof outside, "%s/outside", jail);
    snprintf(readonly, sizeof readonly, "%s/readonly", jail);
    mkdir(jail, 0700);
    mkdir(sandbox, 0700);
    write_file(outside, SENTINEL);
    set_up_sandbox();
    set_up_readonly();
}

/* The escape check: nothing beside the sandbox changed. */
static void check_jail(void) {
    DIR *stream = opendir(jail);
    must(stream != NULL, jail);
    struct dirent *entry;
    while ((entry = readdir(stream)) != NULL) {
        const char *name = entry->d_name;
        if (strcmp(name, ".") && strcmp(name, "..") && strcmp(name, "outside") &&
            strcmp(name, "sandbox") && strcmp(name, "readonly")) {
            fprintf(stderr, "sandbox escape: %s/%s was created\n", jail, name);
            abort();
        }
    }
    closedir(stream);
    char bytes[64] = {0};
    int file = open(outside, O_RDONLY | O_NOFOLLOW);
    must(file >= 0, "sandbox escape: outside is gone");
    ssize_t length = read(file, bytes, sizeof bytes - 1);
    close(file);
    if (length != (ssize_t)strlen(SENTINEL) || memcmp(bytes, SENTINEL, strlen(SENTINEL)) != 0) {
        fprintf(stderr, "sandbox escape: outside was changed to %zd bytes\n", length);
        abort();
    }
    if (fingerprint(readonly, 0xcbf29ce484222325ull) != readonly_fingerprint) {
        fprintf(stderr, "read-only grant changed: %s\n", readonly);
        abort();
    }
}

static void remove_jail(void) {
    int dir = open(jail, O_RDONLY | O_DIRECTORY);
    if (dir >= 0) {
        empty_directory(dir);
        close(dir);
    }
    rmdir(jail);
}

/* --------------------------------------------------------------------- the guest --- */

/* A module with one exported memory and nothing else: the caller WASI functions see. */
static const w2n_limits memory_limits = {.min = MEMORY_PAGES, .max = MEMORY_PAGES, .has_max = 1};
static const w2n_export memory_export = {
    .name = "memory", .name_len = 6, .kind = W2N_EXTERN_MEMORY};
static const w2n_module guest_module = {
    .abi_version = W2N_ABI_VERSION,
    .num_exports = 1,
    .exports = &memory_export,
    .num_memories = 1,
    .memories = &memory_limits,
    .start_func = -1,
};

static w2n_instance *guest;
static uint8_t *guest_memory;

static char *guest_argv[] = {"program", "first argument", "", "\xc3\xa9t\xc3\xa9", NULL};
static char *guest_envp[] = {"HOME=/sandbox", "EMPTY=", "X=1=2", NULL};

/* Tricky paths, placed in memory at PATHS_AT, one after another. */
static const char *const paths[] = {
    "a",
    "d",
    "d/e",
    "d/../a",
    "link",
    "link/x",
    "abs",
    "abs/outside",
    "..",
    "../outside",
    "/",
    "/sandbox/a",
    ".",
    "./",
    "d/",
    "new",
    "d/new",
    "a/",
    "a/..",
    "d/../../outside",
    "d/./../link",
    "abs/sandbox/a",
    "\xff\xfe",
    "",
    "new/../../x",
    "very/deep/new/path",
    "r",
    "rd",
    "rd/f",
    "rl",
    "../readonly/r",
};
#define PATH_COUNT (sizeof paths / sizeof paths[0])
#define PATHS_AT 0x8000
static uint32_t path_offsets[PATH_COUNT];

static int setup_done;

static void set_up(void) {
    /* Guest writes to fds 0, 1, 2 go nowhere; libFuzzer keeps its own stderr (-close_fd_mask). */
    int null = open("/dev/null", O_RDWR);
    must(null >= 0, "/dev/null");
    dup2(null, 0);
    dup2(null, 1);
    close(null);
    set_up_jail();
    atexit(remove_jail);
    w2n_result result;
    guest = w2n_instantiate(&guest_module, NULL, NULL, &result);
    must(guest != NULL, "instantiating the guest");
    guest_memory = guest->memories[0]->base;
    setup_done = 1;
}

/* ----------------------------------------------------------------- the arguments --- */

typedef struct reader {
    const uint8_t *data;
    size_t size;
} reader;

static uint8_t next_byte(reader *in) {
    if (!in->size)
        return 0;
    in->size--;
    return *in->data++;
}

static uint32_t next_u32(reader *in) {
    uint32_t value = 0;
    for (int i = 0; i < 4; i++)
        value |= (uint32_t)next_byte(in) << (8 * i);
    return value;
}

static uint64_t next_u64(reader *in) { return next_u32(in) | (uint64_t)next_u32(in) << 32; }

/* A descriptor: mostly one of the first few (stdio, the preopens, what opens next). */
static int32_t fd_arg(reader *in) {
    uint8_t byte = next_byte(in);
    return byte < 240 ? byte % 10 : (int32_t)next_u32(in);
}

/* A pointer: inside memory, near its end, or anywhere. */
static uint32_t pointer_arg(reader *in) {
    uint8_t kind = next_byte(in);
    if (kind < 200)
        return next_u32(in) % MEMORY_BYTES;
    if (kind < 240)
        return MEMORY_BYTES - (next_byte(in) % 32);
    return next_u32(in);
}

/* A length or count: small, around the memory's size, or anything. */
static uint32_t length_arg(reader *in) {
    uint8_t kind = next_byte(in);
    if (kind < 200)
        return next_byte(in);
    if (kind < 240)
        return MEMORY_BYTES + (int8_t)next_byte(in);
    return next_u32(in);
}

/* A path (pointer and length): one of the tricky ones, or arbitrary memory. */
static void path_arg(reader *in, uint32_t *pointer, uint32_t *length) {
    uint8_t kind = next_byte(in);
    if (kind < 192) {
        size_t i = kind % PATH_COUNT;
        *pointer = path_offsets[i];
        *length = (uint32_t)strlen(paths[i]);
    } else {
        *pointer = pointer_arg(in);
        *length = length_arg(in);
    }
}

static int64_t i64_arg(reader *in) {
    uint8_t kind = next_byte(in);
    return kind < 128 ? (int64_t)(kind % 64) - 8 : (int64_t)next_u64(in);
}

/* ---------------------------------------------------------------------- the calls --- */

/* Caps the clock subscriptions of a poll at a millisecond, so that no input sleeps long. */
static void cap_clock_subscriptions(uint32_t in, uint32_t count) {
    const uint32_t size = 48, tag_at = 8, timeout_at = 24;
    for (uint32_t i = 0; i < count && i < 64; i++) {
        uint64_t at = (uint64_t)in + (uint64_t)i * size;
        if (at + size > MEMORY_BYTES)
            return;
        if (guest_memory[at + tag_at] == 0) {
            uint64_t timeout;
            memcpy(&timeout, guest_memory + at + timeout_at, 8);
            /* An absolute deadline (flags bit 0) is moved to 0: already passed. */
            timeout = guest_memory[at + 40] & 1 ? 0 : timeout % 1000000;
            memcpy(guest_memory + at + timeout_at, &timeout, 8);
        }
    }
}

static void call(reader *in) {
    w2n_instance *g = guest;
    uint32_t p1, l1, p2, l2;
    switch (next_byte(in) % 44) {
    case 0: wasi_args_get(g, pointer_arg(in), pointer_arg(in)); break;
    case 1: wasi_args_sizes_get(g, pointer_arg(in), pointer_arg(in)); break;
    case 2: wasi_environ_get(g, pointer_arg(in), pointer_arg(in)); break;
    case 3: wasi_environ_sizes_get(g, pointer_arg(in), pointer_arg(in)); break;
    case 4: wasi_fd_read(g, fd_arg(in), pointer_arg(in), length_arg(in), pointer_arg(in)); break;
    case 5: wasi_fd_write(g, fd_arg(in), pointer_arg(in), length_arg(in), pointer_arg(in)); break;
    case 6:
        wasi_fd_pread(g, fd_arg(in), pointer_arg(in), length_arg(in), i64_arg(in), pointer_arg(in));
        break;
    case 7:
        wasi_fd_pwrite(g, fd_arg(in), pointer_arg(in), length_arg(in), i64_arg(in),
                       pointer_arg(in));
        break;
    case 8: wasi_fd_seek(g, fd_arg(in), i64_arg(in), next_byte(in) % 4, pointer_arg(in)); break;
    case 9: wasi_fd_tell(g, fd_arg(in), pointer_arg(in)); break;
    case 10: wasi_fd_sync(g, fd_arg(in)); break;
    case 11: wasi_fd_datasync(g, fd_arg(in)); break;
    case 12: wasi_fd_advise(g, fd_arg(in), i64_arg(in), i64_arg(in), next_byte(in) % 7); break;
    /* A length up to 1 MiB: the host would really reserve the disk space. */
    case 13:
        wasi_fd_allocate(g, fd_arg(in), i64_arg(in) % (1 << 20), i64_arg(in) % (1 << 20));
        break;
    case 14: wasi_fd_close(g, fd_arg(in)); break;
    case 15: wasi_fd_renumber(g, fd_arg(in), fd_arg(in)); break;
    case 16: wasi_fd_fdstat_get(g, fd_arg(in), pointer_arg(in)); break;
    case 17: wasi_fd_fdstat_set_flags(g, fd_arg(in), next_byte(in) % 32); break;
    case 18: wasi_fd_fdstat_set_rights(g, fd_arg(in), i64_arg(in), i64_arg(in)); break;
    case 19: wasi_fd_filestat_get(g, fd_arg(in), pointer_arg(in)); break;
    /* Sizes stay sparse files, whatever they are. */
    case 20: wasi_fd_filestat_set_size(g, fd_arg(in), i64_arg(in)); break;
    case 21:
        wasi_fd_filestat_set_times(g, fd_arg(in), i64_arg(in), i64_arg(in), next_byte(in) % 16);
        break;
    case 22: wasi_fd_prestat_get(g, fd_arg(in), pointer_arg(in)); break;
    case 23: wasi_fd_prestat_dir_name(g, fd_arg(in), pointer_arg(in), length_arg(in)); break;
    case 24:
        wasi_fd_readdir(g, fd_arg(in), pointer_arg(in), length_arg(in), i64_arg(in),
                        pointer_arg(in));
        break;
    case 25: {
        int32_t fd = fd_arg(in), dirflags = next_byte(in) % 2;
        path_arg(in, &p1, &l1);
        int32_t oflags = next_byte(in) % 16;
        int64_t base = next_byte(in) < 200 ? (int64_t)WASI_RIGHTS_ALL : i64_arg(in);
        int64_t inheriting = next_byte(in) < 200 ? (int64_t)WASI_RIGHTS_ALL : i64_arg(in);
        wasi_path_open(g, fd, dirflags, p1, l1, oflags, base, inheriting, next_byte(in) % 32,
                       pointer_arg(in));
        break;
    }
    case 26: {
        int32_t fd = fd_arg(in);
        path_arg(in, &p1, &l1);
        wasi_path_create_directory(g, fd, p1, l1);
        break;
    }
    case 27: {
        int32_t fd = fd_arg(in);
        path_arg(in, &p1, &l1);
        wasi_path_remove_directory(g, fd, p1, l1);
        break;
    }
    case 28: {
        int32_t fd = fd_arg(in);
        path_arg(in, &p1, &l1);
        wasi_path_unlink_file(g, fd, p1, l1);
        break;
    }
    case 29: {
        int32_t fd = fd_arg(in), flags = next_byte(in) % 2;
        path_arg(in, &p1, &l1);
        wasi_path_filestat_get(g, fd, flags, p1, l1, pointer_arg(in));
        break;
    }
    case 30: {
        int32_t fd = fd_arg(in), flags = next_byte(in) % 2;
        path_arg(in, &p1, &l1);
        wasi_path_filestat_set_times(g, fd, flags, p1, l1, i64_arg(in), i64_arg(in),
                                     next_byte(in) % 16);
        break;
    }
    case 31: {
        int32_t old_fd = fd_arg(in), flags = next_byte(in) % 2;
        path_arg(in, &p1, &l1);
        int32_t new_fd = fd_arg(in);
        path_arg(in, &p2, &l2);
        wasi_path_link(g, old_fd, flags, p1, l1, new_fd, p2, l2);
        break;
    }
    case 32: {
        int32_t fd = fd_arg(in);
        path_arg(in, &p1, &l1);
        int32_t new_fd = fd_arg(in);
        path_arg(in, &p2, &l2);
        wasi_path_rename(g, fd, p1, l1, new_fd, p2, l2);
        break;
    }
    case 33: {
        path_arg(in, &p1, &l1);
        int32_t fd = fd_arg(in);
        path_arg(in, &p2, &l2);
        wasi_path_symlink(g, p1, l1, fd, p2, l2);
        break;
    }
    case 34: {
        int32_t fd = fd_arg(in);
        path_arg(in, &p1, &l1);
        wasi_path_readlink(g, fd, p1, l1, pointer_arg(in), length_arg(in), pointer_arg(in));
        break;
    }
    case 35: {
        uint32_t subscriptions = pointer_arg(in), events = pointer_arg(in), count = length_arg(in);
        cap_clock_subscriptions(subscriptions, count);
        wasi_poll_oneoff(g, subscriptions, events, count, pointer_arg(in));
        break;
    }
    case 36: wasi_sock_accept(g, fd_arg(in), next_byte(in) % 8, pointer_arg(in)); break;
    case 37:
        wasi_sock_recv(g, fd_arg(in), pointer_arg(in), length_arg(in), next_byte(in) % 4,
                       pointer_arg(in), pointer_arg(in));
        break;
    case 38:
        wasi_sock_send(g, fd_arg(in), pointer_arg(in), length_arg(in), 0, pointer_arg(in));
        break;
    case 39: wasi_sock_shutdown(g, fd_arg(in), next_byte(in) % 4); break;
    case 40:
        wasi_clock_time_get(g, (int32_t)(next_byte(in) % 6) - 1, i64_arg(in), pointer_arg(in));
        break;
    case 41: wasi_clock_res_get(g, (int32_t)(next_byte(in) % 6) - 1, pointer_arg(in)); break;
    case 42: wasi_random_get(g, pointer_arg(in), length_arg(in)); break;
    case 43: wasi_sched_yield(g); break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!setup_done)
        set_up();
    /* The memory image: the first bytes of the input over zeros, then the tricky paths. */
    reader in = {data, size};
    size_t image = next_byte(&in) * 16u;
    if (image > in.size)
        image = in.size;
    memset(guest_memory, 0, MEMORY_BYTES);
    memcpy(guest_memory, in.data, image);
    in.data += image, in.size -= image;
    uint32_t at = PATHS_AT;
    for (size_t i = 0; i < PATH_COUNT; i++) {
        path_offsets[i] = at;
        size_t length = strlen(paths[i]);
        memcpy(guest_memory + at, paths[i], length);
        at += (uint32_t)length + 1;
    }

    w2n_wasi_context *context = w2n_wasi_context_new(4, guest_argv, guest_envp);
    must(context != NULL, "a WASI context");
    must(w2n_wasi_context_preopen(context, sandbox, "/sandbox", 0) == 0, "the preopen");
    must(w2n_wasi_context_preopen(context, readonly, "/readonly", W2N_WASI_DIR_READ_ONLY) == 0,
         "the read-only preopen");
    w2n_rt_private(guest)->import_context = context;
    for (int calls = 0; in.size && calls < 64; calls++)
        call(&in);
    w2n_rt_private(guest)->import_context = NULL;
    w2n_wasi_context_free(context);

    check_jail();
    set_up_sandbox();
    return 0;
}
