/*
 * A2 and A7 with the sim's PARTIAL network fault (fault-model.md §5): a send takes fewer
 * bytes and a recv returns fewer (at least 1). The library reports the count and never
 * resubmits the rest (ops.md §1, short transfers); the caller continues.
 *   A2: send returns 1..10, recv returns 1..5, and the bytes equal the matching prefix.
 *   A7: 1 MiB still arrives intact, at least one partial transfer was seen, and there were
 *       never two sends, or two recvs, in flight at once.
 */
#include <string.h>

#include "scenario_a7.h"
#include "world_sim.h"

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

TEST(sim_a7_tcp_pipe_partial) {
    configure_partial(300000);
    fixture_begin(&fixture, 32, 0);
    a7_start(&fixture.io); /* one send and one recv in flight at a time, checked */
    a7_finish(a7_drive());
    CHECK_GT(a7_pipe.partials, 0);
    CHECK_GT(ringer_sim_stats().faults[RINGER_SIM_FAULT_PARTIAL], 0);
    fixture_end(&fixture);
}
