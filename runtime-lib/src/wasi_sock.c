/*
 * Sockets the program inherited as descriptors (preview 1 has no way to create one): accept
 * connections, receive, send and shut down, each on the host socket behind the guest fd.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "wasi_internal.h"

/* The socket behind `fd` if it holds `rights`; any other kind of descriptor is WASI_ENOTSOCK. */
static wasi_fd *socket_get(w2n_instance *caller, int32_t fd, uint64_t rights, int32_t *error) {
    wasi_fd *entry = wasi_fd_get(wasi_context_of(caller), fd, rights, error);
    if (entry && entry->filetype != WASI_FILETYPE_SOCKET_STREAM &&
        entry->filetype != WASI_FILETYPE_SOCKET_DGRAM) {
        *error = WASI_ENOTSOCK;
        return NULL;
    }
    return entry;
}

static uint8_t socket_filetype(int host) {
    int type;
    socklen_t length = sizeof type;
    if (getsockopt(host, SOL_SOCKET, SO_TYPE, &type, &length) == 0 && type == SOCK_DGRAM)
        return WASI_FILETYPE_SOCKET_DGRAM;
    return WASI_FILETYPE_SOCKET_STREAM;
}

int32_t wasi_sock_accept(w2n_instance *caller, int32_t fd, int32_t flags, uint32_t opened_fd) {
    int32_t error;
    wasi_fd *entry = socket_get(caller, fd, WASI_RIGHT_SOCK_ACCEPT, &error);
    if (!entry)
        return error;
    if ((flags & ~WASI_FDFLAGS_NONBLOCK) != 0)
        return WASI_EINVAL;
    wasi_memory memory = wasi_caller_memory(caller);
    /* Checked before accepting, so a bad pointer cannot lose a connection. */
    if (!wasi_in_bounds(memory, opened_fd, 4))
        return WASI_EFAULT;
    int host_flags = SOCK_CLOEXEC | (flags & WASI_FDFLAGS_NONBLOCK ? SOCK_NONBLOCK : 0);
    int host;
    do
        host = accept4(entry->host, NULL, NULL, host_flags);
    while (host < 0 && errno == EINTR);
    if (host < 0)
        return wasi_errno(errno);
    uint32_t guest_fd;
    int32_t status = wasi_fd_insert(wasi_context_of(caller), host, socket_filetype(host),
                                    WASI_RIGHTS_FILE, WASI_RIGHTS_FILE, &guest_fd);
    if (status != WASI_ESUCCESS)
        return status;
    wasi_store_u32(memory, opened_fd, guest_fd);
    return WASI_ESUCCESS;
}

int32_t wasi_sock_recv(w2n_instance *caller, int32_t fd, uint32_t ri_data, uint32_t ri_data_len,
                       int32_t ri_flags, uint32_t ro_datalen, uint32_t ro_flags) {
    int32_t error;
    wasi_fd *entry = socket_get(caller, fd, WASI_RIGHT_FD_READ, &error);
    if (!entry)
        return error;
    if ((ri_flags & ~(WASI_RIFLAGS_RECV_PEEK | WASI_RIFLAGS_RECV_WAITALL)) != 0)
        return WASI_EINVAL;
    wasi_memory memory = wasi_caller_memory(caller);
    if (!wasi_in_bounds(memory, ro_datalen, 4) || !wasi_in_bounds(memory, ro_flags, 2))
        return WASI_EFAULT;
    wasi_iovecs buffers;
    int32_t status = wasi_iovecs_get(memory, ri_data, ri_data_len, &buffers);
    if (status != WASI_ESUCCESS)
        return status;
    struct msghdr message = {.msg_iov = buffers.vectors, .msg_iovlen = (size_t)buffers.count};
    int host_flags = (ri_flags & WASI_RIFLAGS_RECV_PEEK ? MSG_PEEK : 0) |
                     (ri_flags & WASI_RIFLAGS_RECV_WAITALL ? MSG_WAITALL : 0);
    ssize_t received;
    do
        received = recvmsg(entry->host, &message, host_flags);
    while (received < 0 && errno == EINTR);
    int host_errno = errno;
    wasi_iovecs_release(&buffers);
    if (received < 0)
        return wasi_errno(host_errno);
    wasi_store_u32(memory, ro_datalen, (uint32_t)received);
    wasi_store_u16(memory, ro_flags,
                   message.msg_flags & MSG_TRUNC ? WASI_ROFLAGS_RECV_DATA_TRUNCATED : 0);
    return WASI_ESUCCESS;
}

int32_t wasi_sock_send(w2n_instance *caller, int32_t fd, uint32_t si_data, uint32_t si_data_len,
                       int32_t si_flags, uint32_t so_datalen) {
    int32_t error;
    wasi_fd *entry = socket_get(caller, fd, WASI_RIGHT_FD_WRITE, &error);
    if (!entry)
        return error;
    /* The spec defines no send flags. */
    if (si_flags != 0)
        return WASI_EINVAL;
    wasi_memory memory = wasi_caller_memory(caller);
    if (!wasi_in_bounds(memory, so_datalen, 4))
        return WASI_EFAULT;
    wasi_iovecs buffers;
    int32_t status = wasi_iovecs_get(memory, si_data, si_data_len, &buffers);
    if (status != WASI_ESUCCESS)
        return status;
    struct msghdr message = {.msg_iov = buffers.vectors, .msg_iovlen = (size_t)buffers.count};
    /* A closed peer is reported as WASI_EPIPE rather than killing the process with SIGPIPE. */
    ssize_t sent;
    do
        sent = sendmsg(entry->host, &message, MSG_NOSIGNAL);
    while (sent < 0 && errno == EINTR);
    int host_errno = errno;
    wasi_iovecs_release(&buffers);
    if (sent < 0)
        return wasi_errno(host_errno);
    wasi_store_u32(memory, so_datalen, (uint32_t)sent);
    return WASI_ESUCCESS;
}

int32_t wasi_sock_shutdown(w2n_instance *caller, int32_t fd, int32_t how) {
    static const int host_how[] = {
        [WASI_SDFLAGS_RD] = SHUT_RD,
        [WASI_SDFLAGS_WR] = SHUT_WR,
        [WASI_SDFLAGS_RD | WASI_SDFLAGS_WR] = SHUT_RDWR,
    };
    int32_t error;
    wasi_fd *entry = socket_get(caller, fd, WASI_RIGHT_SOCK_SHUTDOWN, &error);
    if (!entry)
        return error;
    if (how < WASI_SDFLAGS_RD || how > (WASI_SDFLAGS_RD | WASI_SDFLAGS_WR))
        return WASI_EINVAL;
    if (shutdown(entry->host, host_how[how]) != 0)
        return wasi_errno(errno);
    return WASI_ESUCCESS;
}
