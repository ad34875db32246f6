/* A2: listen on 127.0.0.1:0, connect + accept together, send 10 bytes, recv into 5. */
#include <netinet/in.h>
#include <string.h>

#include "scenario.h"

static struct fixture fixture;
static struct op accept_op, connect_op, send_op, recv_op;
static const char send_buffer[10] = "0123456789";
static char recv_buffer[5];
static int client = -1;

static void after_connect(struct op *op) {
    if (op->result != 0) return;
    STARTER(ringer_send(&fixture.io, &send_op.completion, client, send_buffer, sizeof send_buffer,
                        &send_op, op_callback));
}

static void after_accept(struct op *op) {
    if (op->result < 0) return;
    STARTER(ringer_recv(&fixture.io, &recv_op.completion, op->result, recv_buffer,
                        sizeof recv_buffer, &recv_op, op_callback));
}

static void check_listen_address(const struct sockaddr_in *address, socklen_t size) {
    CHECK_EQ(address->sin_family, AF_INET);
    CHECK_EQ(size, sizeof(struct sockaddr_in));
    CHECK_NE(ntohs(address->sin_port), 0);
    CHECK_EQ(ntohl(address->sin_addr.s_addr), INADDR_LOOPBACK);
}

TEST(a2_sockets) {
    fixture_begin(&fixture, 32, 0);
    struct ringer_tcp_options options = {0};
    int listener = ringer_open_socket_tcp(&fixture.io, AF_INET, &options);
    CHECK_GE(listener, 0);
    struct sockaddr_storage storage = {0};
    struct sockaddr_in *address = (struct sockaddr_in *)&storage;
    address->sin_family = AF_INET;
    address->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof storage;
    CHECK_EQ(ringer_listen(&fixture.io, listener, (struct sockaddr *)address, &size, 1), 0);
    check_listen_address(address, size);
    client = ringer_open_socket_tcp(&fixture.io, AF_INET, &options);
    CHECK_GE(client, 0);

    op_prepare(&accept_op)->then = after_accept;
    op_prepare(&connect_op)->then = after_connect;
    op_prepare(&send_op);
    op_prepare(&recv_op);
    STARTER(ringer_accept(&fixture.io, &accept_op.completion, listener, &accept_op, op_callback));
    STARTER(ringer_connect(&fixture.io, &connect_op.completion, client, (struct sockaddr *)address,
                           size, &connect_op, op_callback));
    RUN_UNTIL(&fixture.io, send_op.calls == 1 && recv_op.calls == 1);

    CHECK_EQ(connect_op.result, 0);
    CHECK_GE(accept_op.result, 0);
    CHECK(fd_is_cloexec(accept_op.result));
    const struct sockaddr_in *peer =
        (const struct sockaddr_in *)&accept_op.completion.operation.socket.address;
    CHECK_EQ(peer->sin_family, AF_INET);
    CHECK_EQ(accept_op.completion.operation.socket.address_size, sizeof(struct sockaddr_in));
    CHECK_NE(ntohs(peer->sin_port), 0);
    CHECK_EQ(send_op.result, 10);
    CHECK_EQ(recv_op.result, 5);
    CHECK(memcmp(recv_buffer, send_buffer, 5) == 0);
    ringer_close_socket(&fixture.io, accept_op.result);
    ringer_close_socket(&fixture.io, client);
    ringer_close_socket(&fixture.io, listener);
    fixture_end(&fixture);
}
