/* Sorting: introsort (median-of-three quicksort, heapsort past a depth limit, insertion sort for
 * short ranges) on millions of 32-bit keys, random and with many duplicates, and a bottom-up
 * merge sort on millions of 64-bit keys. Stresses unpredictable compare branches, sequential and
 * strided memory traffic and swaps; the sorted arrays are checked and hashed. */
#include "bench.h"

#define FULL_KEY_COUNT (4u << 20)
#define INSERTION_LIMIT 16
#define MERGE_RUN 32

static void swap_u32(uint32_t *a, uint32_t *b) {
    uint32_t t = *a;
    *a = *b;
    *b = t;
}

static void insertion_sort_u32(uint32_t *keys, size_t count) {
    for (size_t i = 1; i < count; i++) {
        uint32_t key = keys[i];
        size_t j = i;
        for (; j > 0 && keys[j - 1] > key; j--)
            keys[j] = keys[j - 1];
        keys[j] = key;
    }
}

static void sift_down_u32(uint32_t *keys, size_t root, size_t count) {
    for (size_t child; (child = 2 * root + 1) < count; root = child) {
        if (child + 1 < count && keys[child + 1] > keys[child])
            child++;
        if (keys[root] >= keys[child])
            return;
        swap_u32(&keys[root], &keys[child]);
    }
}

static void heap_sort_u32(uint32_t *keys, size_t count) {
    for (size_t i = count / 2; i-- > 0;)
        sift_down_u32(keys, i, count);
    for (size_t end = count; end-- > 1;) {
        swap_u32(&keys[0], &keys[end]);
        sift_down_u32(keys, 0, end);
    }
}

/* Recurses into the smaller part only, so the depth stays below log2(count). */
static void introsort_u32(uint32_t *keys, size_t count, int depth_limit) {
    while (count > INSERTION_LIMIT) {
        if (depth_limit-- == 0) {
            heap_sort_u32(keys, count);
            return;
        }
        /* Ordering first, middle and last makes them sentinels for the Hoare scans. */
        size_t mid = count / 2;
        if (keys[mid] < keys[0])
            swap_u32(&keys[mid], &keys[0]);
        if (keys[count - 1] < keys[0])
            swap_u32(&keys[count - 1], &keys[0]);
        if (keys[count - 1] < keys[mid])
            swap_u32(&keys[count - 1], &keys[mid]);
        uint32_t pivot = keys[mid];
        size_t i = 0, j = count - 1;
        for (;;) {
            while (keys[i] < pivot)
                i++;
            while (keys[j] > pivot)
                j--;
            if (i >= j)
                break;
            swap_u32(&keys[i++], &keys[j--]);
        }
        size_t left_count = j + 1;
        if (left_count < count - left_count) {
            introsort_u32(keys, left_count, depth_limit);
            keys += left_count;
            count -= left_count;
        } else {
            introsort_u32(keys + left_count, count - left_count, depth_limit);
            count = left_count;
        }
    }
    insertion_sort_u32(keys, count);
}

static void sort_u32(uint32_t *keys, size_t count) {
    int depth_limit = 0;
    for (size_t n = count; n > 1; n /= 2)
        depth_limit += 2;
    introsort_u32(keys, count, depth_limit);
}

/* Bottom-up: insertion-sorted runs of MERGE_RUN, then passes of doubling width that merge
 * between `keys` and `scratch` alternately. */
static void merge_sort_u64(uint64_t *keys, uint64_t *scratch, size_t count) {
    for (size_t start = 0; start < count; start += MERGE_RUN) {
        size_t end = start + MERGE_RUN < count ? start + MERGE_RUN : count;
        for (size_t i = start + 1; i < end; i++) {
            uint64_t key = keys[i];
            size_t j = i;
            for (; j > start && keys[j - 1] > key; j--)
                keys[j] = keys[j - 1];
            keys[j] = key;
        }
    }
    uint64_t *from = keys, *to = scratch;
    for (size_t width = MERGE_RUN; width < count; width *= 2) {
        for (size_t start = 0; start < count; start += 2 * width) {
            size_t mid = start + width < count ? start + width : count;
            size_t end = start + 2 * width < count ? start + 2 * width : count;
            size_t left = start, right = mid, out = start;
            while (left < mid && right < end)
                to[out++] = from[right] < from[left] ? from[right++] : from[left++];
            while (left < mid)
                to[out++] = from[left++];
            while (right < end)
                to[out++] = from[right++];
        }
        uint64_t *swap = from;
        from = to;
        to = swap;
    }
    if (from != keys)
        memcpy(keys, from, count * sizeof *keys);
}

/* Folds a whole array into one word; the multiplier is odd, so every key changes the result. */
static uint64_t fold_keys(uint64_t hash, const void *keys, size_t count, size_t key_size) {
    const unsigned char *bytes = keys;
    for (size_t i = 0; i < count; i++) {
        uint64_t key = 0;
        memcpy(&key, bytes + i * key_size, key_size);
        hash = (hash ^ key) * 0x9e3779b97f4a7c15u;
    }
    return hash;
}

int main(int argc, char **argv) {
    int scale = bench_begin(argc, argv);
    size_t count = FULL_KEY_COUNT / (size_t)scale;
    uint32_t *random32 = malloc(count * sizeof *random32);
    uint32_t *repeated32 = malloc(count * sizeof *repeated32);
    uint64_t *random64 = malloc(count * sizeof *random64);
    uint64_t *scratch = malloc(count * sizeof *scratch);
    if (!random32 || !repeated32 || !random64 || !scratch)
        return 1;
    for (size_t i = 0; i < count; i++) {
        random32[i] = (uint32_t)(bench_random() >> 32);
        repeated32[i] = (uint32_t)(bench_random() % 1000);
        random64[i] = bench_random();
    }

    bench_kernel_start();
    sort_u32(random32, count);
    sort_u32(repeated32, count);
    merge_sort_u64(random64, scratch, count);
    bench_kernel_stop();

    for (size_t i = 1; i < count; i++) {
        if (random32[i - 1] > random32[i] || repeated32[i - 1] > repeated32[i] ||
            random64[i - 1] > random64[i]) {
            fprintf(stderr, "sort: output not sorted at %zu\n", i);
            return 1;
        }
    }
    uint64_t checksum = bench_hash_u64(BENCH_HASH_SEED, count);
    checksum = bench_hash_u64(checksum, fold_keys(BENCH_HASH_SEED, random32, count, 4));
    checksum = bench_hash_u64(checksum, fold_keys(BENCH_HASH_SEED, repeated32, count, 4));
    checksum = bench_hash_u64(checksum, fold_keys(BENCH_HASH_SEED, random64, count, 8));
    free(random32);
    free(repeated32);
    free(random64);
    free(scratch);
    return bench_report(checksum);
}
