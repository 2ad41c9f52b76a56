/* Cholesky factorisation A = L L^T of a symmetric positive-definite matrix (the row-by-row
 * Cholesky-Banachiewicz form, one dot product of two rows of L per entry), then forward and back
 * substitution for several right-hand sides. Stresses long dependent chains of multiply-adds (the
 * dot products cannot be reordered), divisions and square roots on the diagonal, and triangular
 * access patterns. L and every solution vector are hashed. */
#include "bench.h"

#include <math.h>

#define FULL_SIZE 1920
#define SIZE_STEP 8
#define RIGHT_HAND_SIDES 16

/* The largest multiple of SIZE_STEP whose cube is at most full^3 / scale: the work is cubic. */
static int scaled_size(int full, int scale) {
    int n = full;
    while (n > SIZE_STEP && (int64_t)n * n * n * scale > (int64_t)full * full * full)
        n -= SIZE_STEP;
    return n;
}

/* Overwrites the lower triangle of the n x n matrix `a` with L; the upper triangle is not read. */
static void cholesky_factor(int n, double *a) {
    for (int i = 0; i < n; i++) {
        double *row_i = a + (size_t)i * n;
        for (int j = 0; j <= i; j++) {
            const double *row_j = a + (size_t)j * n;
            double sum = row_i[j];
            for (int k = 0; k < j; k++)
                sum -= row_i[k] * row_j[k];
            row_i[j] = i == j ? sqrt(sum) : sum / row_j[j];
        }
    }
}

/* Solves L L^T x = b in place in `x` (which holds b on entry). */
static void cholesky_solve(int n, const double *l, double *x) {
    /* Forward: L y = b, one dot product per row. */
    for (int i = 0; i < n; i++) {
        const double *row_i = l + (size_t)i * n;
        double sum = x[i];
        for (int k = 0; k < i; k++)
            sum -= row_i[k] * x[k];
        x[i] = sum / row_i[i];
    }
    /* Backward: L^T x = y, column by column so that L is still read along its rows. */
    for (int i = n - 1; i >= 0; i--) {
        const double *row_i = l + (size_t)i * n;
        x[i] /= row_i[i];
        for (int k = 0; k < i; k++)
            x[k] -= row_i[k] * x[i];
    }
}

int main(int argc, char **argv) {
    int n = scaled_size(FULL_SIZE, bench_begin(argc, argv));
    double *a = malloc((size_t)n * n * sizeof *a);
    double *x = malloc((size_t)RIGHT_HAND_SIDES * n * sizeof *x);
    if (!a || !x)
        return 1;
    /* Symmetric with off-diagonal entries in [-1, 1) and a diagonal above n: strictly diagonally
     * dominant, hence positive definite. */
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < i; j++)
            a[(size_t)i * n + j] = a[(size_t)j * n + i] = 2 * bench_random_double() - 1;
        a[(size_t)i * n + i] = n + bench_random_double();
    }
    for (int i = 0; i < RIGHT_HAND_SIDES * n; i++)
        x[i] = 2 * bench_random_double() - 1;

    bench_kernel_start();
    cholesky_factor(n, a);
    for (int r = 0; r < RIGHT_HAND_SIDES; r++)
        cholesky_solve(n, a, x + (size_t)r * n);
    bench_kernel_stop();

    uint64_t checksum = BENCH_HASH_SEED;
    for (int i = 0; i < n; i++)
        for (int j = 0; j <= i; j++)
            checksum = bench_hash_double(checksum, a[(size_t)i * n + j]);
    for (int i = 0; i < RIGHT_HAND_SIDES * n; i++)
        checksum = bench_hash_double(checksum, x[i]);
    free(a);
    free(x);
    return bench_report(checksum);
}
