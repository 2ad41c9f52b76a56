/*
 * --invoke: calls one export with parameters parsed from the command line and prints its
 * results, one per line: integers in signed decimal, floats in the shortest form that reads
 * back to the same value (nan and inf included), v128 as 16 hex bytes, references as null or
 * an address.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "main.h"

/* Parses an integer of `bits` bits, signed or unsigned (two's complement), decimal or 0x-hex. */
static int parse_integer(const char *text, int bits, int64_t *out) {
    char *end;
    errno = 0;
    int negative = text[0] == '-';
    uint64_t magnitude = strtoull(negative ? text + 1 : text, &end, 0);
    if (errno || end == text || *end || (negative && text[1] == '-'))
        return -1;
    uint64_t limit = bits == 64 ? UINT64_MAX : (UINT64_C(1) << bits) - 1;
    uint64_t negative_limit = UINT64_C(1) << (bits - 1);
    if ((!negative && magnitude > limit) || (negative && magnitude > negative_limit))
        return -1;
    *out = negative ? (int64_t)(0 - magnitude) : (int64_t)magnitude;
    return 0;
}

static int parse_float(const char *text, double *out) {
    char *end;
    errno = 0;
    *out = strtod(text, &end);
    return end == text || *end ? -1 : 0;
}

static int parse_value(char type, const char *text, w2n_value *out) {
    int64_t integer;
    double real;
    switch (type) {
    case W2N_TYPE_I32:
        if (parse_integer(text, 32, &integer) != 0)
            return -1;
        out->i32 = (int32_t)(uint32_t)integer;
        return 0;
    case W2N_TYPE_I64:
        if (parse_integer(text, 64, &integer) != 0)
            return -1;
        out->i64 = integer;
        return 0;
    case W2N_TYPE_F32:
        if (parse_float(text, &real) != 0)
            return -1;
        out->f32 = (float)real;
        return 0;
    case W2N_TYPE_F64:
        if (parse_float(text, &real) != 0)
            return -1;
        out->f64 = real;
        return 0;
    default: return -1;
    }
}

static const char *type_name(char type) {
    switch (type) {
    case W2N_TYPE_I32: return "i32";
    case W2N_TYPE_I64: return "i64";
    case W2N_TYPE_F32: return "f32";
    case W2N_TYPE_F64: return "f64";
    case W2N_TYPE_V128: return "v128";
    case W2N_TYPE_FUNCREF: return "funcref";
    default: return "externref";
    }
}

/* The fewest significant digits that read back as the same double (or float). */
static void print_float(double value, int is_f32) {
    if (isnan(value)) {
        puts(signbit(value) ? "-nan" : "nan");
        return;
    }
    if (isinf(value)) {
        puts(value < 0 ? "-inf" : "inf");
        return;
    }
    char text[64];
    for (int digits = 1; digits <= 17; digits++) {
        snprintf(text, sizeof text, "%.*g", digits, value);
        double back = strtod(text, NULL);
        if (is_f32 ? (float)back == (float)value : back == value)
            break;
    }
    puts(text);
}

static void print_value(char type, const w2n_value *value) {
    switch (type) {
    case W2N_TYPE_I32: printf("%" PRId32 "\n", value->i32); break;
    case W2N_TYPE_I64: printf("%" PRId64 "\n", value->i64); break;
    case W2N_TYPE_F32: print_float(value->f32, 1); break;
    case W2N_TYPE_F64: print_float(value->f64, 0); break;
    case W2N_TYPE_V128:
        for (int i = 0; i < 16; i++)
            printf("%02x%s", value->v128[i], i == 15 ? "\n" : " ");
        break;
    default:
        if (value->ref)
            printf("%p\n", value->ref);
        else
            puts("null");
    }
}

int w2n_invoke_export(w2n_instance *instance, const char *name, int argc, char **argv) {
    w2n_extern export;
    if (w2n_instance_export(instance, name, strlen(name), W2N_EXTERN_FUNC, &export) != 0) {
        fprintf(stderr, "wasm2native: --invoke: the module exports no function '%s'\n", name);
        return 1;
    }
    const char *signature = w2n_signature_of(export.of.func->type_id);
    const char *results = signature ? strchr(signature, ':') : NULL;
    if (!results) {
        fprintf(stderr, "wasm2native: --invoke: '%s' has an unknown signature\n", name);
        return 1;
    }
    size_t params = (size_t)(results - signature);
    results++;
    size_t slots = params > strlen(results) ? params : strlen(results);
    if ((size_t)argc != params) {
        fprintf(stderr, "wasm2native: --invoke: '%s' takes %zu argument(s), got %d\n", name, params,
                argc);
        return 1;
    }
    w2n_value *values = calloc(slots ? slots : 1, sizeof *values);
    if (!values) {
        fputs("wasm2native: out of memory\n", stderr);
        return 1;
    }
    for (size_t i = 0; i < params; i++) {
        if (parse_value(signature[i], argv[i], &values[i]) != 0) {
            fprintf(stderr, "wasm2native: --invoke: argument %zu '%s' is not a valid %s\n", i + 1,
                    argv[i], type_name(signature[i]));
            free(values);
            return 1;
        }
    }
    w2n_result result;
    w2n_call(export.of.func, values, &result);
    int status = w2n_exit_status_of(&result);
    if (result.trap == W2N_TRAP_NONE)
        for (size_t i = 0; results[i]; i++)
            print_value(results[i], &values[i]);
    free(values);
    return status;
}
