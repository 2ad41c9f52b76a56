/* A WASI reactor compiled to Wasm: exports that print, read and append to granted files, and
   exit. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <wasi/api.h>

extern char **environ;

/* Prints the arguments and the environment the runtime gives. */
__attribute__((export_name("show_args"))) void show_args(void) {
    size_t count, size;
    if (__wasi_args_sizes_get(&count, &size) != 0)
        return;
    char *argv[count];
    char buffer[size];
    if (__wasi_args_get((uint8_t **)argv, (uint8_t *)buffer) != 0)
        return;
    for (size_t i = 0; i < count; i++)
        printf("arg %s\n", argv[i]);
    for (char **entry = environ; *entry; entry++)
        printf("env %s\n", *entry);
    fflush(stdout);
}

/* Prints the text of `path`, or why it cannot. */
__attribute__((export_name("show_file"))) int show_file(const char *path) {
    FILE *file = fopen(path, "r");
    if (!file) {
        printf("cannot open %s\n", path);
        fflush(stdout);
        return -1;
    }
    char text[256];
    size_t length = fread(text, 1, sizeof text - 1, file);
    text[length] = '\0';
    fclose(file);
    printf("file %s: %s\n", path, text);
    fflush(stdout);
    return (int)length;
}

/* Appends a line to `path`, creating it; 0, or the errno of what failed. */
__attribute__((export_name("append_line"))) int append_line(const char *path) {
    FILE *file = fopen(path, "a");
    if (!file)
        return errno;
    int failed = fputs("appended\n", file) < 0;
    return fclose(file) != 0 || failed ? errno : 0;
}

/* A buffer in this module's memory that the host fills with a path for show_file. */
static char path_buffer[128];

__attribute__((export_name("path_buffer"))) char *path_buffer_address(void) { return path_buffer; }

__attribute__((export_name("quit"))) void quit(int status) { exit(status); }
