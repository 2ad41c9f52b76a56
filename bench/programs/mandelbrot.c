/* Mandelbrot: the benchmarks game's 1-bit bitmap of the Mandelbrot set over [-1.5, 0.5] x [-1, 1]
 * (50 iterations, escape radius 2), eight pixels to a byte, most significant bit first. Stresses
 * scalar double multiply-add chains with a data-dependent loop exit, and bit packing; the whole
 * bitmap is hashed. */
#include "bench.h"

#include <math.h>

#define FULL_SIZE 3600
#define MAX_ITERATIONS 50
#define ESCAPE_RADIUS_SQUARED 4.0

/* Whether c = (cr, ci) stays within the escape radius for all the iterations of z = z^2 + c. */
static int in_set(double cr, double ci) {
    double zr = 0, zi = 0, zr_squared = 0, zi_squared = 0;
    for (int i = 0; i < MAX_ITERATIONS && zr_squared + zi_squared <= ESCAPE_RADIUS_SQUARED; i++) {
        zi = 2 * zr * zi + ci;
        zr = zr_squared - zi_squared + cr;
        zr_squared = zr * zr;
        zi_squared = zi * zi;
    }
    return zr_squared + zi_squared <= ESCAPE_RADIUS_SQUARED;
}

/* Fills `bitmap` with `size` rows of (size + 7) / 8 bytes, each row's last byte zero-padded. */
static void render(int size, uint8_t *bitmap) {
    int row_bytes = (size + 7) / 8;
    for (int y = 0; y < size; y++) {
        double ci = 2.0 * y / size - 1.0;
        uint8_t *row = bitmap + (size_t)y * row_bytes;
        for (int byte = 0; byte < row_bytes; byte++) {
            unsigned bits = 0;
            for (int bit = 0; bit < 8; bit++) {
                int x = byte * 8 + bit;
                bits = bits << 1 | (x < size && in_set(2.0 * x / size - 1.5, ci));
            }
            row[byte] = (uint8_t)bits;
        }
    }
}

int main(int argc, char **argv) {
    int scale = bench_begin(argc, argv);
    /* The work grows with the number of pixels. */
    int size = (int)(FULL_SIZE / sqrt(scale));
    size_t bitmap_bytes = (size_t)size * ((size + 7) / 8);
    uint8_t *bitmap = malloc(bitmap_bytes);
    if (!bitmap)
        return 1;

    bench_kernel_start();
    render(size, bitmap);
    bench_kernel_stop();

    uint64_t checksum = bench_hash_u64(BENCH_HASH_SEED, (uint64_t)size);
    checksum = bench_hash_bytes(checksum, bitmap, bitmap_bytes);
    free(bitmap);
    return bench_report(checksum);
}
