/* Synchronous TCP helpers: sockets with options, listen, shutdown, close; and open_dir. */
#include <string.h>

#include "internal.h"

static int set_int(int socket, int level, int name, int value) {
    if (setsockopt(socket, level, name, &value, sizeof(value)) < 0) return negated_errno();
    return 0;
}

/* SO_*BUFFORCE needs CAP_NET_ADMIN; without it, fall back to the capped option. */
static int set_buffer(int socket, int force_name, int name, int size) {
    if (size <= 0) return 0;
    int rc = set_int(socket, SOL_SOCKET, force_name, size);
    if (rc == -EPERM) rc = set_int(socket, SOL_SOCKET, name, size);
    return rc;
}

static int set_keepalive(int socket, const struct ringer_tcp_options *options) {
    if (!options->keepalive) return 0;
    int rc = set_int(socket, SOL_SOCKET, SO_KEEPALIVE, 1);
    if (rc == 0 && options->keepidle > 0)
        rc = set_int(socket, IPPROTO_TCP, TCP_KEEPIDLE, options->keepidle);
    if (rc == 0 && options->keepintvl > 0)
        rc = set_int(socket, IPPROTO_TCP, TCP_KEEPINTVL, options->keepintvl);
    if (rc == 0 && options->keepcnt > 0)
        rc = set_int(socket, IPPROTO_TCP, TCP_KEEPCNT, options->keepcnt);
    return rc;
}

/* The options in TigerBeetle's order; any failure closes the socket. */
static int apply_options(int socket, const struct ringer_tcp_options *options) {
    int rc = set_buffer(socket, SO_RCVBUFFORCE, SO_RCVBUF, options->rcvbuf);
    if (rc == 0) rc = set_buffer(socket, SO_SNDBUFFORCE, SO_SNDBUF, options->sndbuf);
    if (rc == 0) rc = set_keepalive(socket, options);
    if (rc == 0 && options->user_timeout_ms > 0) {
        if (options->user_timeout_ms > INT32_MAX) return -EINVAL;
        rc = set_int(socket, IPPROTO_TCP, TCP_USER_TIMEOUT, (int)options->user_timeout_ms);
    }
    if (rc == 0 && options->nodelay) rc = set_int(socket, IPPROTO_TCP, TCP_NODELAY, 1);
    return rc;
}

int ringer_open_socket_tcp(struct ringer_io *io, int family,
                           const struct ringer_tcp_options *options) {
    RINGER_ASSERT(io != NULL);
    int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
    if (fd < 0) return negated_errno();
    if (options == NULL) return fd;
    int rc = apply_options(fd, options);
    if (rc < 0) {
        close(fd);
        return rc;
    }
    return fd;
}

/* bind, then getsockname so that port 0 resolves to the real port, then listen. */
int ringer_listen(struct ringer_io *io, int socket, struct sockaddr *address,
                  socklen_t *address_size, int backlog) {
    RINGER_ASSERT(io != NULL && address != NULL && address_size != NULL);
    const socklen_t capacity = *address_size;
    int rc = set_int(socket, SOL_SOCKET, SO_REUSEADDR, 1);
    if (rc < 0) return rc;
    if (bind(socket, address, capacity) < 0) return negated_errno();
    struct sockaddr_storage bound;
    socklen_t bound_size = sizeof(bound);
    if (getsockname(socket, (struct sockaddr *)&bound, &bound_size) < 0) return negated_errno();
    /* I11: the requested family, in a length that fits the caller's buffer. */
    if (bound.ss_family != address->sa_family || bound_size > capacity) return -EAFNOSUPPORT;
    memcpy(address, &bound, bound_size);
    *address_size = bound_size;
    if (listen(socket, backlog) < 0) return negated_errno();
    return 0;
}

void ringer_close_socket(struct ringer_io *io, int socket) {
    RINGER_ASSERT(io != NULL && socket >= 0);
    close(socket); /* -EINTR still releases the descriptor */
}

/* A pending send on the socket may then complete with -ECANCELED. */
int ringer_shutdown(struct ringer_io *io, int socket, int how) {
    RINGER_ASSERT(io != NULL);
    if (shutdown(socket, how) < 0) return negated_errno();
    return 0;
}

int ringer_open_dir(const char *path) {
    RINGER_ASSERT(path != NULL);
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return negated_errno();
    return fd;
}
