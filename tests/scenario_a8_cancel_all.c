/* A8: cancel_all with reads, recvs and a long timeout in flight; nothing is called back and
 * no buffer changes afterwards. Runs with and without the cancel-everything fast path, on
 * tmpfs and (with O_DIRECT) on the disk. */
#include <fcntl.h>
#include <string.h>

#include "scenario.h"

#define A8_READS 8
#define A8_SIZE  (16u * 1024)

static struct fixture fixture;
static struct op reads[A8_READS], recvs[2], timeout_op;
static uint8_t buffers[A8_READS][A8_SIZE] __attribute__((aligned(4096)));
static uint8_t recv_buffers[2][64];
static bool canceled;

static void a8_callback(void *context, struct ringer_completion *completion, int32_t result) {
    CHECK(!canceled);
    op_callback(context, completion, result);
}

static uint64_t checksum(void) {
    uint64_t hash = 1469598103934665603ull;
    for (unsigned b = 0; b < A8_READS; b++)
        for (unsigned i = 0; i < A8_SIZE; i++) hash = (hash ^ buffers[b][i]) * 1099511628211ull;
    for (unsigned b = 0; b < 2; b++)
        for (unsigned i = 0; i < sizeof recv_buffers[b]; i++)
            hash = (hash ^ recv_buffers[b][i]) * 1099511628211ull;
    return hash;
}

static int open_file_for_reads(int dir, bool direct) {
    int fd = make_test_file(dir, "a8_file", A8_SIZE);
    if (!direct) return fd;
    world_close(fd);
    fd = world_open_file(dir, "a8_file", O_RDONLY | O_DIRECT);
    CHECK_GE(fd, 0);
    CHECK(world_status_flags(fd) & O_DIRECT);
    return fd;
}

static void start_everything(int file, const struct tcp_pair *pair) {
    for (unsigned i = 0; i < A8_READS; i++) {
        memset(buffers[i], 0xEE, A8_SIZE);
        STARTER(ringer_read(&fixture.io, &op_prepare(&reads[i])->completion, file, buffers[i],
                            A8_SIZE, 0, &reads[i], a8_callback));
    }
    for (unsigned i = 0; i < 2; i++) {
        memset(recv_buffers[i], 0xEE, sizeof recv_buffers[i]);
        STARTER(ringer_recv(&fixture.io, &op_prepare(&recvs[i])->completion, pair->server,
                            recv_buffers[i], sizeof recv_buffers[i], &recvs[i], a8_callback));
    }
    STARTER(ringer_timeout(&fixture.io, &op_prepare(&timeout_op)->completion, 10000 * MS,
                           &timeout_op, a8_callback));
}

static void run_a8(int dir, bool direct, uint32_t flags) {
    fixture_begin(&fixture, 32, flags);
    int file = open_file_for_reads(dir, direct);
    struct tcp_pair pair;
    CHECK(tcp_pair_open(&fixture.io, &pair, AF_INET, NULL));
    start_everything(file, &pair);
    CHECK_EQ(ringer_tick(&fixture.io), 0); /* may already run callbacks: that is allowed */
    unsigned callbacks_before = op_callbacks_total();
    canceled = true;
    CHECK_EQ(ringer_cancel_all(&fixture.io), 0);
    fixture.cancel_all_ran = true;
    CHECK_EQ(op_callbacks_total(), callbacks_before);
    check_quiescent(&fixture.io);
    uint64_t sum = checksum();
    world_sleep_ns(50 * MS);
    CHECK_EQ(checksum(), sum);
    world_close(file);
    world_close(pair.client);
    world_close(pair.server);
    world_close(pair.listener);
    fixture_end(&fixture);
}

TEST(a8_cancel_all_tmpfs_fast_path) {
    run_a8(world_temp_dir_fd(), false, 0);
}

TEST(a8_cancel_all_tmpfs_per_target) {
    run_a8(world_temp_dir_fd(), false, RINGER_INIT_NO_CANCEL_SWEEP);
}

TEST(a8_cancel_all_disk_direct_fast_path) {
    int dir = world_disk_dir_fd();
    if (dir < 0) SKIP("no directory on a disk with Direct I/O in this world");
    run_a8(dir, true, 0);
}

TEST(a8_cancel_all_disk_direct_per_target) {
    int dir = world_disk_dir_fd();
    if (dir < 0) SKIP("no directory on a disk with Direct I/O in this world");
    run_a8(dir, true, RINGER_INIT_NO_CANCEL_SWEEP);
}
