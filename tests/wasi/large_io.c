/* Large transfers: 64 MiB written to a file with one write() call and read back with one read(),
   then again in uneven pieces with pwrite/pread, and all of stdin (8 MiB from the runner) read
   in one large buffer; each transfer is checked by an FNV-1a checksum, which is printed. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SIZE (64u << 20)

static uint64_t fnv1a(const unsigned char *bytes, size_t count) {
    uint64_t hash = 0xcbf29ce484222325u;
    for (size_t i = 0; i < count; i++)
        hash = (hash ^ bytes[i]) * 0x100000001b3u;
    return hash;
}

/* Reads and writes may move fewer bytes than asked (runtimes cap a single transfer); a correct
   program loops, and so do these helpers. */
static size_t write_all(int fd, const unsigned char *bytes, size_t count) {
    size_t done = 0;
    while (done < count) {
        ssize_t moved = write(fd, bytes + done, count - done);
        if (moved <= 0)
            break;
        done += (size_t)moved;
    }
    return done;
}

static size_t pwrite_all(int fd, const unsigned char *bytes, size_t count, off_t offset) {
    size_t done = 0;
    while (done < count) {
        ssize_t moved = pwrite(fd, bytes + done, count - done, offset + (off_t)done);
        if (moved <= 0)
            break;
        done += (size_t)moved;
    }
    return done;
}

static size_t pread_all(int fd, unsigned char *bytes, size_t count, off_t offset) {
    size_t done = 0;
    while (done < count) {
        ssize_t moved = pread(fd, bytes + done, count - done, offset + (off_t)done);
        if (moved <= 0)
            break;
        done += (size_t)moved;
    }
    return done;
}

static size_t read_all(int fd, unsigned char *bytes, size_t count) {
    size_t done = 0;
    while (done < count) {
        ssize_t moved = read(fd, bytes + done, count - done);
        if (moved <= 0)
            break;
        done += (size_t)moved;
    }
    return done;
}

int main(void) {
    unsigned char *data = malloc(SIZE), *back = malloc(SIZE);
    uint32_t state = 12345;
    for (size_t i = 0; i < SIZE; i++) {
        state = state * 1103515245u + 12345u;
        data[i] = (unsigned char)(state >> 23);
    }
    printf("pattern checksum %016llx\n", (unsigned long long)fnv1a(data, SIZE));

    int fd = open("/sandbox/big.bin", O_CREAT | O_RDWR | O_TRUNC, 0644);
    printf("wrote %zu bytes\n", write_all(fd, data, SIZE));
    lseek(fd, 0, SEEK_SET);
    memset(back, 0, SIZE);
    printf("read back %zu bytes, checksum %016llx\n", read_all(fd, back, SIZE),
           (unsigned long long)fnv1a(back, SIZE));

    /* Uneven pieces in reverse order, so that every piece lands at its own offset. */
    const size_t piece = 1000003;
    size_t total = 0;
    for (size_t end = SIZE; end > 0;) {
        size_t start = end > piece ? end - piece : 0;
        for (size_t i = start; i < end; i++)
            data[i] ^= 0x5a;
        total += pwrite_all(fd, data + start, end - start, (off_t)start);
        end = start;
    }
    printf("pwrite %zu bytes\n", total);
    memset(back, 0, SIZE);
    total = 0;
    for (size_t offset = 0; offset < SIZE; offset += 777777) {
        size_t length = SIZE - offset < 777777 ? SIZE - offset : 777777;
        total += pread_all(fd, back + offset, length, (off_t)offset);
    }
    printf("pread %zu bytes after pwrite, checksum %016llx, matches %d\n", total,
           (unsigned long long)fnv1a(back, SIZE), memcmp(data, back, SIZE) == 0);
    printf("file size %lld\n", (long long)lseek(fd, 0, SEEK_END));
    close(fd);

    memset(back, 0, SIZE);
    size_t from_stdin = read_all(STDIN_FILENO, back, SIZE);
    printf("stdin: %zu bytes, checksum %016llx\n", from_stdin,
           (unsigned long long)fnv1a(back, from_stdin));
    return 0;
}
