/* B6: callbacks are never re-entrant. Every scenario's callbacks check the depth and the
 * starter flag (scenario.c); here, calling the loop from inside a callback must abort. */
#include <errno.h>

#include "death.h"
#include "scenario.h"

enum b6_call { B6_TICK, B6_RUN_FOR_NS, B6_CANCEL_ALL, B6_DEINIT };

static struct ringer_io io;
static struct ringer_completion yield;
static enum b6_call call;

static void reenter(void *context, struct ringer_completion *completion, int32_t result) {
    (void)context;
    (void)completion;
    (void)result;
    switch (call) {
    case B6_TICK:
        ringer_tick(&io);
        break;
    case B6_RUN_FOR_NS:
        ringer_run_for_ns(&io, 1000);
        break;
    case B6_CANCEL_ALL:
        ringer_cancel_all(&io);
        break;
    case B6_DEINIT:
        ringer_deinit(&io);
        break;
    }
}

static void reenter_from_callback(void *argument) {
    call = *(enum b6_call *)argument;
    if (ringer_init(&io, 8, 0) != 0) return;
    ringer_timeout(&io, &yield, 0, NULL, reenter);
    ringer_tick(&io);
}

static void expect_reentry_aborts(enum b6_call which) {
    struct fixture probe; /* skips the test when io_uring is unavailable */
    fixture_begin(&probe, 8, 0);
    fixture_end(&probe);
    expect_assertion(reenter_from_callback, &which);
}

TEST(b6_tick_from_callback_aborts) {
    expect_reentry_aborts(B6_TICK);
}

TEST(b6_run_for_ns_from_callback_aborts) {
    expect_reentry_aborts(B6_RUN_FOR_NS);
}

TEST(b6_cancel_all_from_callback_aborts) {
    expect_reentry_aborts(B6_CANCEL_ALL);
}

TEST(b6_deinit_from_callback_aborts) {
    expect_reentry_aborts(B6_DEINIT);
}

/* The positive side: callbacks that start ops and cancels never run inside the starter. */
static struct fixture fixture;
static struct op first, second, cancel_op;

static void start_more(struct op *op) {
    (void)op;
    STARTER(ringer_timeout(&fixture.io, &op_prepare(&second)->completion, 0, &second, op_callback));
    STARTER(ringer_cancel(&fixture.io, &op_prepare(&cancel_op)->completion, &second.completion,
                          &cancel_op, op_callback));
}

TEST(b6_callbacks_not_reentrant) {
    fixture_begin(&fixture, 8, 0);
    op_prepare(&first)->then = start_more;
    STARTER(ringer_timeout(&fixture.io, &first.completion, 1 * MS, &first, op_callback));
    RUN_UNTIL(&fixture.io, second.calls == 1 && cancel_op.calls == 1);
    CHECK_EQ(cancel_op.result, -ENOENT); /* a pending yield cannot be cancelled */
    CHECK_EQ(second.result, -ETIME);
    fixture_end(&fixture);
}
