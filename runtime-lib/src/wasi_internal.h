/*
 * Private to the WASI files: the spec's constants and layouts, the context with its descriptor
 * table, guest memory access, and every function of wasi_snapshot_preview1.
 *
 * Names and values follow the spec's witx (wasi_snapshot_preview1); struct offsets are given
 * where each layout is declared because guest memory is written field by field.
 */
#ifndef W2N_WASI_INTERNAL_H
#define W2N_WASI_INTERNAL_H

#include <stdint.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>

#include "internal.h"
#include "wasi.h"

/* Guest memory is little-endian and the loads below copy host words as they are. */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "little-endian host required");

/* ------------------------------------------------------------ errno --- */

enum {
    WASI_ESUCCESS = 0,
    WASI_E2BIG = 1,
    WASI_EACCES = 2,
    WASI_EADDRINUSE = 3,
    WASI_EADDRNOTAVAIL = 4,
    WASI_EAFNOSUPPORT = 5,
    WASI_EAGAIN = 6,
    WASI_EALREADY = 7,
    WASI_EBADF = 8,
    WASI_EBADMSG = 9,
    WASI_EBUSY = 10,
    WASI_ECANCELED = 11,
    WASI_ECHILD = 12,
    WASI_ECONNABORTED = 13,
    WASI_ECONNREFUSED = 14,
    WASI_ECONNRESET = 15,
    WASI_EDEADLK = 16,
    WASI_EDESTADDRREQ = 17,
    WASI_EDOM = 18,
    WASI_EDQUOT = 19,
    WASI_EEXIST = 20,
    WASI_EFAULT = 21,
    WASI_EFBIG = 22,
    WASI_EHOSTUNREACH = 23,
    WASI_EIDRM = 24,
    WASI_EILSEQ = 25,
    WASI_EINPROGRESS = 26,
    WASI_EINTR = 27,
    WASI_EINVAL = 28,
    WASI_EIO = 29,
    WASI_EISCONN = 30,
    WASI_EISDIR = 31,
    WASI_ELOOP = 32,
    WASI_EMFILE = 33,
    WASI_EMLINK = 34,
    WASI_EMSGSIZE = 35,
    WASI_EMULTIHOP = 36,
    WASI_ENAMETOOLONG = 37,
    WASI_ENETDOWN = 38,
    WASI_ENETRESET = 39,
    WASI_ENETUNREACH = 40,
    WASI_ENFILE = 41,
    WASI_ENOBUFS = 42,
    WASI_ENODEV = 43,
    WASI_ENOENT = 44,
    WASI_ENOEXEC = 45,
    WASI_ENOLCK = 46,
    WASI_ENOLINK = 47,
    WASI_ENOMEM = 48,
    WASI_ENOMSG = 49,
    WASI_ENOPROTOOPT = 50,
    WASI_ENOSPC = 51,
    WASI_ENOSYS = 52,
    WASI_ENOTCONN = 53,
    WASI_ENOTDIR = 54,
    WASI_ENOTEMPTY = 55,
    WASI_ENOTRECOVERABLE = 56,
    WASI_ENOTSOCK = 57,
    WASI_ENOTSUP = 58,
    WASI_ENOTTY = 59,
    WASI_ENXIO = 60,
    WASI_EOVERFLOW = 61,
    WASI_EOWNERDEAD = 62,
    WASI_EPERM = 63,
    WASI_EPIPE = 64,
    WASI_EPROTO = 65,
    WASI_EPROTONOSUPPORT = 66,
    WASI_EPROTOTYPE = 67,
    WASI_ERANGE = 68,
    WASI_EROFS = 69,
    WASI_ESPIPE = 70,
    WASI_ESRCH = 71,
    WASI_ESTALE = 72,
    WASI_ETIMEDOUT = 73,
    WASI_ETXTBSY = 74,
    WASI_EXDEV = 75,
    WASI_ENOTCAPABLE = 76,
};

/* A host errno as a WASI errno (wasi_errno.c); unknown values become EIO. */
W2N_INTERNAL int32_t wasi_errno(int host_errno);

/* ----------------------------------------------------------- rights --- */

#define WASI_RIGHT_FD_DATASYNC (1ull << 0)
#define WASI_RIGHT_FD_READ (1ull << 1)
#define WASI_RIGHT_FD_SEEK (1ull << 2)
#define WASI_RIGHT_FD_FDSTAT_SET_FLAGS (1ull << 3)
#define WASI_RIGHT_FD_SYNC (1ull << 4)
#define WASI_RIGHT_FD_TELL (1ull << 5)
#define WASI_RIGHT_FD_WRITE (1ull << 6)
#define WASI_RIGHT_FD_ADVISE (1ull << 7)
#define WASI_RIGHT_FD_ALLOCATE (1ull << 8)
#define WASI_RIGHT_PATH_CREATE_DIRECTORY (1ull << 9)
#define WASI_RIGHT_PATH_CREATE_FILE (1ull << 10)
#define WASI_RIGHT_PATH_LINK_SOURCE (1ull << 11)
#define WASI_RIGHT_PATH_LINK_TARGET (1ull << 12)
#define WASI_RIGHT_PATH_OPEN (1ull << 13)
#define WASI_RIGHT_FD_READDIR (1ull << 14)
#define WASI_RIGHT_PATH_READLINK (1ull << 15)
#define WASI_RIGHT_PATH_RENAME_SOURCE (1ull << 16)
#define WASI_RIGHT_PATH_RENAME_TARGET (1ull << 17)
#define WASI_RIGHT_PATH_FILESTAT_GET (1ull << 18)
#define WASI_RIGHT_PATH_FILESTAT_SET_SIZE (1ull << 19)
#define WASI_RIGHT_PATH_FILESTAT_SET_TIMES (1ull << 20)
#define WASI_RIGHT_FD_FILESTAT_GET (1ull << 21)
#define WASI_RIGHT_FD_FILESTAT_SET_SIZE (1ull << 22)
#define WASI_RIGHT_FD_FILESTAT_SET_TIMES (1ull << 23)
#define WASI_RIGHT_PATH_SYMLINK (1ull << 24)
#define WASI_RIGHT_PATH_REMOVE_DIRECTORY (1ull << 25)
#define WASI_RIGHT_PATH_UNLINK_FILE (1ull << 26)
#define WASI_RIGHT_POLL_FD_READWRITE (1ull << 27)
#define WASI_RIGHT_SOCK_SHUTDOWN (1ull << 28)
#define WASI_RIGHT_SOCK_ACCEPT (1ull << 29)
#define WASI_RIGHTS_ALL ((1ull << 30) - 1)

/* What an open regular file, character device or socket may be granted. */
#define WASI_RIGHTS_FILE                                                                           \
    (WASI_RIGHT_FD_DATASYNC | WASI_RIGHT_FD_READ | WASI_RIGHT_FD_SEEK |                            \
     WASI_RIGHT_FD_FDSTAT_SET_FLAGS | WASI_RIGHT_FD_SYNC | WASI_RIGHT_FD_TELL |                    \
     WASI_RIGHT_FD_WRITE | WASI_RIGHT_FD_ADVISE | WASI_RIGHT_FD_ALLOCATE |                         \
     WASI_RIGHT_FD_FILESTAT_GET | WASI_RIGHT_FD_FILESTAT_SET_SIZE |                                \
     WASI_RIGHT_FD_FILESTAT_SET_TIMES | WASI_RIGHT_POLL_FD_READWRITE | WASI_RIGHT_SOCK_SHUTDOWN |  \
     WASI_RIGHT_SOCK_ACCEPT)
/* What an open directory may be granted for itself (its inheriting rights are all rights). */
#define WASI_RIGHTS_DIRECTORY                                                                      \
    (WASI_RIGHT_FD_FDSTAT_SET_FLAGS | WASI_RIGHT_FD_SYNC | WASI_RIGHT_FD_ADVISE |                  \
     WASI_RIGHT_PATH_CREATE_DIRECTORY | WASI_RIGHT_PATH_CREATE_FILE |                              \
     WASI_RIGHT_PATH_LINK_SOURCE | WASI_RIGHT_PATH_LINK_TARGET | WASI_RIGHT_PATH_OPEN |            \
     WASI_RIGHT_FD_READDIR | WASI_RIGHT_PATH_READLINK | WASI_RIGHT_PATH_RENAME_SOURCE |            \
     WASI_RIGHT_PATH_RENAME_TARGET | WASI_RIGHT_PATH_FILESTAT_GET |                                \
     WASI_RIGHT_PATH_FILESTAT_SET_SIZE | WASI_RIGHT_PATH_FILESTAT_SET_TIMES |                      \
     WASI_RIGHT_FD_FILESTAT_GET | WASI_RIGHT_FD_FILESTAT_SET_TIMES | WASI_RIGHT_PATH_SYMLINK |     \
     WASI_RIGHT_PATH_REMOVE_DIRECTORY | WASI_RIGHT_PATH_UNLINK_FILE |                              \
     WASI_RIGHT_POLL_FD_READWRITE)

/*
 * The rights whose use changes the host's file system: data, sizes, times, names. Through a
 * read-only grant each of them is refused with WASI_EPERM (wasi_fd_get), whatever rights the
 * descriptor holds: the grant is the host's policy, like a read-only mount, while rights are
 * the guest's own and can only be dropped. Linking from a file counts, since the new link could
 * be written through another grant.
 */
#define WASI_RIGHTS_MUTATING                                                                       \
    (WASI_RIGHT_FD_WRITE | WASI_RIGHT_FD_ALLOCATE | WASI_RIGHT_FD_FILESTAT_SET_SIZE |              \
     WASI_RIGHT_FD_FILESTAT_SET_TIMES | WASI_RIGHT_PATH_CREATE_DIRECTORY |                         \
     WASI_RIGHT_PATH_CREATE_FILE | WASI_RIGHT_PATH_LINK_SOURCE | WASI_RIGHT_PATH_LINK_TARGET |     \
     WASI_RIGHT_PATH_RENAME_SOURCE | WASI_RIGHT_PATH_RENAME_TARGET |                               \
     WASI_RIGHT_PATH_FILESTAT_SET_SIZE | WASI_RIGHT_PATH_FILESTAT_SET_TIMES |                      \
     WASI_RIGHT_PATH_SYMLINK | WASI_RIGHT_PATH_REMOVE_DIRECTORY | WASI_RIGHT_PATH_UNLINK_FILE)

/*
 * The right each function checks, and on which descriptor, as preview 1's witx assigns them.
 * Each check is a wasi_fd_get call made before anything is touched: a descriptor not open is
 * WASI_EBADF, a mutating right through a read-only grant WASI_EPERM (held or not), a missing
 * right WASI_ENOTCAPABLE.
 *
 *   fd_read, sock_recv            FD_READ
 *   fd_pread                      FD_READ and FD_SEEK
 *   fd_write, sock_send           FD_WRITE
 *   fd_pwrite                     FD_WRITE and FD_SEEK
 *   fd_seek                       FD_SEEK; offset 0 from CUR (only asks where) FD_TELL or FD_SEEK
 *   fd_tell                       FD_TELL or FD_SEEK (the witx: FD_SEEK implies FD_TELL)
 *   fd_sync, fd_datasync          FD_SYNC, FD_DATASYNC
 *   fd_advise, fd_allocate        FD_ADVISE, FD_ALLOCATE
 *   fd_fdstat_set_flags           FD_FDSTAT_SET_FLAGS
 *   fd_filestat_get               FD_FILESTAT_GET
 *   fd_filestat_set_size          FD_FILESTAT_SET_SIZE
 *   fd_filestat_set_times         FD_FILESTAT_SET_TIMES
 *   fd_readdir                    FD_READDIR
 *   fd_close, fd_renumber, fd_fdstat_get, fd_prestat_get, fd_prestat_dir_name: none
 *   fd_fdstat_set_rights          none, but it only drops rights (adding one: ENOTCAPABLE)
 *   path_open                     on the directory: PATH_OPEN, plus PATH_CREATE_FILE for
 *                                 oflags CREAT and PATH_FILESTAT_SET_SIZE for TRUNC (whatever
 *                                 rights the new descriptor asks for); in the directory's
 *                                 inheriting rights: every right asked for the new descriptor
 *                                 (base and inheriting), FD_DATASYNC for fdflags DSYNC, FD_SYNC
 *                                 for RSYNC or SYNC
 *   path_create_directory         PATH_CREATE_DIRECTORY
 *   path_filestat_get             PATH_FILESTAT_GET
 *   path_filestat_set_times       PATH_FILESTAT_SET_TIMES
 *   path_link                     PATH_LINK_SOURCE on old_fd, PATH_LINK_TARGET on new_fd
 *   path_readlink                 PATH_READLINK
 *   path_remove_directory         PATH_REMOVE_DIRECTORY
 *   path_rename                   PATH_RENAME_SOURCE on fd, PATH_RENAME_TARGET on new_fd
 *   path_symlink                  PATH_SYMLINK
 *   path_unlink_file              PATH_UNLINK_FILE
 *   poll_oneoff                   per fd subscription, POLL_FD_READWRITE and FD_READ (fd_read)
 *                                 or FD_WRITE (fd_write); a missing right is that event's error
 *   sock_accept, sock_shutdown    SOCK_ACCEPT, SOCK_SHUTDOWN
 *
 * The rights a new descriptor gets are those asked for that apply to its file type
 * (WASI_RIGHTS_FILE or WASI_RIGHTS_DIRECTORY), as the witx allows.
 */

/* ------------------------------------------------- enums and flags --- */

enum {
    WASI_FILETYPE_UNKNOWN = 0,
    WASI_FILETYPE_BLOCK_DEVICE = 1,
    WASI_FILETYPE_CHARACTER_DEVICE = 2,
    WASI_FILETYPE_DIRECTORY = 3,
    WASI_FILETYPE_REGULAR_FILE = 4,
    WASI_FILETYPE_SOCKET_DGRAM = 5,
    WASI_FILETYPE_SOCKET_STREAM = 6,
    WASI_FILETYPE_SYMBOLIC_LINK = 7,
};

#define WASI_FDFLAGS_APPEND 1
#define WASI_FDFLAGS_DSYNC 2
#define WASI_FDFLAGS_NONBLOCK 4
#define WASI_FDFLAGS_RSYNC 8
#define WASI_FDFLAGS_SYNC 16

#define WASI_OFLAGS_CREAT 1
#define WASI_OFLAGS_DIRECTORY 2
#define WASI_OFLAGS_EXCL 4
#define WASI_OFLAGS_TRUNC 8

#define WASI_LOOKUPFLAGS_SYMLINK_FOLLOW 1

#define WASI_FSTFLAGS_ATIM 1
#define WASI_FSTFLAGS_ATIM_NOW 2
#define WASI_FSTFLAGS_MTIM 4
#define WASI_FSTFLAGS_MTIM_NOW 8

enum { WASI_WHENCE_SET = 0, WASI_WHENCE_CUR = 1, WASI_WHENCE_END = 2 };

enum {
    WASI_CLOCK_REALTIME = 0,
    WASI_CLOCK_MONOTONIC = 1,
    WASI_CLOCK_PROCESS_CPUTIME = 2,
    WASI_CLOCK_THREAD_CPUTIME = 3
};

enum { WASI_EVENTTYPE_CLOCK = 0, WASI_EVENTTYPE_FD_READ = 1, WASI_EVENTTYPE_FD_WRITE = 2 };
#define WASI_SUBCLOCKFLAGS_ABSTIME 1
#define WASI_EVENTRWFLAGS_HANGUP 1

#define WASI_SDFLAGS_RD 1
#define WASI_SDFLAGS_WR 2
#define WASI_RIFLAGS_RECV_PEEK 1
#define WASI_RIFLAGS_RECV_WAITALL 2
#define WASI_ROFLAGS_RECV_DATA_TRUNCATED 1

/* ---------------------------------------------------- guest layouts --- */

/* iovec / ciovec: buf u32 @0, buf_len u32 @4. */
#define WASI_IOVEC_SIZE 8
/* fdstat: fs_filetype u8 @0, fs_flags u16 @2, fs_rights_base u64 @8, fs_rights_inheriting @16. */
#define WASI_FDSTAT_SIZE 24
/* filestat: dev u64 @0, ino u64 @8, filetype u8 @16, nlink u64 @24, size u64 @32,
 * atim u64 @40, mtim u64 @48, ctim u64 @56. */
#define WASI_FILESTAT_SIZE 64
/* dirent: d_next u64 @0, d_ino u64 @8, d_namlen u32 @16, d_type u8 @20; the name follows. */
#define WASI_DIRENT_SIZE 24
/* prestat: tag u8 @0 (0 = dir), pr_name_len u32 @4. */
#define WASI_PRESTAT_SIZE 8
/* subscription: userdata u64 @0, tag u8 @8; clock: id u32 @16, timeout u64 @24,
 * precision u64 @32, flags u16 @40; fd_read/fd_write: file_descriptor u32 @16. */
#define WASI_SUBSCRIPTION_SIZE 48
/* event: userdata u64 @0, error u16 @8, type u8 @10; fd_readwrite: nbytes u64 @16,
 * flags u16 @24. */
#define WASI_EVENT_SIZE 32

/* ---------------------------------------------------- guest memory --- */

/* The caller's exported memory; base is NULL when it has none. */
typedef struct wasi_memory {
    uint8_t *base;
    uint64_t size;
} wasi_memory;

W2N_INTERNAL wasi_memory wasi_caller_memory(w2n_instance *caller);
/*
 * Whether guest bytes [pointer, pointer + length) exist, in 64-bit arithmetic. Every
 * (pointer, length) the runtime reads or writes is checked with it before it is touched.
 */
W2N_INTERNAL int wasi_in_bounds(wasi_memory memory, uint32_t pointer, uint64_t length);
W2N_INTERNAL uint16_t wasi_load_u16(wasi_memory memory, uint32_t pointer);
W2N_INTERNAL uint32_t wasi_load_u32(wasi_memory memory, uint32_t pointer);
W2N_INTERNAL uint64_t wasi_load_u64(wasi_memory memory, uint32_t pointer);
W2N_INTERNAL void wasi_store_u8(wasi_memory memory, uint32_t pointer, uint8_t value);
W2N_INTERNAL void wasi_store_u16(wasi_memory memory, uint32_t pointer, uint16_t value);
W2N_INTERNAL void wasi_store_u32(wasi_memory memory, uint32_t pointer, uint32_t value);
W2N_INTERNAL void wasi_store_u64(wasi_memory memory, uint32_t pointer, uint64_t value);

/* A guest (c)iovec array as host iovecs, for one readv/writev/recvmsg/sendmsg. */
typedef struct wasi_iovecs {
    struct iovec *vectors; /* `local` or heap memory */
    int count;
    struct iovec local[16];
} wasi_iovecs;

/*
 * Checks an iovec array and every buffer it names (WASI_EFAULT if any is out of bounds), so a
 * transfer never starts that would stop half way on a bad buffer, then fills `out`. Past
 * IOV_MAX buffers the rest is left out, which only makes the transfer shorter, as POSIX allows.
 * Release `out` with wasi_iovecs_release.
 */
W2N_INTERNAL int32_t wasi_iovecs_get(wasi_memory memory, uint32_t iovs, uint32_t iovs_len,
                                     wasi_iovecs *out);
W2N_INTERNAL void wasi_iovecs_release(wasi_iovecs *iovecs);

/* ----------------------------------------------- context and fd table --- */

/* fd_readdir's state for one directory descriptor (wasi_fd_readdir.c). */
typedef struct wasi_dir_stream wasi_dir_stream;
W2N_INTERNAL void wasi_dir_stream_close(wasi_dir_stream *stream);

/* One guest descriptor. A free slot has host == -1. */
typedef struct wasi_fd {
    int host;                   /* the host descriptor; owned, except the standard streams */
    uint8_t filetype;           /* WASI_FILETYPE_*, fixed when the slot is filled */
    uint64_t rights_base;       /* what this descriptor may do */
    uint64_t rights_inheriting; /* what descriptors opened through it may be given */
    char *preopen;              /* guest name of a preopened directory (owned), else NULL */
    uint8_t read_only;          /* reached through a read-only grant: WASI_RIGHTS_MUTATING
                                   are refused with WASI_EPERM */
    wasi_dir_stream *directory; /* fd_readdir's stream (owned), else NULL */
} wasi_fd;

/* The standard streams are WASI fds 0, 1 and 2, bound to the process's. */
#define WASI_STANDARD_STREAMS 3

struct w2n_wasi_context {
    int argc;
    char **argv;
    char **envp;
    wasi_fd *fds;       /* indexed by guest fd */
    uint32_t fd_count;  /* slots allocated in `fds` */
    w2n_funcref *funcs; /* what the resolver hands out, one per function */
};

/* The WASI context of the instance that called a WASI function. */
W2N_INTERNAL w2n_wasi_context *wasi_context_of(w2n_instance *caller);

/*
 * The open descriptor `fd` if it holds every right in `rights`; otherwise NULL with *error set
 * to WASI_EBADF (not open), WASI_EPERM (a right of WASI_RIGHTS_MUTATING through a read-only
 * grant) or WASI_ENOTCAPABLE (missing a right).
 */
W2N_INTERNAL wasi_fd *wasi_fd_get(w2n_wasi_context *context, int32_t fd, uint64_t rights,
                                  int32_t *error);
/*
 * As wasi_fd_get, for calls on a byte stream (data, position, flags, size): a directory has
 * none, so it is WASI_EBADF whatever its rights, as for a descriptor that is not open.
 */
W2N_INTERNAL wasi_fd *wasi_fd_get_stream(w2n_wasi_context *context, int32_t fd, uint64_t rights,
                                         int32_t *error);
/*
 * Puts `host` in the lowest free guest slot and returns that fd through `out`. Takes ownership
 * of `host`: on failure (WASI_ENFILE, WASI_ENOMEM) it is closed.
 */
W2N_INTERNAL int32_t wasi_fd_insert(w2n_wasi_context *context, int host, uint8_t filetype,
                                    uint64_t rights_base, uint64_t rights_inheriting,
                                    uint32_t *out);
/* Closes what a slot owns and marks it free; host fds 0, 1 and 2 stay open for the runtime. */
W2N_INTERNAL void wasi_fd_release(wasi_fd *entry);

/* ------------------------------------------------- stat conversion --- */

W2N_INTERNAL uint8_t wasi_filetype_of_mode(mode_t mode);
/* Writes a host stat as a WASI filestat at `pointer` (bounds already checked). */
W2N_INTERNAL void wasi_store_filestat(wasi_memory memory, uint32_t pointer, const struct stat *st);
/*
 * The two timespecs utimensat/futimens take for a WASI (atim, mtim, fst_flags); WASI_EINVAL
 * when a time is both given and "now" or a flag is unknown.
 */
W2N_INTERNAL int32_t wasi_times_of(uint64_t atim, uint64_t mtim, uint16_t fst_flags,
                                   struct timespec times[2]);

/* ------------------------------------------------------- functions --- */

typedef struct wasi_function {
    const char *name;
    const char *signature;
    void *code;
} wasi_function;

/* wasi_args.c */
W2N_INTERNAL int32_t wasi_args_get(w2n_instance *caller, uint32_t argv, uint32_t argv_buf);
W2N_INTERNAL int32_t wasi_args_sizes_get(w2n_instance *caller, uint32_t argc, uint32_t size);
W2N_INTERNAL int32_t wasi_environ_get(w2n_instance *caller, uint32_t environ, uint32_t environ_buf);
W2N_INTERNAL int32_t wasi_environ_sizes_get(w2n_instance *caller, uint32_t count, uint32_t size);

/* wasi_fd_io.c: data transfer and positions */
W2N_INTERNAL int32_t wasi_fd_read(w2n_instance *caller, int32_t fd, uint32_t iovs,
                                  uint32_t iovs_len, uint32_t nread);
W2N_INTERNAL int32_t wasi_fd_write(w2n_instance *caller, int32_t fd, uint32_t iovs,
                                   uint32_t iovs_len, uint32_t nwritten);
W2N_INTERNAL int32_t wasi_fd_pread(w2n_instance *caller, int32_t fd, uint32_t iovs,
                                   uint32_t iovs_len, int64_t offset, uint32_t nread);
W2N_INTERNAL int32_t wasi_fd_pwrite(w2n_instance *caller, int32_t fd, uint32_t iovs,
                                    uint32_t iovs_len, int64_t offset, uint32_t nwritten);
W2N_INTERNAL int32_t wasi_fd_seek(w2n_instance *caller, int32_t fd, int64_t offset, int32_t whence,
                                  uint32_t new_offset);
W2N_INTERNAL int32_t wasi_fd_tell(w2n_instance *caller, int32_t fd, uint32_t offset);
W2N_INTERNAL int32_t wasi_fd_sync(w2n_instance *caller, int32_t fd);
W2N_INTERNAL int32_t wasi_fd_datasync(w2n_instance *caller, int32_t fd);
W2N_INTERNAL int32_t wasi_fd_advise(w2n_instance *caller, int32_t fd, int64_t offset, int64_t len,
                                    int32_t advice);
W2N_INTERNAL int32_t wasi_fd_allocate(w2n_instance *caller, int32_t fd, int64_t offset,
                                      int64_t len);

/* wasi_fd_meta.c: descriptor state, stat, close, renumber, preopens */
W2N_INTERNAL int32_t wasi_fd_close(w2n_instance *caller, int32_t fd);
W2N_INTERNAL int32_t wasi_fd_renumber(w2n_instance *caller, int32_t fd, int32_t to);
W2N_INTERNAL int32_t wasi_fd_fdstat_get(w2n_instance *caller, int32_t fd, uint32_t stat);
W2N_INTERNAL int32_t wasi_fd_fdstat_set_flags(w2n_instance *caller, int32_t fd, int32_t flags);
W2N_INTERNAL int32_t wasi_fd_fdstat_set_rights(w2n_instance *caller, int32_t fd,
                                               int64_t rights_base, int64_t rights_inheriting);
W2N_INTERNAL int32_t wasi_fd_filestat_get(w2n_instance *caller, int32_t fd, uint32_t buf);
W2N_INTERNAL int32_t wasi_fd_filestat_set_size(w2n_instance *caller, int32_t fd, int64_t size);
W2N_INTERNAL int32_t wasi_fd_filestat_set_times(w2n_instance *caller, int32_t fd, int64_t atim,
                                                int64_t mtim, int32_t fst_flags);
W2N_INTERNAL int32_t wasi_fd_prestat_get(w2n_instance *caller, int32_t fd, uint32_t prestat);
W2N_INTERNAL int32_t wasi_fd_prestat_dir_name(w2n_instance *caller, int32_t fd, uint32_t path,
                                              uint32_t path_len);

/* wasi_fd_readdir.c */
W2N_INTERNAL int32_t wasi_fd_readdir(w2n_instance *caller, int32_t fd, uint32_t buf,
                                     uint32_t buf_len, int64_t cookie, uint32_t bufused);

/* wasi_path.c: every path_* function, through the sandboxed resolver of wasi_resolve.c */
W2N_INTERNAL int32_t wasi_path_open(w2n_instance *caller, int32_t fd, int32_t dirflags,
                                    uint32_t path, uint32_t path_len, int32_t oflags,
                                    int64_t rights_base, int64_t rights_inheriting, int32_t fdflags,
                                    uint32_t opened_fd);
W2N_INTERNAL int32_t wasi_path_create_directory(w2n_instance *caller, int32_t fd, uint32_t path,
                                                uint32_t path_len);
W2N_INTERNAL int32_t wasi_path_remove_directory(w2n_instance *caller, int32_t fd, uint32_t path,
                                                uint32_t path_len);
W2N_INTERNAL int32_t wasi_path_unlink_file(w2n_instance *caller, int32_t fd, uint32_t path,
                                           uint32_t path_len);
W2N_INTERNAL int32_t wasi_path_filestat_get(w2n_instance *caller, int32_t fd, int32_t flags,
                                            uint32_t path, uint32_t path_len, uint32_t buf);
W2N_INTERNAL int32_t wasi_path_filestat_set_times(w2n_instance *caller, int32_t fd, int32_t flags,
                                                  uint32_t path, uint32_t path_len, int64_t atim,
                                                  int64_t mtim, int32_t fst_flags);
W2N_INTERNAL int32_t wasi_path_link(w2n_instance *caller, int32_t old_fd, int32_t old_flags,
                                    uint32_t old_path, uint32_t old_path_len, int32_t new_fd,
                                    uint32_t new_path, uint32_t new_path_len);
W2N_INTERNAL int32_t wasi_path_rename(w2n_instance *caller, int32_t fd, uint32_t old_path,
                                      uint32_t old_path_len, int32_t new_fd, uint32_t new_path,
                                      uint32_t new_path_len);
W2N_INTERNAL int32_t wasi_path_symlink(w2n_instance *caller, uint32_t old_path,
                                       uint32_t old_path_len, int32_t fd, uint32_t new_path,
                                       uint32_t new_path_len);
W2N_INTERNAL int32_t wasi_path_readlink(w2n_instance *caller, int32_t fd, uint32_t path,
                                        uint32_t path_len, uint32_t buf, uint32_t buf_len,
                                        uint32_t bufused);

/* wasi_poll.c */
W2N_INTERNAL int32_t wasi_poll_oneoff(w2n_instance *caller, uint32_t in, uint32_t out,
                                      uint32_t nsubscriptions, uint32_t nevents);

/* wasi_sock.c */
W2N_INTERNAL int32_t wasi_sock_accept(w2n_instance *caller, int32_t fd, int32_t flags,
                                      uint32_t opened_fd);
W2N_INTERNAL int32_t wasi_sock_recv(w2n_instance *caller, int32_t fd, uint32_t ri_data,
                                    uint32_t ri_data_len, int32_t ri_flags, uint32_t ro_datalen,
                                    uint32_t ro_flags);
W2N_INTERNAL int32_t wasi_sock_send(w2n_instance *caller, int32_t fd, uint32_t si_data,
                                    uint32_t si_data_len, int32_t si_flags, uint32_t so_datalen);
W2N_INTERNAL int32_t wasi_sock_shutdown(w2n_instance *caller, int32_t fd, int32_t how);

/* wasi_proc.c: clocks, randomness, scheduling, process */
W2N_INTERNAL int32_t wasi_clock_time_get(w2n_instance *caller, int32_t clock_id, int64_t precision,
                                         uint32_t time);
W2N_INTERNAL int32_t wasi_clock_res_get(w2n_instance *caller, int32_t clock_id,
                                        uint32_t resolution);
/* The host clock of a WASI clock id; -1 for an unknown id (wasi_poll.c uses it too). */
W2N_INTERNAL int wasi_host_clock(int32_t clock_id, clockid_t *out);
W2N_INTERNAL int32_t wasi_random_get(w2n_instance *caller, uint32_t buf, uint32_t buf_len);
W2N_INTERNAL int32_t wasi_sched_yield(w2n_instance *caller);
W2N_INTERNAL int32_t wasi_proc_raise(w2n_instance *caller, int32_t signal);
W2N_INTERNAL _Noreturn void wasi_proc_exit(w2n_instance *caller, int32_t status);

#endif
