/*
 * Reading the debugging information of an ELF64 file, for trap backtraces (backtrace.c): where a
 * native code address comes from. Runs only when a backtrace is printed; every read is
 * bounds-checked, so a stripped, truncated or malformed file gives no location rather than a
 * fault. debug_file.c maps files and finds sections and symbols, dwarf_lines.c runs line
 * programs, dwarf_inlines.c finds the inlined calls an address is inside.
 */
#ifndef W2N_DEBUG_FILE_H
#define W2N_DEBUG_FILE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "internal.h"

#define W2N_DEBUG_MAX_FILES 4
/* Inlined calls followed into, at most: deeper ones show as their outermost. */
#define W2N_DEBUG_MAX_INLINED 16

/* A bounds-checked cursor over bytes: a read past the end sets `failed` and yields 0. */
typedef struct reader {
    const unsigned char *at;
    const unsigned char *end;
    int failed;
} reader;

static inline int has(reader *r, size_t n) {
    if (r->failed || (size_t)(r->end - r->at) < n) {
        r->failed = 1;
        return 0;
    }
    return 1;
}

static inline uint64_t read_unsigned(reader *r, size_t n) {
    if (!has(r, n))
        return 0;
    uint64_t value = 0;
    for (size_t i = 0; i < n; i++)
        value |= (uint64_t)r->at[i] << (8 * i); /* DWARF here is little-endian, as the host */
    r->at += n;
    return value;
}

static inline uint64_t read_uleb(reader *r) {
    uint64_t value = 0;
    for (unsigned shift = 0; has(r, 1); shift += 7) {
        unsigned char byte = *r->at++;
        if (shift < 64)
            value |= (uint64_t)(byte & 0x7f) << shift;
        if (!(byte & 0x80))
            return value;
    }
    return 0;
}

static inline int64_t read_sleb(reader *r) {
    int64_t value = 0;
    unsigned shift = 0;
    unsigned char byte = 0;
    do {
        if (!has(r, 1))
            return 0;
        byte = *r->at++;
        if (shift < 64)
            value |= (int64_t)((uint64_t)(byte & 0x7f) << shift);
        shift += 7;
    } while (byte & 0x80);
    if (shift < 64 && (byte & 0x40))
        value |= -((int64_t)1 << shift);
    return value;
}

/* A NUL-terminated string inside the reader's bytes, or NULL. */
static inline const char *read_string(reader *r) {
    if (!has(r, 1))
        return NULL;
    const unsigned char *nul = memchr(r->at, 0, (size_t)(r->end - r->at));
    if (!nul) {
        r->failed = 1;
        return NULL;
    }
    const char *string = (const char *)r->at;
    r->at = nul + 1;
    return string;
}

static inline reader sub_reader(const unsigned char *at, const unsigned char *end) {
    return (reader){.at = at, .end = end, .failed = 0};
}

/* The files opened so far (mapped whole, read-only), kept until released. */
typedef struct w2n_debug_files {
    struct {
        char *path;
        const unsigned char *data;
        size_t size;
    } open[W2N_DEBUG_MAX_FILES];
    unsigned count;
} w2n_debug_files;

W2N_INTERNAL void w2n_debug_files_init(w2n_debug_files *files);
W2N_INTERNAL void w2n_debug_files_release(w2n_debug_files *files);
/* The file at `path`, mapped: 1, or 0 when it cannot be read. */
W2N_INTERNAL int w2n_debug_file(w2n_debug_files *files, const char *path,
                                const unsigned char **data, size_t *size);

/* An ELF section's bytes, or the empty reader when the file has no such section. */
W2N_INTERNAL reader w2n_elf_section(const unsigned char *file, size_t size, const char *name);
/* The function symbol of .symtab that holds `address`, or NULL. */
W2N_INTERNAL const char *w2n_elf_function_symbol(const unsigned char *file, size_t size,
                                                 uint64_t address);

/* A line table's row for an address: its line (0: none) and file name (NULL: unknown). */
typedef struct w2n_line {
    uint32_t line;
    const char *file;
} w2n_line;

/* The row of .debug_line that holds `address`: 1 if one does. */
W2N_INTERNAL int w2n_dwarf_line(const unsigned char *file, size_t size, uint64_t address,
                                w2n_line *row);

/* The inlined calls `address` is inside, outermost first: each callee's name and the line of
 * its call in the caller. */
typedef struct w2n_inlined_call {
    const char *callee;
    uint32_t call_line;
} w2n_inlined_call;

typedef struct w2n_inline_chain {
    const char *function; /* the name of the function the code was compiled as, or NULL */
    unsigned depth;
    w2n_inlined_call calls[W2N_DEBUG_MAX_INLINED];
} w2n_inline_chain;

/* Fills `chain` from the .debug_info of `file` (DWARF 4 units): 1 if a function holds
 * `address`. */
W2N_INTERNAL int w2n_dwarf_inline_chain(const unsigned char *file, size_t size, uint64_t address,
                                        w2n_inline_chain *chain);

#endif
