/* LZ77 compression: a greedy LZSS compressor with a hash-chain match finder (64 KiB window) and
 * its decompressor, run over generated English-like text with repeated words and sentences.
 * Stresses byte loads and compares, data-dependent branches, chained lookups in the hash tables
 * and overlapping byte copies; the round trip is checked and the compressed stream is hashed. */
#include "bench.h"

#define FULL_INPUT_BYTES (48u << 20)
#define WINDOW_SIZE (1u << 16)
#define HASH_BITS 16
#define MIN_MATCH 4
#define MAX_MATCH (MIN_MATCH + 255)
#define MAX_CHAIN 48
#define WORD_COUNT 4096

static int32_t hash_head[1u << HASH_BITS];
static int32_t hash_prev[WINDOW_SIZE];

static uint32_t hash4(const uint8_t *at) {
    uint32_t word;
    memcpy(&word, at, sizeof word);
    return (word * 2654435761u) >> (32 - HASH_BITS);
}

/* Links position `pos` into the chain of positions sharing its 4-byte hash. */
static void insert_position(const uint8_t *input, int32_t pos) {
    uint32_t hash = hash4(input + pos);
    hash_prev[pos & (WINDOW_SIZE - 1)] = hash_head[hash];
    hash_head[hash] = pos;
}

/* Output: groups of one flag byte then up to 8 items; a set bit marks a match (2 bytes of
 * distance - 1, 1 byte of length - MIN_MATCH), a clear bit a literal byte. Returns the size. */
static size_t compress(const uint8_t *input, size_t size, uint8_t *output) {
    memset(hash_head, 0xff, sizeof hash_head);
    size_t out = 0, flag_at = 0;
    unsigned item = 8;
    int32_t pos = 0;
    while ((size_t)pos < size) {
        if (item == 8) {
            flag_at = out++;
            output[flag_at] = 0;
            item = 0;
        }
        int32_t best_length = 0, best_distance = 0;
        if ((size_t)pos + MAX_MATCH <= size) {
            int32_t candidate = hash_head[hash4(input + pos)];
            for (int chain = 0; candidate >= 0 && chain < MAX_CHAIN; chain++) {
                int32_t distance = pos - candidate;
                if (distance > (int32_t)WINDOW_SIZE)
                    break;
                /* Only a candidate that beats the best so far at its last byte can win. */
                if (input[candidate + best_length] == input[pos + best_length]) {
                    int32_t length = 0;
                    while (length < MAX_MATCH && input[candidate + length] == input[pos + length])
                        length++;
                    if (length > best_length) {
                        best_length = length;
                        best_distance = distance;
                        if (length == MAX_MATCH)
                            break;
                    }
                }
                candidate = hash_prev[candidate & (WINDOW_SIZE - 1)];
            }
        }
        if (best_length >= MIN_MATCH) {
            output[flag_at] |= (uint8_t)(1u << item);
            output[out++] = (uint8_t)(best_distance - 1);
            output[out++] = (uint8_t)((best_distance - 1) >> 8);
            output[out++] = (uint8_t)(best_length - MIN_MATCH);
            for (int32_t end = pos + best_length; pos < end; pos++)
                insert_position(input, pos);
        } else {
            output[out++] = input[pos];
            if ((size_t)pos + MIN_MATCH <= size)
                insert_position(input, pos);
            pos++;
        }
        item++;
    }
    return out;
}

static size_t decompress(const uint8_t *input, size_t size, uint8_t *output) {
    size_t in = 0, out = 0;
    while (in < size) {
        unsigned flags = input[in++];
        for (int item = 0; item < 8 && in < size; item++, flags >>= 1) {
            if (flags & 1) {
                size_t distance = (size_t)input[in] + ((size_t)input[in + 1] << 8) + 1;
                size_t length = (size_t)input[in + 2] + MIN_MATCH;
                in += 3;
                /* Byte by byte: a match may overlap the bytes it is producing. */
                for (size_t i = 0; i < length; i++, out++)
                    output[out] = output[out - distance];
            } else {
                output[out++] = input[in++];
            }
        }
    }
    return out;
}

/* Text from a fixed vocabulary with a skewed word distribution; one sentence in eight repeats
 * an earlier sentence, near or far, as real text repeats phrases. */
static void generate_text(uint8_t *text, size_t size) {
    static char words[WORD_COUNT][12];
    for (int w = 0; w < WORD_COUNT; w++) {
        int length = 2 + (int)(bench_random() % 9);
        for (int i = 0; i < length; i++)
            words[w][i] = (char)('a' + bench_random() % 26);
        words[w][length] = 0;
    }
    size_t at = 0;
    while (at < size) {
        size_t sentence_start = at;
        if (at > 4096 && bench_random() % 8 == 0) {
            size_t from = at - 1 - bench_random() % (at < 60000 ? at - 1 : 60000);
            size_t length = 20 + bench_random() % 200;
            for (size_t i = 0; i < length && at < size; i++)
                text[at++] = text[from + i];
            continue;
        }
        int word_total = 4 + (int)(bench_random() % 14);
        for (int w = 0; w < word_total && at < size; w++) {
            uint64_t r = bench_random();
            const char *word = words[((r & 0xfff) * ((r >> 12) & 0xfff)) >> 12];
            for (int i = 0; word[i] && at < size; i++)
                text[at++] = (uint8_t)word[i];
            if (at < size)
                text[at++] = w + 1 < word_total ? ' ' : '.';
        }
        if (sentence_start < size)
            text[sentence_start] = (uint8_t)(text[sentence_start] - 'a' + 'A');
        if (at < size)
            text[at++] = bench_random() % 6 == 0 ? '\n' : ' ';
    }
}

int main(int argc, char **argv) {
    int scale = bench_begin(argc, argv);
    size_t size = FULL_INPUT_BYTES / (size_t)scale;
    uint8_t *text = malloc(size);
    uint8_t *compressed = malloc(size + size / 8 + 1);
    uint8_t *restored = malloc(size);
    if (!text || !compressed || !restored)
        return 1;
    generate_text(text, size);

    bench_kernel_start();
    size_t compressed_size = compress(text, size, compressed);
    size_t restored_size = decompress(compressed, compressed_size, restored);
    bench_kernel_stop();

    if (restored_size != size || memcmp(text, restored, size) != 0) {
        fprintf(stderr, "lz77: round trip mismatch\n");
        return 1;
    }
    uint64_t checksum = bench_hash_u64(BENCH_HASH_SEED, size);
    checksum = bench_hash_u64(checksum, compressed_size);
    checksum = bench_hash_bytes(checksum, compressed, compressed_size);
    free(text);
    free(compressed);
    free(restored);
    return bench_report(checksum);
}
