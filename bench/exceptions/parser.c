/* An exception-heavy workload: a recursive-descent JSON parser that reports every error by
 * longjmp from wherever it finds it to one setjmp per record, as Lua and many C parsers do, over
 * generated records of which a fifth are damaged (not all fatally: about 15% fail).
 *
 *   parser [RECORDS]    (default 50,000, each parsed 4 times)
 *
 * The records are made by a fixed pseudo-random generator: objects, arrays, strings with escapes,
 * numbers with fractions and exponents, nested up to 12 deep (a few 40 deep, past the parser's
 * limit of 32). One record in five is then damaged: cut short, a byte replaced, deleted or
 * doubled. The parser builds each record's tree in an arena that is simply reset after an error
 * (why C parsers use longjmp: nothing to unwind by hand), and hashes the trees it completes. It
 * prints the counts of good and bad records, the errors by kind and by the depth they were found
 * at, and the hash: the same under every engine, since no floating point is involved. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sjlj.h"

#define DEFAULT_RECORDS 50000
#define PASSES 4
#define MAX_DEPTH 32
#define ARENA_BYTES (1 << 20)

/* ---- The generator ---- */

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

/* xorshift64*: fast, and the same sequence on every platform. */
static uint32_t rng(void) {
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 0x2545f4914f6cdd1du) >> 32);
}

static uint32_t below(uint32_t n) { return rng() % n; }

struct text {
    char *bytes;
    size_t len, cap;
};

static void put(struct text *t, char c) {
    if (t->len == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 1 << 16;
        t->bytes = realloc(t->bytes, t->cap);
        if (!t->bytes) {
            fputs("out of memory\n", stderr);
            exit(1);
        }
    }
    t->bytes[t->len++] = c;
}

static void put_str(struct text *t, const char *s) {
    while (*s)
        put(t, *s++);
}

static void gen_spaces(struct text *t) {
    if (below(4) == 0)
        put(t, below(2) ? ' ' : '\t');
}

static void gen_string(struct text *t, uint32_t max_len) {
    static const char hex[] = "0123456789abcdef";
    put(t, '"');
    for (uint32_t i = below(max_len + 1); i > 0; i--) {
        uint32_t r = below(32);
        if (r == 0) {
            put(t, '\\');
            put(t, "nt\"\\/br"[below(7)]);
        } else if (r == 1) {
            put_str(t, "\\u00");
            put(t, hex[below(8)]);
            put(t, hex[below(16)]);
        } else {
            put(t, (char)('a' + below(26)));
        }
    }
    put(t, '"');
}

static void gen_digits(struct text *t, uint32_t max) {
    uint32_t n = 1 + below(max);
    put(t, (char)('1' + below(9)));
    while (--n)
        put(t, (char)('0' + below(10)));
}

static void gen_number(struct text *t) {
    if (below(3) == 0)
        put(t, '-');
    if (below(6) == 0)
        put(t, '0');
    else
        gen_digits(t, 7);
    if (below(3) == 0) {
        put(t, '.');
        gen_digits(t, 5);
    }
    if (below(6) == 0) {
        put(t, below(2) ? 'e' : 'E');
        if (below(2))
            put(t, below(2) ? '-' : '+');
        gen_digits(t, 2);
    }
}

static void gen_value(struct text *t, int depth, int max_depth) {
    /* A record is an object; deep records (max_depth past 12) are containers all the way down,
     * others mostly near the top. */
    uint32_t r = depth == 0                            ? 0
                 : max_depth > 12 && depth < max_depth ? below(4)
                 : depth >= max_depth                  ? 4 + below(6)
                 : depth < 3                           ? below(6)
                                                       : below(10);
    gen_spaces(t);
    if (r < 2) {
        /* Long chains of one-member containers make the deep records. */
        uint32_t members = max_depth > 12 ? 1 : depth == 0 ? 3 + below(6) : 1 + below(4);
        put(t, '{');
        for (uint32_t i = 0; i < members; i++) {
            if (i)
                put(t, ',');
            gen_spaces(t);
            /* Keys of four letters from a small alphabet, so that a duplicate key (an error the
             * parser can only find after reading the whole member) happens now and then. */
            put(t, '"');
            for (int k = 0; k < 4; k++)
                put(t, (char)('a' + below(8)));
            put(t, '"');
            put(t, ':');
            gen_value(t, depth + 1, max_depth);
        }
        put(t, '}');
    } else if (r < 4) {
        uint32_t items = max_depth > 12 ? 1 : below(5);
        put(t, '[');
        for (uint32_t i = 0; i < items; i++) {
            if (i)
                put(t, ',');
            gen_value(t, depth + 1, max_depth);
        }
        put(t, ']');
    } else if (r < 6) {
        gen_string(t, 16);
    } else if (r < 9) {
        gen_number(t);
    } else {
        put_str(t, (const char *[]){"true", "false", "null"}[below(3)]);
    }
    gen_spaces(t);
}

/* Damages the record that starts at `start`: cut short, one byte replaced, deleted or doubled. */
static void damage(struct text *t, size_t start) {
    static const char junk[] = "}]{[,:\"\\x0-.e ";
    size_t len = t->len - start;
    size_t at = start + below((uint32_t)len);
    switch (below(4)) {
    case 0: t->len = at; break;
    case 1: t->bytes[at] = junk[below(sizeof junk - 1)]; break;
    case 2:
        memmove(t->bytes + at, t->bytes + at + 1, t->len - at - 1);
        t->len--;
        break;
    default:
        put(t, 0);
        memmove(t->bytes + at + 1, t->bytes + at, t->len - at - 1);
        break;
    }
}

static struct text generate(uint32_t records) {
    struct text t = {0};
    for (uint32_t i = 0; i < records; i++) {
        size_t start = t.len;
        gen_value(&t, 0, below(50) == 0 ? 40 : 2 + below(11));
        if (below(5) == 0)
            damage(&t, start);
        put(&t, '\n');
    }
    return t;
}

/* ---- The parser ---- */

enum kind { K_NULL, K_FALSE, K_TRUE, K_NUMBER, K_STRING, K_ARRAY, K_OBJECT };

/* A value; an object's members are its children, each with the key it was read under. */
struct node {
    enum kind kind;
    uint32_t len;       /* a string's bytes, a container's children */
    int64_t mantissa;   /* a number's digits, as an integer */
    int32_t exponent;   /* and the power of ten they are scaled by */
    const char *bytes;  /* a string's decoded bytes (in the arena) */
    struct node *key;   /* an object member's key */
    struct node *first; /* a container's first child */
    struct node *next;  /* the next child of this node's container */
};

enum error {
    E_END,       /* the record ended inside a value */
    E_CHAR,      /* a byte no value can start or continue with */
    E_ESCAPE,    /* an unknown escape, or \u with bad hex digits */
    E_CONTROL,   /* a raw control byte in a string */
    E_NUMBER,    /* a malformed or overlong number */
    E_DUPLICATE, /* a key repeated within an object */
    E_DEPTH,     /* nesting past MAX_DEPTH */
    E_TRAILING,  /* bytes after the value */
    E_MEMORY,    /* the arena is full */
    ERROR_KINDS
};

static const char *const error_names[ERROR_KINDS] = {
    "end", "char", "escape", "control", "number", "duplicate", "depth", "trailing", "memory",
};

struct parser {
    const char *at, *end;
    int depth;
    jmp_buf *on_error;
    enum error error;
    int error_depth;
    char *arena;
    size_t arena_used;
};

/* Every error ends here: the record's setjmp takes it, whatever the depth. */
static _Noreturn void fail(struct parser *p, enum error error) {
    p->error = error;
    p->error_depth = p->depth;
    longjmp(*p->on_error, 1);
}

static void *allocate(struct parser *p, size_t bytes) {
    bytes = (bytes + 7) & ~(size_t)7;
    if (p->arena_used + bytes > ARENA_BYTES)
        fail(p, E_MEMORY);
    void *block = p->arena + p->arena_used;
    p->arena_used += bytes;
    return block;
}

static struct node *new_node(struct parser *p, enum kind kind) {
    struct node *n = allocate(p, sizeof *n);
    memset(n, 0, sizeof *n);
    n->kind = kind;
    return n;
}

static void skip_spaces(struct parser *p) {
    while (p->at < p->end && (*p->at == ' ' || *p->at == '\t' || *p->at == '\r'))
        p->at++;
}

static char peek(struct parser *p) {
    if (p->at == p->end)
        fail(p, E_END);
    return *p->at;
}

static void expect(struct parser *p, char c) {
    if (peek(p) != c)
        fail(p, E_CHAR);
    p->at++;
}

static int hex_digit(struct parser *p) {
    char c = peek(p);
    p->at++;
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    fail(p, E_ESCAPE);
}

static struct node *parse_string(struct parser *p) {
    struct node *n = new_node(p, K_STRING);
    expect(p, '"');
    /* Decoded straight to the arena's free end, which the string then takes. */
    char *out = p->arena + p->arena_used, *limit = p->arena + ARENA_BYTES;
    n->bytes = out;
    for (;;) {
        char c = peek(p);
        p->at++;
        if (c == '"')
            break;
        if ((unsigned char)c < 0x20)
            fail(p, E_CONTROL);
        if (out == limit)
            fail(p, E_MEMORY);
        if (c != '\\') {
            *out++ = c;
            continue;
        }
        c = peek(p);
        p->at++;
        switch (c) {
        case 'n': *out++ = '\n'; break;
        case 't': *out++ = '\t'; break;
        case 'r': *out++ = '\r'; break;
        case 'b': *out++ = '\b'; break;
        case 'f': *out++ = '\f'; break;
        case '"':
        case '\\':
        case '/': *out++ = c; break;
        case 'u': {
            int code = 0;
            for (int i = 0; i < 4; i++)
                code = code * 16 + hex_digit(p);
            /* Only ASCII is generated; anything else stands as one byte here. */
            *out++ = (char)(code < 0x80 ? code : '?');
            break;
        }
        default: fail(p, E_ESCAPE);
        }
    }
    n->len = (uint32_t)(out - n->bytes);
    allocate(p, n->len);
    return n;
}

static int is_digit(char c) { return c >= '0' && c <= '9'; }

/* A number as mantissa and decimal exponent, exactly, so that no engine's floating point can
 * make the hash differ. */
static struct node *parse_number(struct parser *p) {
    struct node *n = new_node(p, K_NUMBER);
    int negative = 0, digits = 0;
    if (peek(p) == '-') {
        negative = 1;
        p->at++;
    }
    if (!is_digit(peek(p)))
        fail(p, E_NUMBER);
    if (*p->at == '0') {
        p->at++;
        digits = 1;
    } else {
        while (p->at < p->end && is_digit(*p->at)) {
            n->mantissa = n->mantissa * 10 + (*p->at++ - '0');
            digits++;
        }
    }
    if (p->at < p->end && *p->at == '.') {
        p->at++;
        if (p->at == p->end || !is_digit(*p->at))
            fail(p, E_NUMBER);
        while (p->at < p->end && is_digit(*p->at)) {
            n->mantissa = n->mantissa * 10 + (*p->at++ - '0');
            n->exponent--;
            digits++;
        }
    }
    if (digits > 18)
        fail(p, E_NUMBER);
    if (p->at < p->end && (*p->at == 'e' || *p->at == 'E')) {
        int exponent = 0, sign = 1;
        p->at++;
        if (peek(p) == '+' || *p->at == '-')
            sign = *p->at++ == '-' ? -1 : 1;
        if (!is_digit(peek(p)))
            fail(p, E_NUMBER);
        while (p->at < p->end && is_digit(*p->at)) {
            exponent = exponent * 10 + (*p->at++ - '0');
            if (exponent > 999)
                fail(p, E_NUMBER);
        }
        n->exponent += sign * exponent;
    }
    if (negative)
        n->mantissa = -n->mantissa;
    return n;
}

static void parse_word(struct parser *p, const char *word) {
    for (; *word; word++) {
        if (peek(p) != *word)
            fail(p, E_CHAR);
        p->at++;
    }
}

static struct node *parse_value(struct parser *p);

static struct node *parse_array(struct parser *p) {
    struct node *n = new_node(p, K_ARRAY), **tail = &n->first;
    expect(p, '[');
    skip_spaces(p);
    if (peek(p) == ']') {
        p->at++;
        return n;
    }
    for (;;) {
        *tail = parse_value(p);
        tail = &(*tail)->next;
        n->len++;
        if (peek(p) == ']')
            break;
        expect(p, ',');
    }
    p->at++;
    return n;
}

static int same_key(const struct node *a, const struct node *b) {
    return a->len == b->len && memcmp(a->bytes, b->bytes, a->len) == 0;
}

static struct node *parse_object(struct parser *p) {
    struct node *n = new_node(p, K_OBJECT), **tail = &n->first;
    expect(p, '{');
    skip_spaces(p);
    if (peek(p) == '}') {
        p->at++;
        return n;
    }
    for (;;) {
        skip_spaces(p);
        struct node *key = parse_string(p);
        skip_spaces(p);
        expect(p, ':');
        struct node *value = parse_value(p);
        for (struct node *m = n->first; m; m = m->next)
            if (same_key(m->key, key))
                fail(p, E_DUPLICATE);
        value->key = key;
        *tail = value;
        tail = &value->next;
        n->len++;
        if (peek(p) == '}')
            break;
        expect(p, ',');
    }
    p->at++;
    return n;
}

static struct node *parse_value(struct parser *p) {
    struct node *n;
    if (++p->depth > MAX_DEPTH)
        fail(p, E_DEPTH);
    skip_spaces(p);
    switch (peek(p)) {
    case '{': n = parse_object(p); break;
    case '[': n = parse_array(p); break;
    case '"': n = parse_string(p); break;
    case 't':
        parse_word(p, "true");
        n = new_node(p, K_TRUE);
        break;
    case 'f':
        parse_word(p, "false");
        n = new_node(p, K_FALSE);
        break;
    case 'n':
        parse_word(p, "null");
        n = new_node(p, K_NULL);
        break;
    default:
        if (*p->at != '-' && !is_digit(*p->at))
            fail(p, E_CHAR);
        n = parse_number(p);
    }
    skip_spaces(p);
    p->depth--;
    return n;
}

/* ---- The work done on a parsed record ---- */

static uint64_t mix(uint64_t h, uint64_t v) { return (h ^ v) * 0x100000001b3u; }

static uint64_t hash_bytes(uint64_t h, const char *bytes, uint32_t len) {
    for (uint32_t i = 0; i < len; i++)
        h = mix(h, (unsigned char)bytes[i]);
    return h;
}

static uint64_t hash_node(const struct node *n, uint64_t h) {
    h = mix(h, n->kind);
    if (n->key)
        h = hash_bytes(h, n->key->bytes, n->key->len);
    switch (n->kind) {
    case K_NUMBER: return mix(mix(h, (uint64_t)n->mantissa), (uint64_t)(int64_t)n->exponent);
    case K_STRING: return hash_bytes(h, n->bytes, n->len);
    case K_ARRAY:
    case K_OBJECT:
        for (const struct node *c = n->first; c; c = c->next)
            h = hash_node(c, h);
        return mix(h, n->len);
    default: return h;
    }
}

struct totals {
    uint32_t good, bad;
    uint32_t by_kind[ERROR_KINDS];
    uint32_t by_depth[4]; /* found at depth 0-2, 3-5, 6-11, 12 and deeper */
    uint64_t hash;
};

/* Parses one record and hashes its tree. The record's one setjmp: an error anywhere below comes
 * back here, and the arena is reset by the next record. */
static void parse_record(struct parser *p, const char *start, const char *end, struct totals *t) {
    jmp_buf on_error;
    p->on_error = &on_error;
    p->at = start;
    p->end = end;
    p->depth = 0;
    p->arena_used = 0;
    if (setjmp(on_error)) {
        int d = p->error_depth;
        t->bad++;
        t->by_kind[p->error]++;
        t->by_depth[d < 3 ? 0 : d < 6 ? 1 : d < 12 ? 2 : 3]++;
        return;
    }
    struct node *root = parse_value(p);
    if (p->at != p->end)
        fail(p, E_TRAILING);
    t->good++;
    t->hash = hash_node(root, t->hash * 31 + 1);
}

int main(int argc, char **argv) {
    uint32_t records = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : DEFAULT_RECORDS;
    struct text input = generate(records);
    struct parser p = {.arena = malloc(ARENA_BYTES)};
    struct totals t = {.hash = 0xcbf29ce484222325u};
    if (!p.arena)
        return 1;
    /* Several passes, so that parsing and not generating is most of the time. */
    for (int pass = 0; pass < PASSES; pass++) {
        for (const char *line = input.bytes, *end = input.bytes + input.len; line < end;) {
            const char *newline = memchr(line, '\n', (size_t)(end - line));
            parse_record(&p, line, newline, &t);
            line = newline + 1;
        }
    }
    printf("records %u x %d passes: good %u, bad %u; hash %016llx\n", records, PASSES, t.good,
           t.bad, (unsigned long long)t.hash);
    printf("errors by kind:");
    for (int k = 0; k < ERROR_KINDS; k++)
        printf(" %s %u", error_names[k], t.by_kind[k]);
    printf("\nerrors by depth: 0-2 %u, 3-5 %u, 6-11 %u, 12+ %u\n", t.by_depth[0], t.by_depth[1],
           t.by_depth[2], t.by_depth[3]);
    printf("input bytes %zu\n", input.len);
    return 0;
}
