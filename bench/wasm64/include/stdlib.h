/* The benchmark programs' stdlib for wasm64 (see bench/wasm64/libc.c). The allocator only ever
 * grows: free releases nothing, so programs that allocate and free in a loop run out. */
#ifndef BENCH64_STDLIB_H
#define BENCH64_STDLIB_H

#include <stddef.h>

#define EXIT_SUCCESS 0
#define EXIT_FAILURE 1

void *malloc(size_t size);
void *calloc(size_t count, size_t size);
void free(void *pointer);
_Noreturn void exit(int status);
_Noreturn void abort(void);

#endif
