/*
 * Uses textstats, a C++ library compiled to WebAssembly and linked in as libtextstats.a, through
 * its generated header textstats.h. Two instances, each a sandbox with its own memory, analyse
 * two texts; one of them then traps and goes on working. Exits 0 only if every result is right.
 */
#include <stdio.h>
#include <string.h>

#include "textstats.h"

/* One instance's text, what it should find, and the state its env.on_word import fills in. */
typedef struct session {
    const char *name;
    const char *text;
    int32_t expected_words;
    int32_t expected_distinct;
    const char *expected_top3;
    char report[256]; /* "word count, word count, ...", as env.on_word reported them */
    size_t report_length;
} session;

static int failures;

static void check_int(const session *s, const char *what, int32_t got, int32_t expected)
{
    if (got != expected) {
        printf("MISMATCH [%s] %s: got %d, expected %d\n", s->name, what, (int)got, (int)expected);
        failures++;
    }
}

static void check_str(const session *s, const char *what, const char *got, const char *expected)
{
    if (strcmp(got, expected) != 0) {
        printf("MISMATCH [%s] %s: got \"%s\", expected \"%s\"\n", s->name, what, got, expected);
        failures++;
    }
}

/* The import the library calls for each ranked word; (word, length) points into its memory. */
void textstats_env_on_word(textstats_instance *instance, void *context, int32_t word,
                           int32_t length, int32_t count)
{
    session *s = context;
    size_t room = sizeof s->report - s->report_length;
    /* Guest values are untrusted: find the bytes through the bounds-checked accessor. */
    const char *bytes = textstats_memory_at(instance, (uint32_t)word, (uint32_t)length);
    if (!bytes)
        textstats_trap(instance, "on_word: word lies outside linear memory");
    int written = snprintf(s->report + s->report_length, room, "%s%.*s %d",
                           s->report_length ? ", " : "", (int)length, bytes, (int)count);
    if (written < 0 || (size_t)written >= room)
        textstats_trap(instance, "on_word: report buffer full");
    s->report_length += (size_t)written;
}

/* Copies `text` into a buffer the library allocates in its memory; returns its address or 0. */
static int32_t copy_in(textstats_instance *instance, const char *text, size_t length)
{
    int32_t address = 0;
    if (textstats_ts_alloc(instance, (int32_t)length, &address) != WASM2NATIVE_TRAP_NONE)
        return 0;
    /* Fetched after the call: allocating may have grown, and so moved, the memory. */
    void *buffer = textstats_memory_at(instance, (uint32_t)address, length);
    if (address == 0 || !buffer)
        return 0;
    memcpy(buffer, text, length);
    return address;
}

static void analyze(textstats_instance *instance, session *s)
{
    size_t length = strlen(s->text);
    int32_t text = copy_in(instance, s->text, length);
    int32_t distinct = 0, words = 0, reported = 0;
    /* Each export returns WASM2NATIVE_TRAP_NONE (0) unless it trapped. */
    if (!text || textstats_ts_analyze(instance, text, (int32_t)length, &distinct) ||
        textstats_ts_total(instance, &words) || textstats_ts_report(instance, 3, &reported) ||
        textstats_ts_free(instance, text)) {
        printf("MISMATCH [%s] call failed: %s\n", s->name, textstats_last_trap(instance)->message);
        failures++;
        return;
    }
    printf("  %-7s %d words, %d distinct; top 3 reported through env.on_word: %s\n", s->name,
           (int)words, (int)distinct, s->report);
    check_int(s, "words", words, s->expected_words);
    check_int(s, "distinct words", distinct, s->expected_distinct);
    check_int(s, "words reported", reported, 3);
    check_str(s, "top 3", s->report, s->expected_top3);
}

/* Asks for a rank past the last word, which traps, then uses the same instance again. */
static void trap_and_recover(textstats_instance *instance, session *s)
{
    enum { capacity = 32 };
    int32_t out = 0, count = 0;
    if (textstats_ts_alloc(instance, capacity, &out) || out == 0) {
        printf("MISMATCH [%s] ts_alloc failed\n", s->name);
        failures++;
        return;
    }
    wasm2native_trap trap = textstats_ts_top(instance, 1000, out, capacity, &count);
    const char *message = textstats_last_trap(instance)->message;
    printf("a trap in %s: ts_top(rank 1000) returned code %d, \"%s\"\n", s->name, (int)trap,
           message);
    check_int(s, "trap code", (int32_t)trap, WASM2NATIVE_TRAP_UNREACHABLE);
    check_str(s, "trap message", message, "unreachable");

    trap = textstats_ts_top(instance, 1, out, capacity, &count);
    const char *word = textstats_memory_at(instance, (uint32_t)out, capacity);
    check_int(s, "ts_top after the trap", (int32_t)trap, WASM2NATIVE_TRAP_NONE);
    if (trap == WASM2NATIVE_TRAP_NONE && word) {
        printf("the same instance afterwards: ts_top(rank 1) = \"%s\", %d times\n", word,
               (int)count);
        check_str(s, "rank 1 word", word, "the");
        check_int(s, "rank 1 count", count, 3);
    }
    textstats_ts_free(instance, out);
}

int main(void)
{
    session sessions[2] = {
        {.name = "fog",
         .text = "The fog comes on little cat feet. It sits looking over harbor and city "
                 "on silent haunches and then moves on.",
         .expected_words = 21, .expected_distinct = 18, .expected_top3 = "on 3, and 2, cat 1"},
        {.name = "hamlet",
         .text = "To be, or not to be, that is the question: whether 'tis nobler in the mind "
                 "to suffer the slings and arrows of outrageous fortune, or to take arms "
                 "against a sea of troubles.",
         .expected_words = 34, .expected_distinct = 26, .expected_top3 = "to 4, the 3, be 2"},
    };
    textstats_instance *instances[2];
    for (int i = 0; i < 2; i++) {
        /* Each instance gets its own session as context: the import finds it there. */
        textstats_config config = {.context = &sessions[i]};
        wasm2native_result result;
        instances[i] = textstats_new(&config, &result);
        if (!instances[i]) {
            printf("MISMATCH [%s] textstats_new failed: %s\n", sessions[i].name, result.message);
            return 1;
        }
    }
    printf("two instances of the C++ library, each with its own memory and context:\n");
    for (int i = 0; i < 2; i++)
        analyze(instances[i], &sessions[i]);
    trap_and_recover(instances[1], &sessions[1]);
    for (int i = 0; i < 2; i++)
        textstats_free(instances[i]);

    if (failures) {
        printf("%d check(s) failed\n", failures);
        return 1;
    }
    printf("all checks passed\n");
    return 0;
}
