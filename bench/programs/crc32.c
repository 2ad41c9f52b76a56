/* CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320, as in zlib and gzip) by slicing-by-8 over
 * a 16 MiB buffer of random bytes, many times over, each CRC written into the buffer before the
 * next pass. Stresses table lookups: eight independent loads from an 8 KiB table per
 * eight input bytes, with shifts, masks and xors. Every CRC is hashed. */
#include "bench.h"

#define BUFFER_BYTES (16u << 20)
#define FULL_PASSES 100

/* tables[k][b]: the CRC contribution of byte b followed by k zero bytes. */
static uint32_t tables[8][256];

static void build_tables(void) {
    for (uint32_t b = 0; b < 256; b++) {
        uint32_t crc = b;
        for (int bit = 0; bit < 8; bit++)
            crc = crc & 1 ? crc >> 1 ^ 0xedb88320u : crc >> 1;
        tables[0][b] = crc;
    }
    for (int k = 1; k < 8; k++)
        for (int b = 0; b < 256; b++)
            tables[k][b] = tables[k - 1][b] >> 8 ^ tables[0][tables[k - 1][b] & 0xff];
}

static uint32_t load_little_endian(const uint8_t *at) {
    return (uint32_t)at[0] | (uint32_t)at[1] << 8 | (uint32_t)at[2] << 16 | (uint32_t)at[3] << 24;
}

static uint32_t crc32(const uint8_t *data, size_t size) {
    uint32_t crc = 0xffffffffu;
    for (; size >= 8; data += 8, size -= 8) {
        uint32_t low = load_little_endian(data) ^ crc;
        uint32_t high = load_little_endian(data + 4);
        crc = tables[7][low & 0xff] ^ tables[6][low >> 8 & 0xff] ^ tables[5][low >> 16 & 0xff] ^
              tables[4][low >> 24] ^ tables[3][high & 0xff] ^ tables[2][high >> 8 & 0xff] ^
              tables[1][high >> 16 & 0xff] ^ tables[0][high >> 24];
    }
    for (; size > 0; data++, size--)
        crc = crc >> 8 ^ tables[0][(crc ^ *data) & 0xff];
    return ~crc;
}

int main(int argc, char **argv) {
    int scale = bench_begin(argc, argv);
    int passes = FULL_PASSES / scale;
    uint8_t *buffer = malloc(BUFFER_BYTES);
    uint32_t *crcs = malloc((size_t)passes * sizeof *crcs);
    if (!buffer || !crcs)
        return 1;
    for (size_t i = 0; i < BUFFER_BYTES; i += 8) {
        uint64_t word = bench_random();
        memcpy(buffer + i, &word, sizeof word);
    }
    build_tables();

    /* Each pass starts a few bytes further in, so unaligned loads and every tail length occur. */
    bench_kernel_start();
    for (int pass = 0; pass < passes; pass++) {
        size_t skip = (size_t)pass % 8;
        crcs[pass] = crc32(buffer + skip, BUFFER_BYTES - skip - (size_t)pass % 5);
        memcpy(buffer + 8, &crcs[pass], sizeof crcs[pass]);
    }
    bench_kernel_stop();

    uint64_t checksum = BENCH_HASH_SEED;
    for (int pass = 0; pass < passes; pass++)
        checksum = bench_hash_u64(checksum, crcs[pass]);
    free(buffer);
    free(crcs);
    return bench_report(checksum);
}
