/* I20 and friends: a tick never blocks, an endless yield chain cannot capture the loop,
 * run_for_ns(0) is one syscall, a huge timeout is valid and cancellable. */
#include <errno.h>

#include "scenario.h"

static struct fixture fixture;
static struct op long_timeout, cancel_op, yield_op;
static bool keep_yielding;
static unsigned yields_run;

TEST(loop_tick_never_blocks) {
    fixture_begin(&fixture, 8, 0);
    STARTER(ringer_timeout(&fixture.io, &op_prepare(&long_timeout)->completion, 1000 * MS,
                           &long_timeout, op_callback));
    uint64_t start = world_now_ns();
    for (int i = 0; i < 100; i++) CHECK_EQ(ringer_tick(&fixture.io), 0);
    CHECK_LT(world_now_ns() - start, 200 * MS);
    CHECK_EQ(long_timeout.calls, 0);
    STARTER(ringer_cancel(&fixture.io, &op_prepare(&cancel_op)->completion,
                          &long_timeout.completion, &cancel_op, op_callback));
    RUN_UNTIL(&fixture.io, long_timeout.calls == 1 && cancel_op.calls == 1);
    CHECK_EQ(long_timeout.result, -ECANCELED);
    fixture_end(&fixture);
}

static void yield_again(struct op *op) {
    (void)op;
    yields_run++;
    if (!keep_yielding) return;
    op_prepare(&yield_op)->then = yield_again;
    STARTER(ringer_timeout(&fixture.io, &yield_op.completion, 0, &yield_op, op_callback));
}

/* An endless yield chain: every tick and every run_for_ns still returns, and run_for_ns
 * still honours its deadline. */
TEST(loop_endless_yields_cannot_capture_the_loop) {
    fixture_begin(&fixture, 8, 0);
    keep_yielding = true;
    op_prepare(&yield_op)->then = yield_again;
    STARTER(ringer_timeout(&fixture.io, &yield_op.completion, 0, &yield_op, op_callback));
    for (int i = 0; i < 3; i++) CHECK_EQ(ringer_tick(&fixture.io), 0);
    CHECK_LE(yields_run, 3 * (RINGER_DRAIN_EXTRA_MAX + 1));
    uint64_t start = world_now_ns();
    CHECK_EQ(ringer_run_for_ns(&fixture.io, 5 * MS), 0);
    uint64_t elapsed = world_now_ns() - start;
    CHECK_GE(elapsed, 5 * MS);
    CHECK_LT(elapsed, 2000 * MS);
    keep_yielding = false;
    RUN_UNTIL(&fixture.io, yield_op.calls == 1);
    fixture_end(&fixture);
}

TEST(loop_run_for_ns_zero_is_one_syscall) {
    if (world_has_transparent_faults()) SKIP("injected enter errors cost extra syscalls by design");
    fixture_begin(&fixture, 8, 0);
    CHECK_EQ(ringer_run_for_ns(&fixture.io, 0), 0); /* warm-up */
    uint64_t before = ringer_stats(&fixture.io).syscalls;
    CHECK_EQ(ringer_run_for_ns(&fixture.io, 0), 0);
    CHECK_EQ(ringer_stats(&fixture.io).syscalls - before, 1);
    CHECK_EQ(ringer_stats(&fixture.io).deadlines, 0);
    fixture_end(&fixture);
}

/* UINT64_MAX ns normalises to a valid timespec: the kernel accepts it (no -EINVAL). */
TEST(loop_huge_timeout_is_valid_and_cancellable) {
    fixture_begin(&fixture, 8, 0);
    STARTER(ringer_timeout(&fixture.io, &op_prepare(&long_timeout)->completion, UINT64_MAX,
                           &long_timeout, op_callback));
    CHECK_EQ(ringer_run_for_ns(&fixture.io, 2 * MS), 0);
    CHECK_EQ(long_timeout.calls, 0);
    STARTER(ringer_cancel(&fixture.io, &op_prepare(&cancel_op)->completion,
                          &long_timeout.completion, &cancel_op, op_callback));
    RUN_UNTIL(&fixture.io, long_timeout.calls == 1 && cancel_op.calls == 1);
    CHECK_EQ(cancel_op.result, 0);
    CHECK_EQ(long_timeout.result, -ECANCELED);
    fixture_end(&fixture);
}

/* cancel_all with nothing in the kernel (only yields pending) drops them at once: no
 * callback, no syscall, no 10 ms round. */
TEST(cancel_all_without_kernel_work_makes_no_syscall) {
    fixture_begin(&fixture, 8, 0);
    STARTER(
        ringer_timeout(&fixture.io, &op_prepare(&yield_op)->completion, 0, &yield_op, op_callback));
    uint64_t syscalls = ringer_stats(&fixture.io).syscalls;
    CHECK_EQ(ringer_cancel_all(&fixture.io), 0);
    fixture.cancel_all_ran = true;
    CHECK_EQ(yield_op.calls, 0);
    CHECK_EQ(ringer_stats(&fixture.io).syscalls, syscalls);
    CHECK_EQ(ringer_stats(&fixture.io).cancel_all_rounds, 0);
    fixture_end(&fixture);
}
