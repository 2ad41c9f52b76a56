/*
 * The fault handler, for two kinds of fault while Wasm runs on the faulting thread:
 * - inside a guarded memory's reservation (code compiled with --bounds-checks=guard leaves the
 *   bounds check to the guard): the trap "out of bounds memory access", at the Wasm address of the
 *   fault;
 * - on the stack guard, a safety net since compiled code checks its stack itself (deep
 *   recursion inside a runtime call, say): the trap "call stack exhausted".
 * Any other fault goes to the handler that was installed before ours, or to the default action.
 * The handler runs on an alternate signal stack, so each thread that runs Wasm needs one:
 * w2n_install_fault_handler and w2n_rt_ensure_alternate_stack give the calling thread one (freed
 * when it exits) unless it has one already, as Rust's std gives its threads.
 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "internal.h"

/* How far below the stack's low end a fault still counts as running off the stack. */
#define GUARD_REACH ((uintptr_t)1024 * 1024)
#define ALTERNATE_STACK_SIZE ((size_t)64 * 1024)

static struct sigaction previous_segv, previous_bus;

/*
 * The start of every live guarded reservation (W2N_GUARDED_RESERVATION_BYTES each), for the
 * handler, which may neither lock nor allocate: a fixed table of atomic words, a slot claimed by
 * compare-exchange from NULL and freed by storing NULL. Its size is what a 47-bit address space
 * can hold, so the table never runs out before the address space does. Slots at or past
 * `guarded_slots_used` have never been claimed, so the handler scans only the ones before it.
 * Beside each start, the memory it holds, stored once the slot is claimed (a fault in the
 * moment between finds none, and reports no memory size).
 */
#define MAX_GUARDED_REGIONS ((size_t)1 << 14)
_Static_assert(ATOMIC_POINTER_LOCK_FREE == 2, "the fault handler reads the table lock-free");
static _Atomic(void *) guarded_starts[MAX_GUARDED_REGIONS];
static _Atomic(const w2n_memory *) guarded_memories[MAX_GUARDED_REGIONS];
static atomic_size_t guarded_slots_used;

int w2n_rt_guard_register(void *start, const w2n_memory *memory) {
    /* Guarded memories leave their bounds to this handler, so it must be in place first. */
    if (w2n_install_fault_handler() != 0)
        return -1;
    for (size_t slot = 0; slot < MAX_GUARDED_REGIONS; slot++) {
        void *expected = NULL;
        if (!atomic_compare_exchange_strong(&guarded_starts[slot], &expected, start))
            continue;
        atomic_store(&guarded_memories[slot], memory);
        size_t used = atomic_load(&guarded_slots_used);
        while (used <= slot && !atomic_compare_exchange_weak(&guarded_slots_used, &used, slot + 1))
            ;
        return 0;
    }
    return -1;
}

void w2n_rt_guard_unregister(void *start) {
    size_t used = atomic_load(&guarded_slots_used);
    for (size_t slot = 0; slot < used; slot++) {
        if (atomic_load(&guarded_starts[slot]) != start)
            continue;
        atomic_store(&guarded_memories[slot], NULL);
        void *expected = start;
        if (atomic_compare_exchange_strong(&guarded_starts[slot], &expected, NULL))
            return;
    }
}

/* Whether `address` lies in a guarded reservation; if so, fills in `fault` (the Wasm address)
 * and `memory` (NULL when not yet known). Async-signal-safe: atomic loads only. */
static int in_guarded_region(uintptr_t address, w2n_memory_fault *fault,
                             const w2n_memory **memory) {
    size_t used = atomic_load(&guarded_slots_used);
    for (size_t slot = 0; slot < used; slot++) {
        uintptr_t start = (uintptr_t)atomic_load(&guarded_starts[slot]);
        /* Unsigned: an address below `start` wraps to a huge distance. */
        if (start && address - start < W2N_GUARDED_RESERVATION_BYTES) {
            *memory = atomic_load(&guarded_memories[slot]);
            *fault = (w2n_memory_fault){
                .address = address - start, .memory = W2N_UNKNOWN_MEMORY, .known = *memory != NULL};
            return 1;
        }
    }
    return 0;
}

static int on_thread_stack(uintptr_t address) {
    uintptr_t low, high;
    if (!w2n_rt_cached_stack_bounds(&low, &high))
        return 0;
    return address < high && address + GUARD_REACH >= low;
}

static void chain(int signal, siginfo_t *info, void *context) {
    const struct sigaction *previous = signal == SIGSEGV ? &previous_segv : &previous_bus;
    if (previous->sa_flags & SA_SIGINFO) {
        previous->sa_sigaction(signal, info, context);
    } else if (previous->sa_handler == SIG_DFL || previous->sa_handler == SIG_IGN) {
        /* Returning re-runs the faulting instruction, which now gets the default action. */
        struct sigaction fallback = {.sa_handler = SIG_DFL};
        sigemptyset(&fallback.sa_mask);
        sigaction(signal, &fallback, NULL);
    } else {
        previous->sa_handler(signal);
    }
}

static void on_fault(int signal, siginfo_t *info, void *context) {
    w2n_trap_frame *frame = w2n_rt_innermost_frame();
    uintptr_t address = (uintptr_t)info->si_addr;
    if (frame) {
        uint32_t code = in_guarded_region(address, &frame->fault, &frame->fault_memory)
                            ? W2N_TRAP_MEMORY_OUT_OF_BOUNDS
                        : on_thread_stack(address) ? W2N_TRAP_STACK_EXHAUSTED
                                                   : W2N_TRAP_NONE;
        if (code != W2N_TRAP_NONE) {
            frame->code = code;
            frame->exit_status = 0;
            w2n_rt_backtrace_record();
            /* SA_NODEFER left the signal unblocked, so jumping out needs no mask restore. */
            siglongjmp(frame->jump, 1);
        }
    }
    chain(signal, info, context);
}

/*
 * Whether this thread is known to have an alternate stack (its own or one made here). One made
 * here is kept under alternate_stack_key, whose destructor frees it when the thread exits.
 */
static _Thread_local int thread_has_alternate_stack;
static pthread_key_t alternate_stack_key;
static pthread_once_t alternate_stack_key_once = PTHREAD_ONCE_INIT;

static void release_alternate_stack(void *stack) {
    stack_t current;
    /* Stop using it before freeing it, unless something else replaced it in the meantime. */
    if (sigaltstack(NULL, &current) == 0 && current.ss_sp == stack) {
        stack_t off = {.ss_flags = SS_DISABLE};
        sigaltstack(&off, NULL);
    }
    free(stack);
}

static void create_alternate_stack_key(void) {
    pthread_key_create(&alternate_stack_key, release_alternate_stack);
}

int w2n_rt_ensure_alternate_stack(void) {
    if (thread_has_alternate_stack)
        return 0;
    stack_t current;
    if (sigaltstack(NULL, &current) != 0 || (current.ss_flags & SS_DISABLE)) {
        stack_t fresh = {.ss_sp = malloc(ALTERNATE_STACK_SIZE), .ss_size = ALTERNATE_STACK_SIZE};
        if (!fresh.ss_sp)
            return -1;
        pthread_once(&alternate_stack_key_once, create_alternate_stack_key);
        if (sigaltstack(&fresh, NULL) != 0 ||
            pthread_setspecific(alternate_stack_key, fresh.ss_sp) != 0) {
            release_alternate_stack(fresh.ss_sp);
            return -1;
        }
    }
    thread_has_alternate_stack = 1;
    return 0;
}

static pthread_mutex_t install_lock = PTHREAD_MUTEX_INITIALIZER;
static int installed;

/* Makes the handler the process's for both signals; stores the ones it replaces in `segv` and
 * `bus` when not NULL. */
static int install(struct sigaction *segv, struct sigaction *bus) {
    struct sigaction action = {.sa_sigaction = on_fault,
                               .sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER};
    sigemptyset(&action.sa_mask);
    if (sigaction(SIGSEGV, &action, segv) != 0)
        return -1;
    return sigaction(SIGBUS, &action, bus);
}

int w2n_install_fault_handler(void) {
    if (w2n_rt_ensure_alternate_stack() != 0)
        return -1;
    pthread_mutex_lock(&install_lock);
    /* The previous handlers are remembered, to chain to. */
    int status = installed ? 0 : install(&previous_segv, &previous_bus);
    installed |= status == 0;
    pthread_mutex_unlock(&install_lock);
    return status;
}

int w2n_reinstall_fault_handler(void) {
    pthread_mutex_lock(&install_lock);
    /* It still chains to the handlers it found first. */
    int status = installed ? install(NULL, NULL) : 0;
    pthread_mutex_unlock(&install_lock);
    return status;
}
