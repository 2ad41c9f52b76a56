/* Dense matrix multiply C = A B of n x n doubles, cache-blocked: for each TILE x TILE tile of B
 * (kept in L1), every row of A's matching column strip updates the matching strip of C (kept in
 * L2). The innermost loop is the row update c[i][j..] += a[i][k] * b[k][j..], which compilers
 * vectorise: it stresses unit-stride loads, stores and multiply-adds. All of C is hashed. */
#include "bench.h"

#define FULL_SIZE 1792
#define TILE 64

/* The largest multiple of TILE whose cube is at most full^3 / scale: the work is cubic in n. */
static int scaled_size(int full, int scale) {
    int n = full;
    while (n > TILE && (int64_t)n * n * n * scale > (int64_t)full * full * full)
        n -= TILE;
    return n;
}

/* c = a b; n is a multiple of TILE. */
static void multiply(int n, const double *restrict a, const double *restrict b,
                     double *restrict c) {
    memset(c, 0, (size_t)n * n * sizeof *c);
    for (int jj = 0; jj < n; jj += TILE)
        for (int kk = 0; kk < n; kk += TILE)
            for (int i = 0; i < n; i++) {
                double *c_row = c + (size_t)i * n + jj;
                for (int k = kk; k < kk + TILE; k++) {
                    double a_ik = a[(size_t)i * n + k];
                    const double *b_row = b + (size_t)k * n + jj;
                    for (int j = 0; j < TILE; j++)
                        c_row[j] += a_ik * b_row[j];
                }
            }
}

int main(int argc, char **argv) {
    int n = scaled_size(FULL_SIZE, bench_begin(argc, argv));
    size_t entries = (size_t)n * n;
    double *a = malloc(entries * sizeof *a);
    double *b = malloc(entries * sizeof *b);
    double *c = malloc(entries * sizeof *c);
    if (!a || !b || !c)
        return 1;
    for (size_t i = 0; i < entries; i++)
        a[i] = 2 * bench_random_double() - 1;
    for (size_t i = 0; i < entries; i++)
        b[i] = 2 * bench_random_double() - 1;

    bench_kernel_start();
    multiply(n, a, b, c);
    bench_kernel_stop();

    uint64_t checksum = BENCH_HASH_SEED;
    for (size_t i = 0; i < entries; i++)
        checksum = bench_hash_double(checksum, c[i]);
    free(a);
    free(b);
    free(c);
    return bench_report(checksum);
}
