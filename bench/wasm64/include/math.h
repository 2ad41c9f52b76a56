/* The benchmark programs' libm for wasm64: only the IEEE-exact functions the kernels may use
 * (bench.h), each one Wasm instruction, as clang emits them for wasm32. */
#ifndef BENCH64_MATH_H
#define BENCH64_MATH_H

static inline double sqrt(double x) { return __builtin_sqrt(x); }
static inline float sqrtf(float x) { return __builtin_sqrtf(x); }
static inline double fabs(double x) { return __builtin_fabs(x); }
static inline float fabsf(float x) { return __builtin_fabsf(x); }
static inline double floor(double x) { return __builtin_floor(x); }
static inline double ceil(double x) { return __builtin_ceil(x); }
static inline double trunc(double x) { return __builtin_trunc(x); }

#endif
