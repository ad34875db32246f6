/* The flush of loop.md §5: submit (and maybe wait), reap, refill, drain — in that order. */
#include "enqueue.h"

#define REAP_BATCH 256u

static void reap_one(struct ringer_io *io, const struct io_uring_cqe *cqe) {
    RINGER_ASSERT(io->in_kernel > 0); /* I5 */
    io->in_kernel -= 1;
    io->stats.cqes += 1;
    uint64_t user_data = io_uring_cqe_get_data64(cqe);
    if (user_data == 0) {
        RINGER_ASSERT(io->deadlines > 0);
        io->deadlines -= 1;
        if (cqe->res == -ETIME) io->etime = true; /* only -ETIME means the deadline passed */
        return;
    }
    struct ringer_completion *completion = (struct ringer_completion *)(uintptr_t)user_data;
    RINGER_ASSERT(completion->state == RINGER_SUBMITTED);
    completion->result = cqe->res; /* cqe->flags are ignored */
    completion->state = RINGER_REAPED;
    io->reaped += 1;
    fifo_push(&io->completed, completion);
}

/* Moves every ready CQE to `completed` without running callbacks, so the CQ head moves at
 * once, the overflow list can drain, and no user code sees a half-processed batch. */
void loop_reap(struct ringer_io *io) {
    struct io_uring_cqe *cqes[REAP_BATCH];
    for (;;) {
        /* A peek with the overflow flag set enters the kernel to flush it. */
        if (io_uring_cq_has_overflow(&io->ring)) io->stats.syscalls += 1;
        unsigned count = io_uring_peek_batch_cqe(&io->ring, cqes, REAP_BATCH);
        RINGER_ASSERT(count <= REAP_BATCH);
        for (unsigned i = 0; i < count; i++) reap_one(io, cqes[i]);
        io_uring_cq_advance(&io->ring, count);
        if (count == REAP_BATCH) continue;
        if (count > 0 && io_uring_cq_has_overflow(&io->ring)) continue;
        return;
    }
}

/* A cancel that waited in unqueued may find its target already done, or started again:
 * it must not reach a later activation, so it completes here with -ENOENT. */
static bool cancel_target_gone(const struct ringer_completion *completion) {
    if (completion->operation_kind != RINGER_OP_CANCEL) return false;
    const struct ringer_completion *target = completion->operation.cancel.target;
    RINGER_ASSERT(target != NULL);
    return target->state != RINGER_SUBMITTED ||
           target->serial != completion->operation.cancel.target_serial;
}

/* Older waiting ops take free SQ slots before any callback can start new I/O (I16). */
void loop_refill(struct ringer_io *io) {
    while (io->unqueued.count > 0 && io_uring_sq_space_left(&io->ring) > 0) {
        struct ringer_completion *completion = fifo_pop(&io->unqueued);
        RINGER_ASSERT(completion->state == RINGER_UNQUEUED);
        completion->state = RINGER_IDLE;
        if (cancel_target_gone(completion)) {
            complete_push_local(io, completion, -ENOENT);
            continue;
        }
        bool prepared = prep_sqe(io, completion);
        RINGER_ASSERT(prepared);
    }
}

/* The drain's pipeline (ops.md §1): cancel_all's dispatch, then errors (retries,
 * translations) out of line, and successes straight to their callback. */
static inline void complete_dispatch(struct ringer_io *io, struct ringer_completion *completion) {
    if (completion->state == RINGER_LOCAL) {
        RINGER_ASSERT(completion->awaiting_prev == NULL); /* I3 */
        RINGER_ASSERT(completion->awaiting_next == NULL);
    } else {
        RINGER_ASSERT(completion->state == RINGER_REAPED); /* I4 */
        list_remove(&io->awaiting, completion);
        RINGER_ASSERT(io->reaped > 0);
        io->reaped -= 1;
    }
    if (cancel_all_active(io)) cancel_all_dispatch(io, completion);
    else if (completion->result < 0) complete_error(io, completion);
    else call_back(io, completion, completion->result);
}

/* Runs completed ops, including those pushed during the drain, up to a bound (I20). */
static void drain(struct ringer_io *io) {
    const uint32_t at_entry = io->completed.count;
    uint32_t popped = 0;
    while (io->completed.count > 0) {
        if (popped >= at_entry + RINGER_DRAIN_EXTRA_MAX) break;
        struct ringer_completion *completion = fifo_pop(&io->completed);
        popped += 1;
        complete_dispatch(io, completion);
    }
    RINGER_ASSERT(popped <= at_entry + RINGER_DRAIN_EXTRA_MAX);
}

int loop_flush(struct ringer_io *io, bool wait) {
    RINGER_ASSERT(io->broken == 0);
    loop_check_invariants(io);
    if (io->completed.count > 0) wait = false; /* work to run without blocking */
    if (io->queued > 0 || wait) {
        int rc = loop_submit(io, wait);
        if (rc < 0) return rc;
    }
    loop_reap(io);
    loop_refill(io);
    loop_check_invariants(io);
    drain(io);
    return io->broken;
}

/* Submits what refill and callbacks prepared, without reaping: inline completions would
 * otherwise let a tick run without bound. Their CQEs wait for the next call. */
int loop_final_submit(struct ringer_io *io) {
    if (io->broken != 0) return io->broken;
    if (io->prepared == 0) return 0;
    loop_refill(io);
    RINGER_ASSERT(io->queued >= io->prepared && io->queued > 0);
    return loop_submit(io, false);
}
