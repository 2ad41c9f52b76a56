/* JSON parsing: a validating recursive-descent tokenizer and parser run repeatedly over a
 * generated multi-megabyte document of nested objects and arrays, strings with every escape
 * (surrogate pairs decoded to UTF-8) and numbers read exactly as integer mantissa and decimal
 * exponent (turned into doubles only where that is exact). Stresses byte-at-a-time scanning,
 * branchy dispatch on characters and short recursion; every token's kind and value is hashed. */
#include "bench.h"

#define DOCUMENT_BYTES (4u << 20)
#define FULL_PASSES 60
#define MAX_NESTING 64
#define GENERATED_NESTING 5

enum { TOKEN_OBJECT = 1, TOKEN_OBJECT_END, TOKEN_ARRAY, TOKEN_ARRAY_END, TOKEN_KEY, TOKEN_STRING,
       TOKEN_INTEGER, TOKEN_NUMBER, TOKEN_TRUE, TOKEN_FALSE, TOKEN_NULL };

typedef struct {
    const char *start;
    const char *at;
    uint64_t hash;
    uint64_t tokens;
} Parser;

/* Every power of ten that a double holds exactly. */
static const double powers_of_ten[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                       1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                       1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

static _Noreturn void fail(const Parser *parser, const char *problem) {
    fprintf(stderr, "json: %s at offset %td\n", problem, parser->at - parser->start);
    exit(1);
}

static void fold(Parser *parser, uint64_t value) {
    parser->hash = (parser->hash ^ value) * 0x100000001b3u;
}

static void emit(Parser *parser, int kind) {
    parser->tokens++;
    fold(parser, (uint64_t)kind);
}

static int is_digit(char c) { return c >= '0' && c <= '9'; }

static void skip_whitespace(Parser *parser) {
    while (*parser->at == ' ' || *parser->at == '\n' || *parser->at == '\r' || *parser->at == '\t')
        parser->at++;
}

static uint32_t parse_hex4(Parser *parser) {
    uint32_t value = 0;
    for (int i = 0; i < 4; i++) {
        char c = *parser->at++, lower = (char)(c | 0x20);
        if (!is_digit(c) && (lower < 'a' || lower > 'f'))
            fail(parser, "bad \\u escape");
        value = value * 16 + (uint32_t)(is_digit(c) ? c - '0' : lower - 'a' + 10);
    }
    return value;
}

/* Hashes the string's decoded UTF-8 bytes; the parser is just past the opening quote. */
static void parse_string(Parser *parser, int kind) {
    emit(parser, kind);
    for (;;) {
        unsigned char c = (unsigned char)*parser->at++;
        if (c == '"')
            return;
        if (c < 0x20)
            fail(parser, "unterminated string or raw control character");
        if (c != '\\') {
            fold(parser, c);
            continue;
        }
        static const char escaped[] = "\"\\/bfnrt", decoded[] = "\"\\/\b\f\n\r\t";
        char e = *parser->at++;
        const char *found = e ? strchr(escaped, e) : NULL;
        if (found) {
            fold(parser, (unsigned char)decoded[found - escaped]);
            continue;
        }
        if (e != 'u')
            fail(parser, "bad escape");
        uint32_t code = parse_hex4(parser);
        if (code >= 0xd800 && code < 0xdc00 && parser->at[0] == '\\' && parser->at[1] == 'u') {
            parser->at += 2;
            uint32_t low = parse_hex4(parser);
            if (low < 0xdc00 || low >= 0xe000)
                fail(parser, "bad surrogate pair");
            code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
        } else if (code >= 0xd800 && code < 0xe000) {
            fail(parser, "lone surrogate");
        }
        static const uint32_t lead_bits[] = {0, 0xc0, 0xe0, 0xf0};
        int continuation = code < 0x80 ? 0 : code < 0x800 ? 1 : code < 0x10000 ? 2 : 3;
        fold(parser, lead_bits[continuation] | code >> 6 * continuation);
        while (continuation-- > 0)
            fold(parser, 0x80 | (code >> 6 * continuation & 0x3f));
    }
}

static int read_digits(Parser *parser, uint64_t *value) {
    int count = 0;
    for (; is_digit(*parser->at); count++)
        *value = *value * 10 + (uint64_t)(*parser->at++ - '0');
    return count;
}

/* Reads digits into an integer mantissa and a decimal exponent, never through strtod (whose
 * rounding differs between C libraries); mantissas past 19 digits would wrap, and the generated
 * document never has them. */
static void parse_number(Parser *parser) {
    int negative = *parser->at == '-';
    parser->at += negative;
    uint64_t mantissa = 0, written_exponent = 0;
    if (*parser->at == '0')
        parser->at++; /* no further integer digits: JSON forbids leading zeros */
    else if (!read_digits(parser, &mantissa))
        fail(parser, "bad number");
    int exponent = 0, is_integer = *parser->at != '.' && (*parser->at | 0x20) != 'e';
    if (*parser->at == '.') {
        parser->at++;
        exponent = -read_digits(parser, &mantissa);
        if (exponent == 0)
            fail(parser, "no digits after the decimal point");
    }
    if ((*parser->at | 0x20) == 'e') {
        parser->at++;
        int exponent_negative = *parser->at == '-';
        parser->at += *parser->at == '-' || *parser->at == '+';
        if (!read_digits(parser, &written_exponent) || written_exponent > 100000)
            fail(parser, "bad exponent");
        exponent += exponent_negative ? -(int)written_exponent : (int)written_exponent;
    }
    if (is_integer) {
        emit(parser, TOKEN_INTEGER);
        fold(parser, negative ? 0 - mantissa : mantissa);
        return;
    }
    emit(parser, TOKEN_NUMBER);
    fold(parser, (uint64_t)negative);
    fold(parser, mantissa);
    fold(parser, (uint64_t)(int64_t)exponent);
    /* Both factors exact, so the one multiply or divide rounds correctly. */
    if (mantissa <= (uint64_t)1 << 53 && exponent >= -22 && exponent <= 22) {
        double value = exponent >= 0 ? (double)mantissa * powers_of_ten[exponent]
                                     : (double)mantissa / powers_of_ten[-exponent];
        value = negative ? -value : value;
        uint64_t bits;
        memcpy(&bits, &value, sizeof bits);
        fold(parser, bits);
    }
}

static void parse_literal(Parser *parser, const char *word, int kind) {
    size_t length = strlen(word);
    if (strncmp(parser->at, word, length) != 0)
        fail(parser, "unexpected character");
    parser->at += length;
    emit(parser, kind);
}

static void parse_value(Parser *parser, int depth) {
    if (depth > MAX_NESTING)
        fail(parser, "nesting too deep");
    skip_whitespace(parser);
    char c = *parser->at;
    if (c == '{' || c == '[') {
        int is_object = c == '{';
        char close = is_object ? '}' : ']';
        parser->at++;
        emit(parser, is_object ? TOKEN_OBJECT : TOKEN_ARRAY);
        skip_whitespace(parser);
        if (*parser->at != close) {
            for (;;) {
                if (is_object) {
                    skip_whitespace(parser);
                    if (*parser->at++ != '"')
                        fail(parser, "expected a key");
                    parse_string(parser, TOKEN_KEY);
                    skip_whitespace(parser);
                    if (*parser->at++ != ':')
                        fail(parser, "expected ':'");
                }
                parse_value(parser, depth + 1);
                skip_whitespace(parser);
                if (*parser->at != ',')
                    break;
                parser->at++;
            }
            if (*parser->at != close)
                fail(parser, is_object ? "expected ',' or '}'" : "expected ',' or ']'");
        }
        parser->at++;
        emit(parser, is_object ? TOKEN_OBJECT_END : TOKEN_ARRAY_END);
    } else if (c == '"') {
        parser->at++;
        parse_string(parser, TOKEN_STRING);
    } else if (c == '-' || is_digit(c)) {
        parse_number(parser);
    } else if (c == 't') {
        parse_literal(parser, "true", TOKEN_TRUE);
    } else if (c == 'f') {
        parse_literal(parser, "false", TOKEN_FALSE);
    } else {
        parse_literal(parser, "null", TOKEN_NULL);
    }
}

/* ------------------------------------------------------------- the document --- */

static char *document;
static size_t document_length, document_capacity;

static void put(const char *text, size_t length) {
    if (document_length + length + 1 > document_capacity) {
        document_capacity = 2 * document_capacity + length + 1;
        document = realloc(document, document_capacity);
        if (!document) {
            fprintf(stderr, "json: out of memory\n");
            exit(1);
        }
    }
    memcpy(document + document_length, text, length);
    document_length += length;
    document[document_length] = 0;
}

static void put_text(const char *text) { put(text, strlen(text)); }

static void put_string(void) {
    static const char *const pieces[] = {"\\\"", "\\\\", "\\/", "\\b", "\\f", "\\n", "\\r",
                                         "\\t", "\\u00e9", "\\u20AC", "\\ud83d\\ude00",
                                         "\\uD834\\uDD1E", "\xc3\xa9", "\xe2\x82\xac"};
    put_text("\"");
    for (int length = (int)(bench_random() % 28); length > 0; length--) {
        uint64_t r = bench_random();
        char letter = (char)(r % 6 == 0 ? ' ' : 'a' + (r >> 8) % 26);
        if (r % 9 == 1)
            put_text(pieces[(r >> 16) % (sizeof pieces / sizeof *pieces)]);
        else
            put(&letter, 1);
    }
    put_text("\"");
}

/* Integers, plain decimals, and decimals with exponents both inside and outside the range
 * where the parser's conversion to double is exact. */
static void put_number(void) {
    char text[48];
    uint64_t r = bench_random(), digits = bench_random() % 100000000000000u;
    const char *sign = r & 1 ? "-" : "";
    if (r & 2)
        snprintf(text, sizeof text, "%s%" PRIu64, sign, digits >> (r >> 2) % 48);
    else if (r & 4)
        snprintf(text, sizeof text, "%s%" PRIu64 ".%03" PRIu64, sign, (r >> 8) % 100000,
                 (r >> 40) % 1000);
    else
        snprintf(text, sizeof text, "%s%" PRIu64 ".%" PRIu64 "e%s%" PRIu64, sign,
                 (r >> 8) % 9 + 1, digits, r & 8 ? "-" : "+", (r >> 20) % 30);
    put_text(text);
}

static void put_value(int depth);

/* Keys are distinct within an object: member_count is at most the number of keys. */
static void put_object(int depth, int member_count) {
    static const char *const keys[] = {"id", "name", "email", "score", "ratio", "tags", "active",
                                       "parent", "children", "position", "meta", "history"};
    uint64_t first_key = bench_random();
    put_text("{");
    for (int i = 0; i < member_count; i++) {
        put_text(i ? ", \"" : "\"");
        put_text(keys[(first_key + (uint64_t)i) % (sizeof keys / sizeof *keys)]);
        put_text("\": ");
        put_value(depth + 1);
    }
    put_text("}");
}

static void put_value(int depth) {
    static const char *const literals[] = {"true", "false", "null"};
    uint64_t r = bench_random() % 20;
    if (depth < GENERATED_NESTING && r < 3) {
        put_object(depth, (int)(bench_random() % 7));
    } else if (depth < GENERATED_NESTING && r < 6) {
        put_text("[");
        for (int i = 0, count = (int)(bench_random() % 8); i < count; i++) {
            put_text(i ? ", " : "");
            put_value(depth + 1);
        }
        put_text("]");
    } else if (r < 11) {
        put_string();
    } else if (r < 17) {
        put_number();
    } else {
        put_text(literals[bench_random() % 3]);
    }
}

int main(int argc, char **argv) {
    int scale = bench_begin(argc, argv);
    put_text("[\n");
    while (document_length < DOCUMENT_BYTES) {
        put_text(document_length > 2 ? ",\n  " : "  ");
        put_object(0, 3 + (int)(bench_random() % 6));
    }
    put_text("\n]\n");

    bench_kernel_start();
    Parser parser = {document, document, BENCH_HASH_SEED, 0};
    for (int pass = 0; pass < FULL_PASSES / scale; pass++) {
        parser.at = document;
        parse_value(&parser, 0);
        skip_whitespace(&parser);
        if (*parser.at)
            fail(&parser, "text after the document");
    }
    bench_kernel_stop();

    uint64_t checksum = bench_hash_u64(BENCH_HASH_SEED, document_length);
    checksum = bench_hash_u64(checksum, parser.tokens);
    checksum = bench_hash_u64(checksum, parser.hash);
    free(document);
    return bench_report(checksum);
}
