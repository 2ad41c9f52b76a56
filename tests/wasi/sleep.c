/* Sleeping through poll_oneoff: nanosleep, usleep, an absolute clock_nanosleep and poll() with a
   timeout and no descriptors each last at least as long as asked; a poll on a regular file
   reports it readable at once; sched_yield succeeds. Only "ok" or "short" is printed, never a
   duration. */
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static int64_t now_ns(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
}

static void report(const char *what, int64_t start, int64_t at_least_ms) {
    int64_t elapsed = now_ns() - start;
    printf("%s: %s\n", what, elapsed >= at_least_ms * 1000000 ? "ok" : "short");
}

int main(void) {
    int64_t start = now_ns();
    struct timespec fifty_ms = {0, 50 * 1000000};
    int status = nanosleep(&fifty_ms, NULL);
    report(status == 0 ? "nanosleep 50 ms" : "nanosleep failed", start, 50);

    start = now_ns();
    usleep(20000);
    report("usleep 20 ms", start, 20);

    start = now_ns();
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_nsec += 30 * 1000000;
    if (deadline.tv_nsec >= 1000000000) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000;
    }
    status = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &deadline, NULL);
    report(status == 0 ? "clock_nanosleep absolute 30 ms" : "clock_nanosleep failed", start, 30);

    start = now_ns();
    status = poll(NULL, 0, 25);
    report(status == 0 ? "poll without descriptors 25 ms" : "poll failed", start, 25);

    start = now_ns();
    struct timespec zero = {0, 0};
    printf("nanosleep 0: %s\n", nanosleep(&zero, NULL) == 0 ? "ok" : "failed");

    printf("sched_yield: %d\n", sched_yield());

    int fd = open("/sandbox/hello.txt", O_RDONLY);
    struct pollfd file = {fd, POLLIN, 0};
    status = poll(&file, 1, 5000);
    printf("poll on a file: returned %d, readable %d\n", status, (file.revents & POLLIN) != 0);
    close(fd);
    return 0;
}
