/* A3: ten 20 ms timeouts driven by ringer_tick alone; none fires early; one extra tick. */
#include <errno.h>

#include "scenario.h"

#define A3_COUNT 10
#define A3_NS    (20 * MS)

static struct fixture fixture;
static struct op timeouts[A3_COUNT];

static bool all_fired(void) {
    for (int i = 0; i < A3_COUNT; i++)
        if (timeouts[i].calls == 0) return false;
    return true;
}

TEST(a3_timeouts) {
    fixture_begin(&fixture, 32, 0);
    for (int i = 0; i < A3_COUNT; i++) {
        op_prepare(&timeouts[i]);
        STARTER(
            ringer_timeout(&fixture.io, &timeouts[i].completion, A3_NS, &timeouts[i], op_callback));
    }
    TICK_UNTIL(&fixture.io, all_fired());
    unsigned callbacks_before_extra_tick = op_callbacks_total();
    CHECK_EQ(ringer_tick(&fixture.io), 0);
    CHECK_EQ(op_callbacks_total(), callbacks_before_extra_tick);
    for (int i = 0; i < A3_COUNT; i++) {
        CHECK_EQ(timeouts[i].calls, 1);
        CHECK_EQ(timeouts[i].result, -ETIME);
        CHECK_GE(timeouts[i].finished_ns - timeouts[i].started_ns, A3_NS);
    }
    CHECK_EQ(op_callbacks_total(), A3_COUNT);
    fixture_end(&fixture);
}
