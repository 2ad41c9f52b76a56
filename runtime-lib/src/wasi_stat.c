/* Host stat results and WASI timestamps, shared by the fd_* and path_* stat functions. */

#include "wasi_internal.h"

uint8_t wasi_filetype_of_mode(mode_t mode) {
    switch (mode & S_IFMT) {
    case S_IFBLK: return WASI_FILETYPE_BLOCK_DEVICE;
    case S_IFCHR: return WASI_FILETYPE_CHARACTER_DEVICE;
    case S_IFDIR: return WASI_FILETYPE_DIRECTORY;
    case S_IFREG: return WASI_FILETYPE_REGULAR_FILE;
    case S_IFSOCK: return WASI_FILETYPE_SOCKET_STREAM;
    case S_IFLNK: return WASI_FILETYPE_SYMBOLIC_LINK;
    default: return WASI_FILETYPE_UNKNOWN;
    }
}

static uint64_t nanoseconds_of(struct timespec time) {
    if (time.tv_sec < 0)
        return 0;
    return (uint64_t)time.tv_sec * 1000000000u + (uint64_t)time.tv_nsec;
}

void wasi_store_filestat(wasi_memory memory, uint32_t pointer, const struct stat *st) {
    wasi_store_u64(memory, pointer + 0, (uint64_t)st->st_dev);
    wasi_store_u64(memory, pointer + 8, (uint64_t)st->st_ino);
    wasi_store_u64(memory, pointer + 16, 0); /* filetype and padding */
    wasi_store_u8(memory, pointer + 16, wasi_filetype_of_mode(st->st_mode));
    wasi_store_u64(memory, pointer + 24, (uint64_t)st->st_nlink);
    wasi_store_u64(memory, pointer + 32, (uint64_t)st->st_size);
    wasi_store_u64(memory, pointer + 40, nanoseconds_of(st->st_atim));
    wasi_store_u64(memory, pointer + 48, nanoseconds_of(st->st_mtim));
    wasi_store_u64(memory, pointer + 56, nanoseconds_of(st->st_ctim));
}

static int32_t time_of(uint64_t value, int given, int now, struct timespec *out) {
    if (given && now)
        return WASI_EINVAL;
    if (now) {
        *out = (struct timespec){.tv_nsec = UTIME_NOW};
    } else if (given) {
        *out = (struct timespec){.tv_sec = (time_t)(value / 1000000000u),
                                 .tv_nsec = (long)(value % 1000000000u)};
    } else {
        *out = (struct timespec){.tv_nsec = UTIME_OMIT};
    }
    return WASI_ESUCCESS;
}

int32_t wasi_times_of(uint64_t atim, uint64_t mtim, uint16_t fst_flags, struct timespec times[2]) {
    const uint16_t known =
        WASI_FSTFLAGS_ATIM | WASI_FSTFLAGS_ATIM_NOW | WASI_FSTFLAGS_MTIM | WASI_FSTFLAGS_MTIM_NOW;
    if (fst_flags & ~known)
        return WASI_EINVAL;
    int32_t error = time_of(atim, fst_flags & WASI_FSTFLAGS_ATIM,
                            fst_flags & WASI_FSTFLAGS_ATIM_NOW, &times[0]);
    if (error == WASI_ESUCCESS)
        error = time_of(mtim, fst_flags & WASI_FSTFLAGS_MTIM, fst_flags & WASI_FSTFLAGS_MTIM_NOW,
                        &times[1]);
    return error;
}
