/* ringer_init with each IORING_SETUP_* flag loop.md §12 accepts: the ring works (a timeout
 * and a yield round trip), and with SUBMIT_ALL a batch holding SQEs that fail at prep is
 * submitted whole (no partial submission). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "scenario.h"

static struct fixture fixture;
static struct op timeout_op, yield_op, bad_open, read_op;

static void round_trip(uint32_t flags) {
    fixture_begin(&fixture, 8, flags);
    STARTER(ringer_timeout(&fixture.io, &op_prepare(&timeout_op)->completion, 1 * MS, &timeout_op,
                           op_callback));
    STARTER(
        ringer_timeout(&fixture.io, &op_prepare(&yield_op)->completion, 0, &yield_op, op_callback));
    RUN_UNTIL(&fixture.io, timeout_op.calls == 1 && yield_op.calls == 1);
    CHECK_EQ(timeout_op.result, -ETIME);
    CHECK_EQ(yield_op.result, -ETIME);
    fixture_end(&fixture);
}

TEST(init_accepted_flags_work) {
    round_trip(IORING_SETUP_CLAMP);
    round_trip(IORING_SETUP_SUBMIT_ALL);
    round_trip(IORING_SETUP_SINGLE_ISSUER);
    round_trip(IORING_SETUP_COOP_TASKRUN);
    round_trip(IORING_SETUP_CLAMP | IORING_SETUP_SUBMIT_ALL | RINGER_INIT_NO_CANCEL_SWEEP);
}

TEST(init_submit_all_submits_past_failing_sqes) {
    fixture_begin(&fixture, 8, IORING_SETUP_SUBMIT_ALL);
    int file = make_test_file(world_temp_dir_fd(), "file", 64);
    static char long_path[5000];
    memset(long_path, 'x', sizeof long_path - 1);
    static uint8_t buffer[64];
    STARTER(ringer_openat(&fixture.io, &op_prepare(&bad_open)->completion, world_temp_dir_fd(),
                          long_path, O_RDONLY, 0, &bad_open, op_callback));
    STARTER(ringer_read(&fixture.io, &op_prepare(&read_op)->completion, file, buffer, sizeof buffer,
                        0, &read_op, op_callback));
    TICK_UNTIL(&fixture.io, bad_open.calls == 1 && read_op.calls == 1);
    CHECK_EQ(bad_open.result, -ENAMETOOLONG);
    CHECK_EQ(read_op.result, sizeof buffer);
    CHECK_EQ(ringer_stats(&fixture.io).enter_partial, 0);
    world_close(file);
    fixture_end(&fixture);
}
