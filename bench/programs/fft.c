/* Iterative radix-2 complex FFT (bit-reversal permutation, then decimation-in-time butterflies
 * over a shared twiddle table), applied forward and inverse to a batch of signals, round after
 * round. The twiddles come from half-angle formulas (sqrt only) and exact products, not libm.
 * Stresses complex multiply-adds with strides that double at every stage, and the scattered
 * swaps of the permutation. The final signals and the last spectra are hashed. */
#include "bench.h"

#include <math.h>

#define LOG_LENGTH 12
#define LENGTH (1 << LOG_LENGTH)
#define SIGNALS 16
#define FULL_ROUNDS 600

struct complex {
    double re, im;
};

/* twiddles[k] = exp(-2 pi i k / LENGTH) for k < LENGTH / 2. */
static struct complex twiddles[LENGTH / 2];
static struct complex signals[SIGNALS][LENGTH], spectra[SIGNALS][LENGTH];

static struct complex multiply(struct complex a, struct complex b) {
    return (struct complex){a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re};
}

static void build_twiddles(void) {
    /* root[b] = exp(-2 pi i 2^b / LENGTH), halving the angle from pi/2 down: cos(t/2) =
     * sqrt((1 + cos t) / 2) and sin(t/2) = sin t / (2 cos(t/2)), which keeps small sines
     * accurate. */
    struct complex root[LOG_LENGTH - 1];
    double cosine = 0, sine = 1;
    root[LOG_LENGTH - 2] = (struct complex){cosine, -sine};
    for (int b = LOG_LENGTH - 3; b >= 0; b--) {
        cosine = sqrt((1 + cosine) / 2);
        sine /= 2 * cosine;
        root[b] = (struct complex){cosine, -sine};
    }
    /* twiddles[k] is the product of root[b] over the set bits b of k. */
    twiddles[0] = (struct complex){1, 0};
    for (int b = 0; b < LOG_LENGTH - 1; b++)
        for (int k = 1 << b; k < 2 << b; k++)
            twiddles[k] = multiply(twiddles[k - (1 << b)], root[b]);
}

/* In-place FFT of `x`; the inverse uses conjugate twiddles and divides by LENGTH. */
static void transform(struct complex *x, int inverse) {
    for (int i = 1, j = 0; i < LENGTH; i++) {
        int bit = LENGTH >> 1;
        for (; j & bit; bit >>= 1)
            j ^= bit;
        j |= bit;
        if (i < j) {
            struct complex t = x[i];
            x[i] = x[j];
            x[j] = t;
        }
    }
    double sign = inverse ? -1 : 1;
    for (int half = 1, stride = LENGTH / 2; half < LENGTH; half *= 2, stride /= 2)
        for (int start = 0; start < LENGTH; start += 2 * half)
            for (int k = 0; k < half; k++) {
                struct complex w = twiddles[k * stride];
                w.im *= sign;
                struct complex u = x[start + k], v = multiply(x[start + k + half], w);
                x[start + k] = (struct complex){u.re + v.re, u.im + v.im};
                x[start + k + half] = (struct complex){u.re - v.re, u.im - v.im};
            }
    if (inverse)
        for (int i = 0; i < LENGTH; i++) {
            x[i].re /= LENGTH;
            x[i].im /= LENGTH;
        }
}

int main(int argc, char **argv) {
    int rounds = FULL_ROUNDS / bench_begin(argc, argv);
    for (int s = 0; s < SIGNALS; s++)
        for (int i = 0; i < LENGTH; i++) {
            signals[s][i].re = 2 * bench_random_double() - 1;
            signals[s][i].im = 2 * bench_random_double() - 1;
        }

    /* Each round takes every signal to its spectrum and back; the round trip's rounding errors
     * carry over into the next round. */
    build_twiddles();
    bench_kernel_start();
    for (int r = 0; r < rounds; r++)
        for (int s = 0; s < SIGNALS; s++) {
            memcpy(spectra[s], signals[s], sizeof signals[s]);
            transform(spectra[s], 0);
            memcpy(signals[s], spectra[s], sizeof signals[s]);
            transform(signals[s], 1);
        }
    bench_kernel_stop();

    uint64_t checksum = BENCH_HASH_SEED;
    for (int s = 0; s < SIGNALS; s++)
        for (int i = 0; i < LENGTH; i++) {
            checksum = bench_hash_double(checksum, signals[s][i].re);
            checksum = bench_hash_double(checksum, signals[s][i].im);
            checksum = bench_hash_double(checksum, spectra[s][i].re);
            checksum = bench_hash_double(checksum, spectra[s][i].im);
        }
    return bench_report(checksum);
}
