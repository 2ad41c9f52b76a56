/*
 * A safety net for stack overflow: compiled code checks its stack itself, but a fault on the
 * stack guard while Wasm runs (e.g. deep recursion inside a runtime call) becomes a
 * "call stack exhausted" trap instead of killing the process. Any other fault goes to the
 * handler that was installed before ours, or to the default action. The handler runs on an
 * alternate signal stack, so each thread that runs Wasm needs one: w2n_install_fault_handler
 * and w2n_rt_ensure_alternate_stack give the calling thread one (freed when it exits) unless it
 * has one already, as Rust's std gives its threads.
 */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>

#include "internal.h"

/* How far below the stack's low end a fault still counts as running off the stack. */
#define GUARD_REACH ((uintptr_t)1024 * 1024)
#define ALTERNATE_STACK_SIZE ((size_t)64 * 1024)

static struct sigaction previous_segv, previous_bus;

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
    if (frame && on_thread_stack((uintptr_t)info->si_addr)) {
        frame->code = W2N_TRAP_STACK_EXHAUSTED;
        frame->exit_status = 0;
        /* SA_NODEFER left the signal unblocked, so jumping out needs no mask restore. */
        siglongjmp(frame->jump, 1);
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

/* Installs the handler process-wide, remembering the previous ones to chain to. */
static int install(void) {
    struct sigaction action = {.sa_sigaction = on_fault,
                               .sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER};
    sigemptyset(&action.sa_mask);
    if (sigaction(SIGSEGV, &action, &previous_segv) != 0)
        return -1;
    return sigaction(SIGBUS, &action, &previous_bus);
}

int w2n_install_fault_handler(void) {
    static pthread_mutex_t install_lock = PTHREAD_MUTEX_INITIALIZER;
    static int installed;
    if (w2n_rt_ensure_alternate_stack() != 0)
        return -1;
    pthread_mutex_lock(&install_lock);
    int status = installed ? 0 : install();
    installed |= status == 0;
    pthread_mutex_unlock(&install_lock);
    return status;
}
