/* A C program for gdb, in tests/source_debug.rs: its lines, functions and locals, in C terms.
 * The test breaks at the lines marked BREAK; keep them where they are or update the test. */
#include <stdio.h>

struct point {
    int x;
    int y;
};

static int square(int v) { return v * v; }

int sum_points(struct point *points, int count) {
    int total = 0;
    for (int i = 0; i < count; i++) {
        total += square(points[i].x) + points[i].y;
    }
    return total; /* BREAK 1 */
}

int main(void) {
    struct point points[3] = {{1, 2}, {3, 4}, {5, 6}};
    int count = 3;
    double scale = 0.5;
    int result = sum_points(points, count);
    printf("result %d\n", (int)(result * scale * 2)); /* BREAK 2 */
    return 0;
}
