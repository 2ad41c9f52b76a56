/* LU decomposition with partial pivoting, right-looking as in LINPACK's dgefa but row-major: for
 * each column, find the largest entry below the diagonal, swap its row up, scale the column into
 * multipliers and apply the rank-1 update to the trailing submatrix. Stresses a data-dependent
 * pivot search (fabs and compares), whole-row swaps and streaming multiply-subtracts over a
 * matrix larger than the caches. The factors L and U and the pivot rows are hashed. */
#include "bench.h"

#include <math.h>

#define FULL_SIZE 2000
#define SIZE_STEP 8

/* The largest multiple of SIZE_STEP whose cube is at most full^3 / scale: the work is cubic. */
static int scaled_size(int full, int scale) {
    int n = full;
    while (n > SIZE_STEP && (int64_t)n * n * n * scale > (int64_t)full * full * full)
        n -= SIZE_STEP;
    return n;
}

/* Factors the n x n matrix `a` in place into P A = L U (L unit lower, below the diagonal; U on
 * and above it); pivot[k] is the row swapped with row k at step k. */
static void lu_factor(int n, double *a, int *pivot) {
    for (int k = 0; k < n; k++) {
        int pivot_row = k;
        double largest = fabs(a[(size_t)k * n + k]);
        for (int i = k + 1; i < n; i++) {
            double candidate = fabs(a[(size_t)i * n + k]);
            if (candidate > largest) {
                largest = candidate;
                pivot_row = i;
            }
        }
        pivot[k] = pivot_row;
        double *row_k = a + (size_t)k * n;
        if (pivot_row != k) {
            double *other = a + (size_t)pivot_row * n;
            for (int j = 0; j < n; j++) {
                double t = row_k[j];
                row_k[j] = other[j];
                other[j] = t;
            }
        }
        for (int i = k + 1; i < n; i++) {
            double *row_i = a + (size_t)i * n;
            double multiplier = row_i[k] / row_k[k];
            row_i[k] = multiplier;
            for (int j = k + 1; j < n; j++)
                row_i[j] -= multiplier * row_k[j];
        }
    }
}

int main(int argc, char **argv) {
    int n = scaled_size(FULL_SIZE, bench_begin(argc, argv));
    size_t entries = (size_t)n * n;
    double *a = malloc(entries * sizeof *a);
    int *pivot = malloc(n * sizeof *pivot);
    if (!a || !pivot)
        return 1;
    for (size_t i = 0; i < entries; i++)
        a[i] = 2 * bench_random_double() - 1;

    bench_kernel_start();
    lu_factor(n, a, pivot);
    bench_kernel_stop();

    uint64_t checksum = BENCH_HASH_SEED;
    for (int k = 0; k < n; k++)
        checksum = bench_hash_u64(checksum, (uint64_t)pivot[k]);
    for (size_t i = 0; i < entries; i++)
        checksum = bench_hash_double(checksum, a[i]);
    free(a);
    free(pivot);
    return bench_report(checksum);
}
