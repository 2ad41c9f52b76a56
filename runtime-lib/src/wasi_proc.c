/* WASI clocks, randomness, sched_yield, proc_raise and proc_exit. */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <sys/random.h>
#include <time.h>

#include "wasi_internal.h"

/* WASI clock ids: realtime, monotonic, process CPU time, thread CPU time. */
int wasi_host_clock(int32_t clock_id, clockid_t *out) {
    static const clockid_t clocks[] = {CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID,
                                       CLOCK_THREAD_CPUTIME_ID};
    if (clock_id < 0 || clock_id >= (int32_t)(sizeof clocks / sizeof clocks[0]))
        return -1;
    *out = clocks[clock_id];
    return 0;
}

static uint64_t nanoseconds(const struct timespec *time) {
    return (uint64_t)time->tv_sec * 1000000000u + (uint64_t)time->tv_nsec;
}

static int32_t clock_query(w2n_instance *caller, int32_t clock_id, uint32_t out,
                           int (*query)(clockid_t, struct timespec *)) {
    clockid_t clock;
    if (wasi_host_clock(clock_id, &clock) != 0)
        return WASI_EINVAL;
    wasi_memory memory = wasi_caller_memory(caller);
    if (!wasi_in_bounds(memory, out, 8))
        return WASI_EFAULT;
    struct timespec time;
    if (query(clock, &time) != 0)
        return wasi_errno(errno);
    wasi_store_u64(memory, out, nanoseconds(&time));
    return WASI_ESUCCESS;
}

int32_t wasi_clock_time_get(w2n_instance *caller, int32_t clock_id, int64_t precision,
                            uint32_t time) {
    (void)precision;
    return clock_query(caller, clock_id, time, clock_gettime);
}

int32_t wasi_clock_res_get(w2n_instance *caller, int32_t clock_id, uint32_t resolution) {
    return clock_query(caller, clock_id, resolution, clock_getres);
}

int32_t wasi_random_get(w2n_instance *caller, uint32_t buf, uint32_t buf_len) {
    wasi_memory memory = wasi_caller_memory(caller);
    if (!wasi_in_bounds(memory, buf, buf_len))
        return WASI_EFAULT;
    uint32_t filled = 0;
    while (filled < buf_len) {
        ssize_t got = getrandom(memory.base + buf + filled, buf_len - filled, 0);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            return wasi_errno(errno);
        }
        filled += (uint32_t)got;
    }
    return WASI_ESUCCESS;
}

int32_t wasi_sched_yield(w2n_instance *caller) {
    (void)caller;
    sched_yield();
    return WASI_ESUCCESS;
}

/* The host signal of each of the spec's signal numbers; 0 is "no signal". */
static const int host_signals[] = {
    [1] = SIGHUP,   [2] = SIGINT,    [3] = SIGQUIT,  [4] = SIGILL,   [5] = SIGTRAP,
    [6] = SIGABRT,  [7] = SIGBUS,    [8] = SIGFPE,   [9] = SIGKILL,  [10] = SIGUSR1,
    [11] = SIGSEGV, [12] = SIGUSR2,  [13] = SIGPIPE, [14] = SIGALRM, [15] = SIGTERM,
    [16] = SIGCHLD, [17] = SIGCONT,  [18] = SIGSTOP, [19] = SIGTSTP, [20] = SIGTTIN,
    [21] = SIGTTOU, [22] = SIGURG,   [23] = SIGXCPU, [24] = SIGXFSZ, [25] = SIGVTALRM,
    [26] = SIGPROF, [27] = SIGWINCH, [28] = SIGPOLL, [29] = SIGPWR,  [30] = SIGSYS,
};

/* Raises the host signal for real, so the process reacts as the native program would. */
int32_t wasi_proc_raise(w2n_instance *caller, int32_t signal_number) {
    (void)caller;
    if (signal_number < 0 ||
        signal_number >= (int32_t)(sizeof host_signals / sizeof host_signals[0]))
        return WASI_EINVAL;
    if (signal_number == 0)
        return WASI_ESUCCESS;
    int host = host_signals[signal_number];
    /*
     * The runtime's fault handler (fault.c) would take a raised SIGSEGV or SIGBUS for a fault
     * and return, so those get their default action back first.
     */
    if (host == SIGSEGV || host == SIGBUS) {
        struct sigaction fallback = {.sa_handler = SIG_DFL};
        sigemptyset(&fallback.sa_mask);
        sigaction(host, &fallback, NULL);
    }
    if (raise(host) != 0)
        return wasi_errno(errno);
    return WASI_ESUCCESS;
}

void wasi_proc_exit(w2n_instance *caller, int32_t status) {
    (void)caller;
    w2n_rt_exit(status);
}
