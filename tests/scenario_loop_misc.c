/* Loop behaviour not tied to one acceptance scenario: an idle tick makes no syscall,
 * run_for_ns with a full SQ, two rings in one thread, the length clamp. */
#include <errno.h>
#include <string.h>

#include "scenario.h"

static struct fixture fixture, second_fixture;
static struct op ops[8];

TEST(loop_idle_tick_makes_no_syscall) {
    fixture_begin(&fixture, 8, 0);
    uint64_t before = ringer_stats(&fixture.io).syscalls;
    for (int i = 0; i < 100; i++) CHECK_EQ(ringer_tick(&fixture.io), 0);
    CHECK_EQ(ringer_stats(&fixture.io).syscalls, before);
    fixture_end(&fixture);
}

/* Ring of 1 with one SQE prepared and more ops unqueued: run_for_ns must submit to make room
 * for its deadline, never return early, and leave no deadline armed. */
TEST(loop_run_for_ns_with_full_sq) {
    fixture_begin(&fixture, 1, 0);
    for (int i = 0; i < 4; i++)
        STARTER(ringer_timeout(&fixture.io, &op_prepare(&ops[i])->completion, 2 * MS, &ops[i],
                               op_callback));
    CHECK_EQ(io_uring_sq_space_left(&fixture.io.ring), 0);
    for (int round = 0; round < 6; round++) {
        uint64_t before = world_now_ns();
        CHECK_EQ(ringer_run_for_ns(&fixture.io, 1 * MS), 0);
        CHECK_GE(world_now_ns(), before + 1 * MS);
        check_loop_invariants(&fixture.io);
    }
    RUN_UNTIL(&fixture.io, op_callbacks_total() == 4);
    for (int i = 0; i < 4; i++) CHECK_EQ(ops[i].result, -ETIME);
    fixture_end(&fixture);
}

/* Two rings in one thread are independent: each one's callbacks run only in its own loop. */
TEST(loop_two_rings_independent) {
    fixture_begin(&fixture, 8, 0);
    alloc_count_pause(); /* ringer_init may allocate (the opcode probe); only after it counts */
    ringer_init_or_skip(&second_fixture.io, 8, 0);
    alloc_count_resume();
    STARTER(ringer_timeout(&fixture.io, &op_prepare(&ops[0])->completion, 1 * MS, &ops[0],
                           op_callback));
    STARTER(ringer_timeout(&second_fixture.io, &op_prepare(&ops[1])->completion, 1 * MS, &ops[1],
                           op_callback));
    world_sleep_ns(3 * MS);
    RUN_UNTIL(&fixture.io, ops[0].calls == 1);
    CHECK_EQ(ops[1].calls, 0);
    RUN_UNTIL(&second_fixture.io, ops[1].calls == 1);
    check_quiescent(&second_fixture.io);
    ringer_deinit(&second_fixture.io);
    fixture_end(&fixture);
}

/* A size beyond RINGER_IO_SIZE_MAX is clamped, not rejected: a read of a 100-byte file
 * with size UINT32_MAX returns 100. */
TEST(loop_read_size_clamped) {
    fixture_begin(&fixture, 8, 0);
    int file = make_test_file(world_temp_dir_fd(), "small", 100);
    static uint8_t buffer[4096];
    STARTER(ringer_read(&fixture.io, &op_prepare(&ops[0])->completion, file, buffer, UINT32_MAX, 0,
                        &ops[0], op_callback));
    RUN_UNTIL(&fixture.io, ops[0].calls == 1);
    CHECK_EQ(ops[0].result, 100);
    CHECK_EQ(buffer[99], test_pattern(99));
    world_close(file);
    fixture_end(&fixture);
}
