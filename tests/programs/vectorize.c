/* Loops that clang auto-vectorizes with -O3 -msimd128: the same output is expected natively and
 * from the compiled Wasm. */
#include <stdint.h>
#include <stdio.h>

#define N 4096

static float a[N], b[N], c[N];
static uint32_t ia[N], ib[N];
static uint8_t bytes[N];

int main(void) {
    for (int i = 0; i < N; i++) {
        a[i] = (float)i * 0.5f;
        b[i] = (float)(N - i) * 0.25f;
        ia[i] = (uint32_t)(i * 7 - 1000);
        ib[i] = (uint32_t)((i % 13) - 6);
        bytes[i] = (uint8_t)(i * 31);
    }
    for (int round = 0; round < 8; round++) {
        for (int i = 0; i < N; i++)
            c[i] = a[i] * b[i] + c[i] * 0.5f;
        for (int i = 0; i < N; i++)
            ia[i] = ia[i] * ib[i] + (ia[i] >> 3); /* unsigned: wraps, no UB */
        for (int i = 0; i < N; i++)
            bytes[i] = (uint8_t)(bytes[i] + (bytes[i] >> 1) + round);
    }
    double sum = 0;
    uint64_t isum = 0;
    uint32_t bsum = 0;
    float lo = c[0], hi = c[0];
    for (int i = 0; i < N; i++) {
        sum += c[i];
        isum += ia[i];
        bsum = bsum * 31u + bytes[i];
        lo = c[i] < lo ? c[i] : lo;
        hi = c[i] > hi ? c[i] : hi;
    }
    printf("sum %.6e isum %llu bsum %u min %.6e max %.6e\n", sum, (unsigned long long)isum, bsum,
           lo, hi);
    return 0;
}
