/* A9: ringer_cancel of a pending recv (SUBMITTED), and of an op still in unqueued. */
#include <errno.h>

#include "scenario.h"

static struct fixture fixture;
static struct op recv_op, cancel_op, occupier;
static uint8_t recv_buffer[512 * 1024];

TEST(a9_single_cancel_submitted) {
    fixture_begin(&fixture, 32, 0);
    struct tcp_pair pair;
    CHECK(tcp_pair_open(&fixture.io, &pair, AF_INET, NULL));
    STARTER(ringer_recv(&fixture.io, &op_prepare(&recv_op)->completion, pair.server, recv_buffer,
                        sizeof recv_buffer, &recv_op, op_callback));
    CHECK_EQ(ringer_tick(&fixture.io), 0);
    STARTER(ringer_cancel(&fixture.io, &op_prepare(&cancel_op)->completion, &recv_op.completion,
                          &cancel_op, op_callback));
    TICK_UNTIL(&fixture.io, cancel_op.calls == 1);
    /* 0; a kernel with cancel races (the sim's CANCEL_RACE) may also say -EALREADY, and
     * the recv must then still end with -ECANCELED. Checked before waiting for the recv. */
    if (!(world_has_transparent_faults() && cancel_op.result == -EALREADY))
        CHECK_EQ(cancel_op.result, 0);
    TICK_UNTIL(&fixture.io, recv_op.calls == 1);
    CHECK_EQ(recv_op.result, -ECANCELED);
    tcp_pair_close(&fixture.io, &pair);
    fixture_end(&fixture);
}

/* Ring of 1: `occupier` holds the only SQE, so the recv waits in unqueued; the cancel is
 * decided locally: both become LOCAL at once, no SQE is used for either. */
TEST(a9_single_cancel_unqueued) {
    fixture_begin(&fixture, 1, 0);
    struct tcp_pair pair;
    CHECK(tcp_pair_open(&fixture.io, &pair, AF_INET, NULL));
    STARTER(ringer_timeout(&fixture.io, &op_prepare(&occupier)->completion, 1 * MS, &occupier,
                           op_callback));
    STARTER(ringer_recv(&fixture.io, &op_prepare(&recv_op)->completion, pair.server, recv_buffer,
                        sizeof recv_buffer, &recv_op, op_callback));
    CHECK_EQ(recv_op.completion.state, RINGER_UNQUEUED);
    struct ringer_stats before = ringer_stats(&fixture.io);
    STARTER(ringer_cancel(&fixture.io, &op_prepare(&cancel_op)->completion, &recv_op.completion,
                          &cancel_op, op_callback));
    struct ringer_stats after = ringer_stats(&fixture.io);
    CHECK_EQ(after.syscalls, before.syscalls);
    CHECK_EQ(after.queued, 1); /* still only the occupier */
    CHECK_EQ(after.unqueued, 0);
    CHECK_EQ(after.completed, 2);
    CHECK_EQ(recv_op.completion.state, RINGER_LOCAL);
    CHECK_EQ(cancel_op.completion.state, RINGER_LOCAL);
    CHECK_EQ(ringer_tick(&fixture.io), 0);
    CHECK_EQ(cancel_op.calls, 1);
    CHECK_EQ(recv_op.calls, 1);
    CHECK_EQ(cancel_op.result, 0);
    CHECK_EQ(recv_op.result, -ECANCELED);
    RUN_UNTIL(&fixture.io, occupier.calls == 1);
    tcp_pair_close(&fixture.io, &pair);
    fixture_end(&fixture);
}
