/* Standard streams: stdin (a pipe from the runner) polled, read line by line to its end and
   echoed, stdout through stdio and through raw write(), seeking on a pipe refused, stderr
   written once (the runner checks it). */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Polls one standard stream; prints whether the asked event came (hang-up bits are not printed:
   whether a closed pipe also reports one is the runtime's choice). */
static void poll_stream(const char *what, int fd, short events) {
    struct pollfd stream = {fd, events, 0};
    int ready = poll(&stream, 1, 5000);
    printf("poll %s: %d ready, asked event %d\n", what, ready, (stream.revents & events) != 0);
}

int main(void) {
    poll_stream("stdin for input", STDIN_FILENO, POLLIN);
    char line[256];
    int lines = 0;
    size_t bytes = 0;
    while (fgets(line, sizeof line, stdin)) {
        lines++;
        bytes += strlen(line);
        size_t length = strlen(line);
        int has_newline = length > 0 && line[length - 1] == '\n';
        printf("echo %d: [%.*s]%s\n", lines, (int)(length - has_newline), line,
               has_newline ? "" : " (no newline)");
    }
    printf("stdin: %d lines, %zu bytes, eof %d, error %d\n", lines, bytes, feof(stdin) != 0,
           ferror(stdin) != 0);
    /* A read after end of input returns 0 again rather than blocking or failing. */
    char byte;
    printf("read after eof: %zd\n", read(STDIN_FILENO, &byte, 1));
    poll_stream("stdin at its end", STDIN_FILENO, POLLIN);
    poll_stream("stdout for output", STDOUT_FILENO, POLLOUT);
    printf("stdout is a terminal: %d\n", isatty(STDOUT_FILENO));
    off_t position = lseek(STDOUT_FILENO, 0, SEEK_CUR);
    printf("lseek on stdout: %lld (%s)\n", (long long)position, strerror(errno));
    fflush(stdout);
    const char raw[] = "raw write to fd 1\n";
    printf("raw write returned %zd\n", write(STDOUT_FILENO, raw, sizeof raw - 1));
    fputs("to stderr\n", stderr);
    return 0;
}
