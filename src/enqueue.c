/* Starting an op (loop.md §4): an SQE now, or a place in the strict FIFO of unqueued. */
#include "internal.h"

/* Steps 1 and 2: check the caller's promises and overwrite the completion. */
void enqueue_start(struct ringer_io *io, struct ringer_completion *completion,
                   enum ringer_operation kind, void *context, ringer_callback callback) {
    RINGER_ASSERT(io->initialised);
    RINGER_ASSERT(completion != NULL);
    /* I2: after cancel_all starts, only its own cancel may be enqueued. */
    RINGER_ASSERT(!cancel_all_active(io) || completion == &io->cancel_all_completion);
    /* The completion must be zeroed before first use and not be in flight. */
    RINGER_ASSERT(completion->state == RINGER_IDLE);
    RINGER_ASSERT(callback != NULL || completion == &io->cancel_all_completion);
    /* Each starter writes the arguments it uses; clearing the whole union would cost more
     * than the rest of the start. An IDLE completion's links are already null. */
    completion->next = NULL;
    completion->awaiting_prev = NULL;
    completion->awaiting_next = NULL;
    completion->result = 0;
    completion->cancel_requested = false;
    completion->retried = false;
    completion->operation_kind = (uint8_t)kind;
    completion->context = context;
    completion->callback = callback;
    if (completion != &io->cancel_all_completion) io->stats.started += 1; /* user ops only */
    io->serial += 1;
    completion->serial = io->serial;
}

/* Step 4 and 5; also the path of a retry, which joins the back of unqueued. */
void enqueue(struct ringer_io *io, struct ringer_completion *completion) {
    RINGER_ASSERT(completion->state == RINGER_IDLE);
    RINGER_ASSERT(completion->next == NULL && completion->awaiting_prev == NULL);
    /* Strict FIFO: no op takes an SQE while an older one waits for one (I16). */
    if (io->unqueued.count == 0 && prep_sqe(io, completion)) return;
    completion->state = RINGER_UNQUEUED;
    fifo_push(&io->unqueued, completion);
}

void complete_push_local(struct ringer_io *io, struct ringer_completion *completion,
                         int32_t result) {
    RINGER_ASSERT(completion->awaiting_prev == NULL && completion->awaiting_next == NULL);
    RINGER_ASSERT(completion->state == RINGER_IDLE || completion->state == RINGER_UNQUEUED);
    completion->result = result;
    completion->state = RINGER_LOCAL;
    fifo_push(&io->completed, completion);
}
