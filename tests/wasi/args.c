/* Command-line arguments: every argument after the program name printed in brackets, so that
   empty strings, spaces, quotes and non-ASCII bytes are passed through unchanged. */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv) {
    printf("argc %d\n", argc);
    printf("argv[0] present: %d\n", argv[0] != NULL && argv[0][0] != '\0');
    for (int i = 1; i < argc; i++)
        printf("argv[%d] (%zu bytes) [%s]\n", i, strlen(argv[i]), argv[i]);
    printf("argv[argc] is NULL: %d\n", argv[argc] == NULL);
    return 0;
}
