/*
 * A safety net for stack overflow: compiled code checks its stack itself, but a fault on the
 * stack guard while Wasm runs (e.g. deep recursion inside a runtime call) becomes a
 * "call stack exhausted" trap instead of killing the process. Any other fault goes to the
 * handler that was installed before ours, or to the default action. The handler runs on an
 * alternate signal stack, so each thread that runs Wasm needs one: w2n_install_fault_handler
 * gives the calling thread one, and Rust's std gives its threads theirs.
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

/* Gives the calling thread an alternate signal stack if it has none (kept for its lifetime). */
static int ensure_alternate_stack(void) {
    stack_t current;
    if (sigaltstack(NULL, &current) == 0 && !(current.ss_flags & SS_DISABLE))
        return 0;
    stack_t fresh = {.ss_sp = malloc(ALTERNATE_STACK_SIZE), .ss_size = ALTERNATE_STACK_SIZE};
    if (!fresh.ss_sp)
        return -1;
    return sigaltstack(&fresh, NULL);
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
    if (ensure_alternate_stack() != 0)
        return -1;
    pthread_mutex_lock(&install_lock);
    int status = installed ? 0 : install();
    installed |= status == 0;
    pthread_mutex_unlock(&install_lock);
    return status;
}
