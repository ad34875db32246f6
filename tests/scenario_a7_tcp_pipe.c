/* A7: 1 MiB over loopback TCP, one send and one recv in flight, ticks mixed with run_for_ns. */
#include <string.h>

#include "scenario_a7.h"

struct a7_pipe a7_pipe;
static struct fixture fixture;

static void start_send(void);
static void start_recv(void);

/* Adds a transfer's result to `done`, counting a short one; false when it failed. */
static bool transfer_moved(const struct op *op, uint32_t *done) {
    if (op->result <= 0) {
        a7_pipe.failed = true;
        return false;
    }
    if ((uint32_t)op->result < A7_SIZE - *done) a7_pipe.partials++;
    *done += (uint32_t)op->result;
    CHECK_LE(*done, A7_SIZE);
    return true;
}

static void on_send(struct op *op) {
    a7_pipe.sends_in_flight--;
    if (transfer_moved(op, &a7_pipe.sent) && a7_pipe.sent < A7_SIZE) start_send();
}

static void on_recv(struct op *op) {
    a7_pipe.recvs_in_flight--;
    if (transfer_moved(op, &a7_pipe.received) && a7_pipe.received < A7_SIZE) start_recv();
}

static void start_send(void) {
    CHECK_EQ(a7_pipe.sends_in_flight, 0);
    a7_pipe.sends_in_flight++;
    struct op *send = op_prepare(&a7_pipe.send_op);
    send->then = on_send;
    STARTER(ringer_send(a7_pipe.io, &send->completion, a7_pipe.pair.client,
                        a7_pipe.sent_data + a7_pipe.sent, A7_SIZE - a7_pipe.sent, send,
                        op_callback));
}

static void start_recv(void) {
    CHECK_EQ(a7_pipe.recvs_in_flight, 0);
    a7_pipe.recvs_in_flight++;
    struct op *recv = op_prepare(&a7_pipe.recv_op);
    recv->then = on_recv;
    STARTER(ringer_recv(a7_pipe.io, &recv->completion, a7_pipe.pair.server,
                        a7_pipe.received_data + a7_pipe.received, A7_SIZE - a7_pipe.received, recv,
                        op_callback));
}

void a7_start(struct ringer_io *io) {
    memset(&a7_pipe, 0, sizeof a7_pipe);
    a7_pipe.io = io;
    /* Small socket buffers make many partial transfers, so the loop interleaves ticks with
     * run_for_ns instead of finishing in a handful of iterations. */
    struct ringer_tcp_options options = {.rcvbuf = 8192, .sndbuf = 8192};
    CHECK(tcp_pair_open(io, &a7_pipe.pair, AF_INET, &options));
    for (uint32_t i = 0; i < A7_SIZE; i++) a7_pipe.sent_data[i] = test_pattern(i);
    start_send();
    start_recv();
}

unsigned a7_drive(void) {
    uint32_t counter = 0xdeadbeef;
    unsigned run_for_ns_calls = 0;
    uint64_t deadline = world_now_ns() + DRIVE_LIMIT_NS;
    while ((a7_pipe.sent < A7_SIZE || a7_pipe.received < A7_SIZE) && !a7_pipe.failed) {
        if (counter % 61 == 0) {
            CHECK_EQ(ringer_run_for_ns(a7_pipe.io, counter % 10000000), 0);
            run_for_ns_calls++;
        } else {
            CHECK_EQ(ringer_tick(a7_pipe.io), 0);
        }
        check_loop_invariants(a7_pipe.io);
        counter++;
        CHECK_LT(world_now_ns(), deadline);
    }
    return run_for_ns_calls;
}

void a7_finish(unsigned run_for_ns_calls) {
    CHECK(!a7_pipe.failed);
    CHECK_EQ(a7_pipe.sent, A7_SIZE);
    CHECK_EQ(a7_pipe.received, A7_SIZE);
    CHECK(memcmp(a7_pipe.sent_data, a7_pipe.received_data, A7_SIZE) == 0);
    CHECK_GE(run_for_ns_calls, 1);
    tcp_pair_close(a7_pipe.io, &a7_pipe.pair);
}

TEST(a7_tcp_pipe_1mib) {
    fixture_begin(&fixture, 32, 0);
    a7_start(&fixture.io);
    a7_finish(a7_drive());
    fixture_end(&fixture);
}
