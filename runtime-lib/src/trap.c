/*
 * Traps: a thread-local stack of entry frames. Every entry into Wasm pushes one (see the protocol
 * in internal.h); w2n_trap records the code in the innermost frame and longjmps to it. Frames
 * nest, so a host function may call back into Wasm and a trap there ends only the inner call.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

/* Exit status of a process that traps with no entry to report to, like abort's. */
#define W2N_UNHANDLED_TRAP_STATUS 134

static _Thread_local w2n_trap_frame *innermost_frame __attribute__((tls_model("initial-exec")));

static const char *const trap_messages[W2N_TRAP_COUNT] = {
    [W2N_TRAP_NONE] = "",
    [W2N_TRAP_UNREACHABLE] = "unreachable",
    [W2N_TRAP_MEMORY_OUT_OF_BOUNDS] = "out of bounds memory access",
    [W2N_TRAP_INTEGER_DIVIDE_BY_ZERO] = "integer divide by zero",
    [W2N_TRAP_INTEGER_OVERFLOW] = "integer overflow",
    [W2N_TRAP_INVALID_CONVERSION] = "invalid conversion to integer",
    [W2N_TRAP_UNDEFINED_ELEMENT] = "undefined element",
    [W2N_TRAP_UNINITIALIZED_ELEMENT] = "uninitialized element",
    [W2N_TRAP_INDIRECT_CALL_TYPE_MISMATCH] = "indirect call type mismatch",
    [W2N_TRAP_STACK_EXHAUSTED] = "call stack exhausted",
    [W2N_TRAP_TABLE_OUT_OF_BOUNDS] = "out of bounds table access",
    [W2N_TRAP_NULL_REFERENCE] = "null reference",
    [W2N_TRAP_HOST] = "host trap",
    [W2N_TRAP_EXIT] = "exit",
    [W2N_TRAP_NULL_FUNCTION_REFERENCE] = "null function reference",
    [W2N_TRAP_UNCAUGHT_EXCEPTION] = "uncaught exception",
    [W2N_TRAP_NULL_EXCEPTION_REFERENCE] = "null exception reference",
};

const char *w2n_trap_message(uint32_t code) {
    return code < W2N_TRAP_COUNT ? trap_messages[code] : "unknown trap";
}

/* Threads with at least one entry frame: the exception collector's condition. */
static _Atomic uint32_t threads_in_wasm;

uint32_t w2n_rt_threads_in_wasm(void) { return threads_in_wasm; }

void w2n_rt_frame_push(w2n_trap_frame *frame) {
    if (!innermost_frame)
        threads_in_wasm++;
    frame->outer = innermost_frame;
    frame->code = W2N_TRAP_NONE;
    frame->exit_status = 0;
    frame->message[0] = '\0';
    frame->instance = NULL;
    frame->fault = (w2n_memory_fault){.memory = W2N_UNKNOWN_MEMORY};
    frame->fault_memory = NULL;
    w2n_rt_backtrace_clear();
    innermost_frame = frame;
}

void w2n_rt_frame_pop(w2n_trap_frame *frame) {
    innermost_frame = frame->outer;
    if (!innermost_frame)
        threads_in_wasm--;
}

w2n_trap_frame *w2n_rt_innermost_frame(void) { return innermost_frame; }

void w2n_rt_result_clear(w2n_result *result) {
    result->trap = W2N_TRAP_NONE;
    result->exit_status = 0;
    result->message[0] = '\0';
    result->exception = NULL;
    result->fault = (w2n_memory_fault){.memory = W2N_UNKNOWN_MEMORY};
    result->frames = NULL;
    result->num_frames = 0;
    result->frames_truncated = 0;
}

void w2n_rt_result_error(w2n_result *result, const char *format, ...) {
    va_list args;
    va_start(args, format);
    vsnprintf(result->message, sizeof result->message, format, args);
    va_end(args);
}

void w2n_rt_frame_report(const w2n_trap_frame *frame, w2n_result *result) {
    result->trap = frame->code;
    result->exit_status = frame->exit_status;
    const char *message =
        frame->code == W2N_TRAP_HOST ? frame->message : w2n_trap_message(frame->code);
    snprintf(result->message, sizeof result->message, "%s", message);
    result->fault = frame->fault;
    const w2n_memory *memory = frame->fault_memory;
    if (memory) {
        result->fault.memory_size = memory->size;
        const w2n_instance *instance = frame->instance;
        for (uint32_t i = 0; instance && i < instance->module->num_memories; i++)
            if (instance->memories[i] == memory)
                result->fault.memory = i;
    }
}

void w2n_rt_trap_print(FILE *out, const w2n_result *result) {
    fprintf(out, "wasm trap: %s", result->message);
    const w2n_memory_fault *fault = &result->fault;
    if (result->trap == W2N_TRAP_MEMORY_OUT_OF_BOUNDS && fault->known) {
        /* An access checked first has a length; a fault in guard mode has only the address. */
        if (fault->length)
            fprintf(out, " (%" PRIu32 " bytes at address %#" PRIx64, fault->length, fault->address);
        else
            fprintf(out, " (fault at address %#" PRIx64, fault->address);
        if (fault->memory != W2N_UNKNOWN_MEMORY)
            fprintf(out, ", memory %" PRIu32, fault->memory);
        else
            fprintf(out, ", memory");
        fprintf(out, " of %#" PRIx64 " bytes)", fault->memory_size);
    }
    fputc('\n', out);
    w2n_rt_backtrace_print(out);
}

/* Trapping outside any entry is a bug of the embedder; report it without unwinding anything. */
static _Noreturn void die_unhandled(const char *message) {
    char line[sizeof(((w2n_trap_frame *)0)->message) + 16];
    int length = snprintf(line, sizeof line, "wasm trap: %s\n", message);
    if (length > (int)sizeof line - 1)
        length = (int)sizeof line - 1;
    ssize_t ignored = write(STDERR_FILENO, line, (size_t)length);
    (void)ignored;
    _exit(W2N_UNHANDLED_TRAP_STATUS);
}

static _Noreturn void unwind(uint32_t code, int32_t exit_status, const char *host_message) {
    w2n_trap_frame *frame = innermost_frame;
    if (!frame) {
        if (code == W2N_TRAP_EXIT)
            _exit(exit_status);
        die_unhandled(host_message ? host_message : w2n_trap_message(code));
    }
    frame->code = code;
    frame->exit_status = exit_status;
    if (code != W2N_TRAP_EXIT)
        w2n_rt_backtrace_record();
    if (host_message)
        snprintf(frame->message, sizeof frame->message, "%s", host_message);
    siglongjmp(frame->jump, 1);
}

void w2n_trap(uint32_t code) { unwind(code, 0, NULL); }

_Thread_local uint64_t w2n_trap_access[W2N_TRAP_ACCESS_WORDS]
    __attribute__((tls_model("initial-exec")));

void w2n_trap_memory(uint32_t memory_index, uint64_t offset, uint32_t length) {
    w2n_trap_frame *frame = innermost_frame;
    if (frame) {
        uint64_t address = w2n_trap_access[W2N_TRAP_ACCESS_ADDRESS];
        uint64_t memory_size = w2n_trap_access[W2N_TRAP_ACCESS_MEMORY_SIZE];
        /* A 64-bit memory's address plus offset may pass 2^64; no memory reaches that far. */
        uint64_t at = address + offset < address ? UINT64_MAX : address + offset;
        frame->fault = (w2n_memory_fault){.address = at,
                                          .memory_size = memory_size,
                                          .memory = memory_index,
                                          .length = length,
                                          .known = 1};
    }
    unwind(W2N_TRAP_MEMORY_OUT_OF_BOUNDS, 0, NULL);
}

void w2n_host_trap(const char *message) {
    unwind(W2N_TRAP_HOST, 0, message ? message : "host trap");
}

void w2n_rt_exit(int32_t status) { unwind(W2N_TRAP_EXIT, status, NULL); }
