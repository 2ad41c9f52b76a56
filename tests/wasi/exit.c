/* Exit paths, chosen by the first argument: returning 0 from main, exit(3), _Exit(42) (a direct
   proc_exit without atexit handlers or stdio flushing), and a trap (__builtin_trap). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void at_exit(void) { printf("atexit handler ran\n"); }

int main(int argc, char **argv) {
    const char *mode = argc > 1 ? argv[1] : "return";
    atexit(at_exit);
    printf("mode %s\n", mode);
    if (strcmp(mode, "exit") == 0)
        exit(3);
    if (strcmp(mode, "_Exit") == 0) {
        fflush(stdout);
        _Exit(42);
    }
    if (strcmp(mode, "trap") == 0) {
        fflush(stdout);
        __builtin_trap();
    }
    return 0;
}
