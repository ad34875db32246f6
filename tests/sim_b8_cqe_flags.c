/*
 * B8 with the sim's CQE_FLAGS fault: a ring of 1 entry (a CQ of 2) with 16 recvs in the
 * kernel whose data arrives at once, so the CQ overflows, while CQEs carry flags the
 * library must ignore: IORING_CQE_F_SOCK_NONEMPTY on every recv that leaves data behind
 * (faithful; each recv takes 8 of the 16 bytes sent), or random unknown bits on any CQE
 * (hostile, where only the invariants are judged, but this test still needs no more).
 * Every recv is called back once with its data, the overflow list is drained, and the
 * sim's counters prove that both the overflow and the flags happened.
 */
#include <string.h>

#include "scenario.h"
#include "world_sim.h"

#define B8_PAIRS    16
#define B8_SENT     16
#define B8_RECEIVED 8

static struct fixture fixture;
static struct tcp_pair pairs[B8_PAIRS];
static struct op recvs[B8_PAIRS];
static uint8_t buffers[B8_PAIRS][B8_RECEIVED];

static void configure_flags(uint8_t profile) {
    struct ringer_sim_options options;
    world_sim_default_options(&options);
    options.profile = profile;
    options.faults[RINGER_SIM_FAULT_CQE_FLAGS].ppm = 1000000;
    world_sim_configure(&options);
}

static void send_to_all(void) {
    for (unsigned i = 0; i < B8_PAIRS; i++) {
        uint8_t message[B8_SENT];
        memset(message, (int)(i + 1), sizeof message);
        CHECK_EQ(world_send(pairs[i].client, message, sizeof message), sizeof message);
    }
    world_sleep_ns(20 * MS); /* every recv gets its data before the next enter */
}

static void run_b8(uint8_t profile) {
    configure_flags(profile);
    fixture_begin(&fixture, 1, 0);
    for (unsigned i = 0; i < B8_PAIRS; i++)
        CHECK(tcp_pair_open(&fixture.io, &pairs[i], AF_INET, NULL));
    unsigned callbacks_before = op_callbacks_total();
    for (unsigned i = 0; i < B8_PAIRS; i++)
        STARTER(ringer_recv(&fixture.io, &op_prepare(&recvs[i])->completion, pairs[i].server,
                            buffers[i], sizeof buffers[i], &recvs[i], op_callback));
    CHECK_EQ(ringer_stats(&fixture.io).unqueued, B8_PAIRS - 1);
    TICK_UNTIL(&fixture.io, ringer_stats(&fixture.io).in_kernel == B8_PAIRS);
    uint64_t overflowed_before = ringer_sim_stats().overflowed;
    send_to_all();
    TICK_UNTIL(&fixture.io, op_callbacks_total() == callbacks_before + B8_PAIRS);
    for (unsigned i = 0; i < B8_PAIRS; i++) {
        CHECK_EQ(recvs[i].calls, 1);
        CHECK_EQ(recvs[i].result, B8_RECEIVED);
        for (unsigned b = 0; b < B8_RECEIVED; b++) CHECK_EQ(buffers[i][b], i + 1);
    }
    CHECK(!io_uring_cq_has_overflow(&fixture.io.ring));
    struct ringer_sim_stats sim = ringer_sim_stats();
    CHECK_GT(sim.overflowed, overflowed_before);
    /* The sim sets SOCK_NONEMPTY on kernel 6.1 whenever data is left, without counting it
     * as a CQE_FLAGS fault (reported); the hostile bits are counted. */
    if (profile == RINGER_SIM_PROFILE_HOSTILE)
        CHECK_GE(sim.faults[RINGER_SIM_FAULT_CQE_FLAGS], B8_PAIRS);
    for (unsigned i = 0; i < B8_PAIRS; i++) tcp_pair_close(&fixture.io, &pairs[i]);
    fixture_end(&fixture);
}

TEST(sim_b8_cq_overflow_sock_nonempty_flags) {
    run_b8(RINGER_SIM_PROFILE_FAITHFUL);
}

TEST(sim_b8_cq_overflow_unknown_flags_hostile) {
    run_b8(RINGER_SIM_PROFILE_HOSTILE);
}
