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

#include "scenario_a8.h"
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

static struct fixture fixture;

static void poison_buffers(bool poison) {
    void (*apply)(const void *, size_t) = poison ? ringer_sim_poison : ringer_sim_unpoison;
    apply(a8_load.read_buffers, sizeof a8_load.read_buffers);
    apply(a8_load.recv_buffers, sizeof a8_load.recv_buffers);
}

/* True when every byte of the buffers is still poisoned: nothing unpoisoned them to write.
 * Without ASan there is nothing to look at. */
static bool buffers_still_poisoned(void) {
#ifdef A8_ASAN
    const uint8_t *reads = (const uint8_t *)a8_load.read_buffers;
    for (size_t i = 0; i < sizeof a8_load.read_buffers; i++)
        if (!__asan_address_is_poisoned(reads + i)) return false;
    const uint8_t *recvs = (const uint8_t *)a8_load.recv_buffers;
    for (size_t i = 0; i < sizeof a8_load.recv_buffers; i++)
        if (!__asan_address_is_poisoned(recvs + i)) return false;
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

static void run_a8(uint8_t kernel, uint32_t flags) {
    configure(kernel);
    world_disk_dir_fd(); /* part of the fd baseline */
    fixture_begin(&fixture, 32, flags);
    int file = a8_open_file(world_disk_dir_fd(), true);
    struct tcp_pair pair;
    CHECK(tcp_pair_open(&fixture.io, &pair, AF_INET, NULL));
    unsigned callbacks_before = op_callbacks_total();
    a8_start(&fixture.io, file, pair.server);
    CHECK_EQ(ringer_tick(&fixture.io), 0);
    CHECK_EQ(op_callbacks_total(), callbacks_before); /* on a slow disk nothing is done yet */
    CHECK_EQ(ringer_sim_in_flight(), A8_READS + 3);   /* something is certainly in flight */
    fixture_cancel_all(&fixture);
    CHECK_EQ(ringer_sim_in_flight(), 0);
    uint64_t sum = a8_checksum(); /* under ASan, reading a buffer the sim still holds trips */
    poison_buffers(true);
    world_sleep_ns(50 * MS);
    CHECK(buffers_still_poisoned());
    poison_buffers(false);
    CHECK_EQ(a8_checksum(), sum);
    world_close(file);
    tcp_pair_close(&fixture.io, &pair);
    fixture_end(&fixture);
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
