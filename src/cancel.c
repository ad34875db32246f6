/* ringer_cancel (loop.md §10): by the target's state, a kernel cancel or a local result. */
#include "enqueue.h"

void ringer_cancel(struct ringer_io *io, struct ringer_completion *completion,
                   struct ringer_completion *target, void *context, ringer_callback callback) {
    RINGER_ASSERT(target != NULL && target != completion);
    RINGER_ASSERT(target->state == RINGER_IDLE || (target->operation_kind != RINGER_OP_CANCEL &&
                                                   target->operation_kind != RINGER_OP_SWEEP));
    enqueue_start(io, completion, RINGER_OP_CANCEL, context, callback);
    completion->operation.cancel.target = target;
    completion->operation.cancel.target_serial = target->serial;
    switch (target->state) {
    case RINGER_SUBMITTED:
        /* Linux runs the cancel during submission in ring order, so the earlier-prepared
         * target is already in the kernel when the cancel executes. */
        target->cancel_requested = true;
        enqueue(io, completion);
        return;
    case RINGER_UNQUEUED: {
        /* Never reached the kernel: both results are decided here, with no syscall. */
        bool removed = fifo_remove(&io->unqueued, target);
        RINGER_ASSERT(removed);
        target->state = RINGER_IDLE;
        target->cancel_requested = true;
        complete_push_local(io, target, -ECANCELED);
        complete_push_local(io, completion, 0);
        return;
    }
    case RINGER_REAPED:
        target->cancel_requested = true; /* a pending retry becomes -ECANCELED */
        complete_push_local(io, completion, -ENOENT);
        return;
    default:
        complete_push_local(io, completion, -ENOENT);
    }
}
