/* N-body: the benchmarks game's model of the Sun and the four giant planets, integrated with the
 * symplectic Euler method for many small time steps. Stresses scalar double arithmetic: the
 * pairwise forces need a division and a square root each, in a tight loop over a small array of
 * structures. The energy before and after and every body's final state are hashed. */
#include "bench.h"

#include <math.h>

#define FULL_STEPS 15000000
#define BODY_COUNT 5
#define PI 3.141592653589793
#define SOLAR_MASS (4 * PI * PI)
#define DAYS_PER_YEAR 365.24

struct body {
    double x, y, z, vx, vy, vz, mass;
};

static struct body bodies[BODY_COUNT] = {
    /* Sun */
    {0, 0, 0, 0, 0, 0, SOLAR_MASS},
    /* Jupiter */
    {4.84143144246472090e+00, -1.16032004402742839e+00, -1.03622044471123109e-01,
     1.66007664274403694e-03 * DAYS_PER_YEAR, 7.69901118419740425e-03 * DAYS_PER_YEAR,
     -6.90460016972063023e-05 * DAYS_PER_YEAR, 9.54791938424326609e-04 * SOLAR_MASS},
    /* Saturn */
    {8.34336671824457987e+00, 4.12479856412430479e+00, -4.03523417114321381e-01,
     -2.76742510726862411e-03 * DAYS_PER_YEAR, 4.99852801234917238e-03 * DAYS_PER_YEAR,
     2.30417297573763929e-05 * DAYS_PER_YEAR, 2.85885980666130812e-04 * SOLAR_MASS},
    /* Uranus */
    {1.28943695621391310e+01, -1.51111514016986312e+01, -2.23307578892655734e-01,
     2.96460137564761618e-03 * DAYS_PER_YEAR, 2.37847173959480950e-03 * DAYS_PER_YEAR,
     -2.96589568540237556e-05 * DAYS_PER_YEAR, 4.36624404335156298e-05 * SOLAR_MASS},
    /* Neptune */
    {1.53796971148509165e+01, -2.59193146099879641e+01, 1.79258772950371181e-01,
     2.68067772490389322e-03 * DAYS_PER_YEAR, 1.62824170038242295e-03 * DAYS_PER_YEAR,
     -9.51592254519715870e-05 * DAYS_PER_YEAR, 5.15138902046611451e-05 * SOLAR_MASS},
};

/* Gives the Sun the momentum that makes the system's total zero, so it does not drift. */
static void offset_momentum(void) {
    double px = 0, py = 0, pz = 0;
    for (int i = 0; i < BODY_COUNT; i++) {
        px += bodies[i].vx * bodies[i].mass;
        py += bodies[i].vy * bodies[i].mass;
        pz += bodies[i].vz * bodies[i].mass;
    }
    bodies[0].vx = -px / SOLAR_MASS;
    bodies[0].vy = -py / SOLAR_MASS;
    bodies[0].vz = -pz / SOLAR_MASS;
}

static double energy(void) {
    double total = 0;
    for (int i = 0; i < BODY_COUNT; i++) {
        const struct body *a = &bodies[i];
        total += 0.5 * a->mass * (a->vx * a->vx + a->vy * a->vy + a->vz * a->vz);
        for (int j = i + 1; j < BODY_COUNT; j++) {
            const struct body *b = &bodies[j];
            double dx = a->x - b->x, dy = a->y - b->y, dz = a->z - b->z;
            total -= a->mass * b->mass / sqrt(dx * dx + dy * dy + dz * dz);
        }
    }
    return total;
}

/* One time step: velocities from all pairwise forces, then positions from the new velocities. */
static void advance(double dt) {
    for (int i = 0; i < BODY_COUNT; i++) {
        struct body *a = &bodies[i];
        for (int j = i + 1; j < BODY_COUNT; j++) {
            struct body *b = &bodies[j];
            double dx = a->x - b->x, dy = a->y - b->y, dz = a->z - b->z;
            double distance_squared = dx * dx + dy * dy + dz * dz;
            double magnitude = dt / (distance_squared * sqrt(distance_squared));
            a->vx -= dx * b->mass * magnitude;
            a->vy -= dy * b->mass * magnitude;
            a->vz -= dz * b->mass * magnitude;
            b->vx += dx * a->mass * magnitude;
            b->vy += dy * a->mass * magnitude;
            b->vz += dz * a->mass * magnitude;
        }
    }
    for (int i = 0; i < BODY_COUNT; i++) {
        bodies[i].x += dt * bodies[i].vx;
        bodies[i].y += dt * bodies[i].vy;
        bodies[i].z += dt * bodies[i].vz;
    }
}

int main(int argc, char **argv) {
    int scale = bench_begin(argc, argv);
    int steps = FULL_STEPS / scale;
    offset_momentum();
    double energy_before = energy();

    bench_kernel_start();
    for (int step = 0; step < steps; step++)
        advance(0.01);
    bench_kernel_stop();

    uint64_t checksum = bench_hash_double(BENCH_HASH_SEED, energy_before);
    checksum = bench_hash_double(checksum, energy());
    for (int i = 0; i < BODY_COUNT; i++) {
        const struct body *b = &bodies[i];
        double state[] = {b->x, b->y, b->z, b->vx, b->vy, b->vz};
        for (int k = 0; k < 6; k++)
            checksum = bench_hash_double(checksum, state[k]);
    }
    return bench_report(checksum);
}
