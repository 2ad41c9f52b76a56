/* A bad pointer read in a function clang inlines, for tests/source_debug.rs: the module's own
 * DWARF describes the inlined call, and the native code keeps it. */
#include <stdio.h>

static inline int read_at(const int *p, int n) {
    int value = p[n]; /* TRAP */
    return value;
}

__attribute__((noinline)) int lookup(const int *table, int n) {
    return read_at(table, n * 1000000) + 1;
}

int main(int argc, char **argv) {
    (void)argv;
    int table[4] = {1, 2, 3, 4};
    printf("start\n");
    return lookup(table, argc + 500);
}
