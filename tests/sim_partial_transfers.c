/*
 * A2 and A7 with the sim's PARTIAL network fault (fault-model.md §5): a send takes fewer
 * bytes and a recv returns fewer (at least 1). The library reports the count and never
 * resubmits the rest (ops.md §1, short transfers); the caller continues.
 *   A2: send returns 1..10, recv returns 1..5, and the bytes equal the matching prefix.
 *   A7: 1 MiB still arrives intact, at least one partial transfer was seen, and there were
 *       never two sends, or two recvs, in flight at once.
 */
#include <string.h>

#include "scenario.h"
#include "world_sim.h"

#define A7_SIZE (1u << 20)

static struct fixture fixture;
static struct op send_op, recv_op;

static void configure_partial(uint32_t ppm) {
    struct ringer_sim_options options;
    world_sim_default_options(&options);
    options.faults[RINGER_SIM_FAULT_PARTIAL].ppm = ppm;
    world_sim_configure(&options);
}

/* ---- A2 ---- */

static const char a2_sent[10] = "0123456789";
static char a2_received[5];

static void a2_once(void) {
    fixture_begin(&fixture, 32, 0);
    struct tcp_pair pair;
    CHECK(tcp_pair_open(&fixture.io, &pair, AF_INET, NULL));
    memset(a2_received, 0, sizeof a2_received);
    STARTER(ringer_send(&fixture.io, &op_prepare(&send_op)->completion, pair.client, a2_sent,
                        sizeof a2_sent, &send_op, op_callback));
    STARTER(ringer_recv(&fixture.io, &op_prepare(&recv_op)->completion, pair.server, a2_received,
                        sizeof a2_received, &recv_op, op_callback));
    RUN_UNTIL(&fixture.io, send_op.calls == 1 && recv_op.calls == 1);
    CHECK_GE(send_op.result, 1);
    CHECK_LE(send_op.result, 10);
    CHECK_GE(recv_op.result, 1);
    CHECK_LE(recv_op.result, 5);
    CHECK_LE(recv_op.result, send_op.result);
    CHECK(memcmp(a2_received, a2_sent, (size_t)recv_op.result) == 0);
    tcp_pair_close(&fixture.io, &pair);
    fixture_end(&fixture);
}

/* Every opportunity injects: both the send and the recv come back short. */
TEST(sim_a2_sockets_partial_always) {
    configure_partial(1000000);
    a2_once();
    CHECK_GT(ringer_sim_stats().faults[RINGER_SIM_FAULT_PARTIAL], 0);
    CHECK_LT(send_op.result, 10);
}

/* Half the opportunities, over several seeds: any mix of short and full transfers. */
TEST(sim_a2_sockets_partial_sometimes) {
    uint64_t faults = 0;
    for (uint64_t seed = 1; seed <= 16; seed++) {
        struct ringer_sim_options options;
        world_sim_default_options(&options);
        options.seed = seed;
        options.faults[RINGER_SIM_FAULT_PARTIAL].ppm = 500000;
        world_sim_configure(&options);
        a2_once();
        faults += ringer_sim_stats().faults[RINGER_SIM_FAULT_PARTIAL];
    }
    CHECK_GT(faults, 0);
}

/* ---- A7 ---- */

static struct tcp_pair pipe_pair;
static uint8_t pipe_sent[A7_SIZE], pipe_received[A7_SIZE];
static uint32_t sent, received;
static unsigned partials, sends_in_flight, recvs_in_flight;
static bool transfer_failed;

static void start_send(void);
static void start_recv(void);

static void on_send(struct op *op) {
    sends_in_flight--;
    if (op->result <= 0) {
        transfer_failed = true;
        return;
    }
    if ((uint32_t)op->result < A7_SIZE - sent) partials++;
    sent += (uint32_t)op->result;
    if (sent < A7_SIZE) start_send();
}

static void on_recv(struct op *op) {
    recvs_in_flight--;
    if (op->result <= 0) {
        transfer_failed = true;
        return;
    }
    if ((uint32_t)op->result < A7_SIZE - received) partials++;
    received += (uint32_t)op->result;
    if (received < A7_SIZE) start_recv();
}

static void start_send(void) {
    CHECK_EQ(sends_in_flight, 0);
    sends_in_flight++;
    op_prepare(&send_op)->then = on_send;
    STARTER(ringer_send(&fixture.io, &send_op.completion, pipe_pair.client, pipe_sent + sent,
                        A7_SIZE - sent, &send_op, op_callback));
}

static void start_recv(void) {
    CHECK_EQ(recvs_in_flight, 0);
    recvs_in_flight++;
    op_prepare(&recv_op)->then = on_recv;
    STARTER(ringer_recv(&fixture.io, &recv_op.completion, pipe_pair.server,
                        pipe_received + received, A7_SIZE - received, &recv_op, op_callback));
}

/* The A7 loop: ticks, and run_for_ns(counter % 10 ms) whenever counter % 61 == 0. */
static unsigned drive_pipe(void) {
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
        check_loop_invariants(&fixture.io);
        counter++;
        CHECK_LT(world_now_ns(), deadline);
    }
    return run_for_ns_calls;
}

TEST(sim_a7_tcp_pipe_partial) {
    configure_partial(300000);
    fixture_begin(&fixture, 32, 0);
    struct ringer_tcp_options options = {.rcvbuf = 8192, .sndbuf = 8192};
    CHECK(tcp_pair_open(&fixture.io, &pipe_pair, AF_INET, &options));
    for (uint32_t i = 0; i < A7_SIZE; i++) pipe_sent[i] = test_pattern(i);
    sent = received = partials = 0;
    start_send();
    start_recv();
    unsigned run_for_ns_calls = drive_pipe();
    CHECK(!transfer_failed);
    CHECK_EQ(sent, A7_SIZE);
    CHECK_EQ(received, A7_SIZE);
    CHECK(memcmp(pipe_sent, pipe_received, A7_SIZE) == 0);
    CHECK_GE(run_for_ns_calls, 1);
    CHECK_GT(partials, 0);
    CHECK_GT(ringer_sim_stats().faults[RINGER_SIM_FAULT_PARTIAL], 0);
    tcp_pair_close(&fixture.io, &pipe_pair);
    fixture_end(&fixture);
}
