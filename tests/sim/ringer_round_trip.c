/*
 * ringer on the simulated kernel: ringer_sim_init, ringer_init, a file write and read back,
 * a timeout, and cancel_all with work in flight; under kernel profiles 6.1 and 5.8.
 */
#include <fcntl.h>

#include "ringer.h"
#include "ringer_sim.h"
#include "simtest.h"

static int32_t results[8];
static int calls[8];

static void callback(void *context, struct ringer_completion *completion, int32_t result) {
    (void)completion;
    int index = (int)(intptr_t)context;
    results[index] = result;
    calls[index]++;
}

static void round_trip(uint8_t kernel) {
    struct ringer_sim_options o;
    memset(&o, 0, sizeof o);
    o.seed = 3;
    o.quiet = true;
    o.kernel = kernel;
    CHECK_EQ(ringer_sim_init(&o), 0);
    static struct ringer_io io;
    CHECK_EQ(ringer_init(&io, 8, 0), 0);
    static struct ringer_completion c[8];
    memset(c, 0, sizeof c);
    memset(calls, 0, sizeof calls);
    int dir = ringer_open_dir("/data");
    CHECK(dir >= 0);
    ringer_openat(&io, &c[0], dir, "rt", O_RDWR | O_CREAT | O_TRUNC, 0600, (void *)0, callback);
    while (calls[0] == 0) CHECK_EQ(ringer_run_for_ns(&io, 1000000), 0);
    int fd = results[0];
    CHECK(fd >= 0);
    static char out[64] = "the quick brown fox", in[64];
    ringer_write(&io, &c[1], fd, out, 19, 4096, (void *)1, callback);
    while (calls[1] == 0) CHECK_EQ(ringer_tick(&io), 0);
    CHECK_EQ(results[1], 19);
    ringer_read(&io, &c[2], fd, in, 64, 4096, (void *)2, callback);
    uint64_t start = ringer_sim_now_ns();
    ringer_timeout(&io, &c[3], 2000000, (void *)3, callback);
    while (calls[2] == 0 || calls[3] == 0) CHECK_EQ(ringer_run_for_ns(&io, 500000), 0);
    CHECK_EQ(results[2], 19);
    CHECK(memcmp(in, out, 19) == 0);
    CHECK_EQ(results[3], -ETIME);
    CHECK(ringer_sim_now_ns() - start >= 2000000);
    /* in flight at cancel_all: a long timeout and an event listen */
    int event = ringer_open_event(&io);
    CHECK(event >= 0);
    ringer_timeout(&io, &c[4], 10000000000ull, (void *)4, callback);
    ringer_event_listen(&io, &c[5], event, (void *)5, callback);
    CHECK_EQ(ringer_tick(&io), 0);
    CHECK_EQ(ringer_cancel_all(&io), 0);
    CHECK_EQ(calls[4] + calls[5], 0);
    CHECK_EQ(ringer_sim_in_flight(), 0);
    ringer_deinit(&io);
    ringer_close_event(&io, event);
    close(fd);
    close(dir);
    ringer_sim_deinit(); /* aborts if an fd leaked */
}

static void test_round_trip_6_1(void) {
    round_trip(RINGER_SIM_KERNEL_6_1);
}

static void test_round_trip_5_8(void) {
    round_trip(RINGER_SIM_KERNEL_5_8);
}

static const struct simtest tests[] = {
    {"sim_ringer_round_trip_6_1", test_round_trip_6_1, 0},
    {"sim_ringer_round_trip_5_8", test_round_trip_5_8, 0},
};

int main(int argc, char **argv) {
    return simtest_main(tests, (int)(sizeof tests / sizeof tests[0]), argc, argv);
}
