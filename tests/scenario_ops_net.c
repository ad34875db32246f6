/* ops.md on sockets: recv, send, accept, connect results. */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "scenario.h"

static struct fixture fixture;
static struct op op;
static uint8_t buffer[4096];

static int32_t finish(void) {
    RUN_UNTIL(&fixture.io, op.calls == 1);
    return op.result;
}

static int32_t do_recv(int socket, uint32_t size) {
    STARTER(ringer_recv(&fixture.io, &op_prepare(&op)->completion, socket, buffer, size, &op,
                        op_callback));
    return finish();
}

static int32_t do_send(int socket, const void *data, uint32_t size) {
    STARTER(ringer_send(&fixture.io, &op_prepare(&op)->completion, socket, data, size, &op,
                        op_callback));
    return finish();
}

TEST(ops_recv_after_peer_shutdown_is_zero) {
    fixture_begin(&fixture, 8, 0);
    struct tcp_pair pair;
    CHECK(tcp_pair_open(&fixture.io, &pair, AF_INET, NULL));
    CHECK_EQ(do_send(pair.client, "abc", 3), 3);
    CHECK_EQ(ringer_shutdown(&fixture.io, pair.client, SHUT_WR), 0);
    CHECK_EQ(do_recv(pair.server, sizeof buffer), 3);
    CHECK(memcmp(buffer, "abc", 3) == 0);
    CHECK_EQ(do_recv(pair.server, sizeof buffer), 0);
    tcp_pair_close(&fixture.io, &pair);
    fixture_end(&fixture);
}

/* SIGPIPE keeps its default disposition: if the library raised it, the test would die. */
TEST(ops_send_to_closed_peer_fails_without_sigpipe) {
    fixture_begin(&fixture, 8, 0);
    struct tcp_pair pair;
    CHECK(tcp_pair_open(&fixture.io, &pair, AF_INET, NULL));
    ringer_close_socket(&fixture.io, pair.server);
    int32_t result = 0;
    for (int attempt = 0; attempt < 100 && result >= 0; attempt++)
        result = do_send(pair.client, buffer, sizeof buffer);
    CHECK(result == -EPIPE || result == -ECONNRESET);
    ringer_close_socket(&fixture.io, pair.client);
    ringer_close_socket(&fixture.io, pair.listener);
    fixture_end(&fixture);
}

TEST(ops_accept_on_unlistened_socket_is_einval) {
    fixture_begin(&fixture, 8, 0);
    struct ringer_tcp_options options = {0};
    int socket = ringer_open_socket_tcp(&fixture.io, AF_INET, &options);
    CHECK_GE(socket, 0);
    STARTER(ringer_accept(&fixture.io, &op_prepare(&op)->completion, socket, &op, op_callback));
    CHECK_EQ(finish(), -EINVAL);
    ringer_close_socket(&fixture.io, socket);
    fixture_end(&fixture);
}

TEST(ops_connect_refused) {
    fixture_begin(&fixture, 8, 0);
    struct tcp_pair pair;
    CHECK(tcp_pair_open(&fixture.io, &pair, AF_INET, NULL));
    struct sockaddr_storage closed_address = pair.listen_address;
    socklen_t closed_size = pair.listen_address_size;
    tcp_pair_close(&fixture.io, &pair); /* nothing listens on that port any more */
    struct ringer_tcp_options options = {0};
    int socket = ringer_open_socket_tcp(&fixture.io, AF_INET, &options);
    CHECK_GE(socket, 0);
    STARTER(ringer_connect(&fixture.io, &op_prepare(&op)->completion, socket,
                           (struct sockaddr *)&closed_address, closed_size, &op, op_callback));
    CHECK_EQ(finish(), -ECONNREFUSED);
    ringer_close_socket(&fixture.io, socket);
    fixture_end(&fixture);
}

/* connect copies the address into the completion: the caller's copy may die at once. */
TEST(ops_connect_copies_address) {
    fixture_begin(&fixture, 8, 0);
    struct tcp_pair pair;
    CHECK(tcp_pair_open(&fixture.io, &pair, AF_INET, NULL));
    struct ringer_tcp_options options = {0};
    int socket = ringer_open_socket_tcp(&fixture.io, AF_INET, &options);
    CHECK_GE(socket, 0);
    struct sockaddr_storage temporary = pair.listen_address;
    STARTER(ringer_connect(&fixture.io, &op_prepare(&op)->completion, socket,
                           (struct sockaddr *)&temporary, pair.listen_address_size, &op,
                           op_callback));
    memset(&temporary, 0xff, sizeof temporary);
    CHECK_EQ(finish(), 0);
    static struct op accept_op;
    STARTER(ringer_accept(&fixture.io, &op_prepare(&accept_op)->completion, pair.listener,
                          &accept_op, op_callback));
    RUN_UNTIL(&fixture.io, accept_op.calls == 1);
    CHECK_GE(accept_op.result, 0);
    ringer_close_socket(&fixture.io, accept_op.result);
    ringer_close_socket(&fixture.io, socket);
    tcp_pair_close(&fixture.io, &pair);
    fixture_end(&fixture);
}

TEST(ops_socket_ops_on_a_file) {
    fixture_begin(&fixture, 8, 0);
    int fd = make_test_file(world_temp_dir_fd(), "file", 16);
    CHECK_EQ(do_recv(fd, 16), -ENOTSOCK);
    CHECK_EQ(do_send(fd, "x", 1), -ENOTSOCK);
    STARTER(ringer_accept(&fixture.io, &op_prepare(&op)->completion, fd, &op, op_callback));
    CHECK_EQ(finish(), -ENOTSOCK);
    world_close(fd);
    fixture_end(&fixture);
}

/* A read with a non-zero offset on a socket is -ESPIPE (ops.md §2, read). */
TEST(ops_read_offset_on_socket_is_espipe) {
    fixture_begin(&fixture, 8, 0);
    struct tcp_pair pair;
    CHECK(tcp_pair_open(&fixture.io, &pair, AF_INET, NULL));
    STARTER(ringer_read(&fixture.io, &op_prepare(&op)->completion, pair.server, buffer, 16, 5, &op,
                        op_callback));
    CHECK_EQ(finish(), -ESPIPE);
    tcp_pair_close(&fixture.io, &pair);
    fixture_end(&fixture);
}
