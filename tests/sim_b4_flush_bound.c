/*
 * B4 on the simulated kernel: on rings of 1, 2 and 4 entries, 100 reads start at once and
 * each callback starts one more until 1000 have run. The faithful kernel consumes every
 * SQE, so (loop.md §5, step 3):
 *   - SQEs go out in start order (I16): no activation holds an SQE while an older one is
 *     still in unqueued;
 *   - an op at position p of unqueued gets its SQE within ceil(p / max(1, E - 1)) flushes.
 * The loop is driven by ringer_tick only (one flush each, no internal deadline), and every
 * activation is checked after every tick: one started before tick T+1 at position p must
 * hold an SQE once tick T + ceil(p / max(1, E - 1)) has returned.
 */
#include <string.h>

#include "scenario.h"
#include "world_sim.h"

#define B4_PARALLEL 100
#define B4_TOTAL    1000
#define B4_SIZE     4096

struct activation {
    unsigned slot;
    uint64_t first_tick; /* the first tick whose flush may give it an SQE */
    uint32_t position;   /* 1-based place in unqueued when started; 0: got an SQE at once */
    bool has_sqe;
};

static struct fixture fixture;
static struct op reads[B4_PARALLEL];
static uint8_t buffers[B4_PARALLEL][B4_SIZE];
static struct activation activations[B4_TOTAL];
static unsigned slot_activation[B4_PARALLEL];
static int file = -1;
static unsigned started, finished, bad_results;
static uint64_t ticks_done;
static uint32_t entries;

static void start_read(unsigned slot);

static void on_read(struct op *op) {
    unsigned slot = (unsigned)(op - reads);
    if (op->result != B4_SIZE || buffers[slot][7] != test_pattern(7)) bad_results++;
    finished++;
    if (started < B4_TOTAL) start_read(slot);
}

static void start_read(unsigned slot) {
    struct activation *a = &activations[started];
    slot_activation[slot] = started;
    started++;
    memset(buffers[slot], 0, B4_SIZE);
    op_prepare(&reads[slot])->then = on_read;
    STARTER(ringer_read(&fixture.io, &reads[slot].completion, file, buffers[slot], B4_SIZE, 0,
                        &reads[slot], op_callback));
    a->slot = slot;
    /* Before the first tick, tick 1's flush is its first; from a callback of tick T
     * (ticks_done == T - 1), tick T's final submit may refill it, but its first flush is
     * tick T + 1's. */
    a->first_tick = ticks_done + (callback_depth > 0 ? 2 : 1);
    bool waits = reads[slot].completion.state == RINGER_UNQUEUED;
    a->position = waits ? ringer_stats(&fixture.io).unqueued : 0;
    a->has_sqe = !waits;
}

static uint64_t flush_bound(uint32_t position) {
    uint32_t per_flush = entries > 1 ? entries - 1 : 1;
    return (position + per_flush - 1) / per_flush;
}

/* After each tick: who holds an SQE now, in start order, and within the bound. */
static void check_activations(void) {
    bool older_waits = false;
    for (unsigned k = 0; k < started; k++) {
        struct activation *a = &activations[k];
        if (!a->has_sqe)
            a->has_sqe =
                slot_activation[a->slot] != k || reads[a->slot].completion.state != RINGER_UNQUEUED;
        if (a->has_sqe) {
            CHECK(!older_waits); /* I16 */
            continue;
        }
        older_waits = true;
        uint64_t waited = ticks_done + 1 - a->first_tick; /* flushes since it started */
        CHECK_LT(waited, flush_bound(a->position));
    }
}

static void run_b4(uint32_t ring_entries) {
    struct ringer_sim_options options;
    world_sim_default_options(&options);
    world_sim_configure(&options);
    entries = ring_entries;
    started = finished = bad_results = 0;
    ticks_done = 0;
    fixture_begin(&fixture, entries, 0);
    file = make_test_file(world_temp_dir_fd(), "b4_file", B4_SIZE);
    for (unsigned slot = 0; slot < B4_PARALLEL; slot++) start_read(slot);
    CHECK_EQ(ringer_stats(&fixture.io).unqueued, B4_PARALLEL - entries);
    while (finished < B4_TOTAL) {
        CHECK_EQ(ringer_tick(&fixture.io), 0);
        ticks_done++;
        check_loop_invariants(&fixture.io);
        check_activations();
        CHECK_LT(ticks_done, 10000000u);
    }
    CHECK_EQ(started, B4_TOTAL);
    CHECK_EQ(bad_results, 0);
    CHECK_EQ(ringer_sim_stats().ops[IORING_OP_READ], B4_TOTAL);
    world_close(file);
    fixture_end(&fixture);
}

TEST(sim_b4_flush_bound_ring_1) {
    run_b4(1);
}

TEST(sim_b4_flush_bound_ring_2) {
    run_b4(2);
}

TEST(sim_b4_flush_bound_ring_4) {
    run_b4(4);
}
