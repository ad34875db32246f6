/* A5: a ring of 1 entry; ten 20 ms timeouts: one takes the SQE, nine wait in unqueued. */
#include <errno.h>

#include "scenario.h"

#define A5_COUNT 10

static struct fixture fixture;
static struct op timeouts[A5_COUNT];

TEST(a5_full_submission_queue) {
    fixture_begin(&fixture, 1, 0);
    for (int i = 0; i < A5_COUNT; i++) {
        op_prepare(&timeouts[i]);
        STARTER(ringer_timeout(&fixture.io, &timeouts[i].completion, 20 * MS, &timeouts[i],
                               op_callback));
    }
    struct ringer_stats stats = ringer_stats(&fixture.io);
    CHECK_EQ(stats.queued, 1);
    CHECK_EQ(stats.unqueued, 9);
    RUN_UNTIL(&fixture.io, op_callbacks_total() == A5_COUNT);
    for (int i = 0; i < A5_COUNT; i++) {
        CHECK_EQ(timeouts[i].calls, 1);
        CHECK_EQ(timeouts[i].result, -ETIME);
        CHECK_GE(timeouts[i].finished_ns - timeouts[i].started_ns, 20 * MS);
    }
    fixture_end(&fixture);
}
