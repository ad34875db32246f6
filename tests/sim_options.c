/*
 * The sim's options are checked at ringer_sim_init (ringer_sim.h): an out-of-range order,
 * profile or kernel, a rate above 10^6 ppm, an unknown fault class, a file data pool so
 * large that sizing it looped for ever, a socket buffer too large to allocate, a latency
 * that wrapped virtual time, a bad mount: each gives -EINVAL, at once, and leaves no world
 * behind (a good init then works). The programmer errors of the test hooks and of the crash
 * lifecycle end in an assertion that says what went wrong.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "scenario.h"
#include "world_sim.h"

/* The world the test began with goes; `options` must be refused; a good world comes back
 * (the harness ends it). */
static void expect_refused(const struct ringer_sim_options *options) {
    world_teardown();
    struct ringer_sim_options quiet = *options;
    quiet.quiet = true;
    int rc = ringer_sim_init(&quiet);
    struct ringer_sim_options good;
    world_sim_default_options(&good);
    if (rc == 0) ringer_sim_deinit();
    CHECK_EQ(ringer_sim_init(&good), 0); /* nothing of the refused one is left */
    CHECK_EQ(rc, -EINVAL);
}

static struct ringer_sim_options base(void) {
    struct ringer_sim_options options;
    world_sim_default_options(&options);
    return options;
}

TEST(sim_options_enums_refused) {
    struct ringer_sim_options o = base();
    o.order = 2;
    expect_refused(&o);
    o = base();
    o.profile = RINGER_SIM_PROFILE_COUNT;
    expect_refused(&o);
    o = base();
    o.kernel = 3;
    expect_refused(&o);
    o = base();
    o.fail_class = RINGER_SIM_FAULT_CLASS_COUNT; /* neither a class nor ANY */
    expect_refused(&o);
    o = base();
    o.faults_off = 1u << RINGER_SIM_FAULT_CLASS_COUNT;
    expect_refused(&o);
}

TEST(sim_options_rates_refused) {
    struct ringer_sim_options o = base();
    o.faults[RINGER_SIM_FAULT_SHORT].ppm = RINGER_SIM_PPM_MAX + 1;
    expect_refused(&o);
    o = base();
    o.profile = RINGER_SIM_PROFILE_TRANSPARENT; /* EIO is not a transparent fault */
    o.faults[RINGER_SIM_FAULT_READ_EIO].ppm = 1000;
    expect_refused(&o);
    o = base();
    o.faults[RINGER_SIM_FAULT_SHORT].ppm = RINGER_SIM_PPM_MAX; /* every opportunity: fine */
    world_sim_configure(&o);
}

TEST(sim_options_sizes_refused) {
    struct ringer_sim_options o = base();
    o.fs_pages = UINT32_MAX; /* sizing the page hash doubled a 32-bit count for ever */
    expect_refused(&o);
    o = base();
    o.socket_buffer_size = UINT32_MAX; /* 512 sockets of 4 GiB: an abort in malloc */
    expect_refused(&o);
    o = base();
    o.pipe_buffer_size = RINGER_SIM_MAX_BUFFER_SIZE + 1;
    expect_refused(&o);
    o = base();
    o.atomic_write_size = 3000;
    expect_refused(&o);
    o = base();
    o.fs_pages = RINGER_SIM_MAX_FS_PAGES / 256; /* a large pool is fine */
    world_sim_configure(&o);
}

TEST(sim_options_latencies_refused) {
    struct ringer_sim_options o = base();
    o.storage_latency_min_ns = UINT64_MAX - 1000; /* wrapped virtual time to ~1 ms */
    expect_refused(&o);
    o = base();
    o.storage_latency_mean_ns = RINGER_SIM_MAX_LATENCY_NS + 1;
    expect_refused(&o);
    o = base();
    o.net_latency_mean_ns = UINT64_MAX;
    expect_refused(&o);
    o = base();
    o.timer_slack_ns = UINT64_MAX;
    expect_refused(&o);
    o = base();
    o.syscall_cost_ns = RINGER_SIM_MAX_SYSCALL_NS + 1;
    expect_refused(&o);
}

TEST(sim_options_mounts_refused) {
    struct ringer_sim_options o = base();
    o.mounts[RINGER_SIM_MOUNT_DATA].block_size = 1024;
    expect_refused(&o);
    o = base();
    o.mounts[RINGER_SIM_MOUNT_ROOT].block_size = 4097;
    expect_refused(&o);
}

/* A profile only injects its own classes, and swarm draws within them. */
TEST(sim_options_profiles_draw_within) {
    for (uint8_t p = 0; p < RINGER_SIM_PROFILE_COUNT; p++) {
        CHECK(ringer_sim_profile_name(p) != NULL);
        CHECK_EQ(ringer_sim_profile_parse(ringer_sim_profile_name(p)), p);
        struct ringer_sim_options o = base();
        o.profile = p;
        o.swarm = true;
        world_sim_configure(&o);
        char line[1024];
        ringer_sim_describe(line, sizeof line);
        for (uint32_t c = 0; c < RINGER_SIM_FAULT_CLASS_COUNT; c++) {
            bool allowed = (ringer_sim_profile_faults(p) >> c) & 1u;
            if (!allowed && strstr(line, ringer_sim_fault_name(c)) != NULL)
                harness_fail(__FILE__, __LINE__, "profile %s drew %s: %s",
                             ringer_sim_profile_name(p), ringer_sim_fault_name(c), line);
        }
    }
    CHECK_EQ(ringer_sim_profile_parse("storage"), -EINVAL);
    CHECK(!(ringer_sim_profile_faults(RINGER_SIM_PROFILE_TRANSPARENT) &
            (1u << RINGER_SIM_FAULT_LOST_UNSYNCED)));
    CHECK(ringer_sim_profile_faults(RINGER_SIM_PROFILE_CRASH) &
          (1u << RINGER_SIM_FAULT_LOST_UNSYNCED));
}

TEST(sim_options_seed_parsing) {
    uint64_t seed = 0;
    const char *bad[] = {"", "abc", "12x", "0", "-1", " 7", "18446744073709551616", "0x10"};
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (ringer_sim_parse_seed(bad[i], &seed) != -EINVAL)
            harness_fail(__FILE__, __LINE__, "seed '%s' was taken", bad[i]);
    CHECK_EQ(ringer_sim_parse_seed("18446744073709551615", &seed), 0);
    CHECK(seed == UINT64_MAX);
    CHECK_EQ(ringer_sim_parse_seed("42", &seed), 0);
    CHECK_EQ(seed, 42);
}

static void read_file_without_buffer(void *argument) {
    (void)argument;
    int fd = open("/tmp/read-file", O_CREAT | O_RDWR, 0600);
    CHECK(fd >= 0);
    CHECK_EQ(write(fd, "abc", 3), 3);
    ringer_sim_read_file("/tmp/read-file", NULL, 100, 0); /* a segfault before */
}

/* Runs `body` in a child that must die of an assertion whose message has `expected`. */
static void expect_sim_assertion(void (*body)(void *), const char *expected) {
    char output[4096];
    int status = harness_run_in_child(body, NULL, output, sizeof output);
    if (!harness_died_of_abort(status))
        harness_fail(__FILE__, __LINE__, "expected an abort, got status %d: %.200s", status,
                     output);
    if (strstr(output, expected) == NULL)
        harness_fail(__FILE__, __LINE__, "no '%s' in: %.300s", expected, output);
}

TEST(sim_read_file_null_buffer_asserts) {
    expect_sim_assertion(read_file_without_buffer, "buffer != NULL || size == 0");
}

static struct ringer_completion nop;

static void on_nop(void *context, struct ringer_completion *completion, int32_t result) {
    (void)context;
    (void)completion;
    (void)result;
}

static void tick_after_crash(void *argument) {
    (void)argument;
    static struct ringer_io io;
    CHECK_EQ(ringer_init(&io, 8, 0), 0);
    ringer_sim_crash();
    ringer_nop(&io, &nop, NULL, on_nop); /* the ring went with the crash */
    ringer_tick(&io);
}

TEST(sim_io_after_crash_asserts_clearly) {
    expect_sim_assertion(tick_after_crash, "used after ringer_sim_crash");
}
