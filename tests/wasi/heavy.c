/* A native-style workload: 300 MiB allocated in 1 MiB chunks (memory growth) and checked,
   realloc growth, printf of floating-point values in %f %e %g %.17g and %a, qsort of a million
   ints with a comparator, and a file written and read back; results are printed as checksums. */
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHUNKS 300
#define CHUNK (1u << 20)

static int compare_ints(const void *a, const void *b) {
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

int main(void) {
    unsigned char *chunks[CHUNKS];
    int allocated = 0;
    for (int i = 0; i < CHUNKS; i++) {
        chunks[i] = malloc(CHUNK);
        if (!chunks[i])
            break;
        memset(chunks[i], i & 0xff, CHUNK);
        chunks[i][i * 3] = (unsigned char)(i + 1);
        allocated++;
    }
    uint64_t sum = 0;
    for (int i = 0; i < allocated; i++)
        for (size_t j = 0; j < CHUNK; j += 4096)
            sum += chunks[i][j] + chunks[i][i * 3];
    printf("allocated %d MiB, checksum %llu\n", allocated, (unsigned long long)sum);
    for (int i = 0; i < allocated; i++)
        free(chunks[i]);

    size_t capacity = 16;
    uint32_t *grown = malloc(capacity * sizeof *grown);
    for (uint32_t i = 0; i < 10000000; i++) {
        if (i == capacity)
            grown = realloc(grown, (capacity *= 2) * sizeof *grown);
        grown[i] = i * 2654435761u;
    }
    uint64_t grown_sum = 0;
    for (uint32_t i = 0; i < 10000000; i += 997)
        grown_sum += grown[i];
    printf("realloc to %zu elements, checksum %llu\n", capacity, (unsigned long long)grown_sum);
    free(grown);

    const double values[] = {
        0.0,       -0.0, 1.0,           -1.5,   3.141592653589793,     1e-300, 6.02214076e23, 0.1,
        2.0 / 3.0, 1e21, 123456789.125, 5e-324, 1.7976931348623157e308};
    for (size_t i = 0; i < sizeof values / sizeof *values; i++)
        printf("%f | %e | %g | %.17g | %a\n", values[i], values[i], values[i], values[i],
               values[i]);
    printf("%f %f %f | %.3f %.0f %.0f | %10.4f|%-10.2e|%+g\n", INFINITY, -INFINITY, NAN, 2.0005,
           0.5, 1.5, M_PI, M_E, sqrt(2.0));
    printf("float %.9g\n", (double)1.1f);
    double parsed = strtod("2.718281828459045", NULL);
    printf("strtod round trip: %d, sin(1) %.17g, exp(10) %.17g, pow(2, 0.5) %.17g\n", parsed == M_E,
           sin(1.0), exp(10.0), pow(2.0, 0.5));

    const size_t count = 1000000;
    int *numbers = malloc(count * sizeof *numbers);
    uint32_t state = 42;
    for (size_t i = 0; i < count; i++) {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        numbers[i] = (int)state;
    }
    qsort(numbers, count, sizeof *numbers, compare_ints);
    int sorted = 1;
    uint64_t weighted = 0;
    for (size_t i = 0; i < count; i++) {
        sorted &= i == 0 || numbers[i - 1] <= numbers[i];
        weighted += (uint64_t)(uint32_t)numbers[i] * (i % 1000 + 1);
    }
    printf("qsort %zu ints: sorted %d, min %d, max %d, median %d, checksum %llu\n", count, sorted,
           numbers[0], numbers[count - 1], numbers[count / 2], (unsigned long long)weighted);

    FILE *file = fopen("/sandbox/numbers.txt", "w");
    for (size_t i = 0; i < count; i += 100)
        fprintf(file, "%d %.6f\n", numbers[i], numbers[i] / 1e6);
    fclose(file);
    file = fopen("/sandbox/numbers.txt", "r");
    long long read_sum = 0;
    double float_sum = 0;
    int lines = 0, number;
    double fraction;
    while (fscanf(file, "%d %lf", &number, &fraction) == 2) {
        read_sum += number;
        float_sum += fraction;
        lines++;
    }
    fclose(file);
    printf("file: %d lines, sum %lld, float sum %.6f\n", lines, read_sum, float_sum);
    free(numbers);
    return 0;
}
