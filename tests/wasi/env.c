/* Environment: exactly the variables granted (sorted, so the order is deterministic), getenv of
   a present, an empty and a missing name, and setenv/unsetenv inside the program. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

static int compare_strings(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(void) {
    size_t count = 0;
    while (environ[count])
        count++;
    char **sorted = malloc((count + 1) * sizeof *sorted);
    memcpy(sorted, environ, count * sizeof *sorted);
    qsort(sorted, count, sizeof *sorted, compare_strings);
    printf("%zu variables\n", count);
    for (size_t i = 0; i < count; i++)
        printf("[%s]\n", sorted[i]);
    const char *empty = getenv("EMPTY");
    printf("FOO=%s EMPTY is %s MISSING is %s\n", getenv("FOO"),
           empty ? (*empty ? "non-empty" : "empty") : "unset", getenv("MISSING") ? "set" : "unset");
    setenv("ADDED", "later", 1);
    unsetenv("FOO");
    printf("after setenv/unsetenv: ADDED=%s FOO is %s\n", getenv("ADDED"),
           getenv("FOO") ? "set" : "unset");
    return 0;
}
