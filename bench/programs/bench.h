/*
 * What every benchmark program shares: its clocks, its output protocol and deterministic data.
 *
 * A program calls bench_begin(argc, argv) first thing in main (it notes the time the program
 * started, for the harness's time to first instruction), does its set-up, brackets its kernel with
 * bench_kernel_start() / bench_kernel_stop(), and ends with bench_report(checksum), which prints
 *     checksum: <16 hex digits>
 *     kernel_ns: <monotonic nanoseconds between start and stop>
 *     start_ns: <CLOCK_REALTIME nanoseconds at bench_begin>
 * The checksum must be the same under every engine and natively: it hashes results exactly (the
 * bits of doubles included), and kernels use only IEEE-exact operations (+ - * / sqrt, no libm
 * transcendental functions, whose last bits differ between C libraries).
 *
 * `bench_begin` returns the workload scale: 1 for the full run (0.5 to 2 s natively), or a
 * smaller QUICK scale when the first argument is "quick" (the harness's smoke test).
 */
#ifndef BENCH_H
#define BENCH_H

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The quick run does about 1/BENCH_QUICK_DIVISOR of the full work; programs divide sizes or
 * iteration counts by what bench_begin returns, as fits their kernel. */
#define BENCH_QUICK_DIVISOR 20

static uint64_t bench_started_realtime_ns;
static uint64_t bench_kernel_started_ns;
static uint64_t bench_kernel_ns;

static inline uint64_t bench_clock_ns(clockid_t clock) {
    struct timespec now;
    clock_gettime(clock, &now);
    return (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
}

/* Returns the divisor for the workload: 1, or BENCH_QUICK_DIVISOR for `prog quick`. */
static inline int bench_begin(int argc, char **argv) {
    bench_started_realtime_ns = bench_clock_ns(CLOCK_REALTIME);
    return argc > 1 && strcmp(argv[1], "quick") == 0 ? BENCH_QUICK_DIVISOR : 1;
}

static inline void bench_kernel_start(void) {
    bench_kernel_started_ns = bench_clock_ns(CLOCK_MONOTONIC);
}

static inline void bench_kernel_stop(void) {
    bench_kernel_ns = bench_clock_ns(CLOCK_MONOTONIC) - bench_kernel_started_ns;
}

static inline int bench_report(uint64_t checksum) {
    printf("checksum: %016" PRIx64 "\nkernel_ns: %" PRIu64 "\nstart_ns: %" PRIu64 "\n", checksum,
           bench_kernel_ns, bench_started_realtime_ns);
    return 0;
}

/* ------------------------------------------------------------ checksums --- */

/* Folds `value` into `hash` (FNV-1a over its 8 bytes). */
static inline uint64_t bench_hash_u64(uint64_t hash, uint64_t value) {
    for (int i = 0; i < 8; i++) {
        hash ^= (value >> (8 * i)) & 0xff;
        hash *= 0x100000001b3u;
    }
    return hash;
}

static inline uint64_t bench_hash_double(uint64_t hash, double value) {
    uint64_t bits;
    memcpy(&bits, &value, sizeof bits);
    return bench_hash_u64(hash, bits);
}

static inline uint64_t bench_hash_bytes(uint64_t hash, const void *data, size_t length) {
    const unsigned char *bytes = data;
    for (size_t i = 0; i < length; i++) {
        hash ^= bytes[i];
        hash *= 0x100000001b3u;
    }
    return hash;
}

#define BENCH_HASH_SEED 0xcbf29ce484222325u

/* ------------------------------------------------------- deterministic data --- */

/* xorshift64*: the same sequence everywhere. */
static uint64_t bench_random_state = 0x9e3779b97f4a7c15u;

static inline uint64_t bench_random(void) {
    bench_random_state ^= bench_random_state >> 12;
    bench_random_state ^= bench_random_state << 25;
    bench_random_state ^= bench_random_state >> 27;
    return bench_random_state * 0x2545f4914f6cdd1du;
}

/* A double in [0, 1) with 53 random bits. */
static inline double bench_random_double(void) {
    return (double)(bench_random() >> 11) * (1.0 / 9007199254740992.0);
}

#endif
