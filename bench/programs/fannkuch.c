/* Fannkuch-redux (the benchmarks game's): for each permutation of 1..n, reverse the first k
 * elements while the first one is k, counting the flips; report the largest count and a checksum
 * alternately adding and subtracting the counts, in the game's permutation order. Stresses small
 * integer arrays: byte loads and stores, short data-dependent loops and unpredictable branches.
 * The maximum, the alternating checksum and the permutation count are hashed. */
#include "bench.h"

#define ELEMENTS 11
/* The first third of the 11! permutations (all of them give maximum 51 and checksum 556355). */
#define FULL_PERMUTATIONS (39916800 / 3)

struct fannkuch_result {
    int max_flips;
    int64_t checksum;
    int64_t permutations;
};

/* Counts flips over the first `limit` permutations of 0..n-1 (n <= 16) in the game's order:
 * each step rotates a prefix of the permutation left by one, `counts` tracking how often. */
static struct fannkuch_result fannkuch(int n, int64_t limit) {
    uint8_t permutation[16], flipped[16];
    int counts[16];
    struct fannkuch_result result = {0, 0, 0};
    for (int i = 0; i < n; i++)
        permutation[i] = (uint8_t)i;
    int rotate_length = n;
    while (result.permutations < limit) {
        for (; rotate_length > 1; rotate_length--)
            counts[rotate_length - 1] = rotate_length;

        int flips = 0;
        if (permutation[0] != 0) {
            for (int i = 0; i < n; i++)
                flipped[i] = permutation[i];
            for (int first = flipped[0]; first != 0; first = flipped[0]) {
                for (int lo = 0, hi = first; lo < hi; lo++, hi--) {
                    uint8_t swap = flipped[lo];
                    flipped[lo] = flipped[hi];
                    flipped[hi] = swap;
                }
                flips++;
            }
        }
        if (flips > result.max_flips)
            result.max_flips = flips;
        result.checksum += result.permutations % 2 == 0 ? flips : -flips;
        result.permutations++;

        /* Next permutation: rotate the shortest prefix whose count has not run out. */
        for (;; rotate_length++) {
            if (rotate_length == n)
                return result;
            uint8_t first = permutation[0];
            for (int i = 0; i < rotate_length; i++)
                permutation[i] = permutation[i + 1];
            permutation[rotate_length] = first;
            if (--counts[rotate_length] > 0)
                break;
        }
    }
    return result;
}

int main(int argc, char **argv) {
    int scale = bench_begin(argc, argv);

    bench_kernel_start();
    struct fannkuch_result result = fannkuch(ELEMENTS, FULL_PERMUTATIONS / scale);
    bench_kernel_stop();

    uint64_t checksum = bench_hash_u64(BENCH_HASH_SEED, (uint64_t)result.max_flips);
    checksum = bench_hash_u64(checksum, (uint64_t)result.checksum);
    checksum = bench_hash_u64(checksum, (uint64_t)result.permutations);
    return bench_report(checksum);
}
