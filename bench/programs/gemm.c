/* General matrix multiply as PolyBench writes it (gemm): C = alpha A B + beta C, with A of
 * NI x NK, B of NK x NJ and C of NI x NJ doubles (PolyBench's LARGE sizes), in its loop order
 * (i, k, j) and with its initial values. The inner loop runs along rows of B and C with unit
 * stride, which native compilers vectorise; in Wasm without SIMD it stays scalar. All of C is
 * hashed. */
#include "bench.h"

#define NI 1000
#define NJ 1100
#define NK 1200

/* c = alpha a b + beta c over the first `rows` rows. */
static void gemm(int rows, double alpha, double beta, double (*restrict c)[NJ],
                 double (*restrict a)[NK], double (*restrict b)[NJ]) {
    for (int i = 0; i < rows; i++) {
        for (int j = 0; j < NJ; j++)
            c[i][j] *= beta;
        for (int k = 0; k < NK; k++)
            for (int j = 0; j < NJ; j++)
                c[i][j] += alpha * a[i][k] * b[k][j];
    }
}

int main(int argc, char **argv) {
    /* The work is linear in the rows of A and C. */
    int rows = NI / bench_begin(argc, argv);
    double(*a)[NK] = malloc(sizeof(double[NI][NK]));
    double(*b)[NJ] = malloc(sizeof(double[NK][NJ]));
    double(*c)[NJ] = malloc(sizeof(double[NI][NJ]));
    if (!a || !b || !c)
        return 1;
    double alpha = 1.5, beta = 1.2;
    for (int i = 0; i < NI; i++)
        for (int j = 0; j < NJ; j++)
            c[i][j] = (double)((i * j + 1) % NI) / NI;
    for (int i = 0; i < NI; i++)
        for (int k = 0; k < NK; k++)
            a[i][k] = (double)(i * (k + 1) % NK) / NK;
    for (int k = 0; k < NK; k++)
        for (int j = 0; j < NJ; j++)
            b[k][j] = (double)(k * (j + 2) % NJ) / NJ;

    bench_kernel_start();
    gemm(rows, alpha, beta, c, a, b);
    bench_kernel_stop();

    uint64_t checksum = BENCH_HASH_SEED;
    for (int i = 0; i < rows; i++)
        for (int j = 0; j < NJ; j++)
            checksum = bench_hash_double(checksum, c[i][j]);
    free(a);
    free(b);
    free(c);
    return bench_report(checksum);
}
