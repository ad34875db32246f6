/* ringer_init's flags on the real kernel: the fast default, an explicit task-run choice
 * honoured exactly, and flags ringer does not support refused with -EINVAL. */
#include <errno.h>

#include "scenario.h"

static struct ringer_io io;

TEST(init_flags_default_picks_the_fastest_the_kernel_has)
{
    int rc = ringer_init(&io, 8, 0);
    if (rc == -ENOSYS || rc == -EPERM) SKIP("io_uring is unavailable here");
    CHECK_EQ(rc, 0);
    CHECK(io.setup_flags & IORING_SETUP_COOP_TASKRUN || io.setup_flags == 0);
    ringer_deinit(&io);
}

TEST(init_flags_explicit_coop_taskrun_is_honoured_exactly)
{
    int rc = ringer_init(&io, 8, IORING_SETUP_COOP_TASKRUN);
    if (rc == -ENOSYS || rc == -EPERM) SKIP("io_uring is unavailable here");
    if (rc == -EINVAL) SKIP("this kernel predates COOP_TASKRUN (Linux 5.19)");
    CHECK_EQ(rc, 0);
    CHECK_EQ(io.setup_flags, IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG);
    ringer_deinit(&io);
}

TEST(init_flags_unsupported_are_einval)
{
    CHECK_EQ(ringer_init(&io, 8, IORING_SETUP_SQPOLL), -EINVAL);
    CHECK_EQ(ringer_init(&io, 8, IORING_SETUP_IOPOLL), -EINVAL);
    CHECK_EQ(ringer_init(&io, 8, IORING_SETUP_CQE32), -EINVAL);
}
