/* bench-opt: -O3 -msimd128 */
/* Plain-C loops the compiler auto-vectorises: float saxpy, an int16 matrix-vector product with
 * int32 sums, a 16-tap float FIR filter and two uint8 image passes (alpha blend, saturating add).
 * Stresses the vector code an AOT compiler gets from -msimd128 (f32x4 mul/add, widening loads and
 * multiplies, i8x16 saturating adds, lane narrowing); the final arrays are hashed. */
#include "bench.h"

#define SAXPY_LENGTH (1u << 16)
#define SAXPY_PASSES 16000
#define MATRIX_ROWS 512
#define MATRIX_COLS 256
#define MATVEC_PASSES 32000
#define FIR_TAPS 16
#define FIR_LENGTH (1u << 16)
#define FIR_PASSES 4000
#define IMAGE_PIXELS (512u * 512u)
#define IMAGE_LAYERS 4
#define IMAGE_PASSES 3000

static float saxpy_x[SAXPY_LENGTH], saxpy_y[SAXPY_LENGTH];
static int16_t matrix[MATRIX_ROWS][MATRIX_COLS], vector[MATRIX_COLS];
static int32_t matvec_out[MATRIX_ROWS];
/* Each signal carries FIR_TAPS - 1 trailing samples that repeat its start: the filter is circular. */
static float fir_taps[FIR_TAPS], fir_a[FIR_LENGTH + FIR_TAPS - 1], fir_b[FIR_LENGTH + FIR_TAPS - 1];
static uint8_t layers[IMAGE_LAYERS][IMAGE_PIXELS], alpha[IMAGE_PIXELS], glow[IMAGE_PIXELS];
static uint8_t image[IMAGE_PIXELS], blended[IMAGE_PIXELS];

static void saxpy(float a, const float *restrict x, float *restrict y, size_t n) {
    for (size_t i = 0; i < n; i++)
        y[i] = a * x[i] + y[i];
}

/* Entries stay within 12 bits, so the 256-term int32 sums cannot overflow. */
static void matvec_i16(const int16_t (*restrict m)[MATRIX_COLS], const int16_t *restrict v,
                       int32_t *restrict out) {
    for (size_t r = 0; r < MATRIX_ROWS; r++) {
        int32_t sum = 0;
        for (size_t c = 0; c < MATRIX_COLS; c++)
            sum += (int32_t)m[r][c] * v[c];
        out[r] = sum;
    }
}

/* Power iteration: half of the product, shifted back into 11 bits, becomes the next vector. */
static void next_vector(const int32_t *product, int16_t *v) {
    int32_t largest = 0;
    for (size_t c = 0; c < MATRIX_COLS; c++) {
        int32_t magnitude = product[c] < 0 ? -product[c] : product[c];
        largest = magnitude > largest ? magnitude : largest;
    }
    int shift = 0;
    while (largest >> shift > 2047)
        shift++;
    for (size_t c = 0; c < MATRIX_COLS; c++)
        v[c] = (int16_t)(product[c] >> shift);
}

/* Each output sums its taps in order, so vectorising across outputs changes no rounding. */
static void fir(const float *restrict taps, const float *restrict in, float *restrict out,
                size_t n) {
    for (size_t i = 0; i < n; i++) {
        float sum = 0.0f;
        for (size_t k = 0; k < FIR_TAPS; k++)
            sum += taps[k] * in[i + k];
        out[i] = sum;
    }
}

/* out = (fg * alpha + bg * (255 - alpha)) / 255, rounded: (t + (t >> 8)) >> 8 divides exactly.
 * t is at most 65153, and keeping it in 16 bits lets the vectoriser use i16x8 lanes. */
static void alpha_blend(const uint8_t *restrict fg, const uint8_t *restrict bg,
                        const uint8_t *restrict a, uint8_t *restrict out, size_t n) {
    for (size_t i = 0; i < n; i++) {
        uint16_t t = (uint16_t)(fg[i] * a[i] + bg[i] * (255 - a[i]) + 128);
        out[i] = (uint8_t)((t + (t >> 8)) >> 8);
    }
}

/* Written as wrap-then-clamp, which the compiler turns into i8x16.add_sat_u. */
static void add_saturate(const uint8_t *restrict x, const uint8_t *restrict y,
                         uint8_t *restrict out, size_t n) {
    for (size_t i = 0; i < n; i++) {
        uint8_t sum = (uint8_t)(x[i] + y[i]);
        out[i] = sum < x[i] ? 255 : sum;
    }
}

static void set_up(void) {
    for (size_t i = 0; i < SAXPY_LENGTH; i++) {
        saxpy_x[i] = (float)bench_random_double();
        saxpy_y[i] = (float)bench_random_double();
    }
    for (size_t r = 0; r < MATRIX_ROWS; r++)
        for (size_t c = 0; c < MATRIX_COLS; c++)
            matrix[r][c] = (int16_t)(bench_random() % 4096) - 2048;
    for (size_t c = 0; c < MATRIX_COLS; c++)
        vector[c] = (int16_t)(bench_random() % 4096) - 2048;
    /* A triangular low-pass kernel normalised to sum 1 keeps the signal bounded. */
    float tap_sum = 0.0f;
    for (size_t k = 0; k < FIR_TAPS; k++)
        tap_sum += fir_taps[k] = (float)((k + 1) * (FIR_TAPS - k));
    for (size_t k = 0; k < FIR_TAPS; k++)
        fir_taps[k] /= tap_sum;
    for (size_t i = 0; i < FIR_LENGTH; i++)
        fir_a[i] = (float)bench_random_double() - 0.5f;
    memcpy(fir_a + FIR_LENGTH, fir_a, (FIR_TAPS - 1) * sizeof *fir_a);
    for (size_t l = 0; l < IMAGE_LAYERS; l++)
        for (size_t i = 0; i < IMAGE_PIXELS; i++)
            layers[l][i] = (uint8_t)bench_random();
    for (size_t i = 0; i < IMAGE_PIXELS; i++) {
        uint64_t bits = bench_random();
        alpha[i] = (uint8_t)bits;
        glow[i] = (uint8_t)(bits >> 8) % 24;
        image[i] = (uint8_t)(bits >> 16);
    }
}

int main(int argc, char **argv) {
    int scale = bench_begin(argc, argv);
    set_up();
    float *fir_in = fir_a, *fir_out = fir_b;

    bench_kernel_start();
    for (int pass = 0; pass < SAXPY_PASSES / scale; pass++)
        saxpy(pass & 1 ? 0.75f : -0.5f, saxpy_x, saxpy_y, SAXPY_LENGTH);
    for (int pass = 0; pass < MATVEC_PASSES / scale; pass++) {
        matvec_i16(matrix, vector, matvec_out);
        next_vector(matvec_out + pass % 2 * MATRIX_COLS, vector);
    }
    for (int pass = 0; pass < FIR_PASSES / scale; pass++) {
        fir(fir_taps, fir_in, fir_out, FIR_LENGTH);
        memcpy(fir_out + FIR_LENGTH, fir_out, (FIR_TAPS - 1) * sizeof *fir_out);
        float *swap = fir_in;
        fir_in = fir_out;
        fir_out = swap;
    }
    for (int pass = 0; pass < IMAGE_PASSES / scale; pass++) {
        alpha_blend(layers[pass % IMAGE_LAYERS], image, alpha, blended, IMAGE_PIXELS);
        add_saturate(blended, glow, image, IMAGE_PIXELS);
    }
    bench_kernel_stop();

    uint64_t checksum = bench_hash_bytes(BENCH_HASH_SEED, saxpy_y, sizeof saxpy_y);
    checksum = bench_hash_bytes(checksum, matvec_out, sizeof matvec_out);
    checksum = bench_hash_bytes(checksum, vector, sizeof vector);
    checksum = bench_hash_bytes(checksum, fir_in, FIR_LENGTH * sizeof *fir_in);
    checksum = bench_hash_bytes(checksum, image, sizeof image);
    return bench_report(checksum);
}
