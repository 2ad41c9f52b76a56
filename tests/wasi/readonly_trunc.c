/* A file opened read-only with O_TRUNC keeps its contents: the descriptor asked for no write
   access, so the open must not change the file (it may fail, or succeed without truncating). */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

int main(void) {
    int fd = open("/sandbox/keep.txt", O_RDONLY | O_TRUNC);
    if (fd >= 0)
        close(fd);
    struct stat info;
    stat("/sandbox/keep.txt", &info);
    printf("keep.txt after O_RDONLY|O_TRUNC: %lld bytes, %s\n", (long long)info.st_size,
           info.st_size == 8 ? "intact" : "TRUNCATED");
    return 0;
}
