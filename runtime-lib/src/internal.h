/*
 * Private declarations shared by the runtime's C files. Nothing here is part of the ABI that
 * compiled code or embedders see (that is include/wasm2native.h); these symbols are hidden.
 */
#ifndef W2N_INTERNAL_H
#define W2N_INTERNAL_H

#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>

#include "../include/wasm2native.h"

#define W2N_INTERNAL __attribute__((visibility("hidden")))

/* ------------------------------------------------------------- traps --- */

/* One entry into Wasm (w2n_call, w2n_instantiate) on the current thread's handler stack. */
typedef struct w2n_trap_frame {
    sigjmp_buf jump;
    struct w2n_trap_frame *outer;
    uint32_t code;
    int32_t exit_status;
    char message[sizeof(((w2n_result *)0)->message)];
    /* The instance entered, when known: the report finds a faulting memory's index in it. */
    const w2n_instance *instance;
    /* An out-of-bounds access, and for a fault in guard mode the memory it hit (its size and
     * index are read when the trap is reported, outside the signal handler). */
    w2n_memory_fault fault;
    const w2n_memory *fault_memory;
} w2n_trap_frame;

/*
 * The entry protocol, written out at each entry because sigsetjmp must run in the frame that
 * stays live:
 *     w2n_trap_frame frame;
 *     w2n_rt_frame_push(&frame);
 *     frame.instance = ...the instance entered, if known...;
 *     if (sigsetjmp(frame.jump, 0) == 0) { ...call Wasm... }
 *     w2n_rt_frame_pop(&frame);
 *     w2n_rt_frame_report(&frame, result);
 */
W2N_INTERNAL void w2n_rt_frame_push(w2n_trap_frame *frame);
W2N_INTERNAL void w2n_rt_frame_pop(w2n_trap_frame *frame);
W2N_INTERNAL void w2n_rt_frame_report(const w2n_trap_frame *frame, w2n_result *result);
/* The exception in flight on this thread (see w2n_throw in the header). */
extern _Thread_local w2n_exception *w2n_exception_in_flight;
/* After a Wasm call: an exception still in flight becomes the result W2N_TRAP_UNCAUGHT_EXCEPTION.
 */
W2N_INTERNAL void w2n_rt_exception_report(w2n_result *result);
/* The exception the last report on this thread put in a result: the caller owns it from now on
 * (w2n_exception_release), instead of the thread until its next uncaught exception. */
W2N_INTERNAL w2n_exception *w2n_rt_exception_take_uncaught(void);
/* A new exception of `tag` with its payload (exception_heap.c); traps when out of memory. */
W2N_INTERNAL w2n_exception *w2n_rt_exception_new(const w2n_tag *tag, const w2n_value *values);
/* A result reports it as uncaught (W2N_EXCEPTION_RESULT), until the result lets it go. */
W2N_INTERNAL void w2n_rt_exception_hold_result(w2n_exception *exception);
W2N_INTERNAL void w2n_rt_exception_drop_result(w2n_exception *exception);
/* Threads inside Wasm now (between an outermost w2n_rt_frame_push and its pop). */
W2N_INTERNAL uint32_t w2n_rt_threads_in_wasm(void);
/* Calls `visit` on every live instance, with the registry locked. */
W2N_INTERNAL void w2n_rt_for_each_instance(void (*visit)(w2n_instance *, void *), void *data);
W2N_INTERNAL w2n_trap_frame *w2n_rt_innermost_frame(void);
/* Records the native frames below the trap being raised on this thread (backtrace.c)... */
W2N_INTERNAL void w2n_rt_backtrace_record(void);
/* ...and prints the Wasm ones, as WASM2NATIVE_BACKTRACE asks: how many were printed. */
W2N_INTERNAL int w2n_rt_backtrace_print(FILE *out);
/* Prints "wasm trap: MESSAGE", with the access of an out-of-bounds trap, and the backtrace. */
W2N_INTERNAL void w2n_rt_trap_print(FILE *out, const w2n_result *result);

/* The native frames of the last trap on this thread, copied to be resolved later. */
#define W2N_MAX_NATIVE_FRAMES 64
typedef struct w2n_native_backtrace {
    uintptr_t pcs[W2N_MAX_NATIVE_FRAMES];
    uint32_t count;
    uint32_t truncated;
} w2n_native_backtrace;
W2N_INTERNAL void w2n_rt_backtrace_copy(w2n_native_backtrace *out);
/* Forgets the last one, when a new entry begins: a trap that unwinds nothing (an uncaught
 * exception) then shows none rather than an older one's. */
W2N_INTERNAL void w2n_rt_backtrace_clear(void);
/* The Wasm frames of `trace` (as WASM2NATIVE_BACKTRACE asks: none when `off`), with their
 * strings, in one allocation the caller frees; NULL when there are none or memory ran out. */
W2N_INTERNAL w2n_frame *w2n_rt_backtrace_resolve(const w2n_native_backtrace *trace,
                                                 uint32_t *count);

/* What a failed bounds check stores before w2n_trap_memory (see the header). */
extern _Thread_local uint64_t w2n_trap_access[W2N_TRAP_ACCESS_WORDS];

/* Ends the innermost entry with W2N_TRAP_EXIT and `status` (WASI proc_exit). */
W2N_INTERNAL _Noreturn void w2n_rt_exit(int32_t status);

W2N_INTERNAL void w2n_rt_result_clear(w2n_result *result);
W2N_INTERNAL void w2n_rt_result_error(w2n_result *result, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * Turns faults during Wasm into traps (fault.c): in a guarded memory into "out of bounds memory
 * access", on the stack guard into "call stack exhausted". Exported so embedders can install it
 * too; creating a guarded memory installs it. Idempotent; gives the calling thread an alternate
 * signal stack.
 */
int w2n_install_fault_handler(void);
/*
 * Puts that handler back in front, if installed, after something replaced it: the compiler calls
 * it once it has enabled LLVM's crash recovery for its in-process linker (compiler/link/lld.cpp).
 */
int w2n_reinstall_fault_handler(void);
/*
 * Gives the calling thread an alternate signal stack for the fault handler if it has none (freed
 * when the thread exits); after the first call on a thread it costs one thread-local read.
 */
W2N_INTERNAL int w2n_rt_ensure_alternate_stack(void);

/* The address space a guarded memory reserves: the 4 GiB a 32-bit address reaches, then the guard.
 */
#define W2N_GUARDED_RESERVATION_BYTES                                                              \
    ((uint64_t)W2N_MAX_PAGES * W2N_PAGE_SIZE + W2N_MEMORY_GUARD_BYTES)
/*
 * The guarded reservations the fault handler knows, by start address, with the memory of each: a
 * fault inside one while Wasm runs becomes "out of bounds memory access" at the address the
 * fault is at from the start. `memory` must stay where it is until unregistered. Registering
 * installs the handler; it fails when that fails or the table is full. A reservation is
 * unregistered before it is unmapped.
 */
W2N_INTERNAL int w2n_rt_guard_register(void *start, const w2n_memory *memory);
W2N_INTERNAL void w2n_rt_guard_unregister(void *start);

/* ------------------------------------------------------------- stack --- */

/* The stack limit compiled code gets on this thread: the stack's low end plus a safety margin. */
W2N_INTERNAL uintptr_t w2n_rt_thread_stack_limit(void);
/* This thread's stack bounds if already computed (async-signal-safe); 0 when not known. */
W2N_INTERNAL int w2n_rt_cached_stack_bounds(uintptr_t *low, uintptr_t *high);

/* ---------------------------------------------------------- instances --- */

/* `reserved` of every w2n_funcref the runtime creates for an instance; its vmctx is that instance.
 */
#define W2N_FUNCREF_OWNED 0x77326e66u
/*
 * `reserved` of an import funcref asking to be bound to the importing instance: w2n_instantiate
 * binds a copy whose vmctx is the importing instance, and keeps the original vmctx as the
 * instance's import context (w2n_rt_import_context), so the original only needs to live until
 * it is bound. The runtime's WASI uses it. One with vmctx == NULL (a library build's import
 * adapter, which finds its host function through host_data) leaves the import context as it is,
 * so WASI imports bound before or after it keep theirs.
 */
#define W2N_FUNCREF_BIND_CALLER 0x77326e63u

typedef struct w2n_instance_group w2n_instance_group;

/* What `runtime_private` of an instance points to. */
typedef struct w2n_instance_private {
    w2n_instance *instance;
    w2n_instance_group *group;
    struct w2n_instance_private *prev, *next; /* the registry of live instances */
    w2n_funcref *owned_funcs;                 /* one per function index */
    w2n_memory *owned_memories;               /* defined memories only */
    w2n_table *owned_tables;                  /* defined tables only */
    w2n_global *owned_globals;                /* defined globals only */
    w2n_tag *owned_tags;                      /* defined tags only */
    void *import_context;
} w2n_instance_private;

static inline w2n_instance_private *w2n_rt_private(const w2n_instance *instance) {
    return (w2n_instance_private *)instance->runtime_private;
}

/*
 * w2n_instantiate with `host_data` stored in the instance before imports are bound, so the
 * initialize and start functions already see it. Returns NULL on a link error; after a trap in
 * initialize or the start function it returns the instance with result->trap set (see
 * instance.c for when such an instance may be freed).
 */
W2N_INTERNAL w2n_instance *w2n_rt_instantiate(const w2n_module *module, w2n_resolver resolver,
                                              void *user, void *host_data, w2n_result *result);

/* The original vmctx of the caller-bound imports of `instance`, or NULL. */
W2N_INTERNAL void *w2n_rt_import_context(const w2n_instance *instance);

/*
 * Registry of live instances and their link groups. A group is the set of instances connected
 * through imports; compiled code of any of them may run under one entry, so they share one
 * stack limit (see registry.c for the rule).
 */
W2N_INTERNAL int w2n_rt_register(w2n_instance *instance);
W2N_INTERNAL void w2n_rt_unregister(w2n_instance *instance);
/* The instance that owns a memory, table or global, or NULL for host objects. */
W2N_INTERNAL w2n_instance *w2n_rt_owner_of(uint32_t kind, const void *object);
W2N_INTERNAL int w2n_rt_group_join(w2n_instance *a, w2n_instance *b);
W2N_INTERNAL void w2n_rt_group_set_stack_limit(w2n_instance *instance, uintptr_t limit);

/* Binds and type-checks every import of a fresh instance; 0 on success, else fills `result`. */
W2N_INTERNAL int w2n_rt_bind_imports(w2n_instance *instance, w2n_resolver resolver, void *user,
                                     w2n_result *result);

/* ------------------------------------------------ memories and tables --- */

/*
 * Creates a memory of type `limits`, guarded (in a reservation the fault handler knows, never
 * moving) when `guarded`; -1 when the memory or, for a guarded one, its reservation cannot be had.
 */
W2N_INTERNAL int w2n_rt_memory_create(w2n_memory *memory, const w2n_limits *limits, int guarded);
W2N_INTERNAL void w2n_rt_memory_release(w2n_memory *memory);
/* Whether a memory has a declared maximum (max_pages alone cannot tell W2N_MAX_PAGES apart). */
W2N_INTERNAL int w2n_rt_memory_has_max(const w2n_memory *memory);
/* Whether a memory was created 64-bit (memory64). */
W2N_INTERNAL int w2n_rt_memory_is_64(const w2n_memory *memory);
/* Whether a memory has a guard reservation, as code compiled in guard mode needs. */
W2N_INTERNAL int w2n_rt_memory_is_guarded(const w2n_memory *memory);

W2N_INTERNAL int w2n_rt_table_create(w2n_table *table, const w2n_table_type *type);
W2N_INTERNAL void w2n_rt_table_release(w2n_table *table);

#endif
