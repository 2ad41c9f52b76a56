/*
 * Backtraces of traps. When a trap unwinds Wasm, the return addresses of the native frames below
 * it are recorded (_Unwind_Backtrace, over the unwind tables every compiled function has), so
 * that nothing is kept while no trap happens. Printing one resolves each address to its function
 * through the symbol table of the file that holds it (compiled functions are named
 * `wasm.NAME`) and to a Wasm offset through the line table the compiler emits, whose lines are
 * module offsets (compiler/translate/debug_lines.rs; dwarf_lines.c reads it), or to a source
 * file and line where the module's own DWARF gave them (a file not named `*.wasm` or `*.wat`);
 * the caller of an inlined call then shows the line of the call without its file, which the
 * inlined-call entries give only as an index into the line table's files.
 *
 * WASM2NATIVE_BACKTRACE picks what is shown: `0` or `off` nothing, `full` every native frame
 * with its address, anything else (the default) the Wasm frames. A library build's C API gives
 * the Wasm frames as w2n_frame records instead (w2n_rt_backtrace_resolve, for api.c).
 */
#include <inttypes.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unwind.h>

#include "debug_file.h"
#include "internal.h"

#define BACKTRACE_VARIABLE "WASM2NATIVE_BACKTRACE"

typedef enum backtrace_mode { BACKTRACE_OFF, BACKTRACE_WASM, BACKTRACE_FULL } backtrace_mode;

/* The last trap's frames on this thread, innermost first: the address of the instruction each
 * frame was at (the faulting one, or the call a return address follows). */
static _Thread_local w2n_native_backtrace last_backtrace;

static backtrace_mode mode(void) {
    const char *value = getenv(BACKTRACE_VARIABLE);
    if (!value)
        return BACKTRACE_WASM;
    if (!strcmp(value, "0") || !strcmp(value, "off"))
        return BACKTRACE_OFF;
    return strcmp(value, "full") ? BACKTRACE_WASM : BACKTRACE_FULL;
}

static _Unwind_Reason_Code record_frame(struct _Unwind_Context *context, void *data) {
    w2n_native_backtrace *trace = data;
    int before_instruction = 0;
    uintptr_t pc = _Unwind_GetIPInfo(context, &before_instruction);
    if (!pc)
        return _URC_END_OF_STACK;
    if (trace->count == W2N_MAX_NATIVE_FRAMES) {
        trace->truncated = 1;
        return _URC_END_OF_STACK;
    }
    /* A return address follows its call, which may be the function's last instruction. */
    trace->pcs[trace->count++] = before_instruction ? pc : pc - 1;
    return _URC_NO_REASON;
}

void w2n_rt_backtrace_record(void) {
    last_backtrace.count = 0;
    last_backtrace.truncated = 0;
    if (mode() != BACKTRACE_OFF)
        _Unwind_Backtrace(record_frame, &last_backtrace);
}

/* The object file that maps `pc`, and the difference between its addresses and the file's. */
typedef struct mapped_object {
    uintptr_t pc;
    const char *path;
    uintptr_t bias;
} mapped_object;

static int find_object(struct dl_phdr_info *info, size_t size, void *data) {
    (void)size;
    mapped_object *object = data;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *segment = &info->dlpi_phdr[i];
        uintptr_t start = info->dlpi_addr + segment->p_vaddr;
        if (segment->p_type == PT_LOAD && object->pc - start < segment->p_memsz) {
            /* The main program's name is empty. */
            object->path = info->dlpi_name[0] ? info->dlpi_name : "/proc/self/exe";
            object->bias = info->dlpi_addr;
            return 1;
        }
    }
    return 0;
}

/* The name shown for symbol `symbol`: a compiled function's without its prefix (`wasm.`, after
 * a library's own prefix), or NULL for any other function. */
static const char *wasm_function_name(const char *symbol) {
    const char *named = strstr(symbol, "wasm.");
    if (named)
        return named + strlen("wasm.");
    return strstr(symbol, "wasm_func_");
}

/* What is known of the code at `pc`: its symbol, line row and inlined calls. */
typedef struct code_origin {
    const char *symbol;
    w2n_line row;
    w2n_inline_chain chain;
} code_origin;

static void locate(w2n_debug_files *files, uintptr_t pc, code_origin *origin) {
    memset(origin, 0, sizeof *origin);
    mapped_object object = {.pc = pc};
    const unsigned char *data;
    size_t size;
    if (!dl_iterate_phdr(find_object, &object) || !w2n_debug_file(files, object.path, &data, &size))
        return;
    uint64_t address = pc - object.bias;
    origin->symbol = w2n_elf_function_symbol(data, size, address);
    w2n_dwarf_line(data, size, address, &origin->row);
    w2n_dwarf_inline_chain(data, size, address, &origin->chain);
}

/* The file of a line in a source file the line table does not name. */
static const char UNKNOWN_SOURCE_FILE[] = "";

/* Whether `file`, a line table's file name, is the module itself (`*.wasm` or `*.wat`), whose
 * lines are offsets, rather than a source file of the module's own DWARF. */
static int is_module_file(const char *file) {
    size_t length = file ? strlen(file) : 0;
    if (file == UNKNOWN_SOURCE_FILE)
        return 0;
    return length == 0 || (length >= 5 && strcmp(file + length - 5, ".wasm") == 0) ||
           (length >= 4 && strcmp(file + length - 4, ".wat") == 0);
}

/* One frame found by `walk`: a Wasm function's (`wasm`) or, for `full`, another. */
typedef struct walked_frame {
    int wasm;
    const char *wasm_name; /* NULL when not known */
    /* Where the frame is: a line of `file`, which is a module offset when `is_module_file`. */
    const char *file;
    uint32_t line;
    const char *symbol; /* for a frame of other code: its symbol, or NULL */
    uintptr_t pc;
} walked_frame;

typedef void (*frame_visitor)(const walked_frame *frame, void *data);

/* Calls `visit` on each frame of `trace`, innermost first: the Wasm ones, and with `full` every
 * other native frame too. */
static void walk(const w2n_native_backtrace *trace, int full, frame_visitor visit, void *data) {
    w2n_debug_files files;
    w2n_debug_files_init(&files);
    for (uint32_t i = 0; i < trace->count; i++) {
        code_origin origin;
        locate(&files, trace->pcs[i], &origin);
        const char *wasm_name = origin.symbol ? wasm_function_name(origin.symbol) : NULL;
        /* The Wasm functions inlined here, innermost first, each at the offset where it was;
         * then the function compiled, at the call of the outermost, when it is a Wasm function
         * and not the compiler's own code (an entry point) that the calls were inlined into. */
        const w2n_inline_chain *chain = &origin.chain;
        walked_frame frame = {.wasm = 1, .file = origin.row.file, .line = origin.row.line};
        for (unsigned depth = chain->depth; depth > 0; depth--) {
            frame.wasm_name = chain->calls[depth - 1].callee;
            visit(&frame, data);
            frame.line = chain->calls[depth - 1].call_line;
            /* A caller's source file is not read (it may be another than its callee's). */
            if (!is_module_file(frame.file))
                frame.file = UNKNOWN_SOURCE_FILE;
        }
        if (wasm_name) {
            frame.wasm_name = chain->function ? chain->function : wasm_name;
            visit(&frame, data);
        } else if (full) {
            walked_frame other = {.symbol = origin.symbol, .pc = trace->pcs[i]};
            visit(&other, data);
        }
    }
    w2n_debug_files_release(&files);
}

typedef struct printing {
    FILE *out;
    unsigned printed;
} printing;

/* Prints one frame: a Wasm function's name and where it is (a module offset or a source line),
 * or another's symbol and address. */
static void print_frame(const walked_frame *frame, void *data) {
    printing *printing = data;
    FILE *out = printing->out;
    if (!frame->wasm) {
        fprintf(out, "  %2u: %s [%#" PRIxPTR "]\n", printing->printed++,
                frame->symbol ? frame->symbol : "?", frame->pc);
        return;
    }
    fprintf(out, "  %2u: %s", printing->printed++, frame->wasm_name ? frame->wasm_name : "?");
    if (frame->line && frame->file == UNKNOWN_SOURCE_FILE)
        fprintf(out, " (line %u)", frame->line);
    else if (frame->line && is_module_file(frame->file))
        fprintf(out, " (%s offset %#x)", frame->file ? frame->file : "module", frame->line);
    else if (frame->line)
        fprintf(out, " (%s:%u)", frame->file, frame->line);
    fputc('\n', out);
}

int w2n_rt_backtrace_print(FILE *out) {
    backtrace_mode shown = mode();
    if (shown == BACKTRACE_OFF || last_backtrace.count == 0)
        return 0;
    fprintf(out, shown == BACKTRACE_FULL ? "backtrace:\n" : "wasm backtrace:\n");
    printing printing = {.out = out};
    walk(&last_backtrace, shown == BACKTRACE_FULL, print_frame, &printing);
    if (last_backtrace.truncated)
        fprintf(out, "  ... (frames beyond the first %d native ones left out)\n",
                W2N_MAX_NATIVE_FRAMES);
    return (int)printing.printed;
}

void w2n_rt_backtrace_copy(w2n_native_backtrace *out) { *out = last_backtrace; }

void w2n_rt_backtrace_clear(void) { last_backtrace.count = 0; }

/* What `w2n_rt_backtrace_resolve` collects: counted first, then filled in. */
typedef struct collecting {
    w2n_frame *frames; /* NULL while counting */
    char *strings;     /* where the next string goes */
    uint32_t count;
    size_t string_bytes;
} collecting;

static const char *keep_string(collecting *collecting, const char *text) {
    if (!text)
        return NULL;
    size_t length = strlen(text) + 1;
    collecting->string_bytes += length;
    if (!collecting->frames)
        return NULL;
    char *kept = memcpy(collecting->strings, text, length);
    collecting->strings += length;
    return kept;
}

static void collect_frame(const walked_frame *frame, void *data) {
    collecting *collecting = data;
    w2n_frame *out = collecting->frames ? &collecting->frames[collecting->count] : NULL;
    const char *function = keep_string(collecting, frame->wasm_name);
    /* A line of the module is an offset; another is a line of the module's own source. */
    int in_module = is_module_file(frame->file);
    const char *module = in_module ? keep_string(collecting, frame->file) : NULL;
    const char *source_file = !in_module && frame->file != UNKNOWN_SOURCE_FILE
                                  ? keep_string(collecting, frame->file)
                                  : NULL;
    if (out)
        *out = (w2n_frame){.function = function,
                           .module = module,
                           .offset = in_module ? frame->line : 0,
                           .source_line = in_module ? 0 : frame->line,
                           .source_file = source_file};
    collecting->count++;
}

w2n_frame *w2n_rt_backtrace_resolve(const w2n_native_backtrace *trace, uint32_t *count) {
    *count = 0;
    if (mode() == BACKTRACE_OFF || trace->count == 0)
        return NULL;
    /* Twice over the same frames: to size the block, then to fill it. */
    collecting sizing = {0};
    walk(trace, 0, collect_frame, &sizing);
    if (sizing.count == 0)
        return NULL;
    size_t frame_bytes = sizing.count * sizeof(w2n_frame);
    w2n_frame *frames = malloc(frame_bytes + sizing.string_bytes);
    if (!frames)
        return NULL;
    collecting filling = {.frames = frames, .strings = (char *)frames + frame_bytes};
    walk(trace, 0, collect_frame, &filling);
    *count = filling.count;
    return frames;
}
