/* A cancel that had to wait in unqueued must not reach a later activation of its target.
 * Ring of 1: the target (a 1 ms timeout) is in the kernel, a long timeout holds the only
 * SQE, and the cancel waits in unqueued. The target fires before the cancel gets an SQE,
 * and its callback starts the same completion again as a recv that never gets data. */
#include <errno.h>

#include "scenario.h"

static struct fixture fixture;
static struct op target_op, occupier_op, cancel_op;
static struct tcp_pair pair;
static uint8_t buffer[64];
static int target_activations;

static void restart_as_recv(struct op *op) {
    target_activations += 1;
    if (target_activations > 1) return;
    STARTER(ringer_recv(&fixture.io, &op->completion, pair.server, buffer, sizeof buffer, op,
                        op_callback));
}

TEST(cancel_never_reaches_a_later_activation) {
    fixture_begin(&fixture, 1, 0);
    CHECK(tcp_pair_open(&fixture.io, &pair, AF_INET, NULL));
    op_prepare(&target_op)->then = restart_as_recv;
    STARTER(ringer_timeout(&fixture.io, &target_op.completion, 1 * MS, &target_op, op_callback));
    CHECK_EQ(ringer_tick(&fixture.io), 0); /* the target is in the kernel */
    CHECK_EQ(target_op.completion.state, RINGER_SUBMITTED);
    STARTER(ringer_timeout(&fixture.io, &op_prepare(&occupier_op)->completion, 5000 * MS,
                           &occupier_op, op_callback));
    STARTER(ringer_cancel(&fixture.io, &op_prepare(&cancel_op)->completion, &target_op.completion,
                          &cancel_op, op_callback));
    CHECK_EQ(cancel_op.completion.state, RINGER_UNQUEUED); /* the only SQE is taken */
    world_sleep_ns(20 * MS);                               /* the target fires meanwhile */
    TICK_UNTIL(&fixture.io, cancel_op.calls == 1 && target_activations == 1);
    CHECK_EQ(cancel_op.result, -ENOENT);
    CHECK_EQ(target_op.result, -ETIME);
    for (int i = 0; i < 20; i++) CHECK_EQ(ringer_tick(&fixture.io), 0);
    /* The recv started from the callback is the later activation: still pending. */
    CHECK_EQ(target_op.completion.state, RINGER_SUBMITTED);
    CHECK_EQ(target_activations, 1);
    CHECK_EQ(ringer_cancel_all(&fixture.io), 0);
    fixture.cancel_all_ran = true;
    tcp_pair_close(&fixture.io, &pair);
    fixture_end(&fixture);
}
