/* The event loop's public entry points: init, deinit, tick, run_for_ns, stats. */
#include <string.h>

#include "internal.h"

/* Flags ringer tries first, so users get the fast path without asking (Linux >= 6.1). */
#define FAST_FLAGS                                                                        \
    (IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG | IORING_SETUP_SINGLE_ISSUER | \
     IORING_SETUP_DEFER_TASKRUN)
/* The fallback for Linux 5.19..6.0 (and the sim). */
#define COOP_FLAGS (IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG)
#define ACCEPTED_FLAGS \
    (IORING_SETUP_CLAMP | IORING_SETUP_SUBMIT_ALL | FAST_FLAGS | RINGER_INIT_NO_CANCEL_SWEEP)
#define REQUIRED_FEATURES (IORING_FEAT_NODROP | IORING_FEAT_SUBMIT_STABLE | IORING_FEAT_FAST_POLL)

static const uint8_t required_opcodes[] = {
    IORING_OP_ACCEPT, IORING_OP_CLOSE,        IORING_OP_CONNECT, IORING_OP_FSYNC, IORING_OP_OPENAT,
    IORING_OP_READ,   IORING_OP_RECV,         IORING_OP_SEND,    IORING_OP_STATX, IORING_OP_TIMEOUT,
    IORING_OP_WRITE,  IORING_OP_ASYNC_CANCEL, IORING_OP_NOP,
};

/* Tries each flag set in turn: older kernels refuse newer flags with -EINVAL. A caller who
 * names any task-run flag gets exactly those (plus TASKRUN_FLAG, which only adds a hint). */
static int setup_ring(struct ringer_io *io, uint32_t entries, uint32_t user_flags,
                      struct io_uring_params *params) {
    uint32_t attempts[] = {user_flags | FAST_FLAGS, user_flags | COOP_FLAGS, user_flags};
    size_t count = sizeof(attempts) / sizeof(attempts[0]);
    if ((user_flags & FAST_FLAGS) != 0) {
        const uint32_t wants_hint = IORING_SETUP_COOP_TASKRUN | IORING_SETUP_DEFER_TASKRUN;
        attempts[0] = user_flags | ((user_flags & wants_hint) ? IORING_SETUP_TASKRUN_FLAG : 0);
        count = 1;
    }
    int rc = -EINVAL;
    for (size_t i = 0; i < count; i++) {
        memset(params, 0, sizeof(*params));
        params->flags = attempts[i];
        rc = io_uring_queue_init_params(entries, &io->ring, params);
        if (rc != -EINVAL) {
            io->setup_flags = attempts[i];
            return rc;
        }
    }
    RINGER_ASSERT(rc < 0);
    return rc;
}

/* -ENOSYS unless the kernel has every feature and opcode ringer relies on. */
static int check_kernel(struct ringer_io *io, const struct io_uring_params *params) {
    if ((params->features & REQUIRED_FEATURES) != REQUIRED_FEATURES) return -ENOSYS;
    struct io_uring_probe *probe = io_uring_get_probe_ring(&io->ring);
    if (probe == NULL) return -ENOSYS;
    int rc = 0;
    for (size_t i = 0; i < sizeof(required_opcodes); i++) {
        if (!io_uring_opcode_supported(probe, required_opcodes[i])) rc = -ENOSYS;
    }
    io_uring_free_probe(probe);
    return rc;
}

/* Whether an initialised io's ring is still there: a live one answers the probe; one that
 * died with the simulated machine (ringer_sim_crash) has lost its fd. */
static bool ring_alive(struct ringer_io *io) {
    RINGER_ASSERT(io->initialised);
    struct io_uring_probe *probe = io_uring_get_probe_ring(&io->ring);
    if (probe == NULL) return false;
    io_uring_free_probe(probe);
    return true;
}

/* Returns the serial the next boot starts from: a dead ring's starts stay behind it. */
static uint64_t init_previous_serial(struct ringer_io *io) {
    if (!io->initialised) return 0;
    if (ring_alive(io)) {
        ringer_assert_fail("ringer_init on a live ringer_io (ringer_deinit it first)", __FILE__,
                           __LINE__);
    }
    return io->serial;
}

int ringer_init(struct ringer_io *io, uint32_t entries, uint32_t flags) {
    RINGER_ASSERT(io != NULL);
    if (entries == 0 || entries > RINGER_ENTRIES_MAX || (entries & (entries - 1)) != 0) {
        return -EINVAL;
    }
    if ((flags & ~(uint32_t)ACCEPTED_FLAGS) != 0) return -EINVAL;
    const uint64_t serial = init_previous_serial(io);
    memset(io, 0, sizeof(*io));
    io->serial = serial;
    io->boot_serial = serial;
    struct io_uring_params params;
    int rc = setup_ring(io, entries, flags & ~RINGER_INIT_NO_CANCEL_SWEEP, &params);
    if (rc < 0) return rc;
    rc = check_kernel(io, &params);
    if (rc < 0) {
        io_uring_queue_exit(&io->ring);
        return rc;
    }
    io->entries = entries;
    io->defer_taskrun = (io->setup_flags & IORING_SETUP_DEFER_TASKRUN) != 0;
    io->cancel_sweep_enabled = (flags & RINGER_INIT_NO_CANCEL_SWEEP) == 0;
    io->initialised = true;
    RINGER_ASSERT(io->serial == io->boot_serial);
    RINGER_ASSERT(io->cancel_all_state == RINGER_CANCEL_ALL_INACTIVE);
    return 0;
}

void ringer_deinit(struct ringer_io *io) {
    RINGER_ASSERT(io->initialised);
    loop_assert_not_in_callback(io);
    if (io->broken == 0) {
        /* I24: the caller drained its work or ran cancel_all. */
        RINGER_ASSERT(io->queued == 0 && io->in_kernel == 0 && io->deadlines == 0);
        RINGER_ASSERT(io->unqueued.count == 0 && io->completed.count == 0);
        RINGER_ASSERT(io->awaiting.count == 0);
    }
    io_uring_queue_exit(&io->ring);
    io->initialised = false;
}

static int loop_check_runnable(const struct ringer_io *io) {
    RINGER_ASSERT(io->initialised);
    loop_assert_not_in_callback(io);
    RINGER_ASSERT(io->cancel_all_state != RINGER_CANCEL_ALL_DONE); /* I1 */
    return io->broken;
}

int ringer_tick(struct ringer_io *io) {
    int rc = loop_check_runnable(io);
    if (rc < 0) return rc;
    const uint32_t deadlines_before = io->deadlines;
    rc = loop_flush(io, false);
    if (rc < 0) return rc;
    rc = loop_final_submit(io);
    RINGER_ASSERT(io->deadlines <= deadlines_before); /* I1: a tick arms no deadline */
    return rc;
}

int ringer_run_for_ns(struct ringer_io *io, uint64_t nanoseconds) {
    int rc = loop_check_runnable(io);
    if (rc < 0) return rc;
    RINGER_ASSERT(!cancel_all_active(io));
    return loop_run_for_ns(io, nanoseconds);
}

struct ringer_stats ringer_stats(const struct ringer_io *io) {
    RINGER_ASSERT(io != NULL);
    struct ringer_stats stats = io->stats;
    stats.queued = io->queued;
    stats.in_kernel = io->in_kernel;
    stats.unqueued = io->unqueued.count;
    stats.completed = io->completed.count;
    stats.reaped = io->reaped;
    stats.awaiting = io->awaiting.count;
    stats.deadlines = io->deadlines;
    RINGER_ASSERT(stats.deadlines <= 1);
    return stats;
}

void loop_assert_not_in_callback(const struct ringer_io *io) {
    RINGER_ASSERT(io->callback_depth == 0); /* I14: no nested tick, run_for_ns, cancel_all */
}

/* I17 and I18 at a step boundary. */
void loop_check_invariants(const struct ringer_io *io) {
    RINGER_ASSERT(io->deadlines <= 1);
    RINGER_ASSERT(io->reaped <= io->awaiting.count);
    RINGER_ASSERT(io->queued + io->in_kernel == (io->awaiting.count - io->reaped) + io->deadlines);
    RINGER_ASSERT(io->queued == io_uring_sq_ready(&io->ring));
    RINGER_ASSERT(io->reaped <= io->completed.count);
    RINGER_ASSERT(io->stats.cqes == io->consumed - io->in_kernel); /* I5 */
}

void loop_set_broken(struct ringer_io *io, int error) {
    RINGER_ASSERT(error < 0);
    if (io->broken == 0) io->broken = error;
}
