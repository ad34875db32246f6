/* A cancel that had to wait in unqueued must not reach a later activation of its target:
 * the target completes (inline, on cached file data) before the cancel gets an SQE, and
 * its callback starts the same completion again as a recv that never gets data. */
#include <errno.h>

#include "scenario.h"

static struct fixture fixture;
static struct op target_op, cancel_op;
static struct tcp_pair pair;
static uint8_t buffer[4096];
static int target_activations;

static void restart_as_recv(struct op *op)
{
    target_activations += 1;
    if (target_activations > 1) return;
    STARTER(ringer_recv(&fixture.io, &op->completion, pair.server, buffer, sizeof buffer, op,
                        op_callback));
}

TEST(cancel_never_reaches_a_later_activation)
{
    fixture_begin(&fixture, 1, 0);
    CHECK(tcp_pair_open(&fixture.io, &pair, AF_INET, NULL));
    int file = make_test_file(world_temp_dir_fd(), "activation", sizeof buffer);
    op_prepare(&target_op)->then = restart_as_recv;
    STARTER(ringer_read(&fixture.io, &target_op.completion, file, buffer, sizeof buffer, 0,
                        &target_op, op_callback));
    STARTER(ringer_cancel(&fixture.io, &op_prepare(&cancel_op)->completion,
                          &target_op.completion, &cancel_op, op_callback));
    CHECK_EQ(cancel_op.completion.state, RINGER_UNQUEUED); /* the ring of 1 is taken */
    TICK_UNTIL(&fixture.io, cancel_op.calls == 1 && target_activations == 1);
    CHECK(cancel_op.result == 0 || cancel_op.result == -ENOENT ||
          cancel_op.result == -EALREADY);
    CHECK(target_op.result == (int32_t)sizeof buffer || target_op.result == -ECANCELED);
    for (int i = 0; i < 20; i++) CHECK_EQ(ringer_tick(&fixture.io), 0);
    /* The recv started from the callback is the later activation: still pending. */
    CHECK_EQ(target_op.completion.state, RINGER_SUBMITTED);
    CHECK_EQ(target_activations, 1);
    CHECK_EQ(ringer_cancel_all(&fixture.io), 0);
    fixture.cancel_all_ran = true;
    world_close(file);
    tcp_pair_close(&fixture.io, &pair);
    fixture_end(&fixture);
}
