/*
 * A C library just big enough for the benchmark programs built for wasm64 (bench/README.md).
 *
 * There is no WASI libc for 64-bit memories, so the wasm64 builds are freestanding
 * (`clang-19 --target=wasm64-unknown-unknown -nostdlib -Wl,--no-entry`): they get <stdio.h>,
 * <stdlib.h>, <string.h>, <time.h>, <math.h> and <inttypes.h> from bench/wasm64/include/ and the
 * functions behind them from this file. What a system would do, the host does
 * (bench/wasm64/host.c), through six imports:
 *
 *     env.arg_count() -> i32                  how many arguments, the program's name included
 *     env.arg_size(i32 index) -> i64          the length of one, without its NUL
 *     env.arg_copy(i32 index, i64 buffer)     writes it and its NUL at `buffer`
 *     env.write(i32 fd, i64 data, i64 size)   writes to the host's stdout (1) or stderr (2)
 *     env.clock_ns(i32 clock) -> i64          CLOCK_REALTIME (0) or CLOCK_MONOTONIC (1) in ns
 *     env.exit(i32 status)                    ends the process with that status
 *
 * and it calls the one export, run() -> i32, which is main(argc, argv) with the host's arguments.
 *
 * This file is built with -ffreestanding, so the loops below stay loops rather than becoming
 * calls to the functions they implement. The same code builds for wasm32 as well (the types are
 * size_t and uintptr_t throughout), which is how the shim is checked against WASI libc.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define IMPORT(name) __attribute__((import_module("env"), import_name(#name)))

IMPORT(arg_count) int host_arg_count(void);
IMPORT(arg_size) size_t host_arg_size(int index);
IMPORT(arg_copy) void host_arg_copy(int index, char *buffer);
IMPORT(write) void host_write(int fd, const void *data, size_t size);
IMPORT(clock_ns) int64_t host_clock_ns(int clock);
IMPORT(exit) _Noreturn void host_exit(int status);

/* main(argc, argv) as clang names it for Wasm, as WASI libc calls it. */
int __main_argc_argv(int argc, char **argv);

/* The program's entry: its arguments from the host, then main. */
__attribute__((export_name("run"))) int run(void) {
    int argc = host_arg_count();
    char **argv = malloc(((size_t)argc + 1) * sizeof *argv);
    if (argv == NULL)
        return 1;
    for (int i = 0; i < argc; i++) {
        argv[i] = malloc(host_arg_size(i) + 1);
        if (argv[i] == NULL)
            return 1;
        host_arg_copy(i, argv[i]);
    }
    argv[argc] = NULL;
    return __main_argc_argv(argc, argv);
}

/* ------------------------------------------------------------------ memory --- */

#define PAGE_BYTES 65536u
/* As WASI libc's dlmalloc: every block suits any type, v128 included. */
#define ALIGNMENT 16u

/* The end of the linker's data and stack, where the heap starts. */
extern unsigned char __heap_base;
static uintptr_t heap_next, heap_end;

/* A bump allocator over memory.grow: blocks are never reused, and fresh pages are zero. */
void *malloc(size_t size) {
    if (heap_end == 0) {
        heap_next = (uintptr_t)&__heap_base;
        heap_end = (uintptr_t)__builtin_wasm_memory_size(0) * PAGE_BYTES;
    }
    uintptr_t start = (heap_next + ALIGNMENT - 1) & ~(uintptr_t)(ALIGNMENT - 1);
    if (size > UINTPTR_MAX - start)
        return NULL;
    uintptr_t end = start + size;
    if (end > heap_end) {
        size_t pages = (end - heap_end + PAGE_BYTES - 1) / PAGE_BYTES;
        if (__builtin_wasm_memory_grow(0, pages) == (size_t)-1)
            return NULL;
        heap_end += pages * PAGE_BYTES;
    }
    heap_next = end;
    return (void *)start;
}

/* malloc never hands out memory that was written before, so it is zero already. */
void *calloc(size_t count, size_t size) {
    if (size != 0 && count > SIZE_MAX / size)
        return NULL;
    return malloc(count * size);
}

void free(void *pointer) { (void)pointer; }

_Noreturn void exit(int status) { host_exit(status); }

_Noreturn void abort(void) { __builtin_trap(); }

/* ---------------------------------------------------------------- compiler-rt --- */

/* The one function of compiler-rt's builtins LLVM calls here (there is no compiler-rt for
 * wasm64): the 128-bit product, for the high half of 64-bit products, which is how it checks
 * multiplications for overflow and divides 64-bit numbers by constants. Made of 32-bit partial
 * products, as compiler-rt's C version does. */
__int128 __multi3(__int128 a, __int128 b) {
    uint64_t a_low = (uint64_t)a, b_low = (uint64_t)b;
    uint64_t a_high = (uint64_t)((unsigned __int128)a >> 64);
    uint64_t b_high = (uint64_t)((unsigned __int128)b >> 64);
    const uint64_t mask = 0xffffffffu;
    uint64_t low_low = (a_low & mask) * (b_low & mask);
    uint64_t low_high = (a_low & mask) * (b_low >> 32);
    uint64_t high_low = (a_low >> 32) * (b_low & mask);
    uint64_t middle = (low_low >> 32) + (low_high & mask) + (high_low & mask);
    uint64_t low = middle << 32 | (low_low & mask);
    uint64_t high = (a_low >> 32) * (b_low >> 32) + (low_high >> 32) + (high_low >> 32) +
                    (middle >> 32) + a_low * b_high + a_high * b_low;
    return (__int128)((unsigned __int128)high << 64 | low);
}

/* ------------------------------------------------------------------ strings --- */

/* Word-at-a-time copies and fills, as musl's (WASI libc's) memcpy and memset do. */
typedef uint64_t __attribute__((may_alias)) word;

void *memcpy(void *restrict to, const void *restrict from, size_t size) {
    unsigned char *out = to;
    const unsigned char *in = from;
    if ((((uintptr_t)out | (uintptr_t)in) & (sizeof(word) - 1)) == 0)
        for (; size >= sizeof(word); size -= sizeof(word), out += sizeof(word), in += sizeof(word))
            *(word *)out = *(const word *)in;
    for (; size > 0; size--)
        *out++ = *in++;
    return to;
}

void *memmove(void *to, const void *from, size_t size) {
    unsigned char *out = to;
    const unsigned char *in = from;
    if (out <= in || out >= in + size)
        return memcpy(to, from, size);
    while (size > 0) {
        size--;
        out[size] = in[size];
    }
    return to;
}

void *memset(void *to, int byte, size_t size) {
    unsigned char *out = to;
    for (; size > 0 && ((uintptr_t)out & (sizeof(word) - 1)) != 0; size--)
        *out++ = (unsigned char)byte;
    word fill = (unsigned char)byte * (word)0x0101010101010101u;
    for (; size >= sizeof(word); size -= sizeof(word), out += sizeof(word))
        *(word *)out = fill;
    for (; size > 0; size--)
        *out++ = (unsigned char)byte;
    return to;
}

int memcmp(const void *a, const void *b, size_t size) {
    const unsigned char *left = a, *right = b;
    for (size_t i = 0; i < size; i++)
        if (left[i] != right[i])
            return left[i] - right[i];
    return 0;
}

int strcmp(const char *a, const char *b) {
    for (; *a != 0 && *a == *b; a++, b++)
        ;
    return (unsigned char)*a - (unsigned char)*b;
}

size_t strlen(const char *text) {
    size_t length = 0;
    while (text[length] != 0)
        length++;
    return length;
}

/* ------------------------------------------------------------------- clocks --- */

int clock_gettime(clockid_t clock, struct timespec *now) {
    int64_t ns = host_clock_ns(clock);
    if (ns < 0)
        return -1;
    now->tv_sec = ns / 1000000000;
    now->tv_nsec = (long)(ns % 1000000000);
    return 0;
}

/* ------------------------------------------------------------------- output --- */

struct bench64_file {
    int fd;
};

static FILE files[] = {{1}, {2}};
FILE *const stdout = &files[0];
FILE *const stderr = &files[1];

/* Where formatted text goes: a caller's buffer (snprintf), or a file through a small buffer of
 * its own. `length` counts every character produced, written or not. */
struct sink {
    char *buffer;
    size_t capacity; /* bytes of `buffer` text may use, its NUL left out */
    size_t used;     /* bytes of `buffer` in use */
    size_t length;
    int fd; /* -1 for a caller's buffer */
    char own[256];
};

static void flush(struct sink *out) {
    if (out->fd >= 0 && out->used > 0)
        host_write(out->fd, out->buffer, out->used);
    out->used = 0;
}

static void put(struct sink *out, char c) {
    out->length++;
    if (out->used == out->capacity) {
        if (out->fd < 0)
            return;
        flush(out);
    }
    out->buffer[out->used++] = c;
}

static void put_repeated(struct sink *out, char c, int count) {
    for (; count > 0; count--)
        put(out, c);
}

/* One conversion's flags, width and precision (-1: none). */
struct spec {
    int left, zero, plus, space;
    int width, precision;
};

static void put_text(struct sink *out, const char *text, const struct spec *spec) {
    size_t length = 0;
    while (text[length] != 0 && (spec->precision < 0 || length < (size_t)spec->precision))
        length++;
    int padding = spec->width > (int)length ? spec->width - (int)length : 0;
    if (!spec->left)
        put_repeated(out, ' ', padding);
    for (size_t i = 0; i < length; i++)
        put(out, text[i]);
    if (spec->left)
        put_repeated(out, ' ', padding);
}

static void put_number(struct sink *out, uintmax_t value, int negative, const struct spec *spec,
                       unsigned base, int upper, const char *prefix) {
    const char *digit_set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char digits[24];
    int count = 0;
    /* A precision of 0 prints no digits for 0. */
    for (; value != 0 || (count == 0 && spec->precision != 0); value /= base)
        digits[count++] = digit_set[value % base];
    char sign = negative ? '-' : spec->plus ? '+' : spec->space ? ' ' : 0;
    int prefix_length = (int)strlen(prefix);
    int zeros = spec->precision > count ? spec->precision - count : 0;
    int length = (sign != 0) + prefix_length + zeros + count;
    if (!spec->left && spec->zero && spec->precision < 0 && spec->width > length) {
        zeros += spec->width - length;
        length = spec->width;
    }
    int padding = spec->width > length ? spec->width - length : 0;
    if (!spec->left)
        put_repeated(out, ' ', padding);
    if (sign != 0)
        put(out, sign);
    for (int i = 0; i < prefix_length; i++)
        put(out, prefix[i]);
    put_repeated(out, '0', zeros);
    while (count > 0)
        put(out, digits[--count]);
    if (spec->left)
        put_repeated(out, ' ', padding);
}

enum size_modifier {
    SIZE_INT,
    SIZE_CHAR,
    SIZE_SHORT,
    SIZE_LONG,
    SIZE_LONG_LONG,
    SIZE_MAX_T,
    SIZE_SIZE_T,
    SIZE_PTRDIFF
};

static int read_number(const char **at) {
    int number = 0;
    for (; **at >= '0' && **at <= '9'; (*at)++)
        number = 10 * number + (**at - '0');
    return number;
}

static intmax_t signed_argument(va_list *args, enum size_modifier size) {
    switch (size) {
    case SIZE_CHAR: return (signed char)va_arg(*args, int);
    case SIZE_SHORT: return (short)va_arg(*args, int);
    case SIZE_LONG: return va_arg(*args, long);
    case SIZE_LONG_LONG: return va_arg(*args, long long);
    case SIZE_MAX_T: return va_arg(*args, intmax_t);
    case SIZE_SIZE_T: return (intmax_t)va_arg(*args, size_t);
    case SIZE_PTRDIFF: return va_arg(*args, ptrdiff_t);
    default: return va_arg(*args, int);
    }
}

static uintmax_t unsigned_argument(va_list *args, enum size_modifier size) {
    switch (size) {
    case SIZE_CHAR: return (unsigned char)va_arg(*args, unsigned);
    case SIZE_SHORT: return (unsigned short)va_arg(*args, unsigned);
    case SIZE_LONG: return va_arg(*args, unsigned long);
    case SIZE_LONG_LONG: return va_arg(*args, unsigned long long);
    case SIZE_MAX_T: return va_arg(*args, uintmax_t);
    case SIZE_SIZE_T: return va_arg(*args, size_t);
    case SIZE_PTRDIFF: return (uintmax_t)va_arg(*args, ptrdiff_t);
    default: return va_arg(*args, unsigned);
    }
}

static enum size_modifier read_size(const char **at) {
    switch (*(*at)++) {
    case 'h':
        if (**at != 'h')
            return SIZE_SHORT;
        (*at)++;
        return SIZE_CHAR;
    case 'l':
        if (**at != 'l')
            return SIZE_LONG;
        (*at)++;
        return SIZE_LONG_LONG;
    case 'j': return SIZE_MAX_T;
    case 'z': return SIZE_SIZE_T;
    case 't': return SIZE_PTRDIFF;
    default: (*at)--; return SIZE_INT;
    }
}

static void format_to(struct sink *out, const char *format, va_list args) {
    va_list rest;
    va_copy(rest, args);
    for (const char *at = format; *at != 0; at++) {
        const char *start = at;
        if (*at != '%') {
            put(out, *at);
            continue;
        }
        at++;
        struct spec spec = {0, 0, 0, 0, 0, -1};
        for (;; at++) {
            if (*at == '-')
                spec.left = 1;
            else if (*at == '0')
                spec.zero = 1;
            else if (*at == '+')
                spec.plus = 1;
            else if (*at == ' ')
                spec.space = 1;
            else
                break;
        }
        if (*at == '*') {
            at++;
            spec.width = va_arg(rest, int);
            if (spec.width < 0) {
                spec.left = 1;
                spec.width = -spec.width;
            }
        } else {
            spec.width = read_number(&at);
        }
        if (*at == '.') {
            at++;
            if (*at == '*') {
                at++;
                spec.precision = va_arg(rest, int);
                if (spec.precision < 0)
                    spec.precision = -1;
            } else {
                spec.precision = read_number(&at);
            }
        }
        enum size_modifier size = read_size(&at);
        switch (*at) {
        case 'd':
        case 'i': {
            intmax_t value = signed_argument(&rest, size);
            put_number(out, value < 0 ? -(uintmax_t)value : (uintmax_t)value, value < 0, &spec, 10,
                       0, "");
            break;
        }
        case 'u': put_number(out, unsigned_argument(&rest, size), 0, &spec, 10, 0, ""); break;
        case 'o': put_number(out, unsigned_argument(&rest, size), 0, &spec, 8, 0, ""); break;
        case 'x': put_number(out, unsigned_argument(&rest, size), 0, &spec, 16, 0, ""); break;
        case 'X': put_number(out, unsigned_argument(&rest, size), 0, &spec, 16, 1, ""); break;
        case 'p': put_number(out, (uintptr_t)va_arg(rest, void *), 0, &spec, 16, 0, "0x"); break;
        case 'c': {
            char text[2] = {(char)va_arg(rest, int), 0};
            spec.precision = 1;
            put_text(out, text, &spec);
            break;
        }
        case 's': {
            const char *text = va_arg(rest, const char *);
            put_text(out, text == NULL ? "(null)" : text, &spec);
            break;
        }
        case '%': put(out, '%'); break;
        default:
            /* Not a conversion this library knows: written as it stands. */
            for (; start <= at && *start != 0; start++)
                put(out, *start);
            if (*at == 0)
                at--;
        }
    }
    va_end(rest);
}

int vsnprintf(char *buffer, size_t size, const char *format_text, va_list args) {
    struct sink out = {.buffer = buffer, .capacity = size > 0 ? size - 1 : 0, .fd = -1};
    format_to(&out, format_text, args);
    if (size > 0)
        buffer[out.used] = 0;
    return (int)out.length;
}

int snprintf(char *buffer, size_t size, const char *format_text, ...) {
    va_list args;
    va_start(args, format_text);
    int length = vsnprintf(buffer, size, format_text, args);
    va_end(args);
    return length;
}

int vfprintf(FILE *file, const char *format_text, va_list args) {
    struct sink out = {.capacity = sizeof out.own, .fd = file->fd};
    out.buffer = out.own;
    format_to(&out, format_text, args);
    flush(&out);
    return (int)out.length;
}

int fprintf(FILE *file, const char *format_text, ...) {
    va_list args;
    va_start(args, format_text);
    int length = vfprintf(file, format_text, args);
    va_end(args);
    return length;
}

int printf(const char *format_text, ...) {
    va_list args;
    va_start(args, format_text);
    int length = vfprintf(stdout, format_text, args);
    va_end(args);
    return length;
}

int fputs(const char *text, FILE *file) {
    host_write(file->fd, text, strlen(text));
    return 0;
}

size_t fwrite(const void *data, size_t size, size_t count, FILE *file) {
    host_write(file->fd, data, size * count);
    return count;
}

int fputc(int c, FILE *file) {
    char byte = (char)c;
    host_write(file->fd, &byte, 1);
    return (unsigned char)c;
}

int puts(const char *text) {
    fputs(text, stdout);
    host_write(stdout->fd, "\n", 1);
    return 0;
}

int putchar(int c) { return fputc(c, stdout); }
