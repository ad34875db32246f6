/* ringer_cancel of ops waiting in unqueued at its head, in its middle and at its tail: each
 * leaves with -ECANCELED at once, and the others keep their FIFO order and complete. */
#include <errno.h>

#include "scenario.h"

#define WAITING 6

static struct fixture fixture;
static struct op occupier, waiting[WAITING], cancels[3];

TEST(cancel_unqueued_head_middle_tail) {
    fixture_begin(&fixture, 1, 0);
    STARTER(ringer_timeout(&fixture.io, &op_prepare(&occupier)->completion, 1 * MS, &occupier,
                           op_callback));
    for (unsigned i = 0; i < WAITING; i++)
        STARTER(ringer_timeout(&fixture.io, &op_prepare(&waiting[i])->completion, 1 * MS,
                               &waiting[i], op_callback));
    CHECK_EQ(ringer_stats(&fixture.io).unqueued, WAITING);
    static const unsigned victims[3] = {0, 3, WAITING - 1};
    for (unsigned c = 0; c < 3; c++) {
        STARTER(ringer_cancel(&fixture.io, &op_prepare(&cancels[c])->completion,
                              &waiting[victims[c]].completion, &cancels[c], op_callback));
        CHECK_EQ(waiting[victims[c]].completion.state, RINGER_LOCAL);
    }
    CHECK_EQ(ringer_stats(&fixture.io).unqueued, WAITING - 3);
    RUN_UNTIL(&fixture.io, op_callbacks_total() == 1 + WAITING + 3);
    for (unsigned c = 0; c < 3; c++) {
        CHECK_EQ(cancels[c].result, 0);
        CHECK_EQ(waiting[victims[c]].result, -ECANCELED);
    }
    static const unsigned survivors[3] = {1, 2, 4};
    for (unsigned s = 0; s < 3; s++) CHECK_EQ(waiting[survivors[s]].result, -ETIME);
    fixture_end(&fixture);
}
