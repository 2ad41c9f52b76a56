/* 64 MiB to stdout, a pipe read by the runner: 32 MiB in one write() call (looping over partial
   writes, as a correct program must) and 32 MiB through stdio in uneven fwrite calls. The runner
   compares the byte count and checksum of what arrived, not the bytes themselves. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define HALF (32u << 20)

int main(void) {
    unsigned char *data = malloc(HALF);
    for (size_t i = 0; i < HALF; i++)
        data[i] = (unsigned char)(i * 131 + (i >> 12));
    size_t done = 0;
    while (done < HALF) {
        ssize_t moved = write(STDOUT_FILENO, data + done, HALF - done);
        if (moved <= 0)
            return 1;
        done += (size_t)moved;
    }
    for (size_t i = 0; i < HALF; i++)
        data[i] ^= 0xa5;
    size_t sizes[] = {1, 4095, 4097, 65536, 1000000, 7};
    for (size_t at = 0, n = 0; at < HALF; n++) {
        size_t length = sizes[n % 6];
        if (length > HALF - at)
            length = HALF - at;
        if (fwrite(data + at, 1, length, stdout) != length)
            return 1;
        at += length;
    }
    return fflush(stdout) == 0 ? 0 : 1;
}
