/* A4 with a timer as the second source (both kernels), and trigger coalescing. */
#include <errno.h>

#include "scenario.h"

#define A4_TARGET    5
#define A4_PERIOD_NS (5 * MS)

static struct fixture fixture;
static struct op listen_op, timer_op, cancel_op;
static int event_fd = -1;
static int event_count;
static int trigger_failures;
static bool timer_stopped;

static void on_event(struct op *op) {
    CHECK_EQ(op->result, 8);
    event_count++;
    if (event_count < A4_TARGET) {
        op_prepare(&listen_op)->then = on_event;
        STARTER(ringer_event_listen(&fixture.io, &listen_op.completion, event_fd, &listen_op,
                                    op_callback));
    }
}

static void on_timer(struct op *op) {
    CHECK_EQ(op->result, -ETIME);
    if (event_count >= A4_TARGET) {
        timer_stopped = true;
        return;
    }
    if (ringer_event_trigger(&fixture.io, event_fd) != 0) trigger_failures++;
    op_prepare(&timer_op)->then = on_timer;
    STARTER(
        ringer_timeout(&fixture.io, &timer_op.completion, A4_PERIOD_NS, &timer_op, op_callback));
}

TEST(a4_events_timer_source) {
    fixture_begin(&fixture, 32, 0);
    event_fd = ringer_open_event(&fixture.io);
    CHECK_GE(event_fd, 0);
    uint64_t start = world_now_ns();
    op_prepare(&listen_op)->then = on_event;
    STARTER(
        ringer_event_listen(&fixture.io, &listen_op.completion, event_fd, &listen_op, op_callback));
    op_prepare(&timer_op)->then = on_timer;
    STARTER(
        ringer_timeout(&fixture.io, &timer_op.completion, A4_PERIOD_NS, &timer_op, op_callback));
    RUN_UNTIL(&fixture.io, event_count == A4_TARGET && timer_stopped);
    CHECK_EQ(event_count, A4_TARGET);
    CHECK_EQ(trigger_failures, 0);
    CHECK_GE(world_now_ns() - start, A4_PERIOD_NS);
    ringer_close_event(&fixture.io, event_fd);
    fixture_end(&fixture);
}

/* Three triggers before the next tick give one completion, which reads the count 3; a
 * re-armed listen then stays pending until it is cancelled. */
TEST(a4_events_coalesce) {
    fixture_begin(&fixture, 32, 0);
    event_fd = ringer_open_event(&fixture.io);
    CHECK_GE(event_fd, 0);
    CHECK(fd_is_cloexec(event_fd));
    op_prepare(&listen_op);
    STARTER(
        ringer_event_listen(&fixture.io, &listen_op.completion, event_fd, &listen_op, op_callback));
    for (int i = 0; i < 3; i++) CHECK_EQ(ringer_event_trigger(&fixture.io, event_fd), 0);
    RUN_UNTIL(&fixture.io, listen_op.calls == 1);
    CHECK_EQ(listen_op.result, 8);
    CHECK_EQ(listen_op.completion.operation.event.value, 3);
    CHECK_EQ(ringer_run_for_ns(&fixture.io, 5 * MS), 0);
    CHECK_EQ(listen_op.calls, 1);

    op_prepare(&listen_op);
    STARTER(
        ringer_event_listen(&fixture.io, &listen_op.completion, event_fd, &listen_op, op_callback));
    CHECK_EQ(ringer_run_for_ns(&fixture.io, 5 * MS), 0);
    CHECK_EQ(listen_op.calls, 0);
    op_prepare(&cancel_op);
    STARTER(ringer_cancel(&fixture.io, &cancel_op.completion, &listen_op.completion, &cancel_op,
                          op_callback));
    RUN_UNTIL(&fixture.io, listen_op.calls == 1 && cancel_op.calls == 1);
    CHECK_EQ(listen_op.result, -ECANCELED);
    CHECK_EQ(cancel_op.result, 0);
    ringer_close_event(&fixture.io, event_fd);
    fixture_end(&fixture);
}
