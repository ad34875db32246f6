/* A1: openat → write → read → close → statx, each started by the previous callback. */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "scenario.h"

static struct fixture fixture;
static struct op open_op, write_op, read_op, close_op, statx_op;
static uint8_t write_buffer[20], read_buffer[20];
static struct statx statx_buffer;

static void after_close(struct op *op) {
    (void)op;
    STARTER(ringer_statx(&fixture.io, &statx_op.completion, world_temp_dir_fd(), "test_file", 0,
                         STATX_BASIC_STATS, &statx_buffer, &statx_op, op_callback));
}

static void after_read(struct op *op) {
    (void)op;
    close_op.then = after_close;
    STARTER(
        ringer_close(&fixture.io, &close_op.completion, open_op.result, &close_op, op_callback));
}

static void after_write(struct op *op) {
    (void)op;
    read_op.then = after_read;
    STARTER(ringer_read(&fixture.io, &read_op.completion, open_op.result, read_buffer,
                        sizeof read_buffer, 10, &read_op, op_callback));
}

static void after_open(struct op *op) {
    CHECK_GE(op->result, 0);
    CHECK(fd_is_cloexec(op->result));
    write_op.then = after_write;
    memset(write_buffer, 'a', sizeof write_buffer);
    STARTER(ringer_write(&fixture.io, &write_op.completion, op->result, write_buffer,
                         sizeof write_buffer, 10, &write_op, op_callback));
}

TEST(a1_file_round_trip) {
    fixture_begin(&fixture, 32, 0);
    op_prepare(&open_op)->then = after_open;
    op_prepare(&write_op);
    op_prepare(&read_op);
    op_prepare(&close_op);
    op_prepare(&statx_op);
    STARTER(ringer_openat(&fixture.io, &open_op.completion, world_temp_dir_fd(), "test_file",
                          O_RDWR | O_TRUNC | O_CREAT, 0600, &open_op, op_callback));
    TICK_UNTIL(&fixture.io, statx_op.calls == 1);

    CHECK_EQ(write_op.result, 20);
    CHECK_EQ(read_op.result, 20);
    CHECK(memcmp(read_buffer, write_buffer, sizeof read_buffer) == 0);
    CHECK_EQ(close_op.result, 0);
    CHECK_EQ(statx_op.result, 0);
    CHECK_EQ(statx_buffer.stx_size, 30);
    CHECK_EQ(open_op.sequence + 1, write_op.sequence);
    CHECK_EQ(write_op.sequence + 1, read_op.sequence);
    CHECK_EQ(read_op.sequence + 1, close_op.sequence);
    CHECK_EQ(close_op.sequence + 1, statx_op.sequence);
    fixture_end(&fixture);
}
