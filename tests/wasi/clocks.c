/* Clocks, printing only facts that hold on every run: the monotonic clock never goes back and
   advances over busy work, the realtime clock is after 2020 and agrees with time() and
   gettimeofday(), and both clocks report a non-zero resolution. */
#include <stdint.h>
#include <stdio.h>
#include <sys/time.h>
#include <time.h>

static int64_t nanoseconds(clockid_t clock) {
    struct timespec now;
    if (clock_gettime(clock, &now) != 0)
        return -1;
    return (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
}

int main(void) {
    int64_t previous = nanoseconds(CLOCK_MONOTONIC);
    int never_back = previous >= 0;
    volatile uint64_t work = 0;
    for (int i = 0; i < 200000; i++) {
        work += (uint64_t)i * i;
        int64_t now = nanoseconds(CLOCK_MONOTONIC);
        never_back &= now >= previous;
        previous = now;
    }
    int64_t start = nanoseconds(CLOCK_MONOTONIC);
    for (int i = 0; i < 20000000; i++)
        work += (uint64_t)i ^ work;
    printf("monotonic never goes back: %d\n", never_back);
    printf("monotonic advances over work: %d\n", nanoseconds(CLOCK_MONOTONIC) > start);

    const int64_t year_2020 = 1577836800, year_2100 = 4102444800;
    int64_t real_seconds = nanoseconds(CLOCK_REALTIME) / 1000000000;
    printf("realtime after 2020 and before 2100: %d\n",
           real_seconds > year_2020 && real_seconds < year_2100);
    time_t seconds = time(NULL);
    printf("time() agrees with realtime: %d\n",
           seconds - real_seconds >= 0 && seconds - real_seconds < 5);
    struct timeval tv;
    int timeval_ok = gettimeofday(&tv, NULL) == 0 && tv.tv_usec >= 0 && tv.tv_usec < 1000000;
    printf("gettimeofday agrees: %d\n",
           timeval_ok && tv.tv_sec - real_seconds >= 0 && tv.tv_sec - real_seconds < 5);

    const clockid_t clocks[] = {CLOCK_MONOTONIC, CLOCK_REALTIME};
    const char *names[] = {"monotonic", "realtime"};
    for (int i = 0; i < 2; i++) {
        struct timespec resolution = {0, 0};
        int status = clock_getres(clocks[i], &resolution);
        int positive = resolution.tv_sec > 0 || resolution.tv_nsec > 0;
        printf("%s resolution non-zero and at most 1 s: %d\n", names[i],
               status == 0 && positive && resolution.tv_sec <= 1);
    }
    struct tm broken;
    printf("gmtime year >= 2020: %d\n",
           gmtime_r(&seconds, &broken) != NULL && broken.tm_year + 1900 >= 2020);
    return 0;
}
