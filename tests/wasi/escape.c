/* Attempts to leave the granted directory /sandbox. The fixture holds, beside the granted
   directory, outside/secret.txt, and inside it links that point out: evil_file and evil_dir
   (relative), evil_abs_file and evil_abs_dir (absolute host paths), evil_new (to a file that does
   not exist yet). argv[1] is the host path of outside/. Each attempt prints "denied" or "ESCAPED",
   never an errno, since runtimes differ in which error they give; the runner checks afterwards
   that nothing outside changed and nothing was created there. */
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wasi/api.h>

/* path_open imported directly: the <wasi/api.h> wrapper measures the path with strlen, which
   would hide the NUL bytes this test sends. */
__attribute__((import_module("wasi_snapshot_preview1"), import_name("path_open"))) int32_t
raw_path_open(int32_t fd, int32_t dirflags, const char *path, int32_t path_length, int32_t oflags,
              int64_t rights_base, int64_t rights_inheriting, int32_t fdflags, int32_t *opened);

static int escapes = 0;

static void verdict(const char *attempt, int succeeded) {
    printf("%-58s %s\n", attempt, succeeded ? "ESCAPED" : "denied");
    escapes += succeeded;
}

static void try_open(const char *attempt, const char *path, int flags) {
    int fd = open(path, flags, 0644);
    verdict(attempt, fd >= 0);
    if (fd >= 0)
        close(fd);
}

static void try_stat(const char *attempt, const char *path) {
    struct stat info;
    verdict(attempt, stat(path, &info) == 0);
}

static void try_opendir(const char *attempt, const char *path) {
    DIR *dir = opendir(path);
    verdict(attempt, dir != NULL && readdir(dir) != NULL);
    if (dir)
        closedir(dir);
}

static void try_raw_open(const char *attempt, int dir_fd, const char *path, size_t length) {
    int32_t opened = -1;
    const int64_t read_rights = __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_SEEK;
    int32_t error = raw_path_open(dir_fd, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, path, (int32_t)length,
                                  0, read_rights, 0, 0, &opened);
    verdict(attempt, error == 0);
    if (error == 0)
        close(opened);
}

/* Creates a link to `target` at `link_path` and opens `open_path` with `flags`. The runtime may
   refuse to create such a link; then an open that succeeds (say an O_CREAT that made a plain file
   inside) is no escape. The link is removed again so both runtimes leave the same tree. */
static void try_own_link(const char *attempt, const char *target, const char *link_path,
                         const char *open_path, int flags) {
    symlink(target, link_path);
    struct stat info;
    int link_made = lstat(link_path, &info) == 0 && S_ISLNK(info.st_mode);
    int fd = open(open_path, flags, 0644);
    verdict(attempt, fd >= 0 && link_made);
    if (fd >= 0)
        close(fd);
    unlink(link_path);
}

static int file_is(const char *path, const char *expected) {
    char buffer[64] = {0};
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return 0;
    ssize_t count = read(fd, buffer, sizeof buffer - 1);
    close(fd);
    return count == (ssize_t)strlen(expected) && memcmp(buffer, expected, (size_t)count) == 0;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: escape HOST_OUTSIDE_DIR\n");
        return 2;
    }
    char host_secret[512], host_planted[512], path[1024];
    snprintf(host_secret, sizeof host_secret, "%s/secret.txt", argv[1]);
    snprintf(host_planted, sizeof host_planted, "%s/planted.txt", argv[1]);
    int sandbox = open("/sandbox", O_RDONLY | O_DIRECTORY);
    printf("sandbox opened: %d\n", sandbox >= 0);
    close(open("/sandbox/movable.txt", O_CREAT | O_WRONLY, 0644));

    printf("reading through `..`:\n");
    try_open("../outside/secret.txt", "/sandbox/../outside/secret.txt", O_RDONLY);
    try_open("sub/../../outside/secret.txt", "/sandbox/sub/../../outside/secret.txt", O_RDONLY);
    try_open("./../outside/secret.txt", "/sandbox/./../outside/secret.txt", O_RDONLY);
    try_open("sub/..//../outside/secret.txt", "/sandbox/sub/..//../outside/secret.txt", O_RDONLY);
    try_open("sub/deeper/../../../outside/secret.txt",
             "/sandbox/sub/deeper/../../../outside/secret.txt", O_RDONLY);
    try_open("open .. as a directory", "/sandbox/..", O_RDONLY | O_DIRECTORY);
    try_opendir("list ..", "/sandbox/..");
    try_stat("stat ..", "/sandbox/..");
    try_stat("stat ../outside/secret.txt", "/sandbox/../outside/secret.txt");
    verdict("openat(sandbox fd, ../outside/secret.txt)",
            openat(sandbox, "../outside/secret.txt", O_RDONLY) >= 0);
    try_raw_open("path_open ../outside/secret.txt", sandbox, "../outside/secret.txt", 21);
    try_raw_open("path_open ..", sandbox, "..", 2);
    char deep[512] = "";
    for (int i = 0; i < 40; i++)
        strcat(deep, "sub/../");
    strcat(deep, "../outside/secret.txt");
    try_raw_open("path_open (sub/..)x40/../outside/secret.txt", sandbox, deep, strlen(deep));
    chdir("/sandbox/sub");
    try_open("chdir sub, then ../../outside/secret.txt", "../../outside/secret.txt", O_RDONLY);
    chdir("/");

    printf("absolute paths:\n");
    try_open("/outside/secret.txt (no such grant)", "/outside/secret.txt", O_RDONLY);
    try_open("the host path of secret.txt", host_secret, O_RDONLY);
    try_raw_open("path_open of the absolute host path", sandbox, host_secret, strlen(host_secret));
    try_raw_open("path_open /", sandbox, "/", 1);
    try_opendir("list /", "/");

    printf("links placed by the fixture:\n");
    try_open("evil_file -> ../outside/secret.txt", "/sandbox/evil_file", O_RDONLY);
    try_open("evil_dir/secret.txt", "/sandbox/evil_dir/secret.txt", O_RDONLY);
    try_open("evil_abs_file -> host path", "/sandbox/evil_abs_file", O_RDONLY);
    try_open("evil_abs_dir/secret.txt", "/sandbox/evil_abs_dir/secret.txt", O_RDONLY);
    try_stat("stat evil_file", "/sandbox/evil_file");
    try_stat("stat evil_dir/secret.txt", "/sandbox/evil_dir/secret.txt");
    try_opendir("list evil_dir", "/sandbox/evil_dir");
    try_opendir("list evil_abs_dir", "/sandbox/evil_abs_dir");
    try_raw_open("path_open evil_file", sandbox, "evil_file", 9);

    printf("trailing slashes and dots:\n");
    try_open("evil_dir/", "/sandbox/evil_dir/", O_RDONLY | O_DIRECTORY);
    try_open("evil_dir/.", "/sandbox/evil_dir/.", O_RDONLY | O_DIRECTORY);
    try_open("evil_dir/./secret.txt", "/sandbox/evil_dir/./secret.txt", O_RDONLY);
    try_open("evil_dir//secret.txt", "/sandbox/evil_dir//secret.txt", O_RDONLY);
    try_open("evil_file/", "/sandbox/evil_file/", O_RDONLY);
    try_open("evil_abs_dir/", "/sandbox/evil_abs_dir/", O_RDONLY | O_DIRECTORY);
    try_opendir("list sub/../..", "/sandbox/sub/../..");
    try_opendir("list ../", "/sandbox/../");

    printf("links the program makes:\n");
    try_own_link("own link -> ../outside/secret.txt", "../outside/secret.txt", "/sandbox/own",
                 "/sandbox/own", O_RDONLY);
    try_own_link("own link -> ../outside, then own/secret.txt", "../outside", "/sandbox/own",
                 "/sandbox/own/secret.txt", O_RDONLY);
    try_own_link("own link -> host path of secret.txt", host_secret, "/sandbox/own", "/sandbox/own",
                 O_RDONLY);
    try_own_link("own link -> /sandbox/hello.txt (absolute)", "/sandbox/hello.txt", "/sandbox/own",
                 "/sandbox/own", O_RDONLY);
    try_own_link("sub/own -> ../../outside/secret.txt", "../../outside/secret.txt",
                 "/sandbox/sub/own", "/sandbox/sub/own", O_RDONLY);
    symlink("sub/hop", "/sandbox/hop");
    try_own_link("hop -> sub/hop -> ../../outside/secret.txt", "../../outside/secret.txt",
                 "/sandbox/sub/hop", "/sandbox/hop", O_RDONLY);
    unlink("/sandbox/hop");
    /* Each link alone stays inside; together, sub/parent/.. is the fixture's root. */
    symlink("..", "/sandbox/sub/parent");
    try_own_link("up -> sub/parent/.. (a link then ..)", "sub/parent/..", "/sandbox/up",
                 "/sandbox/up/outside/secret.txt", O_RDONLY);
    unlink("/sandbox/sub/parent");
    /* deep/.. is sub, so deep/../../.. is the fixture's root. */
    symlink("sub/deeper", "/sandbox/deep");
    try_open("deep -> sub/deeper, then deep/../../../outside/secret.txt",
             "/sandbox/deep/../../../outside/secret.txt", O_RDONLY);
    unlink("/sandbox/deep");
    symlink("loop-b", "/sandbox/loop-a");
    symlink("loop-a", "/sandbox/loop-b");
    try_open("a loop of links", "/sandbox/loop-a", O_RDONLY);
    unlink("/sandbox/loop-a");
    unlink("/sandbox/loop-b");

    printf("creating and writing outside:\n");
    try_open("O_CREAT through evil_new (dangling)", "/sandbox/evil_new", O_CREAT | O_WRONLY);
    try_open("O_CREAT evil_dir/planted.txt", "/sandbox/evil_dir/planted.txt", O_CREAT | O_WRONLY);
    try_open("O_CREAT ../outside/planted.txt", "/sandbox/../outside/planted.txt",
             O_CREAT | O_WRONLY);
    try_open("O_CREAT evil_abs_dir/planted.txt", "/sandbox/evil_abs_dir/planted.txt",
             O_CREAT | O_WRONLY);
    try_open("O_WRONLY|O_TRUNC through evil_file", "/sandbox/evil_file", O_WRONLY | O_TRUNC);
    try_open("O_RDONLY|O_TRUNC through evil_file", "/sandbox/evil_file", O_RDONLY | O_TRUNC);
    try_open("O_WRONLY|O_APPEND through evil_abs_file", "/sandbox/evil_abs_file",
             O_WRONLY | O_APPEND);
    try_own_link("O_CREAT through an own link to the host path", host_planted, "/sandbox/own",
                 "/sandbox/own", O_CREAT | O_WRONLY);
    try_own_link("O_CREAT|O_WRONLY through an own dangling link", "../outside/planted.txt",
                 "/sandbox/own", "/sandbox/own", O_CREAT | O_WRONLY);
    verdict("truncate(evil_file)", truncate("/sandbox/evil_file", 0) == 0);
    verdict("mkdir ../outside/newdir", mkdir("/sandbox/../outside/newdir", 0755) == 0);
    verdict("mkdir evil_dir/newdir", mkdir("/sandbox/evil_dir/newdir", 0755) == 0);
    verdict("symlink at evil_dir/newlink", symlink("x", "/sandbox/evil_dir/newlink") == 0);
    struct timespec times[2] = {{1000000000, 0}, {1000000000, 0}};
    verdict("utimensat through evil_file",
            utimensat(AT_FDCWD, "/sandbox/evil_file", times, 0) == 0);

    printf("renaming, linking and removing across the boundary:\n");
    verdict("rename movable.txt to ../outside/",
            rename("/sandbox/movable.txt", "/sandbox/../outside/moved.txt") == 0);
    verdict("rename movable.txt into evil_dir/",
            rename("/sandbox/movable.txt", "/sandbox/evil_dir/moved.txt") == 0);
    verdict("rename movable.txt into evil_abs_dir/",
            rename("/sandbox/movable.txt", "/sandbox/evil_abs_dir/moved.txt") == 0);
    verdict("rename evil_dir/secret.txt in",
            rename("/sandbox/evil_dir/secret.txt", "/sandbox/stolen.txt") == 0);
    verdict("rename ../outside/secret.txt in",
            rename("/sandbox/../outside/secret.txt", "/sandbox/stolen.txt") == 0);
    verdict("rename sub to ../outside/sub", rename("/sandbox/sub", "/sandbox/../outside/sub") == 0);
    verdict("link movable.txt to ../outside/",
            link("/sandbox/movable.txt", "/sandbox/../outside/hard.txt") == 0);
    verdict("link movable.txt into evil_dir/",
            link("/sandbox/movable.txt", "/sandbox/evil_dir/hard.txt") == 0);
    verdict("link evil_dir/secret.txt in",
            link("/sandbox/evil_dir/secret.txt", "/sandbox/hard.txt") == 0);
    verdict("linkat following evil_file", linkat(AT_FDCWD, "/sandbox/evil_file", AT_FDCWD,
                                                 "/sandbox/hard.txt", AT_SYMLINK_FOLLOW) == 0);
    verdict("unlink evil_dir/secret.txt", unlink("/sandbox/evil_dir/secret.txt") == 0);
    verdict("unlink ../outside/secret.txt", unlink("/sandbox/../outside/secret.txt") == 0);
    verdict("rmdir ../outside", rmdir("/sandbox/../outside") == 0);
    verdict("rmdir .", rmdir("/sandbox/.") == 0);

    printf("NUL bytes in paths:\n");
    try_raw_open("path_open \"keep.txt\\0junk\"", sandbox, "keep.txt\0junk", 13);
    try_raw_open("path_open \"../outside/secret.txt\\0\"", sandbox, "../outside/secret.txt\0", 22);
    snprintf(path, sizeof path, "hello.txt%c/../../outside/secret.txt", '\0');
    try_raw_open("path_open \"hello.txt\\0/../../outside/secret.txt\"", sandbox, path, 36);

    printf("final check: hello.txt intact %d, movable.txt in place %d, escapes %d\n",
           file_is("/sandbox/hello.txt", "hello, sandbox\n"),
           access("/sandbox/movable.txt", F_OK) == 0, escapes);
    unlink("/sandbox/movable.txt");
    return escapes ? 1 : 0;
}
