/*
 * A9 under the sim's CANCEL_RACE fault (kernel-semantics.md §11): a ringer_cancel of a
 * 512 KiB recv that waits for data. The fault picks the order of the two CQEs and whether
 * they share a batch; the cancel result is 0 or -EALREADY, the recv's -ECANCELED, and each
 * callback runs once. Many seeds, at every opportunity, so both orders occur.
 */
#include <errno.h>

#include "scenario.h"
#include "world_sim.h"

#define A9_SEEDS 32

static struct fixture fixture;
static struct op recv_op, cancel_op;
static uint8_t recv_buffer[512 * 1024];

static void run_seed(uint64_t seed) {
    struct ringer_sim_options options;
    world_sim_default_options(&options);
    options.seed = seed;
    options.faults[RINGER_SIM_FAULT_CANCEL_RACE].ppm = 1000000;
    world_sim_configure(&options);
    fixture_begin(&fixture, 32, 0);
    struct tcp_pair pair;
    CHECK(tcp_pair_open(&fixture.io, &pair, AF_INET, NULL));
    STARTER(ringer_recv(&fixture.io, &op_prepare(&recv_op)->completion, pair.server, recv_buffer,
                        sizeof recv_buffer, &recv_op, op_callback));
    CHECK_EQ(ringer_tick(&fixture.io), 0);
    STARTER(ringer_cancel(&fixture.io, &op_prepare(&cancel_op)->completion, &recv_op.completion,
                          &cancel_op, op_callback));
    TICK_UNTIL(&fixture.io, recv_op.calls == 1 && cancel_op.calls == 1);
    CHECK(cancel_op.result == 0 || cancel_op.result == -EALREADY);
    CHECK_EQ(recv_op.result, -ECANCELED);
    CHECK_EQ(ringer_sim_stats().faults[RINGER_SIM_FAULT_CANCEL_RACE], 1);
    tcp_pair_close(&fixture.io, &pair);
    fixture_end(&fixture);
}

TEST(sim_a9_single_cancel_cancel_race) {
    unsigned recv_first = 0;
    for (uint64_t seed = 1; seed <= A9_SEEDS; seed++) {
        run_seed(seed);
        if (recv_op.sequence < cancel_op.sequence) recv_first++;
    }
    /* The fault really moved the order: both orders were seen. */
    CHECK_GT(recv_first, 0);
    CHECK_LT(recv_first, A9_SEEDS);
}
