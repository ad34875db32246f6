/* io_uring_enter through liburing, with every error of loop.md §6 handled. */
#include "internal.h"

/* Sleep granularity while nothing in the kernel can complete (liburing issue #281). */
#define IDLE_SLEEP_NS 1000000u

static void account_submitted(struct ringer_io *io, int submitted) {
    RINGER_ASSERT(submitted >= 0);
    RINGER_ASSERT((uint32_t)submitted <= io->queued);
    if ((uint32_t)submitted < io->queued) io->stats.enter_partial += 1;
    io->queued -= (uint32_t)submitted;
    io->in_kernel += (uint32_t)submitted;
    io->consumed += (uint64_t)submitted;
    io->prepared = 0;
}

/* A CQE is certain to come only once the internal deadline is in the kernel: a recv or an
 * accept in flight may never complete, so in_kernel > 0 alone would not bound a wait. */
static bool deadline_in_kernel(const struct ringer_io *io) {
    return io->deadlines > 0 && io->consumed >= io->deadline_sqe;
}

/* A SINGLE_ISSUER ring refuses every task but its creator with -EEXIST (ringer's default
 * where the kernel has DEFER_TASKRUN): the caller broke the one-thread rule, which the
 * ring would otherwise refuse for good. */
static void assert_ring_thread(const struct ringer_io *io, int rc) {
    RINGER_ASSERT(rc < 0);
    if (rc == -EEXIST && (io->setup_flags & IORING_SETUP_SINGLE_ISSUER) != 0) {
        ringer_assert_fail("ringer_tick, ringer_run_for_ns or ringer_cancel_all from a thread "
                           "other than ringer_init's (a SINGLE_ISSUER ring)",
                           __FILE__, __LINE__);
    }
}

/* Waits for one CQE without submitting, then reaps. Only when something can complete. */
static int wait_for_one(struct ringer_io *io) {
    RINGER_ASSERT(io->in_kernel > 0);
    for (;;) {
        struct io_uring_cqe *cqe = NULL;
        io->stats.syscalls += 1;
        int rc = io_uring_wait_cqe_nr(&io->ring, &cqe, 1);
        if (rc == 0) break;
        if (rc == -EINTR) continue;
        if (rc == -EBUSY) {
            loop_reap(io);
            if (io->completed.count > 0 || !deadline_in_kernel(io)) return 0;
            continue;
        }
        assert_ring_thread(io, rc);
        loop_set_broken(io, rc);
        return rc;
    }
    loop_reap(io);
    return 0;
}

/* What to do when the kernel refused the whole submission for want of resources. */
static int handle_busy(struct ringer_io *io, bool may_block, int *retries_left) {
    loop_reap(io);
    if (may_block && deadline_in_kernel(io)) {
        RINGER_ASSERT(io->in_kernel > 0);
        return wait_for_one(io);
    }
    if (may_block) {
        /* Nothing is certain to complete, so waiting could hang (liburing issue #281):
         * sleep briefly, never past the deadline by more than the granularity, and retry. */
        uint64_t now = time_monotonic_ns();
        uint64_t deadline =
            (uint64_t)io->deadline.tv_sec * 1000000000u + (uint64_t)io->deadline.tv_nsec;
        uint64_t left = deadline > now ? deadline - now : IDLE_SLEEP_NS;
        time_sleep_ns(left < IDLE_SLEEP_NS ? left : IDLE_SLEEP_NS);
        return 0;
    }
    /* ringer_tick never blocks: one retry after the reap, then leave the SQEs queued. */
    if (*retries_left == 0) return 1;
    *retries_left -= 1;
    return 0;
}

/*
 * Submits every queued SQE and, when `wait`, waits for at least one CQE. Returns 0 (even
 * after a partial submission or a deferred one), or the negated errno that broke the ring.
 * A non-negative enter result never implies that a CQE is ready.
 */
int loop_submit(struct ringer_io *io, bool wait) {
    RINGER_ASSERT(io->broken == 0);
    RINGER_ASSERT(wait || io->queued > 0);
    int retries_left = 1;
    for (;;) {
        io->stats.syscalls += 1;
        int rc = wait ? io_uring_submit_and_wait(&io->ring, 1) : io_uring_submit(&io->ring);
        if (rc >= 0) {
            account_submitted(io, rc);
            return 0;
        }
        if (rc == -EINTR) {
            io->stats.enter_eintr += 1; /* nothing was submitted: retry at once */
            continue;
        }
        if (rc != -EAGAIN && rc != -EBUSY) {
            assert_ring_thread(io, rc);
            loop_set_broken(io, rc);
            return rc;
        }
        if (rc == -EAGAIN) io->stats.enter_eagain += 1;
        else io->stats.enter_ebusy += 1;
        int outcome = handle_busy(io, wait, &retries_left);
        if (outcome < 0) return outcome;
        if (outcome > 0) return 0;
        /* The reap may have found work to run, or the deadline's own CQE: then a wait
         * could block for ever, since nothing else is certain to complete. */
        if (io->completed.count > 0 || io->deadlines == 0) wait = false;
        if (!wait && io->queued == 0) return 0;
    }
}
