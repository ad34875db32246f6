/* A8: cancel_all with reads, recvs and a long timeout in flight; nothing is called back and
 * no buffer changes afterwards. Runs with and without the cancel-everything fast path, on
 * tmpfs and (with O_DIRECT) on the disk. */
#include <fcntl.h>
#include <string.h>

#include "scenario_a8.h"

struct a8_load a8_load;
static struct fixture fixture;

uint64_t a8_checksum(void) {
    uint64_t hash = 1469598103934665603ull;
    const uint8_t *bytes = (const uint8_t *)a8_load.read_buffers;
    for (size_t i = 0; i < sizeof a8_load.read_buffers; i++)
        hash = (hash ^ bytes[i]) * 1099511628211ull;
    bytes = (const uint8_t *)a8_load.recv_buffers;
    for (size_t i = 0; i < sizeof a8_load.recv_buffers; i++)
        hash = (hash ^ bytes[i]) * 1099511628211ull;
    return hash;
}

int a8_open_file(int dir, bool direct) {
    int fd = make_test_file(dir, "a8_file", A8_SIZE);
    if (!direct) return fd;
    world_close(fd);
    fd = world_open_file(dir, "a8_file", O_RDONLY | O_DIRECT);
    CHECK_GE(fd, 0);
    CHECK(world_status_flags(fd) & O_DIRECT);
    return fd;
}

void a8_start(struct ringer_io *io, int file, int socket) {
    for (unsigned i = 0; i < A8_READS; i++) {
        struct op *read = op_prepare(&a8_load.reads[i]);
        memset(a8_load.read_buffers[i], 0xEE, A8_SIZE);
        STARTER(ringer_read(io, &read->completion, file, a8_load.read_buffers[i], A8_SIZE, 0, read,
                            op_callback));
    }
    for (unsigned i = 0; i < A8_RECVS; i++) {
        struct op *recv = op_prepare(&a8_load.recvs[i]);
        memset(a8_load.recv_buffers[i], 0xEE, A8_RECV_SIZE);
        STARTER(ringer_recv(io, &recv->completion, socket, a8_load.recv_buffers[i], A8_RECV_SIZE,
                            recv, op_callback));
    }
    struct op *timeout = op_prepare(&a8_load.timeout);
    STARTER(ringer_timeout(io, &timeout->completion, 10000 * MS, timeout, op_callback));
}

void a8_check_no_late_writes(void) {
    uint64_t sum = a8_checksum();
    world_sleep_ns(50 * MS);
    CHECK_EQ(a8_checksum(), sum);
}

static void run_a8(int dir, bool direct, uint32_t flags) {
    fixture_begin(&fixture, 32, flags);
    int file = a8_open_file(dir, direct);
    struct tcp_pair pair;
    CHECK(tcp_pair_open(&fixture.io, &pair, AF_INET, NULL));
    a8_start(&fixture.io, file, pair.server);
    CHECK_EQ(ringer_tick(&fixture.io), 0); /* may already run callbacks: that is allowed */
    fixture_cancel_all(&fixture);          /* no callback from here on */
    a8_check_no_late_writes();
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
