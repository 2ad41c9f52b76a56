/* Jacobi iteration for the Poisson equation -lap(u) = f on a square grid with u = 0 on the
 * border: every sweep replaces each interior point by the average of its four neighbours plus
 * h^2 f / 4, reading one grid and writing the other (the 5-point stencil). Stresses streaming
 * loads from three rows at once, unit-stride stores and simple double arithmetic over grids that
 * do not fit in L2. The final grid is hashed. */
#include "bench.h"

#define INTERIOR 1024
#define WIDTH (INTERIOR + 2)
#define FULL_SWEEPS 1000

static double grid_a[WIDTH * WIDTH], grid_b[WIDTH * WIDTH];
/* h^2 f / 4 at every point, with h = 1 / (INTERIOR + 1). */
static double source[WIDTH * WIDTH];

/* One Jacobi sweep over the interior: next = average of the neighbours in `u` + source. */
static void sweep(const double *restrict u, double *restrict next) {
    for (int i = 1; i <= INTERIOR; i++) {
        const double *row = u + i * WIDTH, *above = row - WIDTH, *below = row + WIDTH;
        const double *f = source + i * WIDTH;
        double *out = next + i * WIDTH;
        for (int j = 1; j <= INTERIOR; j++)
            out[j] = 0.25 * (above[j] + below[j] + row[j - 1] + row[j + 1]) + f[j];
    }
}

int main(int argc, char **argv) {
    int sweeps = FULL_SWEEPS / bench_begin(argc, argv);
    double h = 1.0 / (INTERIOR + 1);
    for (int i = 1; i <= INTERIOR; i++)
        for (int j = 1; j <= INTERIOR; j++) {
            source[i * WIDTH + j] = 0.25 * h * h * bench_random_double();
            grid_a[i * WIDTH + j] = bench_random_double();
        }
    /* Both grids keep the zero border; copying also maps grid_b's pages before the timer. */
    memcpy(grid_b, grid_a, sizeof grid_a);

    /* An even number of sweeps leaves the result in grid_a. */
    bench_kernel_start();
    for (int s = 0; s < sweeps; s += 2) {
        sweep(grid_a, grid_b);
        sweep(grid_b, grid_a);
    }
    bench_kernel_stop();

    uint64_t checksum = BENCH_HASH_SEED;
    for (int i = 0; i < WIDTH * WIDTH; i++)
        checksum = bench_hash_double(checksum, grid_a[i]);
    return bench_report(checksum);
}
