/* Symbolic links that stay inside the granted directory: symlink and readlink, stat through a
   link and lstat of the link itself, links to directories and with `..` that stays inside,
   `..` after a link (resolved from the link's target), dangling links, O_NOFOLLOW, renaming and
   unlinking a link, and a loop of links. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *result(int status) { return status == 0 ? "ok" : strerror(errno); }

static void show_link(const char *path) {
    char target[256];
    ssize_t length = readlink(path, target, sizeof target);
    if (length < 0)
        printf("  readlink %s: %s\n", path, strerror(errno));
    else
        printf("  readlink %s: [%.*s]\n", path, (int)length, target);
}

static void read_through(const char *path) {
    char buffer[64];
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        printf("  read %s: %s\n", path, strerror(errno));
        return;
    }
    ssize_t count = read(fd, buffer, sizeof buffer);
    close(fd);
    printf("  read %s: [%.*s]\n", path, (int)(count > 0 ? count - 1 : 0), buffer);
}

int main(void) {
    struct stat info;
    printf("a link to a file:\n");
    printf("  symlink: %s\n", result(symlink("hello.txt", "/sandbox/link")));
    show_link("/sandbox/link");
    read_through("/sandbox/link");
    int followed = stat("/sandbox/link", &info) == 0 && S_ISREG(info.st_mode);
    printf("  stat follows: %d, size %lld\n", followed, (long long)info.st_size);
    int is_link = lstat("/sandbox/link", &info) == 0 && S_ISLNK(info.st_mode);
    printf("  lstat sees the link: %d, size %lld\n", is_link, (long long)info.st_size);
    printf("  symlink over an existing name: %s\n", result(symlink("keep.txt", "/sandbox/link")));
    printf("  readlink of a regular file: %s\n",
           result(readlink("/sandbox/hello.txt", (char[8]){0}, 8) < 0 ? -1 : 0));
    char small[4];
    ssize_t partial = readlink("/sandbox/link", small, sizeof small);
    printf("  readlink into 4 bytes: %zd [%.*s]\n", partial, (int)(partial > 0 ? partial : 0),
           small);

    printf("links to directories and through `..` inside:\n");
    printf("  symlink sub: %s\n", result(symlink("sub", "/sandbox/sublink")));
    read_through("/sandbox/sublink/nested.txt");
    printf("  symlink sub/deeper/up -> ../../hello.txt: %s\n",
           result(symlink("../../hello.txt", "/sandbox/sub/deeper/up")));
    read_through("/sandbox/sub/deeper/up");
    printf("  symlink sub/deeper/top -> ../..: %s\n",
           result(symlink("../..", "/sandbox/sub/deeper/top")));
    read_through("/sandbox/sub/deeper/top/keep.txt");
    printf("  a chain link2 -> link -> hello.txt: %s\n", result(symlink("link", "/sandbox/link2")));
    read_through("/sandbox/link2");
    /* `..` after a link goes up from where the link points (sub/deeper), not from the link. */
    printf("  symlink deep -> sub/deeper: %s\n", result(symlink("sub/deeper", "/sandbox/deep")));
    read_through("/sandbox/deep/../nested.txt");
    read_through("/sandbox/deep/../../keep.txt");
    unlink("/sandbox/deep");

    printf("dangling links:\n");
    printf("  symlink to nothing: %s\n", result(symlink("nothing.txt", "/sandbox/dangling")));
    printf("  stat: %s\n", result(stat("/sandbox/dangling", &info)));
    printf("  lstat: %s\n", result(lstat("/sandbox/dangling", &info)));
    read_through("/sandbox/dangling");

    printf("no-follow:\n");
    int fd = open("/sandbox/link", O_RDONLY | O_NOFOLLOW);
    printf("  open O_NOFOLLOW on a link: %s\n", fd >= 0 ? "opened" : "refused");
    if (fd >= 0)
        close(fd);
    fd = open("/sandbox/hello.txt", O_RDONLY | O_NOFOLLOW);
    printf("  open O_NOFOLLOW on a file: %s\n", fd >= 0 ? "opened" : strerror(errno));
    close(fd);
    printf("  fstatat AT_SYMLINK_NOFOLLOW: %d\n",
           fstatat(AT_FDCWD, "/sandbox/link2", &info, AT_SYMLINK_NOFOLLOW) == 0 &&
               S_ISLNK(info.st_mode));

    printf("loops:\n");
    symlink("loop-b", "/sandbox/loop-a");
    symlink("loop-a", "/sandbox/loop-b");
    printf("  open a loop: %s\n", result(open("/sandbox/loop-a", O_RDONLY) < 0 ? -1 : 0));
    printf("  stat a loop: %s\n", result(stat("/sandbox/loop-a/x", &info)));
    symlink("self", "/sandbox/self");
    printf("  open a self link: %s\n", result(open("/sandbox/self", O_RDONLY) < 0 ? -1 : 0));

    printf("rename and unlink links:\n");
    printf("  rename link2: %s\n", result(rename("/sandbox/link2", "/sandbox/link3")));
    show_link("/sandbox/link3");
    printf("  unlink link3: %s\n", result(unlink("/sandbox/link3")));
    printf("  unlink sublink (a link to a directory): %s\n", result(unlink("/sandbox/sublink")));
    printf("  target still there: %s\n", result(stat("/sandbox/sub/nested.txt", &info)));
    printf("  unlink dangling, loop-a, loop-b, self: %s", result(unlink("/sandbox/dangling")));
    printf(" %s", result(unlink("/sandbox/loop-a")));
    printf(" %s", result(unlink("/sandbox/loop-b")));
    printf(" %s\n", result(unlink("/sandbox/self")));
    return 0;
}
