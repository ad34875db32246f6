/* ringer_cancel of an openat that blocks in an io-wq worker: with O_CREAT, io_uring hands
 * the open to a worker at once, and opening an existing FIFO for reading with no writer
 * then sleeps interruptibly in the worker. Linux answers the cancel with -EALREADY and
 * interrupts the worker. The open's CQE then carries the kernel-internal -ERESTARTSYS
 * (-512) on Linux 6.x (io_uring converts restart codes to -EINTR for reads and writes, not
 * for openat; compare liburing issue #30 for recvmsg). loop.md §10 promises the target of
 * a cancel -ECANCELED, its normal result, or -EINTR mapped to -ECANCELED, and a retry
 * would block again; so the library must report -ECANCELED, without a retry. If the kernel
 * answers the cancel with 0, the open never ran: also -ECANCELED. Real-only: it depends on
 * how Linux runs and interrupts a worker. */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "scenario.h"

static struct fixture fixture;
static struct op open_op, cancel_op;

TEST(cancel_openat_blocked_in_worker) {
    fixture_begin(&fixture, 8, 0);
    CHECK_EQ(mkfifoat(world_temp_dir_fd(), "fifo", 0600), 0);
    STARTER(ringer_openat(&fixture.io, &op_prepare(&open_op)->completion, world_temp_dir_fd(),
                          "fifo", O_RDONLY | O_CREAT, 0600, &open_op, op_callback));
    CHECK_EQ(ringer_run_for_ns(&fixture.io, 5 * MS), 0); /* the worker now sleeps in open */
    CHECK_EQ(open_op.calls, 0);
    STARTER(ringer_cancel(&fixture.io, &op_prepare(&cancel_op)->completion, &open_op.completion,
                          &cancel_op, op_callback));
    uint64_t deadline = world_now_ns() + 2000 * MS;
    while ((open_op.calls == 0 || cancel_op.calls == 0) && world_now_ns() < deadline)
        CHECK_EQ(ringer_run_for_ns(&fixture.io, 1 * MS), 0);
    if (open_op.calls == 0) {
        /* Not interrupted: release the open with a writer so that the test can end. */
        int writer = world_open_file(world_temp_dir_fd(), "fifo", O_WRONLY | O_NONBLOCK);
        RUN_UNTIL(&fixture.io, open_op.calls == 1 && cancel_op.calls == 1);
        if (writer >= 0) world_close(writer);
        if (open_op.result >= 0) world_close(open_op.result);
        CHECK(!"the cancelled openat was not interrupted within 2 s");
    }
    CHECK(cancel_op.result == -EALREADY || cancel_op.result == 0);
    CHECK_EQ(open_op.result, -ECANCELED);
    CHECK_EQ(ringer_stats(&fixture.io).retry_eintr, 0);
    fixture_end(&fixture);
}

/* cancel_all with the same blocked openat: its cancel meets a running worker (-EALREADY),
 * so cancel_all must wait for the interrupted open's CQE (WAIT state, loop.md §11) and then
 * end; nothing is called back and no fd is left open. */
static void cancel_all_with_blocked_open(uint32_t flags) {
    fixture_begin(&fixture, 8, flags);
    CHECK_EQ(mkfifoat(world_temp_dir_fd(), "fifo", 0600), 0);
    STARTER(ringer_openat(&fixture.io, &op_prepare(&open_op)->completion, world_temp_dir_fd(),
                          "fifo", O_RDONLY | O_CREAT, 0600, &open_op, op_callback));
    CHECK_EQ(ringer_run_for_ns(&fixture.io, 5 * MS), 0); /* the worker now sleeps in open */
    CHECK_EQ(open_op.calls, 0);
    uint64_t start = world_now_ns();
    CHECK_EQ(ringer_cancel_all(&fixture.io), 0);
    fixture.cancel_all_ran = true;
    CHECK_LT(world_now_ns() - start, 1000 * MS);
    CHECK_EQ(open_op.calls, 0);
    fixture_end(&fixture);
}

TEST(cancel_all_waits_for_an_interrupted_worker_fast_path) {
    cancel_all_with_blocked_open(0);
}

TEST(cancel_all_waits_for_an_interrupted_worker_per_target) {
    cancel_all_with_blocked_open(RINGER_INIT_NO_CANCEL_SWEEP);
}
