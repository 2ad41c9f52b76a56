/* A bad pointer dereferenced three calls deep, for tests/debug.rs. clang keeps the three
 * functions apart (noinline); wasm2native's optimiser inlines them into main, and the backtrace
 * still names each. */
#include <stdio.h>

__attribute__((noinline)) int deep(int *p, int n) { return p[n] + 1; }

__attribute__((noinline)) int middle(int *p, int n) { return deep(p, n * 1000000) * 2; }

__attribute__((noinline)) int outer(int n) {
    int a[4] = {1, 2, 3, 4};
    return middle(a, n) + a[n & 3];
}

int main(int argc, char **argv) {
    (void)argv;
    printf("start\n");
    return outer(argc + 500);
}
