/* ringer_nop: one SQE, result 0, exactly one callback each, through a ring too small for the
 * batch (so most wait in unqueued first). */
#include "scenario.h"

static struct fixture fixture;
static struct op nops[40];

TEST(ops_nop_batch_through_a_small_ring) {
    fixture_begin(&fixture, 8, 0);
    for (unsigned i = 0; i < 40; i++) {
        STARTER(ringer_nop(&fixture.io, &op_prepare(&nops[i])->completion, &nops[i], op_callback));
    }
    struct ringer_stats stats = ringer_stats(&fixture.io);
    CHECK_EQ(stats.queued, 8);
    CHECK_EQ(stats.unqueued, 32);
    TICK_UNTIL(&fixture.io, ringer_stats(&fixture.io).callbacks == 40);
    for (unsigned i = 0; i < 40; i++) {
        CHECK_EQ(nops[i].calls, 1);
        CHECK_EQ(nops[i].result, 0);
    }
    fixture_end(&fixture);
}
