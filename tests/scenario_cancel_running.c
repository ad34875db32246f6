/* ringer_cancel against an fsync of dirty data on the disk, which runs in an io-wq worker:
 * whatever the race gives, the two results agree (loop.md §10): cancel 0 means the target
 * was cancelled; -EALREADY means it was running and completes normally or is interrupted
 * (-EINTR, reported as -ECANCELED); -ENOENT means it had finished. */
#include <errno.h>
#include <string.h>

#include "scenario.h"

#define DIRTY_SIZE (256u * 1024)

static struct fixture fixture;
static struct op write_op, fsync_op, cancel_op;
static uint8_t dirty[DIRTY_SIZE];

static void one_round(int file, unsigned round) {
    memset(dirty, (int)round, sizeof dirty);
    STARTER(ringer_write(&fixture.io, &op_prepare(&write_op)->completion, file, dirty, sizeof dirty,
                         0, &write_op, op_callback));
    RUN_UNTIL(&fixture.io, write_op.calls == 1);
    CHECK_EQ(write_op.result, DIRTY_SIZE);
    STARTER(ringer_fsync(&fixture.io, &op_prepare(&fsync_op)->completion, file, 0, &fsync_op,
                         op_callback));
    if (round % 2) CHECK_EQ(ringer_tick(&fixture.io), 0);
    STARTER(ringer_cancel(&fixture.io, &op_prepare(&cancel_op)->completion, &fsync_op.completion,
                          &cancel_op, op_callback));
    RUN_UNTIL(&fixture.io, fsync_op.calls == 1 && cancel_op.calls == 1);
    switch (cancel_op.result) {
    case 0:
        CHECK_EQ(fsync_op.result, -ECANCELED);
        break;
    case -EALREADY:
        CHECK(fsync_op.result == 0 || fsync_op.result == -ECANCELED);
        break;
    case -ENOENT:
        CHECK_EQ(fsync_op.result, 0);
        break;
    default:
        CHECK_EQ(cancel_op.result, 0); /* fails, naming the value */
    }
}

TEST(cancel_running_fsync_results_agree) {
    int dir = world_disk_dir_fd();
    if (dir < 0) SKIP("no directory on a disk in this world");
    fixture_begin(&fixture, 8, 0);
    int file = world_create_file(dir, "dirty", NULL, 0);
    for (unsigned round = 0; round < 12; round++) one_round(file, round);
    world_close(file);
    fixture_end(&fixture);
}
