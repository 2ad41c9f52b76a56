/* The 3-D heat equation on a cube, explicit time stepping with the 7-point stencil: each step
 * sets u' = u + r (sum of the six neighbours - 6 u) at every interior point, with one face held
 * hot and the others cold. Stresses streaming over two grids far larger than the caches, loads
 * from five rows in two planes at once, and plain double arithmetic. The final grid is hashed. */
#include "bench.h"

#define INTERIOR 160
#define WIDTH (INTERIOR + 2)
#define PLANE (WIDTH * WIDTH)
#define FULL_STEPS 240
/* Diffusion number r = k dt / h^2: stable for r <= 1/6. */
#define DIFFUSION 0.125

static double grid_a[WIDTH * PLANE], grid_b[WIDTH * PLANE];

/* One time step over the interior, from `u` to `next`. */
static void step(const double *restrict u, double *restrict next) {
    for (int z = 1; z <= INTERIOR; z++)
        for (int y = 1; y <= INTERIOR; y++) {
            int base = z * PLANE + y * WIDTH;
            const double *row = u + base;
            const double *north = row - WIDTH, *south = row + WIDTH;
            const double *down = row - PLANE, *up = row + PLANE;
            double *out = next + base;
            for (int x = 1; x <= INTERIOR; x++) {
                double neighbours = row[x - 1] + row[x + 1] + north[x] + south[x] + down[x] + up[x];
                out[x] = row[x] + DIFFUSION * (neighbours - 6 * row[x]);
            }
        }
}

int main(int argc, char **argv) {
    int steps = FULL_STEPS / bench_begin(argc, argv);
    /* The z = 0 face is held at 1, the other faces at 0; the interior starts with random
     * temperatures. */
    for (int i = 0; i < PLANE; i++)
        grid_a[i] = 1;
    for (int z = 1; z <= INTERIOR; z++)
        for (int y = 1; y <= INTERIOR; y++)
            for (int x = 1; x <= INTERIOR; x++)
                grid_a[z * PLANE + y * WIDTH + x] = bench_random_double();
    /* Both grids need the faces; copying also maps grid_b's pages before the timer. */
    memcpy(grid_b, grid_a, sizeof grid_a);

    /* An even number of steps leaves the result in grid_a. */
    bench_kernel_start();
    for (int s = 0; s < steps; s += 2) {
        step(grid_a, grid_b);
        step(grid_b, grid_a);
    }
    bench_kernel_stop();

    uint64_t checksum = BENCH_HASH_SEED;
    for (int i = 0; i < WIDTH * PLANE; i++)
        checksum = bench_hash_double(checksum, grid_a[i]);
    return bench_report(checksum);
}
