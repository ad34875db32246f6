/*
 * B2 on the real kernel: cancel_all must terminate whichever of the cancel's and the
 * target's CQEs comes first (I26). The sim forces every order; here the orders the kernel
 * can produce are provoked by racing. Each round starts targets of four kinds (a 256 KiB
 * tmpfs read, an fsync, which always runs in an io-wq worker, a timeout that expires within
 * microseconds, and an openat), sometimes ticks so that they are in the kernel, spins a
 * varying few microseconds, and calls cancel_all. The cancel then meets its target queued,
 * running in a worker (-EALREADY), with its timer firing, or already finished (-ENOENT).
 * In the rounds without a tick, target and cancel go out in one submit: a target that
 * completes inline posts its CQE before the cancel's, in the same batch (the rarer order).
 * Rounds also leave a user's ringer_cancel in flight when cancel_all starts.
 *
 * By default ringer sets up its ring with DEFER_TASKRUN, so worker and timer completions
 * are posted by task work inside io_uring_enter's wait, after the submit has posted the
 * cancel's CQE: there the target-first order comes only with -ENOENT. The *_coop rounds
 * ask for COOP_TASKRUN alone, where an io-wq worker posts its CQE itself, at any moment:
 * a worker that the cancel found running (-EALREADY) can post the target's CQE before the
 * submit posts the cancel's, which is the order that hangs TigerBeetle's cancel_all. The
 * window is the rest of one submit, so this order stays rare (tests/tools/mutants.sh with
 * selftest's 05-cancel-all-target-gone did not hit it in some thousand rounds); the sim's
 * B2 forces every order deterministically.
 *
 * Every round must return 0 within a bounded time with nothing called back, every counter
 * at 0, no allocation, and every fd that a successful openat produced closed by
 * cancel_all (the fd count proves it). Each cancel_all costs at least one 10 ms round
 * (loop.md §11), which bounds the number of rounds.
 */
#include <fcntl.h>
#include <string.h>

#include "scenario.h"

#define B2_READ_SIZE (256u * 1024)

static struct ringer_io io;
static struct op target_ops[4], user_cancel;
static uint8_t read_buffers[2][B2_READ_SIZE];
static bool canceled;
static uint64_t allocations;

static void b2_callback(void *context, struct ringer_completion *completion, int32_t result) {
    CHECK(!canceled);
    op_callback(context, completion, result);
    /* A callback that ran in the tick before cancel_all: an openat's fd is ours to close. */
    if (completion->operation_kind == RINGER_OP_OPENAT && result >= 0) world_close(result);
}

static void spin_ns(uint64_t nanoseconds) {
    uint64_t end = world_now_ns() + nanoseconds;
    while (world_now_ns() < end) {
    }
}

static void start_target(unsigned kind, unsigned slot, int file) {
    struct op *op = op_prepare(&target_ops[slot]);
    switch (kind % 4) {
    case 0:
        STARTER(ringer_read(&io, &op->completion, file, read_buffers[slot % 2], B2_READ_SIZE, 0, op,
                            b2_callback));
        break;
    case 1:
        STARTER(ringer_fsync(&io, &op->completion, file, 0, op, b2_callback));
        break;
    case 2:
        STARTER(ringer_timeout(&io, &op->completion, 1000 + 5000 * (slot + 1), op, b2_callback));
        break;
    default:
        STARTER(ringer_openat(&io, &op->completion, world_temp_dir_fd(), "b2_file", O_RDONLY, 0, op,
                              b2_callback));
        break;
    }
}

/* One round: start `targets` ops, maybe a user cancel, spin, cancel_all, check. */
static void race_round(unsigned round, unsigned targets, uint32_t entries, uint32_t flags,
                       int file) {
    ringer_init_or_skip(&io, entries, flags);
    alloc_count_start();
    canceled = false;
    for (unsigned slot = 0; slot < targets; slot++) start_target(round + slot, slot, file);
    if (round % 5 == 4)
        STARTER(ringer_cancel(&io, &op_prepare(&user_cancel)->completion, &target_ops[0].completion,
                              &user_cancel, b2_callback));
    if (round % 3 != 2) CHECK_EQ(ringer_tick(&io), 0);
    spin_ns((round % 7) * 8000);
    canceled = true; /* from here b2_callback fails the test (I13) */
    uint64_t start = world_now_ns();
    CHECK_EQ(ringer_cancel_all(&io), 0);
    CHECK_LT(world_now_ns() - start, 1000 * MS);
    check_quiescent(&io);
    /* B2: at most 3 rounds per target (the user's cancel counts as one more). */
    CHECK_LE(ringer_stats(&io).cancel_all_rounds, 3 * (targets + 1));
    allocations += alloc_count_stop();
    ringer_deinit(&io);
}

static void run_rounds(unsigned rounds, unsigned targets, uint32_t entries, uint32_t flags) {
    int file = make_test_file(world_temp_dir_fd(), "b2_file", B2_READ_SIZE);
    int fds_before = world_open_fd_count();
    for (unsigned round = 0; round < rounds; round++)
        race_round(round, targets, entries, flags, file);
    CHECK_EQ(allocations, 0);
    CHECK_EQ(world_open_fd_count(), fds_before);
    world_close(file);
}

TEST(b2_cancel_all_races_per_target) {
    run_rounds(120, 1, 32, RINGER_INIT_NO_CANCEL_SWEEP);
}

TEST(b2_cancel_all_races_per_target_several) {
    run_rounds(40, 4, 32, RINGER_INIT_NO_CANCEL_SWEEP);
}

TEST(b2_cancel_all_races_fast_path) {
    run_rounds(120, 4, 32, 0);
}

/* COOP_TASKRUN alone: io-wq workers (tmpfs reads and fsyncs here) post CQEs directly. */
TEST(b2_cancel_all_races_per_target_coop) {
    run_rounds(80, 1, 32, RINGER_INIT_NO_CANCEL_SWEEP | IORING_SETUP_COOP_TASKRUN);
}

TEST(b2_cancel_all_races_fast_path_coop) {
    run_rounds(60, 4, 32, IORING_SETUP_COOP_TASKRUN);
}

/* A ring of 1: cancel_all's cancel, the internal deadline and the ops' own SQEs compete for
 * the one slot, and some targets are still in unqueued when cancel_all starts. */
TEST(b2_cancel_all_races_ring_of_one) {
    run_rounds(15, 4, 1, RINGER_INIT_NO_CANCEL_SWEEP);
    run_rounds(15, 4, 1, 0);
    run_rounds(15, 4, 2, 0);
}
