/* ringer_run_for_ns: one absolute, count-0 internal timeout per call (loop.md §8). */
#include "internal.h"

#define NS_PER_S 1000000000u

static uint64_t deadline_ns(const struct ringer_io *io) {
    return (uint64_t)io->deadline.tv_sec * NS_PER_S + (uint64_t)io->deadline.tv_nsec;
}

/* The timespec lives in struct ringer_io: the kernel reads it when it consumes the SQE,
 * which can be ticks after the prep (a full SQ, a partial submission, a failed enter). */
static void set_deadline(struct ringer_io *io, uint64_t nanoseconds) {
    uint64_t now = time_monotonic_ns();
    uint64_t deadline = nanoseconds > UINT64_MAX - now ? UINT64_MAX : now + nanoseconds;
    const uint64_t max_seconds = (uint64_t)INT64_MAX / 2; /* far beyond any real wait */
    if (deadline / NS_PER_S > max_seconds) deadline = max_seconds * NS_PER_S;
    io->deadline.tv_sec = (int64_t)(deadline / NS_PER_S);
    io->deadline.tv_nsec = (long long)(deadline % NS_PER_S);
    RINGER_ASSERT(io->deadline.tv_nsec >= 0 && io->deadline.tv_nsec < (long long)NS_PER_S);
}

/* Prepares the internal timeout, bypassing unqueued. False if no SQE could be had. */
static bool arm_deadline(struct ringer_io *io) {
    RINGER_ASSERT(io->deadlines == 0);
    struct io_uring_sqe *sqe = io_uring_get_sqe(&io->ring);
    if (sqe == NULL && io->queued > 0) {
        if (loop_submit(io, false) < 0) return false;
        sqe = io_uring_get_sqe(&io->ring);
    }
    if (sqe == NULL) return false;
    io_uring_prep_timeout(sqe, &io->deadline, 0, IORING_TIMEOUT_ABS);
    io_uring_sqe_set_data64(sqe, 0);
    io_uring_sqe_set_flags(sqe, 0);
    io->queued += 1;
    io->prepared += 1;
    io->deadlines += 1;
    io->sqes_prepared += 1;
    io->deadline_sqe = io->sqes_prepared;
    return true;
}

/* One pass when the deadline could not be armed: never block without a timer. */
static int pass_without_timer(struct ringer_io *io) {
    int rc = loop_flush(io, false);
    if (rc < 0) return rc;
    uint64_t now = time_monotonic_ns();
    uint64_t deadline = deadline_ns(io);
    if (now >= deadline) {
        io->etime = true;
        return 0;
    }
    uint64_t left = deadline - now;
    time_sleep_ns(left < 1000000u ? left : 1000000u);
    return 0;
}

int loop_run_for_ns(struct ringer_io *io, uint64_t nanoseconds) {
    RINGER_ASSERT(io->deadlines == 0);
    set_deadline(io, nanoseconds);
    for (;;) {
        io->etime = false;
        while (!io->etime) {
            if (io->broken != 0) return io->broken;
            int rc;
            if (io->deadlines > 0 || arm_deadline(io)) rc = loop_flush(io, true);
            else if (io->broken != 0) rc = io->broken; /* the submit to free a slot broke */
            else rc = pass_without_timer(io);
            if (rc < 0) return rc;
        }
        RINGER_ASSERT(io->deadlines == 0);
        /* Only the clock proves the deadline passed; a stray -ETIME re-arms (hostile). */
        if (time_monotonic_ns() >= deadline_ns(io)) break;
    }
    int rc = loop_final_submit(io);
    RINGER_ASSERT(rc < 0 || io->deadlines == 0); /* I6 */
    return rc;
}
