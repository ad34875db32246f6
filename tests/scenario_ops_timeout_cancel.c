/* ops.md timeouts and loop.md §9–§10: -ETIME never early, yields, cancel by target state. */
#include <errno.h>

#include "death.h"
#include "scenario.h"

static struct fixture fixture;
static struct op target, cancel_op, other;

static void check_timeout(uint64_t nanoseconds) {
    STARTER(ringer_timeout(&fixture.io, &op_prepare(&target)->completion, nanoseconds, &target,
                           op_callback));
    RUN_UNTIL(&fixture.io, target.calls == 1);
    CHECK_EQ(target.result, -ETIME);
    CHECK_GE(target.finished_ns - target.started_ns, nanoseconds);
}

TEST(ops_timeout_never_early) {
    fixture_begin(&fixture, 8, 0);
    check_timeout(1);
    check_timeout(1000);
    check_timeout(1 * MS);
    check_timeout(7 * MS);
    fixture_end(&fixture);
}

/* More than a second: the timespec must be normalised ({1, 1}), or the kernel says -EINVAL. */
TEST(ops_timeout_over_one_second_normalised) {
    fixture_begin(&fixture, 8, 0);
    check_timeout(1000000001ull);
    fixture_end(&fixture);
}

TEST(ops_yield_without_syscall) {
    fixture_begin(&fixture, 8, 0);
    struct ringer_stats before = ringer_stats(&fixture.io);
    STARTER(ringer_timeout(&fixture.io, &op_prepare(&target)->completion, 0, &target, op_callback));
    CHECK_EQ(target.calls, 0);
    CHECK_EQ(target.completion.state, RINGER_LOCAL);
    struct ringer_stats pending = ringer_stats(&fixture.io);
    CHECK_EQ(pending.completed, 1);
    CHECK_EQ(pending.queued + pending.in_kernel + pending.awaiting, 0);
    CHECK_EQ(ringer_tick(&fixture.io), 0);
    CHECK_EQ(target.calls, 1);
    CHECK_EQ(target.result, -ETIME);
    CHECK_EQ(ringer_stats(&fixture.io).syscalls, before.syscalls);
    fixture_end(&fixture);
}

static void cancel_target(void) {
    STARTER(ringer_cancel(&fixture.io, &op_prepare(&cancel_op)->completion, &target.completion,
                          &cancel_op, op_callback));
}

TEST(ops_cancel_submitted_timeout) {
    fixture_begin(&fixture, 8, 0);
    STARTER(ringer_timeout(&fixture.io, &op_prepare(&target)->completion, 5000 * MS, &target,
                           op_callback));
    CHECK_EQ(ringer_tick(&fixture.io), 0);
    cancel_target();
    RUN_UNTIL(&fixture.io, target.calls == 1 && cancel_op.calls == 1);
    CHECK_EQ(cancel_op.result, 0);
    CHECK_EQ(target.result, -ECANCELED);
    fixture_end(&fixture);
}

/* Prepared but not yet submitted: the cancel goes out behind it in the same submit. */
TEST(ops_cancel_prepared_not_submitted) {
    fixture_begin(&fixture, 8, 0);
    STARTER(ringer_timeout(&fixture.io, &op_prepare(&target)->completion, 5000 * MS, &target,
                           op_callback));
    cancel_target();
    RUN_UNTIL(&fixture.io, target.calls == 1 && cancel_op.calls == 1);
    CHECK_EQ(cancel_op.result, 0);
    CHECK_EQ(target.result, -ECANCELED);
    fixture_end(&fixture);
}

TEST(ops_cancel_idle_target_is_enoent) {
    fixture_begin(&fixture, 8, 0);
    op_prepare(&target);
    struct ringer_stats before = ringer_stats(&fixture.io);
    cancel_target(); /* never started */
    CHECK_EQ(cancel_op.completion.state, RINGER_LOCAL);
    CHECK_EQ(ringer_tick(&fixture.io), 0);
    CHECK_EQ(cancel_op.calls, 1);
    CHECK_EQ(cancel_op.result, -ENOENT);
    CHECK_EQ(target.calls, 0);
    CHECK_EQ(ringer_stats(&fixture.io).syscalls, before.syscalls);
    check_timeout(1000); /* finished: IDLE again */
    cancel_target();
    RUN_UNTIL(&fixture.io, cancel_op.calls == 1);
    CHECK_EQ(cancel_op.result, -ENOENT);
    CHECK_EQ(target.calls, 1);
    fixture_end(&fixture);
}

TEST(ops_cancel_pending_yield_is_enoent) {
    fixture_begin(&fixture, 8, 0);
    STARTER(ringer_timeout(&fixture.io, &op_prepare(&target)->completion, 0, &target, op_callback));
    cancel_target();
    CHECK_EQ(ringer_tick(&fixture.io), 0);
    CHECK_EQ(cancel_op.result, -ENOENT);
    CHECK_EQ(target.result, -ETIME);
    CHECK_EQ(target.calls + cancel_op.calls, 2);
    fixture_end(&fixture);
}

/* Two timeouts that both expire while the loop sleeps are reaped in one batch: from the
 * first one's callback, the second is REAPED (callback pending), and a cancel of it gives
 * -ENOENT while its own result stays -ETIME. */
static void cancel_the_other(struct op *op) {
    (void)op;
    struct op *second = op == &target ? &other : &target;
    if (second->calls == 1) return;
    STARTER(ringer_cancel(&fixture.io, &op_prepare(&cancel_op)->completion, &second->completion,
                          &cancel_op, op_callback));
}

TEST(ops_cancel_reaped_target_is_enoent) {
    fixture_begin(&fixture, 8, 0);
    op_prepare(&cancel_op);
    op_prepare(&target)->then = cancel_the_other;
    op_prepare(&other)->then = cancel_the_other;
    STARTER(ringer_timeout(&fixture.io, &target.completion, 2 * MS, &target, op_callback));
    STARTER(ringer_timeout(&fixture.io, &other.completion, 2 * MS, &other, op_callback));
    TICK_UNTIL(&fixture.io, ringer_stats(&fixture.io).queued == 0); /* both in the kernel */
    world_sleep_ns(5 * MS); /* both expire before the loop looks again */
    RUN_UNTIL(&fixture.io, target.calls == 1 && other.calls == 1);
    RUN_UNTIL(&fixture.io, cancel_op.calls == 1);
    CHECK_EQ(cancel_op.result, -ENOENT);
    CHECK_EQ(target.result, -ETIME);
    CHECK_EQ(other.result, -ETIME);
    fixture_end(&fixture);
}

static void cancel_itself(void *argument) {
    (void)argument;
    static struct ringer_io io;
    static struct ringer_completion completion;
    if (ringer_init(&io, 8, 0) != 0) return;
    ringer_cancel(&io, &completion, &completion, NULL, op_callback);
}

static void cancel_a_cancel(void *argument) {
    (void)argument;
    static struct ringer_io io;
    static struct ringer_completion victim, first, second;
    if (ringer_init(&io, 8, 0) != 0) return;
    ringer_timeout(&io, &victim, 1000 * MS, NULL, op_callback);
    ringer_cancel(&io, &first, &victim, NULL, op_callback);
    ringer_cancel(&io, &second, &first, NULL, op_callback);
}

TEST(ops_cancel_of_itself_or_a_cancel_aborts) {
    expect_assertion(cancel_itself, NULL);
    expect_assertion(cancel_a_cancel, NULL);
}
