/* B5: run_for_ns never returns before its deadline and always reaps its internal timer,
 * whether nothing else is in flight, a 1 ms timeout chain runs, or yields are pending. */
#include <errno.h>

#include "scenario.h"

/* B5_IO_CHAIN (beyond acceptance.md's three settings): file reads completing all the time.
 * Timeout CQEs do not count toward a timeout's completion count in Linux, so only this
 * setting would expose an internal deadline armed with count 1 (TigerBeetle before
 * f8f983a58), which fires at the first other CQE. */
enum b5_setting { B5_IDLE, B5_TIMEOUT_CHAIN, B5_YIELDS, B5_IO_CHAIN };

static struct fixture fixture;
static struct op chain_op, yields[3];
static bool chain_stop;
static struct op read_op;
static uint8_t read_buffer[64];
static int read_file = -1;

static void reread(struct op *op) {
    CHECK_EQ(op->result, sizeof read_buffer);
    if (chain_stop) return;
    op_prepare(&read_op)->then = reread;
    STARTER(ringer_read(&fixture.io, &read_op.completion, read_file, read_buffer,
                        sizeof read_buffer, 0, &read_op, op_callback));
}

static void rearm_chain(struct op *op) {
    CHECK_EQ(op->result, -ETIME);
    if (chain_stop) return;
    op_prepare(&chain_op)->then = rearm_chain;
    STARTER(ringer_timeout(&fixture.io, &chain_op.completion, 1 * MS, &chain_op, op_callback));
}

static void check_one_call(uint64_t nanoseconds) {
    uint64_t before = world_now_ns();
    CHECK_EQ(ringer_run_for_ns(&fixture.io, nanoseconds), 0);
    CHECK_GE(world_now_ns(), before + nanoseconds);
    CHECK_EQ(ringer_stats(&fixture.io).deadlines, 0);
}

static void run_b5(enum b5_setting setting) {
    static const uint64_t durations[] = {0, 1, 1000, 1 * MS, 20 * MS};
    fixture_begin(&fixture, 32, 0);
    chain_stop = false;
    if (setting == B5_IO_CHAIN) {
        read_file = make_test_file(world_temp_dir_fd(), "b5_file", sizeof read_buffer);
        op_prepare(&read_op)->then = reread;
        STARTER(ringer_read(&fixture.io, &read_op.completion, read_file, read_buffer,
                            sizeof read_buffer, 0, &read_op, op_callback));
    }
    if (setting == B5_TIMEOUT_CHAIN) {
        op_prepare(&chain_op)->then = rearm_chain;
        STARTER(ringer_timeout(&fixture.io, &chain_op.completion, 1 * MS, &chain_op, op_callback));
    }
    for (unsigned i = 0; i < sizeof durations / sizeof durations[0]; i++) {
        for (unsigned y = 0; setting == B5_YIELDS && y < 3; y++) {
            op_prepare(&yields[y]);
            STARTER(ringer_timeout(&fixture.io, &yields[y].completion, 0, &yields[y], op_callback));
        }
        check_one_call(durations[i]);
        for (unsigned y = 0; setting == B5_YIELDS && y < 3; y++) {
            CHECK_EQ(yields[y].calls, 1);
            CHECK_EQ(yields[y].result, -ETIME);
        }
    }
    chain_stop = true;
    if (setting == B5_TIMEOUT_CHAIN) RUN_UNTIL(&fixture.io, chain_op.calls == 1);
    if (setting == B5_IO_CHAIN) {
        RUN_UNTIL(&fixture.io, read_op.calls == 1);
        world_close(read_file);
    }
    fixture_end(&fixture);
}

TEST(b5_run_for_ns_deadline_idle) {
    run_b5(B5_IDLE);
}

TEST(b5_run_for_ns_deadline_timeout_chain) {
    run_b5(B5_TIMEOUT_CHAIN);
}

TEST(b5_run_for_ns_deadline_yields_pending) {
    run_b5(B5_YIELDS);
}

TEST(b5_run_for_ns_deadline_io_chain) {
    run_b5(B5_IO_CHAIN);
}
