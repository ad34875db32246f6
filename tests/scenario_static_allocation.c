/* I21: no heap allocation after ringer_init, across a busy workload of files, sockets,
 * events, timeouts, yields, cancels and a final cancel_all (the fixture counts). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "scenario.h"

#define WORK_TARGET 6000u
#define FILE_SLOTS  8

static struct fixture fixture;
static struct tcp_pair pair;
static int file = -1, event = -1;
static unsigned work_done;
static struct op file_ops[FILE_SLOTS], send_op, recv_op, timer_op, yield_op, victim_op, cancel_op,
    open_op, statx_op, event_op, final_recv;
static uint8_t file_buffers[FILE_SLOTS][4096], net_out[512], net_in[512];
static struct statx statx_buffer;

static bool more(void) {
    return ++work_done < WORK_TARGET;
}

static void file_step(struct op *op) {
    unsigned slot = (unsigned)(op - file_ops);
    if (!more()) return;
    op_prepare(op)->then = file_step;
    uint64_t offset = (uint64_t)slot * 4096;
    if (work_done % 2)
        STARTER(ringer_write(&fixture.io, &op->completion, file, file_buffers[slot], 4096, offset,
                             op, op_callback));
    else
        STARTER(ringer_read(&fixture.io, &op->completion, file, file_buffers[slot], 4096, offset,
                            op, op_callback));
}

/* Each round sends and receives 512 bytes; the next starts when both have been called. */
static void net_round(struct op *op) {
    if (op) CHECK_GT(op->result, 0);
    if (op && (send_op.calls == 0 || recv_op.calls == 0)) return;
    if (!more()) return;
    op_prepare(&send_op)->then = net_round;
    op_prepare(&recv_op)->then = net_round;
    STARTER(ringer_send(&fixture.io, &send_op.completion, pair.client, net_out, sizeof net_out,
                        &send_op, op_callback));
    STARTER(ringer_recv(&fixture.io, &recv_op.completion, pair.server, net_in, sizeof net_in,
                        &recv_op, op_callback));
}

static void timer_step(struct op *op) {
    (void)op;
    if (!more()) return;
    op_prepare(&timer_op)->then = timer_step;
    STARTER(ringer_timeout(&fixture.io, &timer_op.completion, 50000, &timer_op, op_callback));
    op_prepare(&yield_op);
    STARTER(ringer_timeout(&fixture.io, &yield_op.completion, 0, &yield_op, op_callback));
    CHECK_EQ(ringer_event_trigger(&fixture.io, event), 0);
}

/* Each round starts a long timeout and cancels it; the next starts when both are called. */
static void cancel_round(struct op *op) {
    if (op == &victim_op) CHECK(op->result == -ECANCELED || op->result == -ETIME);
    if (op && (victim_op.calls == 0 || cancel_op.calls == 0)) return;
    if (!more()) return;
    op_prepare(&victim_op)->then = cancel_round;
    op_prepare(&cancel_op)->then = cancel_round;
    STARTER(ringer_timeout(&fixture.io, &victim_op.completion, 1000 * MS, &victim_op, op_callback));
    STARTER(ringer_cancel(&fixture.io, &cancel_op.completion, &victim_op.completion, &cancel_op,
                          op_callback));
}

/* Each round: statx and openat together; the openat's fd is closed; the next round starts
 * when statx and close have both been called. */
static void open_round(struct op *op) {
    if (op == &open_op && op->completion.operation_kind == RINGER_OP_OPENAT) {
        int fd = op->result; /* op_prepare clears it */
        CHECK_GE(fd, 0);
        op_prepare(&open_op)->then = open_round;
        STARTER(ringer_close(&fixture.io, &open_op.completion, fd, &open_op, op_callback));
        return;
    }
    if (op == &open_op) CHECK_EQ(op->result, 0); /* the close */
    if (op == &statx_op) CHECK_EQ(op->result, 0);
    if (op && (statx_op.calls == 0 || open_op.calls == 0)) return;
    if (!more()) return;
    op_prepare(&statx_op)->then = open_round;
    op_prepare(&open_op)->then = open_round;
    STARTER(ringer_statx(&fixture.io, &statx_op.completion, world_temp_dir_fd(), "work", 0,
                         STATX_BASIC_STATS, &statx_buffer, &statx_op, op_callback));
    STARTER(ringer_openat(&fixture.io, &open_op.completion, world_temp_dir_fd(), "work", O_RDONLY,
                          0, &open_op, op_callback));
}

static void event_step(struct op *op) {
    (void)op;
    if (work_done >= WORK_TARGET) return;
    op_prepare(&event_op)->then = event_step;
    STARTER(ringer_event_listen(&fixture.io, &event_op.completion, event, &event_op, op_callback));
}

TEST(static_allocation_busy_workload) {
    fixture_begin(&fixture, 16, 0); /* counting starts here */
    file = make_test_file(world_temp_dir_fd(), "work", FILE_SLOTS * 4096);
    CHECK(tcp_pair_open(&fixture.io, &pair, AF_INET, NULL));
    event = ringer_open_event(&fixture.io);
    CHECK_GE(event, 0);
    for (unsigned slot = 0; slot < FILE_SLOTS; slot++) file_step(&file_ops[slot]);
    net_round(NULL);
    timer_step(NULL);
    cancel_round(NULL);
    open_round(NULL);
    event_step(NULL);
    RUN_UNTIL(&fixture.io, work_done >= WORK_TARGET);
    CHECK_EQ(ringer_event_trigger(&fixture.io, event), 0); /* ends the listen chain */
    RUN_UNTIL(&fixture.io,
              ringer_stats(&fixture.io).started == ringer_stats(&fixture.io).callbacks);
    STARTER(ringer_recv(&fixture.io, &op_prepare(&final_recv)->completion, pair.client, net_in,
                        sizeof net_in, &final_recv, op_callback));
    CHECK_EQ(ringer_tick(&fixture.io), 0);
    CHECK_EQ(ringer_cancel_all(&fixture.io), 0); /* also allocation-free */
    CHECK_EQ(final_recv.calls, 0);
    fixture.cancel_all_ran = true;
    CHECK_GE(ringer_stats(&fixture.io).started, WORK_TARGET);
    CHECK_EQ(alloc_count_value(), 0);
    world_close(file);
    ringer_close_event(&fixture.io, event);
    tcp_pair_close(&fixture.io, &pair);
    fixture_end(&fixture);
}
