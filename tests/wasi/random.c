/* Randomness: getentropy fills its buffer with bytes that differ between calls and are not all
   zero; the bytes themselves are never printed, only "ok". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int all_zero(const unsigned char *bytes, size_t count) {
    for (size_t i = 0; i < count; i++)
        if (bytes[i])
            return 0;
    return 1;
}

int main(void) {
    unsigned char first[256], second[256];
    int filled = getentropy(first, sizeof first) == 0 && getentropy(second, sizeof second) == 0;
    printf("getentropy 256 bytes twice: %s\n", filled ? "ok" : "failed");
    printf("not all zero: %s\n", !all_zero(first, sizeof first) ? "ok" : "failed");
    printf("calls differ: %s\n", memcmp(first, second, sizeof first) != 0 ? "ok" : "failed");
    /* A large request through arc4random_buf, which reads random_get in pieces. */
    size_t large_size = 1 << 20;
    unsigned char *large = calloc(large_size, 1);
    arc4random_buf(large, large_size);
    size_t zero_run = 0, longest = 0;
    for (size_t i = 0; i < large_size; i++) {
        zero_run = large[i] ? 0 : zero_run + 1;
        longest = zero_run > longest ? zero_run : longest;
    }
    printf("1 MiB of random bytes without a long zero run: %s\n", longest < 16 ? "ok" : "failed");
    return 0;
}
