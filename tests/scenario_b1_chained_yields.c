/* B1: yields started from callbacks run in the same drain, without a syscall, bounded by
 * RINGER_DRAIN_EXTRA_MAX per drain. */
#include <errno.h>

#include "scenario.h"

static struct fixture fixture;
static struct op yield_op;
static unsigned chain_length, chain_done;
static bool chain_results_ok = true;
static unsigned last_sequence;

static void next_yield(struct op *op) {
    if (op->result != -ETIME || op->sequence != last_sequence + 1) chain_results_ok = false;
    last_sequence = op->sequence;
    chain_done++;
    if (chain_done == chain_length) return;
    op_prepare(&yield_op)->then = next_yield;
    STARTER(ringer_timeout(&fixture.io, &yield_op.completion, 0, &yield_op, op_callback));
}

static void start_chain(unsigned length) {
    chain_length = length;
    chain_done = 0;
    last_sequence = op_callbacks_total();
    op_prepare(&yield_op)->then = next_yield;
    STARTER(ringer_timeout(&fixture.io, &yield_op.completion, 0, &yield_op, op_callback));
}

TEST(b1_chained_yields_one_tick) {
    fixture_begin(&fixture, 32, 0);
    struct ringer_stats before = ringer_stats(&fixture.io);
    start_chain(10);
    CHECK_EQ(chain_done, 0); /* never inside ringer_timeout */
    CHECK_EQ(ringer_tick(&fixture.io), 0);
    CHECK_EQ(chain_done, 10);
    CHECK(chain_results_ok);
    struct ringer_stats after = ringer_stats(&fixture.io);
    CHECK_EQ(after.syscalls, before.syscalls);
    CHECK_EQ(after.yields - before.yields, 10);
    fixture_end(&fixture);
}

TEST(b1_yield_chain_bounded_per_drain) {
    fixture_begin(&fixture, 32, 0);
    start_chain(RINGER_DRAIN_EXTRA_MAX + 10);
    CHECK_EQ(ringer_tick(&fixture.io), 0);
    CHECK_LT(chain_done, chain_length);
    CHECK_EQ(chain_done, RINGER_DRAIN_EXTRA_MAX + 1); /* the first was pushed before the drain */
    CHECK_EQ(ringer_tick(&fixture.io), 0);
    CHECK_EQ(chain_done, chain_length);
    CHECK(chain_results_ok);
    fixture_end(&fixture);
}
