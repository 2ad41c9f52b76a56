/* The benchmark programs' stdio for wasm64 (see bench/wasm64/libc.c): formatted output to stdout
 * and stderr, unbuffered, through the host's env.write. */
#ifndef BENCH64_STDIO_H
#define BENCH64_STDIO_H

#include <stdarg.h>
#include <stddef.h>

typedef struct bench64_file FILE;

extern FILE *const stdout;
extern FILE *const stderr;

/* Conversions: d i u x X o c s p %, with the flags - 0 + and space, a width and a precision
 * (numbers or *) and the length modifiers hh h l ll j z t. Anything else is written as it
 * stands. */
int printf(const char *format, ...) __attribute__((format(printf, 1, 2)));
int fprintf(FILE *file, const char *format, ...) __attribute__((format(printf, 2, 3)));
int snprintf(char *buffer, size_t size, const char *format, ...)
    __attribute__((format(printf, 3, 4)));
int vfprintf(FILE *file, const char *format, va_list args);
int vsnprintf(char *buffer, size_t size, const char *format, va_list args);
size_t fwrite(const void *data, size_t size, size_t count, FILE *file);
int fputc(int c, FILE *file);
int fputs(const char *text, FILE *file);
int puts(const char *text);
int putchar(int c);

#endif
