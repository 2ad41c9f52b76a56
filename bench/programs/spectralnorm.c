/* Spectral norm: the largest singular value of the infinite matrix A(i,j) = 1/((i+j)(i+j+1)/2+i+1),
 * truncated to n x n, by power iteration on A^T A (the benchmarks game's spectral-norm). Matrix
 * entries are computed on the fly, so the kernel is dense double multiply-adds with one integer
 * index computation and one division per entry, over vectors that stay in cache. The norm and
 * both final vectors are hashed. */
#include "bench.h"

#include <math.h>

#define FULL_SIZE 4000
#define POWER_STEPS 10

static double matrix_entry(int i, int j) {
    return 1.0 / ((i + j) * (i + j + 1) / 2 + i + 1);
}

/* out = A v */
static void multiply_a(int n, const double *v, double *out) {
    for (int i = 0; i < n; i++) {
        double sum = 0;
        for (int j = 0; j < n; j++)
            sum += matrix_entry(i, j) * v[j];
        out[i] = sum;
    }
}

/* out = A^T v */
static void multiply_a_transposed(int n, const double *v, double *out) {
    for (int i = 0; i < n; i++) {
        double sum = 0;
        for (int j = 0; j < n; j++)
            sum += matrix_entry(j, i) * v[j];
        out[i] = sum;
    }
}

/* out = A^T A v, through `scratch` for A v. */
static void multiply_at_a(int n, const double *v, double *out, double *scratch) {
    multiply_a(n, v, scratch);
    multiply_a_transposed(n, scratch, out);
}

int main(int argc, char **argv) {
    int scale = bench_begin(argc, argv);
    /* The work grows with n squared. */
    int n = (int)(FULL_SIZE / sqrt(scale));
    double *u = malloc(n * sizeof *u);
    double *v = malloc(n * sizeof *v);
    double *scratch = malloc(n * sizeof *scratch);
    if (!u || !v || !scratch)
        return 1;
    for (int i = 0; i < n; i++)
        u[i] = 1;

    bench_kernel_start();
    for (int step = 0; step < POWER_STEPS; step++) {
        multiply_at_a(n, u, v, scratch);
        multiply_at_a(n, v, u, scratch);
    }
    bench_kernel_stop();

    /* The Rayleigh quotient of A^T A at v: the square of the norm. */
    double u_dot_v = 0, v_dot_v = 0;
    for (int i = 0; i < n; i++) {
        u_dot_v += u[i] * v[i];
        v_dot_v += v[i] * v[i];
    }
    uint64_t checksum = bench_hash_double(BENCH_HASH_SEED, sqrt(u_dot_v / v_dot_v));
    for (int i = 0; i < n; i++) {
        checksum = bench_hash_double(checksum, u[i]);
        checksum = bench_hash_double(checksum, v[i]);
    }
    free(u);
    free(v);
    free(scratch);
    return bench_report(checksum);
}
