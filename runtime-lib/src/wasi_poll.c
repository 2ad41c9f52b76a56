/*
 * poll_oneoff: waits until clock deadlines pass or descriptors become readable or writable.
 *
 * Every clock subscription becomes a deadline on the host's monotonic clock, so a change of
 * the wall clock cannot stretch a relative wait. Descriptors are watched with ppoll bounded by
 * the earliest deadline; a wait on clocks alone is an absolute clock_nanosleep, which is both
 * accurate and simple to resume after a signal. Subscriptions are copied out of guest memory
 * before any event is written, since the two arrays may overlap.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "wasi_internal.h"

#define NANOSECONDS_PER_SECOND 1000000000ull
#define NO_DEADLINE UINT64_MAX

/* One subscription as read from the guest. */
typedef struct subscription {
    uint64_t userdata;
    uint8_t type;       /* WASI_EVENTTYPE_* */
    uint64_t deadline;  /* clocks: when it fires, in monotonic nanoseconds */
    int32_t error;      /* descriptors: why it cannot be polled, reported as its event */
    wasi_fd *entry;     /* descriptors: the table entry when there is no error */
    uint32_t poll_slot; /* descriptors: its index in the pollfd array */
} subscription;

/* What the wait needs to know about the whole set. */
typedef struct wait_plan {
    struct pollfd *polled; /* one per descriptor subscription */
    uint32_t polled_count;
    uint64_t earliest; /* the earliest clock deadline, NO_DEADLINE without clocks */
    int has_errors;    /* some descriptor subscription already has its (error) event */
} wait_plan;

static uint64_t nanoseconds_of(struct timespec time) {
    if (time.tv_sec < 0)
        return 0;
    return (uint64_t)time.tv_sec * NANOSECONDS_PER_SECOND + (uint64_t)time.tv_nsec;
}

static struct timespec timespec_of(uint64_t nanoseconds) {
    return (struct timespec){.tv_sec = (time_t)(nanoseconds / NANOSECONDS_PER_SECOND),
                             .tv_nsec = (long)(nanoseconds % NANOSECONDS_PER_SECOND)};
}

static uint64_t monotonic_now(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return nanoseconds_of(now);
}

static uint64_t saturating_add(uint64_t a, uint64_t b) {
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/*
 * A clock subscription's deadline on the monotonic clock. Only realtime and monotonic can be
 * waited on: a CPU-time clock does not advance while the process sleeps, so those ids are
 * refused like unknown ones.
 */
static int32_t read_clock(wasi_memory memory, uint32_t at, uint64_t now, uint64_t *deadline) {
    int32_t id = (int32_t)wasi_load_u32(memory, at + 16);
    uint64_t timeout = wasi_load_u64(memory, at + 24);
    uint16_t flags = wasi_load_u16(memory, at + 40);
    clockid_t clock;
    if ((id != WASI_CLOCK_REALTIME && id != WASI_CLOCK_MONOTONIC) ||
        wasi_host_clock(id, &clock) != 0 || (flags & ~WASI_SUBCLOCKFLAGS_ABSTIME) != 0)
        return WASI_EINVAL;
    if (!(flags & WASI_SUBCLOCKFLAGS_ABSTIME)) {
        *deadline = saturating_add(now, timeout);
        return WASI_ESUCCESS;
    }
    /* An absolute time on the subscription's clock becomes the time left from now. */
    struct timespec clock_time;
    if (clock_gettime(clock, &clock_time) != 0)
        return wasi_errno(errno);
    uint64_t clock_now = nanoseconds_of(clock_time);
    *deadline = timeout > clock_now ? saturating_add(now, timeout - clock_now) : now;
    return WASI_ESUCCESS;
}

/*
 * Copies every subscription out of guest memory and prepares the wait. A descriptor that is
 * not open or lacks the rights to poll for its event is not a failure of the call: its event
 * carries the error.
 */
static int32_t read_subscriptions(w2n_wasi_context *context, wasi_memory memory, uint32_t in,
                                  uint32_t count, subscription *subscriptions, wait_plan *plan) {
    uint64_t now = monotonic_now();
    for (uint32_t i = 0; i < count; i++) {
        uint32_t at = in + i * WASI_SUBSCRIPTION_SIZE;
        subscription *current = &subscriptions[i];
        current->userdata = wasi_load_u64(memory, at);
        current->type = memory.base[at + 8];
        if (current->type == WASI_EVENTTYPE_CLOCK) {
            int32_t status = read_clock(memory, at, now, &current->deadline);
            if (status != WASI_ESUCCESS)
                return status;
            if (current->deadline < plan->earliest)
                plan->earliest = current->deadline;
            continue;
        }
        if (current->type != WASI_EVENTTYPE_FD_READ && current->type != WASI_EVENTTYPE_FD_WRITE)
            return WASI_EINVAL;
        int32_t fd = (int32_t)wasi_load_u32(memory, at + 16);
        uint64_t rights =
            WASI_RIGHT_POLL_FD_READWRITE |
            (current->type == WASI_EVENTTYPE_FD_READ ? WASI_RIGHT_FD_READ : WASI_RIGHT_FD_WRITE);
        current->entry = wasi_fd_get(context, fd, rights, &current->error);
        current->poll_slot = plan->polled_count++;
        struct pollfd *polled = &plan->polled[current->poll_slot];
        /* ppoll skips negative fds, so a subscription in error waits for nothing. */
        polled->fd = current->entry ? current->entry->host : -1;
        polled->events = current->type == WASI_EVENTTYPE_FD_READ ? POLLIN : POLLOUT;
        plan->has_errors |= current->entry == NULL;
    }
    return WASI_ESUCCESS;
}

/* Waits until a descriptor is ready or the earliest deadline passes, resuming after signals. */
static int32_t wait_for_events(const wait_plan *plan) {
    for (;;) {
        uint64_t now = monotonic_now();
        if (plan->polled_count == 0) {
            if (now >= plan->earliest)
                return WASI_ESUCCESS;
            struct timespec until = timespec_of(plan->earliest);
            int status = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL);
            if (status != 0 && status != EINTR)
                return wasi_errno(status);
            continue;
        }
        /* Events already decided (errors, passed deadlines) only need a look at the others. */
        struct timespec timeout = {0, 0};
        const struct timespec *bound = &timeout;
        if (!plan->has_errors && now < plan->earliest) {
            if (plan->earliest == NO_DEADLINE)
                bound = NULL;
            else
                timeout = timespec_of(plan->earliest - now);
        }
        int ready = ppoll(plan->polled, plan->polled_count, bound, NULL);
        if (ready < 0) {
            if (errno == EINTR)
                continue;
            return wasi_errno(errno);
        }
        if (ready > 0 || plan->has_errors || monotonic_now() >= plan->earliest)
            return WASI_ESUCCESS;
    }
}

/*
 * How many bytes a ready reader can take: what is left of a regular file after its position,
 * otherwise what the host queues for the pipe, socket or terminal (0 when it cannot say).
 */
static uint64_t readable_bytes(const wasi_fd *entry) {
    if (entry->filetype == WASI_FILETYPE_REGULAR_FILE) {
        struct stat status;
        off_t position = lseek(entry->host, 0, SEEK_CUR);
        if (position < 0 || fstat(entry->host, &status) != 0 || status.st_size <= position)
            return 0;
        return (uint64_t)(status.st_size - position);
    }
    int queued;
    if (ioctl(entry->host, FIONREAD, &queued) != 0 || queued < 0)
        return 0;
    return (uint64_t)queued;
}

static void store_event(wasi_memory memory, uint32_t at, const subscription *source, int32_t error,
                        uint64_t nbytes, uint16_t flags) {
    memset(memory.base + at, 0, WASI_EVENT_SIZE);
    wasi_store_u64(memory, at, source->userdata);
    wasi_store_u16(memory, at + 8, (uint16_t)error);
    wasi_store_u8(memory, at + 10, source->type);
    wasi_store_u64(memory, at + 16, nbytes);
    wasi_store_u16(memory, at + 24, flags);
}

/*
 * Writes one event per subscription that fired: clocks whose deadline has passed, descriptors
 * in error or ready. A host error condition on a descriptor is reported as WASI_EIO, which the
 * guest's poll() shows as POLLERR, as the host's would.
 */
static uint32_t store_events(wasi_memory memory, uint32_t out, const subscription *subscriptions,
                             uint32_t count, const struct pollfd *polled) {
    uint64_t now = monotonic_now();
    uint32_t fired = 0;
    for (uint32_t i = 0; i < count; i++) {
        const subscription *current = &subscriptions[i];
        uint32_t at = out + fired * WASI_EVENT_SIZE;
        if (current->type == WASI_EVENTTYPE_CLOCK) {
            if (current->deadline > now)
                continue;
            store_event(memory, at, current, WASI_ESUCCESS, 0, 0);
        } else if (!current->entry) {
            store_event(memory, at, current, current->error, 0, 0);
        } else {
            short revents = polled[current->poll_slot].revents;
            if (revents == 0)
                continue;
            int32_t error = revents & POLLNVAL  ? WASI_EBADF
                            : revents & POLLERR ? WASI_EIO
                                                : WASI_ESUCCESS;
            uint64_t nbytes = error == WASI_ESUCCESS && current->type == WASI_EVENTTYPE_FD_READ
                                  ? readable_bytes(current->entry)
                                  : 0;
            uint16_t flags = revents & POLLHUP ? WASI_EVENTRWFLAGS_HANGUP : 0;
            store_event(memory, at, current, error, nbytes, flags);
        }
        fired++;
    }
    return fired;
}

int32_t wasi_poll_oneoff(w2n_instance *caller, uint32_t in, uint32_t out, uint32_t nsubscriptions,
                         uint32_t nevents) {
    /* With nothing to wait for, the call could only block forever. */
    if (nsubscriptions == 0)
        return WASI_EINVAL;
    wasi_memory memory = wasi_caller_memory(caller);
    if (!wasi_in_bounds(memory, in, (uint64_t)nsubscriptions * WASI_SUBSCRIPTION_SIZE) ||
        !wasi_in_bounds(memory, out, (uint64_t)nsubscriptions * WASI_EVENT_SIZE) ||
        !wasi_in_bounds(memory, nevents, 4))
        return WASI_EFAULT;
    subscription *subscriptions = calloc(nsubscriptions, sizeof *subscriptions);
    wait_plan plan = {.polled = calloc(nsubscriptions, sizeof *plan.polled),
                      .earliest = NO_DEADLINE};
    int32_t status = WASI_ENOMEM;
    if (subscriptions && plan.polled) {
        status = read_subscriptions(wasi_context_of(caller), memory, in, nsubscriptions,
                                    subscriptions, &plan);
        if (status == WASI_ESUCCESS)
            status = wait_for_events(&plan);
        if (status == WASI_ESUCCESS)
            wasi_store_u32(memory, nevents,
                           store_events(memory, out, subscriptions, nsubscriptions, plan.polled));
    }
    free(plan.polled);
    free(subscriptions);
    return status;
}
