/* A sieve of Eratosthenes over a byte array, whose marking loop
 *     for (j = i * i; j < m; j += i) s[j] = 1;
 * stores with a step known only at run time: no test before the loop covers its accesses
 * unless the compiler reasons about the step. The array (4 MB) stays in the caches, so that the
 * loop's own cost shows rather than memory's; it is sieved afresh ROUNDS times. The count of
 * primes below LIMIT, their sum and a hash of the array's last 4 KiB go into the checksum. */
#include "bench.h"

#define LIMIT 4000000
#define FULL_ROUNDS 100

static void sieve(unsigned char *s, int m) {
    memset(s, 0, (size_t)m);
    s[0] = s[1] = 1;
    for (int i = 2; (int64_t)i * i < m; i++)
        if (!s[i])
            for (int j = i * i; j < m; j += i)
                s[j] = 1;
}

int main(int argc, char **argv) {
    int rounds = FULL_ROUNDS / bench_begin(argc, argv);
    unsigned char *s = malloc(LIMIT);
    if (!s)
        return 1;
    memset(s, 0, LIMIT); /* every page touched before the clock starts */

    bench_kernel_start();
    for (int round = 0; round < rounds; round++)
        sieve(s, LIMIT);
    bench_kernel_stop();

    uint64_t count = 0, sum = 0;
    for (int i = 0; i < LIMIT; i++)
        if (!s[i]) {
            count++;
            sum += (uint64_t)i;
        }
    uint64_t checksum = bench_hash_u64(BENCH_HASH_SEED, count);
    checksum = bench_hash_u64(checksum, sum);
    checksum = bench_hash_bytes(checksum, s + LIMIT - 4096, 4096);
    free(s);
    return bench_report(checksum);
}
