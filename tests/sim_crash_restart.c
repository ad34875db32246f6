/*
 * Crash and restart (ringer_sim.h, docs/testing-on-the-sim.md): after ringer_sim_crash,
 * ringer_init on the same io starts the next boot. The completions that were in flight in
 * the old boot count as idle (their serial is older than the new boot's), so the program
 * starts them again without zeroing them, and what was fsync'd before the crash is there.
 */
#include <fcntl.h>
#include <string.h>

#include "harness.h"
#include "scenario.h"
#include "world_sim.h"

static struct ringer_io io;
static struct ringer_completion write_op, sync_op, timer, read_op;
static int32_t results[4];
static uint32_t calls;

static void on_done(void *context, struct ringer_completion *completion, int32_t result) {
    (void)completion;
    *(int32_t *)context = result;
    calls += 1;
}

static void run_until_calls(uint32_t wanted) {
    for (int i = 0; i < 1000 && calls < wanted; i++) CHECK_EQ(ringer_run_for_ns(&io, 1 * MS), 0);
    CHECK_EQ(calls, wanted);
}

TEST(sim_crash_restart_round_trip) {
    static _Alignas(4096) uint8_t block[4096], back[4096];
    memset(block, 0x5a, sizeof block);
    CHECK_EQ(ringer_init(&io, 8, 0), 0);
    int fd = ringer_sim_open("/durable", O_RDWR | O_CREAT, 0600);
    CHECK(fd >= 0);
    ringer_write(&io, &write_op, fd, block, sizeof block, 0, &results[0], on_done);
    run_until_calls(1);
    CHECK_EQ(results[0], (int32_t)sizeof block);
    ringer_fsync(&io, &sync_op, fd, 0, &results[1], on_done);
    run_until_calls(2);
    CHECK_EQ(results[1], 0);
    /* In flight at the crash: a long timeout, never to call back. */
    ringer_timeout(&io, &timer, 1000 * MS, &results[2], on_done);
    CHECK_EQ(ringer_tick(&io), 0);
    CHECK(ringer_stats(&io).in_kernel == 1);
    ringer_sim_crash();

    calls = 0;
    CHECK_EQ(ringer_init(&io, 8, 0), 0); /* the next boot, on the same io */
    CHECK_EQ(ringer_stats(&io).in_kernel, 0);
    fd = ringer_sim_open("/durable", O_RDONLY, 0);
    CHECK(fd >= 0);
    ringer_timeout(&io, &timer, 1 * MS, &results[2], on_done); /* not zeroed by hand */
    ringer_read(&io, &read_op, fd, back, sizeof back, 0, &results[3], on_done);
    run_until_calls(2);
    CHECK_EQ(results[2], -ETIME);
    CHECK_EQ(results[3], (int32_t)sizeof back);
    CHECK(memcmp(block, back, sizeof back) == 0);
    ringer_sim_close(fd);
    ringer_deinit(&io);
}
