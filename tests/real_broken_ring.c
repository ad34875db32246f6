/* loop.md §6: an io_uring_enter error other than EINTR/EAGAIN/EBUSY breaks the io: that
 * call and every later one but ringer_deinit return the errno; nothing aborts, and
 * ringer_deinit is still legal. Real-only: the ring's fd is replaced behind the library's
 * back (dup2 of /dev/null), so the next enter fails with -EOPNOTSUPP. */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "scenario.h"

static struct fixture fixture;
static struct op timeout_op;

TEST(loop_broken_ring_reports_errno_without_abort) {
    fixture_begin(&fixture, 8, 0);
    STARTER(ringer_timeout(&fixture.io, &op_prepare(&timeout_op)->completion, 1000 * MS,
                           &timeout_op, op_callback));
    int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    CHECK_GE(null_fd, 0);
    CHECK_EQ(dup2(null_fd, fixture.io.ring.ring_fd), fixture.io.ring.ring_fd);
    close(null_fd);
    int broken = ringer_tick(&fixture.io);
    CHECK_LT(broken, 0);
    CHECK_EQ(ringer_tick(&fixture.io), broken);
    CHECK_EQ(ringer_run_for_ns(&fixture.io, 1 * MS), broken);
    CHECK_EQ(ringer_cancel_all(&fixture.io), broken);
    CHECK_EQ(timeout_op.calls, 0);
    CHECK_EQ(alloc_count_stop(), 0);
    ringer_deinit(&fixture.io);
    CHECK_EQ(world_open_fd_count(), fixture.fds_before);
}
