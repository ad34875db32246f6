/* A6: on a ring of 1, a recv started before the peer sends completes by ticks alone. */
#include <string.h>

#include "scenario.h"

#define A6_SIZE 64

static struct fixture fixture;
static struct op recv_op;
static uint8_t received[A6_SIZE];
static uint32_t received_total;
static int client = -1;

static void start_recv(void);

static void on_recv(struct op *op) {
    if (op->result <= 0) return;
    received_total += (uint32_t)op->result;
    if (received_total < A6_SIZE) start_recv();
}

static void start_recv(void) {
    op_prepare(&recv_op)->then = on_recv;
    STARTER(ringer_recv(&fixture.io, &recv_op.completion, client, received + received_total,
                        A6_SIZE - received_total, &recv_op, op_callback));
}

TEST(a6_tick_to_wait) {
    fixture_begin(&fixture, 1, 0);
    struct ringer_tcp_options options = {0};
    int listener = ringer_open_socket_tcp(&fixture.io, AF_INET, &options);
    CHECK_GE(listener, 0);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t size = sizeof address;
    CHECK_EQ(ringer_listen(&fixture.io, listener, (struct sockaddr *)&address, &size, 1), 0);
    client = ringer_open_socket_tcp(&fixture.io, AF_INET, &options);
    CHECK_GE(client, 0);

    static struct op accept_op, connect_op;
    STARTER(ringer_accept(&fixture.io, &op_prepare(&accept_op)->completion, listener, &accept_op,
                          op_callback));
    STARTER(ringer_connect(&fixture.io, &op_prepare(&connect_op)->completion, client,
                           (struct sockaddr *)&address, size, &connect_op, op_callback));
    CHECK_EQ(ringer_stats(&fixture.io).unqueued, 1);
    TICK_UNTIL(&fixture.io, accept_op.calls == 1 && connect_op.calls == 1);
    CHECK_EQ(connect_op.result, 0);
    CHECK_GE(accept_op.result, 0);

    memset(received, 0xff, sizeof received);
    start_recv();
    for (int i = 0; i < 3; i++) CHECK_EQ(ringer_tick(&fixture.io), 0);
    CHECK_EQ(recv_op.calls, 0);
    static const uint8_t zeros[A6_SIZE];
    CHECK_EQ(world_send(accept_op.result, zeros, sizeof zeros), A6_SIZE);
    TICK_UNTIL(&fixture.io,
               received_total == A6_SIZE || (recv_op.calls == 1 && recv_op.result <= 0));
    CHECK_GT(recv_op.result, 0);
    CHECK_EQ(received_total, A6_SIZE);
    CHECK(memcmp(received, zeros, sizeof zeros) == 0);
    ringer_close_socket(&fixture.io, accept_op.result);
    ringer_close_socket(&fixture.io, client);
    ringer_close_socket(&fixture.io, listener);
    fixture_end(&fixture);
}
