/* The simulated world of one fuzzer input: see world.h. */
#include "world.h"

#include <string.h>

#include "check.h"

/* Probabilities for a switched-on class. The entropy bytes then decide each opportunity, so
 * a high level hands the decision to the fuzzer rather than to chance. */
static const uint64_t fault_levels_ppm[] = {500000, 100000, 1000000, 20000};

static const uint8_t ring_classes[] = {
    RINGER_SIM_FAULT_ENTER_EINTR,   RINGER_SIM_FAULT_ENTER_EAGAIN, RINGER_SIM_FAULT_ENTER_EBUSY,
    RINGER_SIM_FAULT_ENTER_PARTIAL, RINGER_SIM_FAULT_ORDER,        RINGER_SIM_FAULT_CQE_EINTR,
    RINGER_SIM_FAULT_CQE_EAGAIN,    RINGER_SIM_FAULT_SHORT,        RINGER_SIM_FAULT_CQE_ECANCELED,
    RINGER_SIM_FAULT_ERRNO,         RINGER_SIM_FAULT_CANCEL_RACE,  RINGER_SIM_FAULT_CQE_FLAGS,
    RINGER_SIM_FAULT_SQE_STALE,     RINGER_SIM_FAULT_READ_EIO,     RINGER_SIM_FAULT_WRITE_EIO,
    RINGER_SIM_FAULT_ENOSPC,        RINGER_SIM_FAULT_FSYNC_FAIL,   RINGER_SIM_FAULT_LATENCY,
    RINGER_SIM_FAULT_PARTIAL,       RINGER_SIM_FAULT_RESET,        RINGER_SIM_FAULT_REFUSE,
    RINGER_SIM_FAULT_ACCEPT_ABORT,  RINGER_SIM_FAULT_PARTITION,
};

static const uint8_t storage_classes[] = {
    RINGER_SIM_FAULT_ERRNO,         RINGER_SIM_FAULT_READ_EIO,   RINGER_SIM_FAULT_WRITE_EIO,
    RINGER_SIM_FAULT_ENOSPC,        RINGER_SIM_FAULT_FSYNC_FAIL, RINGER_SIM_FAULT_CQE_EINTR,
    RINGER_SIM_FAULT_LATENT_SECTOR, RINGER_SIM_FAULT_SHORT,
};

/* A 32-bit mask picks the classes; one level applies to all of them. */
static void choose_faults(struct fuzz_input *program, const uint8_t *classes, size_t count,
                          struct ringer_sim_options *options) {
    FUZZ_ASSERT(count <= 32);
    uint32_t mask = fuzz_u32(program);
    uint32_t ppm = (uint32_t)FUZZ_PICK(program, fault_levels_ppm);
    for (size_t i = 0; i < count; i++) {
        FUZZ_ASSERT(classes[i] < RINGER_SIM_FAULT_CLASS_COUNT);
        if (mask & (1u << i)) options->faults[classes[i]].ppm = ppm;
    }
}

void fuzz_world_options(struct fuzz_input *program, enum fuzz_fault_set set,
                        struct ringer_sim_options *options) {
    FUZZ_ASSERT(program != NULL && options != NULL);
    memset(options, 0, sizeof(*options));
    options->seed = 1; /* unused: the entropy bytes replace the PRNG */
    options->quiet = true;
    options->no_real_sigpipe = true;
    uint8_t shape = fuzz_u8(program);
    options->profile = (shape & 1) ? RINGER_SIM_PROFILE_HOSTILE : RINGER_SIM_PROFILE_FAITHFUL;
    options->order = (shape & 2) ? RINGER_SIM_ORDER_REORDER : RINGER_SIM_ORDER_FAITHFUL;
    options->no_timer_slack = (shape & 4) != 0;
    options->liburing_clears_sqe = (shape & 8) != 0;
    options->kernel = (uint8_t)(((shape >> 4) & 3) % 3); /* 6.1, 5.8 or 5.19 */
    if (set == FUZZ_FAULTS_STORAGE) {
        choose_faults(program, storage_classes, sizeof(storage_classes), options);
    } else {
        choose_faults(program, ring_classes, sizeof(ring_classes), options);
    }
    if (set == FUZZ_FAULTS_RING_BREAKABLE && (shape & 64) != 0) {
        /* A dropped CQE: the next enter gives -EBADR and the ring is broken for good. The
         * kernel may then still hold fds of ops nobody reaps, so the leak check is off. */
        options->allow_cqe_drop = true;
        options->faults[RINGER_SIM_FAULT_CQE_DROP].ppm = fault_levels_ppm[0];
        options->no_leak_check = true;
    }
    /* Small pools: the sim allocates and clears them for every input (512 sockets x the
     * socket buffer, 64 pipes x the pipe buffer, the file pages), and the targets move
     * kilobytes, not megabytes. A small socket buffer also makes full-buffer sends common. */
    options->fs_pages = set == FUZZ_FAULTS_STORAGE ? 1024 : 64;
    options->socket_buffer_size = 2048;
    options->pipe_buffer_size = 4096; /* no target uses pipes: a small pool is a cheap init */
    /* Liveness bounds: a run that needs more is a hang, reported through the stop handler. */
    options->max_steps = 4000000;
    options->max_virtual_ns = 3600ull * 1000000000ull;
}

static void on_sim_stop(const char *reason) {
    fuzz_fail(__FILE__, __LINE__, "the sim stopped the run (deadlock or liveness bound): %s",
              reason != NULL ? reason : "?");
}

void fuzz_world_start(const struct ringer_sim_options *options, const struct fuzz_split *split) {
    FUZZ_ASSERT(!fuzz_sim_active);
    int rc = ringer_sim_init(options);
    FUZZ_CHECK(rc == 0, "ringer_sim_init: %d", rc);
    fuzz_sim_active = true;
    /* No bytes yet: every decision takes its default (no fault, FIFO order), so the
     * target's own setup builds the same world for every input. */
    ringer_sim_entropy_bytes(split->entropy, 0);
    ringer_sim_on_stop(on_sim_stop);
}

void fuzz_world_unleash(const struct fuzz_split *split) {
    FUZZ_ASSERT(fuzz_sim_active);
    FUZZ_ASSERT(split->entropy != NULL || split->entropy_size == 0);
    ringer_sim_entropy_bytes(split->entropy, split->entropy_size);
}

void fuzz_world_stop(void) {
    FUZZ_ASSERT(fuzz_sim_active);
    ringer_sim_on_stop(NULL);
    ringer_sim_deinit(); /* aborts on a leaked fd (I22, open_data_file.md §2) */
    fuzz_sim_active = false;
}

uint64_t fuzz_world_sqes_consumed(void) {
    struct ringer_sim_stats stats = ringer_sim_stats();
    uint64_t total = 0;
    for (size_t i = 0; i < sizeof(stats.ops) / sizeof(stats.ops[0]); i++) total += stats.ops[i];
    return total;
}
