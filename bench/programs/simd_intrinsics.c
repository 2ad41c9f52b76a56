/* bench-opt: -O3 -msimd128 */
/* Base64 encoding and validating decoding, 16 characters at a time (the Mula-Lemire scheme) with
 * hand-written 128-bit SIMD: byte shuffles regroup 3 bytes into 4 sextets, saturating subtracts,
 * compares and swizzled tables map sextets to ASCII and back, and a bitmask finds bad characters.
 * Stresses i8x16 swizzle, saturating and lane-shift operations; round trips feed each other. */
#include "bench.h"

#include <stdbool.h>

#define FULL_DATA_BYTES (3u << 20)
#define ROUND_TRIPS 600

/* The few vector operations the kernels need, written once per target; both give the same bits. */
#ifdef __wasm_simd128__
#include <wasm_simd128.h>
typedef v128_t vec;
#define VEC_BYTES(...) wasm_i8x16_make(__VA_ARGS__)
static inline vec vec_load(const void *from) { return wasm_v128_load(from); }
static inline void vec_store(void *to, vec v) { wasm_v128_store(to, v); }
static inline vec vec_splat8(int8_t byte) { return wasm_i8x16_splat(byte); }
static inline vec vec_splat32(uint32_t word) { return wasm_u32x4_splat(word); }
static inline vec vec_and(vec a, vec b) { return wasm_v128_and(a, b); }
static inline vec vec_or(vec a, vec b) { return wasm_v128_or(a, b); }
static inline vec vec_add8(vec a, vec b) { return wasm_i8x16_add(a, b); }
static inline vec vec_sub_sat_u8(vec a, vec b) { return wasm_u8x16_sub_sat(a, b); }
static inline vec vec_eq8(vec a, vec b) { return wasm_i8x16_eq(a, b); }
static inline vec vec_gt_s8(vec a, vec b) { return wasm_i8x16_gt(a, b); }
static inline vec vec_shr_u8(vec v, int bits) { return wasm_u8x16_shr(v, (uint32_t)bits); }
static inline vec vec_shl32(vec v, int bits) { return wasm_i32x4_shl(v, (uint32_t)bits); }
static inline vec vec_shr_u32(vec v, int bits) { return wasm_u32x4_shr(v, (uint32_t)bits); }
/* Lane i takes table[index[i]], or 0 when index[i] > 15. */
static inline vec vec_swizzle(vec table, vec index) { return wasm_i8x16_swizzle(table, index); }
static inline uint32_t vec_bitmask8(vec v) { return wasm_i8x16_bitmask(v); }
#else
#include <immintrin.h>
typedef __m128i vec;
#define VEC_BYTES(...) _mm_setr_epi8(__VA_ARGS__)
static inline vec vec_load(const void *from) { return _mm_loadu_si128(from); }
static inline void vec_store(void *to, vec v) { _mm_storeu_si128(to, v); }
static inline vec vec_splat8(int8_t byte) { return _mm_set1_epi8(byte); }
static inline vec vec_splat32(uint32_t word) { return _mm_set1_epi32((int)word); }
static inline vec vec_and(vec a, vec b) { return _mm_and_si128(a, b); }
static inline vec vec_or(vec a, vec b) { return _mm_or_si128(a, b); }
static inline vec vec_add8(vec a, vec b) { return _mm_add_epi8(a, b); }
static inline vec vec_sub_sat_u8(vec a, vec b) { return _mm_subs_epu8(a, b); }
static inline vec vec_eq8(vec a, vec b) { return _mm_cmpeq_epi8(a, b); }
static inline vec vec_gt_s8(vec a, vec b) { return _mm_cmpgt_epi8(a, b); }
static inline vec vec_shr_u8(vec v, int bits) {
    return _mm_and_si128(_mm_srli_epi16(v, bits), _mm_set1_epi8((char)(0xff >> bits)));
}
static inline vec vec_shl32(vec v, int bits) { return _mm_slli_epi32(v, bits); }
static inline vec vec_shr_u32(vec v, int bits) { return _mm_srli_epi32(v, bits); }
/* pshufb zeroes a lane only when bit 7 of its index is set: adding 0x70 with saturation sets it
 * exactly for indices above 15 and keeps the low nibble of the others, as wasm's swizzle wants. */
static inline vec vec_swizzle(vec table, vec index) {
    return _mm_shuffle_epi8(table, _mm_adds_epu8(index, _mm_set1_epi8(0x70)));
}
static inline uint32_t vec_bitmask8(vec v) { return (uint32_t)_mm_movemask_epi8(v); }
#endif

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static int8_t sextet_of[256]; /* -1 for characters outside the alphabet */

static size_t encode_scalar(const uint8_t *in, size_t length, char *out) {
    size_t i = 0, o = 0;
    for (; i + 3 <= length; i += 3) {
        uint32_t triple = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        for (int shift = 18; shift >= 0; shift -= 6)
            out[o++] = alphabet[triple >> shift & 63];
    }
    if (i < length) {
        uint32_t triple = (uint32_t)in[i] << 16 | (i + 1 < length ? (uint32_t)in[i + 1] << 8 : 0);
        out[o++] = alphabet[triple >> 18];
        out[o++] = alphabet[triple >> 12 & 63];
        out[o++] = i + 1 < length ? alphabet[triple >> 6 & 63] : '=';
        out[o++] = '=';
    }
    return o;
}

/* Sets *result to the number of bytes written, or, on failure, to the offset of the first bad
 * character (the length itself when it is not a multiple of 4). */
static bool decode_scalar(const char *in, size_t length, uint8_t *out, size_t *result) {
    *result = length;
    if (length % 4 != 0)
        return false;
    size_t o = 0;
    for (size_t i = 0; i < length; i += 4) {
        int padding = i + 4 < length ? 0 : (in[i + 3] == '=') + (in[i + 2] == '=' && in[i + 3] == '=');
        uint32_t quad = 0;
        for (int k = 0; k < 4 - padding; k++) {
            int8_t sextet = sextet_of[(uint8_t)in[i + k]];
            if (sextet < 0) {
                *result = i + (size_t)k;
                return false;
            }
            quad = quad << 6 | (uint32_t)sextet;
        }
        quad <<= 6 * padding;
        out[o++] = (uint8_t)(quad >> 16);
        if (padding < 2)
            out[o++] = (uint8_t)(quad >> 8);
        if (padding < 1)
            out[o++] = (uint8_t)quad;
    }
    *result = o;
    return true;
}

/* Each step reads 16 bytes and encodes the first 12; the scalar code finishes the tail. */
static size_t encode(const uint8_t *in, size_t length, char *out) {
    const vec regroup = VEC_BYTES(1, 0, 2, 1, 4, 3, 5, 4, 7, 6, 8, 7, 10, 9, 11, 10);
    /* ASCII minus sextet, for sextets 26-51, 52-61 (ten entries), 62, 63 and 0-25. */
    const vec offsets = VEC_BYTES(71, -4, -4, -4, -4, -4, -4, -4, -4, -4, -4, -19, -16, 65, 0, 0);
    size_t i = 0, o = 0;
    for (; i + 16 <= length; i += 12, o += 16) {
        /* Each 32-bit lane holds source bytes b1 b0 b2 b1; four shifts cut out the sextets. */
        vec words = vec_swizzle(vec_load(in + i), regroup);
        vec sextets = vec_or(vec_or(vec_and(vec_shr_u32(words, 10), vec_splat32(0x0000003f)),
                                    vec_and(vec_shl32(words, 4), vec_splat32(0x00003f00))),
                             vec_or(vec_and(vec_shr_u32(words, 6), vec_splat32(0x003f0000)),
                                    vec_and(vec_shl32(words, 8), vec_splat32(0x3f000000))));
        /* 0 for 26-51, 1-12 for 52-63, and 13 for 0-25: the row of `offsets` to use. */
        vec row = vec_sub_sat_u8(sextets, vec_splat8(51));
        vec upper_case = vec_gt_s8(vec_splat8(26), sextets);
        row = vec_or(row, vec_and(upper_case, vec_splat8(13)));
        vec_store(out + o, vec_add8(sextets, vec_swizzle(offsets, row)));
    }
    return o + encode_scalar(in + i, length - i, out + o);
}

/* As decode_scalar; `out` needs 4 bytes of slack, as each step stores 16 bytes but keeps 12. */
static bool decode(const char *in, size_t length, uint8_t *out, size_t *result) {
    /* A character is valid when the classes of its low and high nibbles share no bit. */
    const vec low_class = VEC_BYTES(0x15, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
                                    0x13, 0x1a, 0x1b, 0x1b, 0x1b, 0x1a);
    const vec high_class = VEC_BYTES(0x10, 0x10, 0x01, 0x02, 0x04, 0x08, 0x04, 0x08, 0x10, 0x10,
                                     0x10, 0x10, 0x10, 0x10, 0x10, 0x10);
    /* Sextet minus ASCII by high nibble; '/' shares nibble 2 with '+' and is moved to row 1. */
    const vec offsets = VEC_BYTES(0, 16, 19, 4, -65, -65, -71, -71, 0, 0, 0, 0, 0, 0, 0, 0);
    const vec pack = VEC_BYTES(2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1);
    /* The last quantum may hold padding: the scalar code decodes it. */
    size_t simd_end = length >= 4 ? length - 4 : 0, i = 0, o = 0;
    for (; i + 16 <= simd_end; i += 16, o += 12) {
        vec chars = vec_load(in + i);
        vec high = vec_shr_u8(chars, 4);
        vec classes = vec_and(vec_swizzle(low_class, vec_and(chars, vec_splat8(0x0f))),
                              vec_swizzle(high_class, high));
        uint32_t bad = vec_bitmask8(vec_gt_s8(classes, vec_splat8(0)));
        if (bad != 0) {
            *result = i + (size_t)__builtin_ctz(bad);
            return false;
        }
        vec row = vec_add8(high, vec_eq8(chars, vec_splat8('/')));
        vec sextets = vec_add8(chars, vec_swizzle(offsets, row));
        /* Sextets s0 s1 s2 s3 of a lane become the 12-bit halves s0s1 and s2s3, then 24 bits. */
        vec halves = vec_or(vec_shl32(vec_and(sextets, vec_splat32(0x003f003f)), 6),
                            vec_and(vec_shr_u32(sextets, 8), vec_splat32(0x003f003f)));
        vec triples = vec_or(vec_shl32(vec_and(halves, vec_splat32(0x0fff)), 12),
                             vec_shr_u32(halves, 16));
        vec_store(out + o, vec_swizzle(triples, pack));
    }
    bool ok = decode_scalar(in + i, length - i, out + o, result);
    *result += ok ? o : i;
    return ok;
}

int main(int argc, char **argv) {
    int scale = bench_begin(argc, argv);
    size_t data_length = FULL_DATA_BYTES / (size_t)scale;
    size_t text_length = (data_length + 2) / 3 * 4;
    uint8_t *data = malloc(data_length + 4);
    char *text = malloc(text_length);
    char *reference = malloc(text_length);
    if (!data || !text || !reference)
        return 1;
    memset(sextet_of, -1, sizeof sextet_of);
    for (int s = 0; s < 64; s++)
        sextet_of[(uint8_t)alphabet[s]] = (int8_t)s;
    for (size_t i = 0; i < data_length; i++)
        data[i] = (uint8_t)bench_random();

    /* Each round trip decodes over its own input after flipping one byte, so every trip feeds
     * the next and a wrong encoding or decoding shows in the final data. */
    bench_kernel_start();
    for (size_t trip = 0; trip < ROUND_TRIPS; trip++) {
        data[trip * 104729 % data_length] ^= (uint8_t)(trip + 1);
        size_t decoded_length;
        if (encode(data, data_length, text) != text_length ||
            !decode(text, text_length, data, &decoded_length) || decoded_length != data_length) {
            fprintf(stderr, "simd_intrinsics: round trip %zu failed\n", trip);
            return 1;
        }
    }
    bench_kernel_stop();

    if (encode_scalar(data, data_length, reference) != text_length ||
        memcmp(reference, text, text_length) != 0) {
        fprintf(stderr, "simd_intrinsics: vector and scalar encodings differ\n");
        return 1;
    }
    uint64_t checksum = bench_hash_bytes(BENCH_HASH_SEED, text, text_length);
    checksum = bench_hash_bytes(checksum, data, data_length);
    /* Every byte value put in a 64-character prefix, inside a vector block and in the scalar
     * tail: only the alphabet decodes, and other bytes are reported where they stand. */
    static const size_t probes[] = {5, 50, 62};
    for (int byte = 0; byte < 256; byte++) {
        for (size_t p = 0; p < sizeof probes / sizeof *probes; p++) {
            size_t result;
            text[probes[p]] = (char)byte;
            checksum = bench_hash_u64(checksum, decode(text, 64, data, &result));
            checksum = bench_hash_u64(checksum, result);
            text[probes[p]] = reference[probes[p]];
        }
    }
    free(data);
    free(text);
    free(reference);
    return bench_report(checksum);
}
