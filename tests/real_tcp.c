/* TCP helpers on the real kernel: each option read back with getsockopt, the socket's
 * flags, ringer_listen's port 0 and address checks (I11), IPv6 on ::1. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>

#include "scenario.h"

static struct fixture fixture;

static int get_int_option(int socket, int level, int name) {
    int value = -1;
    socklen_t size = sizeof value;
    CHECK_EQ(getsockopt(socket, level, name, &value, &size), 0);
    return value;
}

TEST(tcp_socket_flags_and_defaults) {
    fixture_begin(&fixture, 8, 0);
    struct ringer_tcp_options options = {0};
    int socket = ringer_open_socket_tcp(&fixture.io, AF_INET, &options);
    CHECK_GE(socket, 0);
    CHECK(fcntl(socket, F_GETFD) & FD_CLOEXEC);
    CHECK(fcntl(socket, F_GETFL) & O_NONBLOCK);
    CHECK_EQ(get_int_option(socket, SOL_SOCKET, SO_TYPE), SOCK_STREAM);
    CHECK_EQ(get_int_option(socket, SOL_SOCKET, SO_PROTOCOL), IPPROTO_TCP);
    CHECK_EQ(get_int_option(socket, SOL_SOCKET, SO_KEEPALIVE), 0);
    CHECK_EQ(get_int_option(socket, IPPROTO_TCP, TCP_NODELAY), 0);
    ringer_close_socket(&fixture.io, socket);
    fixture_end(&fixture);
}

TEST(tcp_socket_options_applied) {
    fixture_begin(&fixture, 8, 0);
    struct ringer_tcp_options options = {
        .rcvbuf = 64 * 1024,
        .sndbuf = 32 * 1024,
        .keepalive = true,
        .keepidle = 7,
        .keepintvl = 3,
        .keepcnt = 4,
        .user_timeout_ms = 1500,
        .nodelay = true,
    };
    int socket = ringer_open_socket_tcp(&fixture.io, AF_INET, &options);
    CHECK_GE(socket, 0);
    /* Linux doubles buffer sizes for bookkeeping. */
    CHECK_EQ(get_int_option(socket, SOL_SOCKET, SO_RCVBUF), 2 * 64 * 1024);
    CHECK_EQ(get_int_option(socket, SOL_SOCKET, SO_SNDBUF), 2 * 32 * 1024);
    CHECK_EQ(get_int_option(socket, SOL_SOCKET, SO_KEEPALIVE), 1);
    CHECK_EQ(get_int_option(socket, IPPROTO_TCP, TCP_KEEPIDLE), 7);
    CHECK_EQ(get_int_option(socket, IPPROTO_TCP, TCP_KEEPINTVL), 3);
    CHECK_EQ(get_int_option(socket, IPPROTO_TCP, TCP_KEEPCNT), 4);
    CHECK_EQ(get_int_option(socket, IPPROTO_TCP, TCP_USER_TIMEOUT), 1500);
    CHECK_EQ(get_int_option(socket, IPPROTO_TCP, TCP_NODELAY), 1);
    ringer_close_socket(&fixture.io, socket);
    fixture_end(&fixture);
}

/* An option the kernel refuses closes the socket and returns -errno (no fd leaks). */
TEST(tcp_socket_bad_option_fails_cleanly) {
    fixture_begin(&fixture, 8, 0);
    struct ringer_tcp_options options = {.keepalive = true, .keepidle = 100000}; /* > 32767 */
    CHECK_EQ(ringer_open_socket_tcp(&fixture.io, AF_INET, &options), -EINVAL);
    CHECK_EQ(ringer_open_socket_tcp(&fixture.io, 12345, &options), -EAFNOSUPPORT);
    fixture_end(&fixture);
}

TEST(tcp_listen_resolves_port_zero) {
    fixture_begin(&fixture, 8, 0);
    struct ringer_tcp_options options = {0};
    int socket = ringer_open_socket_tcp(&fixture.io, AF_INET, &options);
    CHECK_GE(socket, 0);
    struct sockaddr_storage storage;
    memset(&storage, 0, sizeof storage);
    struct sockaddr_in *address = (struct sockaddr_in *)&storage;
    address->sin_family = AF_INET;
    address->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof storage;
    CHECK_EQ(ringer_listen(&fixture.io, socket, (struct sockaddr *)address, &size, 4), 0);
    CHECK_EQ(size, sizeof(struct sockaddr_in));
    CHECK_EQ(address->sin_family, AF_INET);
    CHECK_NE(address->sin_port, 0);
    struct sockaddr_in bound;
    socklen_t bound_size = sizeof bound;
    CHECK_EQ(getsockname(socket, (struct sockaddr *)&bound, &bound_size), 0);
    CHECK_EQ(bound.sin_port, address->sin_port);
    CHECK_EQ(get_int_option(socket, SOL_SOCKET, SO_ACCEPTCONN), 1);
    CHECK_EQ(get_int_option(socket, SOL_SOCKET, SO_REUSEADDR), 1);
    ringer_close_socket(&fixture.io, socket);
    /* An address length too small for the family is the kernel's -EINVAL, not a crash. */
    socket = ringer_open_socket_tcp(&fixture.io, AF_INET, &options);
    CHECK_GE(socket, 0);
    size = 4;
    CHECK_EQ(ringer_listen(&fixture.io, socket, (struct sockaddr *)address, &size, 4), -EINVAL);
    ringer_close_socket(&fixture.io, socket);
    fixture_end(&fixture);
}

TEST(tcp_ipv6_loopback_pair) {
    fixture_begin(&fixture, 8, 0);
    struct tcp_pair pair;
    if (!tcp_pair_open(&fixture.io, &pair, AF_INET6, NULL)) {
        fixture_end(&fixture);
        SKIP("IPv6 loopback (::1) is not available on this machine");
    }
    const struct sockaddr_in6 *address = (const struct sockaddr_in6 *)&pair.listen_address;
    CHECK_EQ(address->sin6_family, AF_INET6);
    CHECK_EQ(pair.listen_address_size, sizeof(struct sockaddr_in6));
    CHECK_NE(address->sin6_port, 0);
    /* The accept's peer address is a whole sockaddr_in6 (TigerBeetle's 16 bytes were not). */
    const struct sockaddr_in6 *peer = (const struct sockaddr_in6 *)&pair.peer_address;
    CHECK_EQ(peer->sin6_family, AF_INET6);
    CHECK_EQ(pair.peer_address_size, sizeof(struct sockaddr_in6));
    CHECK(memcmp(&peer->sin6_addr, &in6addr_loopback, sizeof in6addr_loopback) == 0);
    CHECK_NE(peer->sin6_port, 0);
    ringer_close_socket(&fixture.io, pair.server);
    ringer_close_socket(&fixture.io, pair.client);
    ringer_close_socket(&fixture.io, pair.listener);
    fixture_end(&fixture);
}

/* ringer_shutdown: 0 or -errno; SHUT_RD on a socket with a pending recv wakes it with 0. */
TEST(tcp_shutdown_results) {
    fixture_begin(&fixture, 8, 0);
    struct tcp_pair pair;
    CHECK(tcp_pair_open(&fixture.io, &pair, AF_INET, NULL));
    static struct op recv_op;
    static uint8_t buffer[16];
    STARTER(ringer_recv(&fixture.io, &op_prepare(&recv_op)->completion, pair.server, buffer,
                        sizeof buffer, &recv_op, op_callback));
    CHECK_EQ(ringer_run_for_ns(&fixture.io, 1 * MS), 0);
    CHECK_EQ(recv_op.calls, 0);
    CHECK_EQ(ringer_shutdown(&fixture.io, pair.server, SHUT_RD), 0);
    RUN_UNTIL(&fixture.io, recv_op.calls == 1);
    CHECK_EQ(recv_op.result, 0);
    CHECK_EQ(ringer_shutdown(&fixture.io, pair.client, 99), -EINVAL);
    CHECK_EQ(ringer_shutdown(&fixture.io, world_temp_dir_fd(), SHUT_RDWR), -ENOTSOCK);
    tcp_pair_close(&fixture.io, &pair);
    CHECK_EQ(ringer_shutdown(&fixture.io, pair.client, SHUT_RDWR), -EBADF);
    fixture_end(&fixture);
}

/* A peer that resets the connection (SO_LINGER 0, then close): the next send reports
 * -ECONNRESET itself, once, not retried into a later -EPIPE. */
static int32_t send_once(int socket) {
    static struct op send_op;
    static uint8_t bytes[16];
    STARTER(ringer_send(&fixture.io, &op_prepare(&send_op)->completion, socket, bytes, sizeof bytes,
                        &send_op, op_callback));
    RUN_UNTIL(&fixture.io, send_op.calls == 1);
    return send_op.result;
}

TEST(tcp_send_after_peer_reset_is_econnreset) {
    fixture_begin(&fixture, 8, 0);
    struct tcp_pair pair;
    CHECK(tcp_pair_open(&fixture.io, &pair, AF_INET, NULL));
    struct linger linger = {.l_onoff = 1, .l_linger = 0};
    CHECK_EQ(setsockopt(pair.server, SOL_SOCKET, SO_LINGER, &linger, sizeof linger), 0);
    ringer_close_socket(&fixture.io, pair.server);
    world_sleep_ns(2 * MS); /* the RST reaches the client */
    CHECK_EQ(send_once(pair.client), -ECONNRESET);
    CHECK_EQ(send_once(pair.client), -EPIPE);
    ringer_close_socket(&fixture.io, pair.client);
    ringer_close_socket(&fixture.io, pair.listener);
    fixture_end(&fixture);
}
