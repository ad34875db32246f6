/* ringer_cancel_all (loop.md §11): stop everything so the kernel no longer touches caller
 * memory, running no user callback, and terminate whatever order the CQEs come in. */
#include "enqueue.h"

/* Each state waits only for a CQE the kernel owes; this is the slice of one wait. */
#define ROUND_NS 10000000u

/* A successful accept or openat delivered an fd no callback will see: close it (I22). */
void cancel_all_drop_result(struct ringer_io *io, const struct ringer_completion *completion) {
    const bool returns_fd = completion->operation_kind == RINGER_OP_ACCEPT ||
                            completion->operation_kind == RINGER_OP_OPENAT;
    if (completion->state != RINGER_REAPED || !returns_fd || completion->result < 0) return;
    close(completion->result); /* -EINTR still releases the descriptor */
    io->stats.cancel_all_fds_closed += 1;
}

static void drop(struct ringer_io *io, struct ringer_completion *completion) {
    cancel_all_drop_result(io, completion);
    completion->state = RINGER_IDLE;
}

/* The drain's dispatch while cancel_all runs: no callback, no retry, in any state. */
void cancel_all_dispatch(struct ringer_io *io, struct ringer_completion *completion) {
    RINGER_ASSERT(cancel_all_active(io));
    const bool own = completion == &io->cancel_all_completion;
    const bool is_target = completion == io->cancel_all_target;
    const int32_t result = completion->result;
    drop(io, completion);
    switch (io->cancel_all_state) {
    case RINGER_CANCEL_ALL_SWEEP:
        if (own) io->cancel_all_state = RINGER_CANCEL_ALL_NEXT; /* -EINVAL: old kernel */
        return;
    case RINGER_CANCEL_ALL_QUEUED:
        /* The target's CQE may come first: remember it, or WAIT would wait for ever. */
        if (is_target) io->cancel_all_target_gone = true;
        if (!own) return;
        if (!io->cancel_all_target_gone && (result == 0 || result == -EALREADY)) {
            io->cancel_all_state = RINGER_CANCEL_ALL_WAIT;
        } else {
            io->cancel_all_state = RINGER_CANCEL_ALL_NEXT;
        }
        return;
    case RINGER_CANCEL_ALL_WAIT:
        RINGER_ASSERT(!own);
        if (is_target) io->cancel_all_state = RINGER_CANCEL_ALL_NEXT;
        return;
    default:
        RINGER_ASSERT(!own);
        return;
    }
}

/* Step 1: what never reached the kernel, or already left it, is dropped at once. */
static void drop_local_work(struct ringer_io *io) {
    struct ringer_completion *completion;
    while ((completion = fifo_pop(&io->unqueued)) != NULL) {
        RINGER_ASSERT(completion->state == RINGER_UNQUEUED);
        completion->state = RINGER_IDLE;
    }
    while ((completion = fifo_pop(&io->completed)) != NULL) {
        if (completion->state == RINGER_REAPED) {
            list_remove(&io->awaiting, completion);
            RINGER_ASSERT(io->reaped > 0);
            io->reaped -= 1;
        }
        drop(io, completion);
    }
}

static int wait_while(struct ringer_io *io, enum ringer_cancel_all_state a,
                      enum ringer_cancel_all_state b) {
    while (io->cancel_all_state == a || io->cancel_all_state == b) {
        int rc = loop_run_for_ns(io, ROUND_NS);
        if (rc < 0) return rc;
    }
    return 0;
}

/* The newest op in the kernel that is not a cancel; NULL when only cancels, or ops whose
 * CQE is already reaped (a reap after the drain, on -EAGAIN), remain. */
static struct ringer_completion *newest_target(const struct ringer_io *io) {
    for (struct ringer_completion *it = io->awaiting.tail; it != NULL; it = it->awaiting_prev) {
        const bool is_cancel =
            it->operation_kind == RINGER_OP_CANCEL || it->operation_kind == RINGER_OP_SWEEP;
        if (!is_cancel && it->state == RINGER_SUBMITTED) return it;
    }
    return NULL;
}

static void start_cancel(struct ringer_io *io, enum ringer_operation kind,
                         struct ringer_completion *target) {
    struct ringer_completion *own = &io->cancel_all_completion;
    enqueue_start(io, own, kind, NULL, NULL);
    own->operation.cancel.target = target;
    own->operation.cancel.target_serial = target != NULL ? target->serial : 0;
    enqueue(io, own);
}

/* Step 3: one target at a time, newest first, until awaiting is empty. */
static int cancel_each(struct ringer_io *io) {
    while (io->awaiting.count > 0) {
        io->stats.cancel_all_rounds += 1;
        struct ringer_completion *target = newest_target(io);
        if (target == NULL) {
            int rc = loop_run_for_ns(io, ROUND_NS); /* reaps what remains */
            if (rc < 0) return rc;
            continue;
        }
        RINGER_ASSERT(target->state == RINGER_SUBMITTED); /* I7: never a cancel */
        io->cancel_all_state = RINGER_CANCEL_ALL_QUEUED;
        io->cancel_all_target = target;
        io->cancel_all_target_gone = false;
        start_cancel(io, RINGER_OP_CANCEL, target);
        int rc = wait_while(io, RINGER_CANCEL_ALL_QUEUED, RINGER_CANCEL_ALL_QUEUED);
        if (rc == 0 && io->cancel_all_state == RINGER_CANCEL_ALL_WAIT) {
            rc = loop_run_for_ns(io, ROUND_NS);
            /* Still running after a round: cancel it again rather than trust that it will
             * finish (a hostile kernel may never post it; Linux interrupts the worker). */
            if (io->cancel_all_state == RINGER_CANCEL_ALL_WAIT) {
                io->cancel_all_state = RINGER_CANCEL_ALL_NEXT;
            }
        }
        if (rc < 0) return rc;
        io->cancel_all_target = NULL;
    }
    return 0;
}

int ringer_cancel_all(struct ringer_io *io) {
    RINGER_ASSERT(io->initialised);
    loop_assert_not_in_callback(io);
    RINGER_ASSERT(!cancel_all_active(io)); /* once only; afterwards only ringer_deinit */
    if (io->broken != 0) return io->broken;
    io->cancel_all_state = RINGER_CANCEL_ALL_NEXT; /* I13: callbacks suppressed from here */
    drop_local_work(io);
    if (io->cancel_sweep_enabled && io->awaiting.count > 0) {
        io->cancel_all_state = RINGER_CANCEL_ALL_SWEEP;
        start_cancel(io, RINGER_OP_SWEEP, NULL);
        int rc = wait_while(io, RINGER_CANCEL_ALL_SWEEP, RINGER_CANCEL_ALL_SWEEP);
        if (rc < 0) return rc;
    }
    int rc = cancel_each(io);
    if (rc < 0) return rc;
    /* I7: nothing is left for the kernel to read or write. */
    RINGER_ASSERT(io->awaiting.count == 0 && io->unqueued.count == 0);
    RINGER_ASSERT(io->completed.count == 0 && io->reaped == 0);
    RINGER_ASSERT(io->queued == 0 && io->in_kernel == 0 && io->deadlines == 0);
    io->cancel_all_state = RINGER_CANCEL_ALL_DONE;
    return 0;
}
