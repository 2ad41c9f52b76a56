/*
 * Sockets inherited on stdin (run by the `sockets` check of tests/wasi.rs with one end of a Unix
 * socket pair as standard input; native only: Wasmtime gives stdin no socket calls). Peeks,
 * receives with WAITALL, answers in upper case, shuts down writing, and checks that a
 * non-socket is ENOTSOCK and that bad flags are EINVAL.
 */
#include <stdio.h>
#include <wasi/api.h>

static __wasi_errno_t receive(char *buffer, size_t length, __wasi_riflags_t flags,
                              size_t *received) {
    __wasi_iovec_t iov = {(uint8_t *)buffer, length};
    __wasi_roflags_t roflags;
    return __wasi_sock_recv(0, &iov, 1, flags, received, &roflags);
}

int main(void) {
    char buffer[16] = {0};
    size_t received = 0;
    __wasi_errno_t error = receive(buffer, 3, __WASI_RIFLAGS_RECV_PEEK, &received);
    printf("peek %d %zu '%.*s'\n", error, received, (int)received, buffer);
    error = receive(buffer, 10, __WASI_RIFLAGS_RECV_WAITALL, &received);
    printf("waitall %d %zu '%.*s'\n", error, received, (int)received, buffer);
    for (size_t i = 0; i < received; i++)
        if (buffer[i] >= 'a' && buffer[i] <= 'z')
            buffer[i] -= 'a' - 'A';
    __wasi_ciovec_t reply = {(const uint8_t *)buffer, received};
    size_t sent = 0;
    error = __wasi_sock_send(0, &reply, 1, 0, &sent);
    printf("send %d %zu\n", error, sent);
    printf("bad send flags %d\n", __wasi_sock_send(0, &reply, 1, 1, &sent));
    printf("bad shutdown %d\n", __wasi_sock_shutdown(0, 0));
    printf("shutdown %d\n", __wasi_sock_shutdown(0, __WASI_SDFLAGS_WR));
    error = receive(buffer, 10, 0, &received);
    printf("after peer closed %d %zu\n", error, received);
    fflush(stdout);
    printf("not a socket %d\n", __wasi_sock_shutdown(1, __WASI_SDFLAGS_WR));
    return 0;
}
