/* B4: on rings of 1, 2 and 4 entries, 100 reads started at once, each callback starting one
 * more until 1000 have run: everything that waits in unqueued completes. */
#include <string.h>

#include "scenario.h"

#define B4_PARALLEL 100
#define B4_TOTAL    1000
#define B4_SIZE     4096

static struct fixture fixture;
static struct op reads[B4_PARALLEL];
static uint8_t buffers[B4_PARALLEL][B4_SIZE];
static int file = -1;
static unsigned started, finished, bad_results;

static void start_read(unsigned slot);

static void on_read(struct op *op) {
    unsigned slot = (unsigned)(op - reads);
    if (op->result != B4_SIZE || buffers[slot][7] != test_pattern(7)) bad_results++;
    finished++;
    if (started < B4_TOTAL) start_read(slot);
}

static void start_read(unsigned slot) {
    started++;
    memset(buffers[slot], 0, B4_SIZE);
    op_prepare(&reads[slot])->then = on_read;
    STARTER(ringer_read(&fixture.io, &reads[slot].completion, file, buffers[slot], B4_SIZE, 0,
                        &reads[slot], op_callback));
}

static void run_b4(uint32_t entries) {
    fixture_begin(&fixture, entries, 0);
    file = make_test_file(world_temp_dir_fd(), "b4_file", B4_SIZE);
    for (unsigned slot = 0; slot < B4_PARALLEL; slot++) start_read(slot);
    CHECK_EQ(ringer_stats(&fixture.io).unqueued, B4_PARALLEL - entries);
    RUN_UNTIL(&fixture.io, finished == B4_TOTAL);
    CHECK_EQ(started, B4_TOTAL);
    CHECK_EQ(bad_results, 0);
    world_close(file);
    fixture_end(&fixture);
}

TEST(b4_no_starvation_ring_1) {
    run_b4(1);
}

TEST(b4_no_starvation_ring_2) {
    run_b4(2);
}

TEST(b4_no_starvation_ring_4) {
    run_b4(4);
}
