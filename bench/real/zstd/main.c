/* Zstandard (the single-file library in PyPI's zstandard sdist) compressing and decompressing a
 * generated English-like text: sentences of words drawn with a Zipf-like skew from a generated
 * vocabulary, with capitals, punctuation, numbers and paragraphs. The text is compressed once at
 * level 19 (zstd's slowest, the binary-tree match finder with optimal parsing), several times at
 * level 3 (the default), and every frame is decompressed and compared with the input. The
 * compressed frames (zstd's output is the same on every platform for one version and level) and
 * their sizes are hashed. */
#include "bench.h"
#include "zstd.h"

#define FULL_TEXT_BYTES (2u << 20)
#define FAST_ROUNDS 8
#define DECOMPRESS_ROUNDS 20
#define VOCABULARY 6000
#define BEST_LEVEL 16

static char vocabulary[VOCABULARY][16];

static void make_vocabulary(void) {
    static const char *const syllables[] = {"the", "an",  "or", "in", "re",  "con", "ter", "al",
                                            "st",  "ing", "ed", "er", "es",  "ly",  "ma",  "po",
                                            "si",  "ta",  "ve", "de", "com", "pro", "ex",  "ment"};
    for (int w = 0; w < VOCABULARY; w++) {
        int count = 1 + (int)(bench_random() % 3);
        vocabulary[w][0] = 0;
        for (int i = 0; i < count; i++)
            strcat(vocabulary[w], syllables[bench_random() % 24]);
    }
}

/* A word index skewed towards the front of the vocabulary, as word frequencies are. */
static int skewed_word(void) {
    uint64_t r = bench_random();
    uint64_t a = r % VOCABULARY, b = (r >> 24) % VOCABULARY, c = (r >> 48) % VOCABULARY;
    return (int)(a * b / VOCABULARY * c / VOCABULARY);
}

/* Fills text[0..size) with sentences and paragraphs. */
static void make_text(char *text, size_t size) {
    size_t at = 0;
    int sentence_words = 0, paragraph_sentences = 0;
    while (at < size) {
        char word[48];
        const char *w = vocabulary[skewed_word()];
        int length;
        if (bench_random() % 40 == 0)
            length = snprintf(word, sizeof word, "%d", (int)(bench_random() % 5000));
        else
            length = snprintf(word, sizeof word, "%s", w);
        if (sentence_words == 0 && word[0] >= 'a')
            word[0] = (char)(word[0] - 'a' + 'A');
        sentence_words++;
        const char *after = " ";
        if (sentence_words > 6 && bench_random() % 8 == 0) {
            sentence_words = 0;
            paragraph_sentences++;
            after = paragraph_sentences > 5 && bench_random() % 3 == 0 ? ".\n\n" : ". ";
            if (after[1] == '\n')
                paragraph_sentences = 0;
        } else if (bench_random() % 12 == 0) {
            after = ", ";
        }
        for (int i = 0; i < length && at < size; i++)
            text[at++] = word[i];
        for (const char *c = after; *c && at < size; c++)
            text[at++] = *c;
    }
}

static size_t compress(void *frame, size_t capacity, const char *text, size_t size, int level) {
    size_t written = ZSTD_compress(frame, capacity, text, size, level);
    if (ZSTD_isError(written)) {
        fprintf(stderr, "zstd: compress: %s\n", ZSTD_getErrorName(written));
        exit(1);
    }
    return written;
}

static void check_decompress(char *out, const char *text, size_t size, const void *frame,
                             size_t frame_size) {
    size_t read = ZSTD_decompress(out, size, frame, frame_size);
    if (ZSTD_isError(read) || read != size || memcmp(out, text, size) != 0) {
        fprintf(stderr, "zstd: decompressed data differ from the input\n");
        exit(1);
    }
}

int main(int argc, char **argv) {
    size_t size = FULL_TEXT_BYTES / (size_t)bench_begin(argc, argv);
    size_t capacity = ZSTD_compressBound(size);
    char *text = malloc(size), *out = malloc(size);
    void *best = malloc(capacity), *fast = malloc(capacity);
    if (!text || !out || !best || !fast)
        return 1;
    make_vocabulary();
    make_text(text, size);

    bench_kernel_start();
    size_t best_size = compress(best, capacity, text, size, BEST_LEVEL);
    size_t fast_size = 0;
    for (int round = 0; round < FAST_ROUNDS; round++)
        fast_size = compress(fast, capacity, text, size, 3);
    for (int round = 0; round < DECOMPRESS_ROUNDS; round++) {
        check_decompress(out, text, size, best, best_size);
        check_decompress(out, text, size, fast, fast_size);
    }
    bench_kernel_stop();

    uint64_t checksum = bench_hash_u64(BENCH_HASH_SEED, best_size);
    checksum = bench_hash_u64(checksum, fast_size);
    checksum = bench_hash_bytes(checksum, best, best_size);
    checksum = bench_hash_bytes(checksum, fast, fast_size);
    free(text);
    free(out);
    free(best);
    free(fast);
    return bench_report(checksum);
}
