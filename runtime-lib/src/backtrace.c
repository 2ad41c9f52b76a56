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
 * with its address, anything else (the default) the Wasm frames.
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
#define MAX_FRAMES 64

typedef enum backtrace_mode { BACKTRACE_OFF, BACKTRACE_WASM, BACKTRACE_FULL } backtrace_mode;

/* The last trap's frames on this thread, innermost first: the address of the instruction each
 * frame was at (the faulting one, or the call a return address follows). */
typedef struct recorded_backtrace {
    uintptr_t pcs[MAX_FRAMES];
    uint32_t count;
    uint32_t truncated;
} recorded_backtrace;

static _Thread_local recorded_backtrace last_backtrace;

static backtrace_mode mode(void) {
    const char *value = getenv(BACKTRACE_VARIABLE);
    if (!value)
        return BACKTRACE_WASM;
    if (!strcmp(value, "0") || !strcmp(value, "off"))
        return BACKTRACE_OFF;
    return strcmp(value, "full") ? BACKTRACE_WASM : BACKTRACE_FULL;
}

static _Unwind_Reason_Code record_frame(struct _Unwind_Context *context, void *data) {
    recorded_backtrace *trace = data;
    int before_instruction = 0;
    uintptr_t pc = _Unwind_GetIPInfo(context, &before_instruction);
    if (!pc)
        return _URC_END_OF_STACK;
    if (trace->count == MAX_FRAMES) {
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

/* Prints one frame, numbered `index`, of a Wasm function: its name and where it is, a module
 * offset or a source line. */
static void print_wasm_frame(FILE *out, unsigned index, const char *name, uint32_t line,
                             const char *file) {
    fprintf(out, "  %2u: %s", index, name ? name : "?");
    if (line && file == UNKNOWN_SOURCE_FILE)
        fprintf(out, " (line %u)", line);
    else if (line && is_module_file(file))
        fprintf(out, " (%s offset %#x)", file ? file : "module", line);
    else if (line)
        fprintf(out, " (%s:%u)", file, line);
    fputc('\n', out);
}

int w2n_rt_backtrace_print(FILE *out) {
    backtrace_mode shown = mode();
    if (shown == BACKTRACE_OFF || last_backtrace.count == 0)
        return 0;
    w2n_debug_files files;
    w2n_debug_files_init(&files);
    unsigned printed = 0;
    fprintf(out, shown == BACKTRACE_FULL ? "backtrace:\n" : "wasm backtrace:\n");
    for (uint32_t i = 0; i < last_backtrace.count; i++) {
        code_origin origin;
        locate(&files, last_backtrace.pcs[i], &origin);
        const char *wasm_name = origin.symbol ? wasm_function_name(origin.symbol) : NULL;
        /* The Wasm functions inlined here, innermost first, each at the offset where it was;
         * then the function compiled, at the call of the outermost, when it is a Wasm function
         * and not the compiler's own code (an entry point) that the calls were inlined into. */
        const w2n_inline_chain *chain = &origin.chain;
        uint32_t offset = origin.row.line;
        const char *file = origin.row.file;
        for (unsigned depth = chain->depth; depth > 0; depth--) {
            print_wasm_frame(out, printed++, chain->calls[depth - 1].callee, offset, file);
            offset = chain->calls[depth - 1].call_line;
            /* A caller's source file is not read (it may be another than its callee's). */
            if (!is_module_file(file))
                file = UNKNOWN_SOURCE_FILE;
        }
        if (wasm_name)
            print_wasm_frame(out, printed++, chain->function ? chain->function : wasm_name, offset,
                             file);
        else if (shown == BACKTRACE_FULL)
            fprintf(out, "  %2u: %s [%#" PRIxPTR "]\n", printed++,
                    origin.symbol ? origin.symbol : "?", last_backtrace.pcs[i]);
    }
    if (last_backtrace.truncated)
        fprintf(out, "  ... (frames beyond the first %d native ones left out)\n", MAX_FRAMES);
    w2n_debug_files_release(&files);
    return (int)printed;
}
