/* Hash table: open addressing with linear probing and backward-shift deletion, 64-bit keys and
 * values in a 64 MiB table (far beyond the L2 cache), driven through inserts, lookups that hit
 * and miss, deletes, re-inserts and a random mix of all three. Stresses cache and TLB misses on
 * random access and short probe loops; every lookup result and the final table are hashed. */
#include "bench.h"

#define FULL_CAPACITY (1u << 22)

typedef struct {
    uint64_t key; /* 0 marks an empty slot */
    uint64_t value;
} Slot;

/* Static rather than malloc'd: growing memory by 64 MiB mid-run made Node 20's WASI crash at
 * its next call (a GC inside a fast API call, nodejs/node#46777). */
static Slot table[FULL_CAPACITY];
static size_t table_mask;
static int table_shift;

/* splitmix64's finaliser: a bijection with 0 -> 0, so distinct indices >= 1 give distinct,
 * nonzero, well-scattered keys. */
static uint64_t key_of(uint64_t index) {
    index = (index ^ (index >> 30)) * 0xbf58476d1ce4e5b9u;
    index = (index ^ (index >> 27)) * 0x94d049bb133111ebu;
    return index ^ (index >> 31);
}

static size_t home_slot(uint64_t key) {
    return (size_t)((key * 0x9e3779b97f4a7c15u) >> table_shift);
}

/* Returns the slot holding `key`, or the empty slot that ends its probe sequence. */
static size_t find_slot(uint64_t key) {
    size_t slot = home_slot(key);
    while (table[slot].key != 0 && table[slot].key != key)
        slot = (slot + 1) & table_mask;
    return slot;
}

static void insert(uint64_t key, uint64_t value) {
    size_t slot = find_slot(key);
    table[slot].key = key;
    table[slot].value = value;
}

/* Returns the value for `key`, or 0 when absent. */
static uint64_t lookup(uint64_t key) {
    return table[find_slot(key)].value;
}

/* Removes `key` if present, pulling later entries of the cluster back into the hole so that no
 * tombstones are needed. Returns whether the key was present. */
static int erase(uint64_t key) {
    size_t hole = find_slot(key);
    if (table[hole].key == 0)
        return 0;
    for (size_t next = (hole + 1) & table_mask; table[next].key != 0;
         next = (next + 1) & table_mask) {
        size_t home = home_slot(table[next].key);
        /* The entry may move back only if the hole lies between its home slot and itself. */
        if (((next - home) & table_mask) >= ((next - hole) & table_mask)) {
            table[hole] = table[next];
            hole = next;
        }
    }
    table[hole].key = 0;
    table[hole].value = 0;
    return 1;
}

int main(int argc, char **argv) {
    int scale = bench_begin(argc, argv);
    size_t capacity = FULL_CAPACITY;
    while (capacity / 2 >= FULL_CAPACITY / (size_t)scale)
        capacity /= 2;
    table_mask = capacity - 1;
    table_shift = 64;
    for (size_t c = capacity; c > 1; c /= 2)
        table_shift--;
    /* Touches the pages the run uses before the timer starts. */
    memset(table, 0, capacity * sizeof *table);
    /* Keys 1..count are inserted; count+1..2*count are never present. */
    uint64_t count = capacity / 8 * 5;

    bench_kernel_start();
    uint64_t found_sum = 0, hits = 0, erased = 0;
    for (uint64_t i = 1; i <= count; i++)
        insert(key_of(i), i);
    for (uint64_t i = 1; i <= count; i++)
        found_sum += lookup(key_of(i));
    for (uint64_t i = count + 1; i <= 2 * count; i++)
        hits += lookup(key_of(i)) != 0;
    for (uint64_t i = 1; i <= count; i += 2)
        erased += (uint64_t)erase(key_of(i));
    for (uint64_t i = 1; i <= count; i++) {
        uint64_t value = lookup(key_of(i));
        hits += value != 0;
        found_sum = found_sum * 31 + value;
    }
    for (uint64_t i = 2 * count + 1; i <= 2 * count + count / 2; i++)
        insert(key_of(i), i);
    /* A random mix over keys a third of which are present: half lookups, a quarter each of
     * deletes and inserts; the load creeps from 5/8 to about 0.68. */
    for (uint64_t op = 0; op < count; op++) {
        uint64_t r = bench_random();
        uint64_t key = key_of(1 + (r >> 2) % (3 * count));
        if ((r & 3) < 2) {
            uint64_t value = lookup(key);
            hits += value != 0;
            found_sum = found_sum * 31 + value;
        } else if ((r & 3) == 2) {
            erased += (uint64_t)erase(key);
        } else {
            insert(key, op + 1);
        }
    }
    bench_kernel_stop();

    uint64_t checksum = bench_hash_u64(BENCH_HASH_SEED, capacity);
    checksum = bench_hash_u64(checksum, found_sum);
    checksum = bench_hash_u64(checksum, hits);
    checksum = bench_hash_u64(checksum, erased);
    uint64_t table_fold = 0, occupied = 0;
    for (size_t slot = 0; slot < capacity; slot++) {
        occupied += table[slot].key != 0;
        table_fold = (table_fold ^ table[slot].key ^ (table[slot].value << 1)) * 0x100000001b3u;
    }
    checksum = bench_hash_u64(checksum, occupied);
    checksum = bench_hash_u64(checksum, table_fold);
    return bench_report(checksum);
}
