/* A sieve of Eratosthenes over a byte array, whose marking loop
 *     for (j = i * i; j < m; j += i) s[j] = 1;
 * stores with a step known only at run time: the loop's accesses cannot be covered by one
 * range test unless the compiler reasons about the step, and they touch a new cache line for
 * every step above 64. The count of primes below FULL_LIMIT, their sum and a hash of the
 * array's last 4 KiB go into the checksum. */
#include "bench.h"

#define FULL_LIMIT 100000000

static void sieve(unsigned char *s, int m) {
    s[0] = s[1] = 1;
    for (int i = 2; (int64_t)i * i < m; i++)
        if (!s[i])
            for (int j = i * i; j < m; j += i)
                s[j] = 1;
}

int main(int argc, char **argv) {
    int m = FULL_LIMIT / bench_begin(argc, argv);
    unsigned char *s = malloc((size_t)m);
    if (!s)
        return 1;
    memset(s, 0, (size_t)m); /* every page touched before the clock starts */

    bench_kernel_start();
    sieve(s, m);
    bench_kernel_stop();

    uint64_t count = 0, sum = 0;
    for (int i = 0; i < m; i++)
        if (!s[i]) {
            count++;
            sum += (uint64_t)i;
        }
    uint64_t checksum = bench_hash_u64(BENCH_HASH_SEED, count);
    checksum = bench_hash_u64(checksum, sum);
    checksum = bench_hash_bytes(checksum, s + m - 4096, 4096);
    free(s);
    return bench_report(checksum);
}
