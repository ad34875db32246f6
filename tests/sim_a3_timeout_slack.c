/*
 * A3 on the simulated kernel: ten 20 ms timeouts driven by ringer_tick alone fire no
 * earlier than asked (the real ring checks that too) and, on virtual time, no later than
 * 20 ms + timer_slack_ns + the loop's own cost: the time from the start call to the SQE's
 * consumption, and from the timer's CQE to the callback, a few simulated syscalls each.
 * Runs with the default slack (50 us), a large one (2 ms) and none.
 */
#include <errno.h>

#include "scenario.h"
#include "world_sim.h"

#define A3_COUNT        10
#define A3_NS           (20 * MS)
/* A tick costs a few simulated syscalls of 1 us; 20 of them is far above what one takes. */
#define A3_LOOP_COST_NS 20000u

static struct fixture fixture;
static struct op timeouts[A3_COUNT];

static bool all_fired(void) {
    for (int i = 0; i < A3_COUNT; i++)
        if (timeouts[i].calls == 0) return false;
    return true;
}

static void run_a3(uint64_t slack_ns) {
    struct ringer_sim_options options;
    world_sim_default_options(&options);
    options.timer_slack_ns = slack_ns;
    options.no_timer_slack = slack_ns == 0;
    world_sim_configure(&options);
    fixture_begin(&fixture, 32, 0);
    for (int i = 0; i < A3_COUNT; i++)
        STARTER(ringer_timeout(&fixture.io, &op_prepare(&timeouts[i])->completion, A3_NS,
                               &timeouts[i], op_callback));
    TICK_UNTIL(&fixture.io, all_fired());
    unsigned callbacks_before_extra_tick = op_callbacks_total();
    CHECK_EQ(ringer_tick(&fixture.io), 0);
    CHECK_EQ(op_callbacks_total(), callbacks_before_extra_tick);
    for (int i = 0; i < A3_COUNT; i++) {
        uint64_t elapsed = timeouts[i].finished_ns - timeouts[i].started_ns;
        CHECK_EQ(timeouts[i].calls, 1);
        CHECK_EQ(timeouts[i].result, -ETIME);
        CHECK_GE(elapsed, A3_NS);
        CHECK_LE(elapsed, A3_NS + slack_ns + A3_LOOP_COST_NS);
    }
    CHECK_EQ(op_callbacks_total(), A3_COUNT);
    fixture_end(&fixture);
}

TEST(sim_a3_timeouts_within_default_slack) {
    run_a3(50000);
}

TEST(sim_a3_timeouts_within_large_slack) {
    run_a3(2 * MS);
}

TEST(sim_a3_timeouts_without_slack) {
    run_a3(0);
}
