/* A7: 1 MiB over loopback TCP, one send and one recv in flight, ticks mixed with run_for_ns. */
#include <string.h>

#include "scenario.h"

#define A7_SIZE (1u << 20)

static struct fixture fixture;
static struct tcp_pair pair;
static struct op send_op, recv_op;
static uint8_t send_buffer[A7_SIZE], recv_buffer[A7_SIZE];
static uint32_t sent, received;
static bool transfer_failed;

static void start_send(void);
static void start_recv(void);

static void on_send(struct op *op) {
    if (op->result <= 0) {
        transfer_failed = true;
        return;
    }
    sent += (uint32_t)op->result;
    if (sent < A7_SIZE) start_send();
}

static void on_recv(struct op *op) {
    if (op->result <= 0) {
        transfer_failed = true;
        return;
    }
    received += (uint32_t)op->result;
    if (received < A7_SIZE) start_recv();
}

static void start_send(void) {
    op_prepare(&send_op)->then = on_send;
    STARTER(ringer_send(&fixture.io, &send_op.completion, pair.client, send_buffer + sent,
                        A7_SIZE - sent, &send_op, op_callback));
}

static void start_recv(void) {
    op_prepare(&recv_op)->then = on_recv;
    STARTER(ringer_recv(&fixture.io, &recv_op.completion, pair.server, recv_buffer + received,
                        A7_SIZE - received, &recv_op, op_callback));
}

TEST(a7_tcp_pipe_1mib) {
    fixture_begin(&fixture, 32, 0);
    /* Small socket buffers make many partial transfers, so the loop interleaves ticks with
     * run_for_ns instead of finishing in a handful of iterations. */
    struct ringer_tcp_options options = {.rcvbuf = 8192, .sndbuf = 8192};
    CHECK(tcp_pair_open(&fixture.io, &pair, AF_INET, &options));
    for (uint32_t i = 0; i < A7_SIZE; i++) send_buffer[i] = test_pattern(i);
    start_send();
    start_recv();
    uint32_t counter = 0xdeadbeef;
    unsigned run_for_ns_calls = 0;
    uint64_t deadline = world_now_ns() + DRIVE_LIMIT_NS;
    while ((sent < A7_SIZE || received < A7_SIZE) && !transfer_failed) {
        if (counter % 61 == 0) {
            CHECK_EQ(ringer_run_for_ns(&fixture.io, counter % 10000000), 0);
            run_for_ns_calls++;
        } else {
            CHECK_EQ(ringer_tick(&fixture.io), 0);
        }
        counter++;
        CHECK_LT(world_now_ns(), deadline);
    }
    CHECK(!transfer_failed);
    CHECK_EQ(sent, A7_SIZE);
    CHECK_EQ(received, A7_SIZE);
    CHECK(memcmp(send_buffer, recv_buffer, A7_SIZE) == 0);
    CHECK_GE(run_for_ns_calls, 1);
    tcp_pair_close(&fixture.io, &pair);
    fixture_end(&fixture);
}
