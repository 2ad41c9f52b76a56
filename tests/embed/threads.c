/* Eight instances used from eight threads at once, each doing work and trapping now and then. */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "work.h"

#define THREADS 8
#define ROUNDS 1000
#define LENGTH 1000

typedef struct job {
    int number;
    int64_t total;
    int traps;
    int wrong; /* traps with an unexpected code or message, or calls that failed */
} job;

/* Holds every thread until all have their instance, so that they run at once. */
static pthread_barrier_t start;

/* Expects `code` to be the trap `expected` with `message`, and counts it. */
static void expect_trap(job *job, work_instance *instance, wasm2native_trap code,
                        wasm2native_trap expected, const char *message) {
    job->traps++;
    if (code != expected || strcmp(work_last_trap(instance)->message, message) != 0)
        job->wrong++;
}

static void *run(void *argument) {
    job *job = (struct job *)argument;
    work_instance *instance = work_new(NULL, NULL);
    pthread_barrier_wait(&start);
    if (!instance) {
        job->wrong++;
        return NULL;
    }
    int32_t value;
    for (int round = 0; round < ROUNDS; round++) {
        int64_t sum = 0;
        if (work_checksum(instance, job->number * 1000 + round, LENGTH, &sum) !=
            WASM2NATIVE_TRAP_NONE)
            job->wrong++;
        job->total += sum;
        if (round % 20 == 0)
            expect_trap(job, instance, work_div(instance, round, 0, &value),
                        WASM2NATIVE_TRAP_INTEGER_DIVIDE_BY_ZERO, "integer divide by zero");
        if (round % 50 == 0)
            expect_trap(job, instance, work_load(instance, 70000, &value),
                        WASM2NATIVE_TRAP_MEMORY_OUT_OF_BOUNDS, "out of bounds memory access");
        if (round == 100)
            expect_trap(job, instance, work_deep(instance, 0, &value),
                        WASM2NATIVE_TRAP_STACK_EXHAUSTED, "call stack exhausted");
    }
    work_free(instance);
    return NULL;
}

int main(void) {
    pthread_t threads[THREADS];
    job jobs[THREADS];
    pthread_barrier_init(&start, NULL, THREADS);
    for (int i = 0; i < THREADS; i++) {
        jobs[i] = (job){.number = i};
        if (pthread_create(&threads[i], NULL, run, &jobs[i]) != 0)
            return 1;
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(threads[i], NULL);
        printf("thread %d: total %" PRId64 " traps %d wrong %d\n", i, jobs[i].total, jobs[i].traps,
               jobs[i].wrong);
    }
    return 0;
}
