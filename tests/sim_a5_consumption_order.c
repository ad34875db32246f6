/*
 * A5 on the simulated kernel: a ring of 1 entry and ten 20 ms timeouts started back to
 * back. One takes the SQE and nine wait in unqueued; the kernel then consumes their SQEs
 * in start order. Two views of that order:
 *   - after every tick, no timeout holds an SQE while an older one is still unqueued (I16);
 *   - with no timer slack, each timer fires exactly 20 ms after its SQE was consumed, at
 *     distinct instants (every enter costs virtual time), so the callbacks run in
 *     consumption order; they must run in start order.
 */
#include <errno.h>

#include "scenario.h"
#include "world_sim.h"

#define A5_COUNT 10

static struct fixture fixture;
static struct op timeouts[A5_COUNT];

static void check_sqes_in_start_order(void) {
    bool older_waits = false;
    for (int i = 0; i < A5_COUNT; i++) {
        bool waits = timeouts[i].completion.state == RINGER_UNQUEUED;
        CHECK(waits || !older_waits);
        older_waits = older_waits || waits;
    }
}

TEST(sim_a5_full_submission_queue_consumption_order) {
    struct ringer_sim_options options;
    world_sim_default_options(&options);
    options.no_timer_slack = true;
    world_sim_configure(&options);
    fixture_begin(&fixture, 1, 0);
    for (int i = 0; i < A5_COUNT; i++)
        STARTER(ringer_timeout(&fixture.io, &op_prepare(&timeouts[i])->completion, 20 * MS,
                               &timeouts[i], op_callback));
    struct ringer_stats stats = ringer_stats(&fixture.io);
    CHECK_EQ(stats.queued, 1);
    CHECK_EQ(stats.unqueued, 9);
    check_sqes_in_start_order();
    TICK_UNTIL(&fixture.io, (check_sqes_in_start_order(), op_callbacks_total() == A5_COUNT));
    CHECK_EQ(ringer_sim_stats().ops[IORING_OP_TIMEOUT], A5_COUNT);
    for (int i = 0; i < A5_COUNT; i++) {
        CHECK_EQ(timeouts[i].calls, 1);
        CHECK_EQ(timeouts[i].result, -ETIME);
        CHECK_GE(timeouts[i].finished_ns - timeouts[i].started_ns, 20 * MS);
        if (i > 0) CHECK_GT(timeouts[i].sequence, timeouts[i - 1].sequence);
    }
    fixture_end(&fixture);
}
