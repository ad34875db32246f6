/*
 * A8 on the simulated kernel: after cancel_all returns, the kernel never writes the
 * buffers of the ops it dropped. The sim keeps a buffer ASan-poisoned while its op is in
 * flight, and unpoisons it just before it writes; so, under ASan, the test poisons every
 * buffer itself once cancel_all returned, lets 50 ms of virtual time pass, and requires
 * every granule to be still poisoned (no kernel write happened) before it unpoisons them
 * and compares checksums. Without ASan the checksums and the sim's request count remain.
 *
 * 8 O_DIRECT reads of 16 KiB on a slow disk (so they are running in storage workers), 2
 * recvs on a pair without data, and a 10 s timeout; kernel profile 6.1 with the fast path,
 * 6.1 without it (the build option), and 5.8, which has none.
 */
#include <fcntl.h>
#include <string.h>

#include "scenario.h"
#include "world_sim.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define A8_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define A8_ASAN 1
#endif
#ifdef A8_ASAN
#include <sanitizer/asan_interface.h>
#endif

#define A8_READS     8
#define A8_SIZE      (16u * 1024)
#define A8_RECV_SIZE 64u

static struct fixture fixture;
static struct op reads[A8_READS], recvs[2], timeout_op;
static uint8_t read_buffers[A8_READS][A8_SIZE] __attribute__((aligned(4096)));
static uint8_t recv_buffers[2][A8_RECV_SIZE] __attribute__((aligned(64)));
static bool canceled;

static void a8_callback(void *context, struct ringer_completion *completion, int32_t result) {
    CHECK(!canceled);
    op_callback(context, completion, result);
}

static uint64_t checksum(void) {
    uint64_t hash = 1469598103934665603ull;
    for (unsigned b = 0; b < A8_READS; b++)
        for (unsigned i = 0; i < A8_SIZE; i++)
            hash = (hash ^ read_buffers[b][i]) * 1099511628211ull;
    for (unsigned b = 0; b < 2; b++)
        for (unsigned i = 0; i < A8_RECV_SIZE; i++)
            hash = (hash ^ recv_buffers[b][i]) * 1099511628211ull;
    return hash;
}

static void poison_buffers(bool poison) {
    void (*apply)(const void *, size_t) = poison ? ringer_sim_poison : ringer_sim_unpoison;
    apply(read_buffers, sizeof read_buffers);
    apply(recv_buffers, sizeof recv_buffers);
}

/* True when every byte of the buffers is still poisoned: nothing unpoisoned them to write.
 * Without ASan there is nothing to look at. */
static bool buffers_still_poisoned(void) {
#ifdef A8_ASAN
    for (size_t i = 0; i < sizeof read_buffers; i++)
        if (!__asan_address_is_poisoned((const uint8_t *)read_buffers + i)) return false;
    for (size_t i = 0; i < sizeof recv_buffers; i++)
        if (!__asan_address_is_poisoned((const uint8_t *)recv_buffers + i)) return false;
#endif
    return true;
}

static void configure(uint8_t kernel) {
    struct ringer_sim_options options;
    world_sim_default_options(&options);
    options.kernel = kernel;
    options.storage_latency_min_ns = 1 * MS;
    world_sim_configure(&options);
}

static int open_direct_file(void) {
    int dir = world_disk_dir_fd();
    world_close(make_test_file(dir, "a8_file", A8_SIZE));
    int fd = world_open_file(dir, "a8_file", O_RDONLY | O_DIRECT);
    CHECK_GE(fd, 0);
    CHECK(world_status_flags(fd) & O_DIRECT);
    return fd;
}

static void start_everything(int file, const struct tcp_pair *pair) {
    for (unsigned i = 0; i < A8_READS; i++) {
        memset(read_buffers[i], 0xEE, A8_SIZE);
        STARTER(ringer_read(&fixture.io, &op_prepare(&reads[i])->completion, file, read_buffers[i],
                            A8_SIZE, 0, &reads[i], a8_callback));
    }
    for (unsigned i = 0; i < 2; i++) {
        memset(recv_buffers[i], 0xEE, A8_RECV_SIZE);
        STARTER(ringer_recv(&fixture.io, &op_prepare(&recvs[i])->completion, pair->server,
                            recv_buffers[i], A8_RECV_SIZE, &recvs[i], a8_callback));
    }
    STARTER(ringer_timeout(&fixture.io, &op_prepare(&timeout_op)->completion, 10000 * MS,
                           &timeout_op, a8_callback));
}

static void run_a8(uint8_t kernel, uint32_t flags) {
    configure(kernel);
    world_disk_dir_fd(); /* part of the fd baseline */
    fixture_begin(&fixture, 32, flags);
    int file = open_direct_file();
    struct tcp_pair pair;
    CHECK(tcp_pair_open(&fixture.io, &pair, AF_INET, NULL));
    unsigned callbacks_before = op_callbacks_total();
    start_everything(file, &pair);
    CHECK_EQ(ringer_tick(&fixture.io), 0);
    CHECK_EQ(ringer_sim_in_flight(), A8_READS + 3); /* something is certainly in flight */
    canceled = true;
    CHECK_EQ(ringer_cancel_all(&fixture.io), 0);
    fixture.cancel_all_ran = true;
    CHECK_EQ(op_callbacks_total(), callbacks_before);
    check_quiescent(&fixture.io);
    CHECK_EQ(ringer_sim_in_flight(), 0);
    uint64_t sum = checksum(); /* under ASan, reading a buffer the sim still holds trips */
    poison_buffers(true);
    world_sleep_ns(50 * MS);
    CHECK(buffers_still_poisoned());
    poison_buffers(false);
    CHECK_EQ(checksum(), sum);
    world_close(file);
    tcp_pair_close(&fixture.io, &pair);
    fixture_end(&fixture);
    canceled = false;
}

TEST(sim_a8_no_late_kernel_writes_fast_path_6_1) {
    run_a8(RINGER_SIM_KERNEL_6_1, 0);
}

TEST(sim_a8_no_late_kernel_writes_per_target_6_1) {
    run_a8(RINGER_SIM_KERNEL_6_1, RINGER_INIT_NO_CANCEL_SWEEP);
}

TEST(sim_a8_no_late_kernel_writes_5_8) {
    run_a8(RINGER_SIM_KERNEL_5_8, 0);
}
