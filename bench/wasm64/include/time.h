/* The benchmark programs' clocks for wasm64: clock_gettime asks the host (env.clock_ns). */
#ifndef BENCH64_TIME_H
#define BENCH64_TIME_H

#include <stdint.h>

typedef int64_t time_t;
typedef int clockid_t;

struct timespec {
    time_t tv_sec;
    long tv_nsec;
};

/* The values the host maps onto its own clocks (bench/wasm64/host.c). */
#define CLOCK_REALTIME 0
#define CLOCK_MONOTONIC 1

int clock_gettime(clockid_t clock, struct timespec *now);

#endif
