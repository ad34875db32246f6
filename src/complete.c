/* The drain's result pipeline for errors (ops.md §1): cancel_requested, retry, translation,
 * callback. Successes take the inline path in flush.c. */
#include "enqueue.h"

/* The op's retry set (ops.md §3). Close and cancel never retry. */
static bool is_retried(const struct ringer_completion *completion, int32_t result) {
    switch (completion->operation_kind) {
    case RINGER_OP_READ:
    case RINGER_OP_EVENT_LISTEN:
        return result == -EINTR || result == -EAGAIN; /* XFS returned -EAGAIN on reads */
    case RINGER_OP_ACCEPT:
    case RINGER_OP_CONNECT:
    case RINGER_OP_FSYNC:
    case RINGER_OP_OPENAT:
    case RINGER_OP_RECV:
    case RINGER_OP_SEND:
    case RINGER_OP_STATX:
    case RINGER_OP_TIMEOUT:
    case RINGER_OP_WRITE:
        return result == -EINTR;
    default:
        return false;
    }
}

static int32_t translate(const struct ringer_completion *completion, int32_t result) {
    /* Linux releases the descriptor before the step that can be interrupted. */
    if (completion->operation_kind == RINGER_OP_CLOSE && result == -EINTR) return 0;
    /* The interrupted connect carried on in the kernel and succeeded. */
    if (completion->operation_kind == RINGER_OP_CONNECT && completion->retried &&
        result == -EISCONN) {
        return 0;
    }
    return result;
}

static void retry(struct ringer_io *io, struct ringer_completion *completion, int32_t result) {
    RINGER_ASSERT(!completion->cancel_requested); /* I23 */
    if (result == -EAGAIN) io->stats.retry_eagain += 1;
    else io->stats.retry_eintr += 1;
    completion->state = RINGER_IDLE;
    completion->retried = true;
    enqueue(io, completion); /* behind unqueued: never loops inside this drain */
}

/* A negative result: retry it, or report it as -ECANCELED, or translate it, then call back. */
/* Linux's kernel-internal restart codes (ERESTARTSYS 512, ERESTARTNOINTR 513,
 * ERESTARTNOHAND 514, ERESTART_RESTARTBLOCK 516) can leak into a CQE when a worker is
 * interrupted, e.g. a cancelled openat blocked on a FIFO. io_uring itself maps them to
 * -EINTR for reads, writes and sockets; ringer does the same for every op (ours). */
static int32_t interrupted_as_eintr(int32_t result) {
    const bool restart = result == -512 || result == -513 || result == -514 || result == -516;
    return restart ? -EINTR : result;
}

void complete_error(struct ringer_io *io, struct ringer_completion *completion) {
    int32_t result = interrupted_as_eintr(completion->result);
    RINGER_ASSERT(result < 0);
    if (completion->state == RINGER_REAPED && is_retried(completion, result)) {
        if (!completion->cancel_requested) {
            retry(io, completion, result);
            return;
        }
        result = -ECANCELED;
    }
    call_back(io, completion, translate(completion, result));
}
