/* Partial submissions on the real kernel (loop.md §6): Linux stops a submit at the first
 * SQE whose preparation fails and returns the count up to and including it; the failing
 * op gets its error CQE and the rest stay in the SQ. An openat or statx whose path is
 * longer than PATH_MAX fails that way (getname() runs at prep: -ENAMETOOLONG), so a
 * batch with such ops in the middle is submitted in pieces. Every op must still complete
 * exactly once with its own result, run_for_ns must neither hang nor return early, and
 * enter_partial counts what happened. Real-only: it depends on where Linux fails an SQE. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "scenario.h"

static struct fixture fixture;
static struct op reads[4], bad_opens[3], bad_statx, timeout_op, recv_op, cancel_op;
static char long_path[5000];
static uint8_t buffers[4][64];
static struct statx statx_buffer;

static void start_mixed_batch(int file) {
    memset(long_path, 'p', sizeof long_path - 1);
    for (unsigned i = 0; i < 4; i++) {
        STARTER(ringer_read(&fixture.io, &op_prepare(&reads[i])->completion, file, buffers[i],
                            sizeof buffers[i], 0, &reads[i], op_callback));
        if (i < 3)
            STARTER(ringer_openat(&fixture.io, &op_prepare(&bad_opens[i])->completion,
                                  world_temp_dir_fd(), long_path, O_RDONLY, 0, &bad_opens[i],
                                  op_callback));
    }
    STARTER(ringer_statx(&fixture.io, &op_prepare(&bad_statx)->completion, world_temp_dir_fd(),
                         long_path, 0, STATX_BASIC_STATS, &statx_buffer, &bad_statx, op_callback));
    STARTER(ringer_timeout(&fixture.io, &op_prepare(&timeout_op)->completion, 1 * MS, &timeout_op,
                           op_callback));
}

static void check_mixed_batch(void) {
    for (unsigned i = 0; i < 4; i++) {
        CHECK_EQ(reads[i].result, sizeof buffers[i]);
        CHECK_EQ(buffers[i][5], test_pattern(5));
    }
    for (unsigned i = 0; i < 3; i++) CHECK_EQ(bad_opens[i].result, -ENAMETOOLONG);
    CHECK_EQ(bad_statx.result, -ENAMETOOLONG);
    CHECK_EQ(timeout_op.result, -ETIME);
    CHECK_GE(ringer_stats(&fixture.io).enter_partial, 1);
}

TEST(partial_submission_by_ticks) {
    fixture_begin(&fixture, 16, 0);
    int file = make_test_file(world_temp_dir_fd(), "file", 64);
    start_mixed_batch(file);
    TICK_UNTIL(&fixture.io, op_callbacks_total() == 9);
    check_mixed_batch();
    world_close(file);
    fixture_end(&fixture);
}

TEST(partial_submission_by_run_for_ns) {
    fixture_begin(&fixture, 16, 0);
    int file = make_test_file(world_temp_dir_fd(), "file", 64);
    start_mixed_batch(file);
    uint64_t before = world_now_ns();
    CHECK_EQ(ringer_run_for_ns(&fixture.io, 3 * MS), 0);
    CHECK_GE(world_now_ns(), before + 3 * MS);
    RUN_UNTIL(&fixture.io, op_callbacks_total() == 9);
    check_mixed_batch();
    world_close(file);
    fixture_end(&fixture);
}

/* The internal deadline queued behind a failing SQE, with nothing else that completes:
 * run_for_ns must get its timer into the kernel and return on time, not hang. */
TEST(partial_submission_before_the_deadline) {
    fixture_begin(&fixture, 8, 0);
    struct tcp_pair pair;
    CHECK(tcp_pair_open(&fixture.io, &pair, AF_INET, NULL));
    memset(long_path, 'q', sizeof long_path - 1);
    static uint8_t buffer[16];
    for (int round = 0; round < 3; round++) {
        STARTER(ringer_openat(&fixture.io, &op_prepare(&bad_opens[0])->completion,
                              world_temp_dir_fd(), long_path, O_RDONLY, 0, &bad_opens[0],
                              op_callback));
        if (round == 0)
            STARTER(ringer_recv(&fixture.io, &op_prepare(&recv_op)->completion, pair.server, buffer,
                                sizeof buffer, &recv_op, op_callback));
        uint64_t before = world_now_ns();
        CHECK_EQ(ringer_run_for_ns(&fixture.io, 5 * MS), 0);
        CHECK_GE(world_now_ns(), before + 5 * MS);
        CHECK_EQ(bad_opens[0].calls, 1);
        CHECK_EQ(bad_opens[0].result, -ENAMETOOLONG);
        CHECK_EQ(recv_op.calls, 0);
    }
    STARTER(ringer_cancel(&fixture.io, &op_prepare(&cancel_op)->completion, &recv_op.completion,
                          &cancel_op, op_callback));
    RUN_UNTIL(&fixture.io, recv_op.calls == 1 && cancel_op.calls == 1);
    CHECK_EQ(recv_op.result, -ECANCELED);
    CHECK_GE(ringer_stats(&fixture.io).enter_partial, 1);
    tcp_pair_close(&fixture.io, &pair);
    fixture_end(&fixture);
}

/* cancel_all while failing SQEs sit between the ops and cancel_all's own cancels. */
static void cancel_all_behind_failing_sqes(uint32_t flags) {
    fixture_begin(&fixture, 16, flags);
    struct tcp_pair pair;
    CHECK(tcp_pair_open(&fixture.io, &pair, AF_INET, NULL));
    memset(long_path, 'r', sizeof long_path - 1);
    static uint8_t buffer[16];
    STARTER(ringer_recv(&fixture.io, &op_prepare(&recv_op)->completion, pair.server, buffer,
                        sizeof buffer, &recv_op, op_callback));
    for (unsigned i = 0; i < 3; i++)
        STARTER(ringer_openat(&fixture.io, &op_prepare(&bad_opens[i])->completion,
                              world_temp_dir_fd(), long_path, O_RDONLY, 0, &bad_opens[i],
                              op_callback));
    STARTER(ringer_timeout(&fixture.io, &op_prepare(&timeout_op)->completion, 10000 * MS,
                           &timeout_op, op_callback));
    unsigned callbacks_before = op_callbacks_total();
    CHECK_EQ(ringer_cancel_all(&fixture.io), 0);
    fixture.cancel_all_ran = true;
    CHECK_EQ(op_callbacks_total(), callbacks_before);
    world_close(pair.client);
    world_close(pair.server);
    world_close(pair.listener);
    fixture_end(&fixture);
}

TEST(partial_submission_under_cancel_all_fast_path) {
    cancel_all_behind_failing_sqes(0);
}

TEST(partial_submission_under_cancel_all_per_target) {
    cancel_all_behind_failing_sqes(RINGER_INIT_NO_CANCEL_SWEEP);
}
