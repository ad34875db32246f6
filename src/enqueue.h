/*
 * Starting an op (loop.md §4) and preparing its SQE (ops.md §2). Inline, because this is
 * the path every operation takes: each starter, with its kind known, compiles to a
 * straight line. user_data and flags are set after the prep helper, because liburing 2.3's
 * helpers clear sqe->flags and none sets user_data.
 */
#ifndef RINGER_ENQUEUE_H
#define RINGER_ENQUEUE_H

#include "internal.h"

/* Forced, so that a starter's constant kind folds the switch below away. */
#define RINGER_INLINE static inline __attribute__((always_inline))

RINGER_INLINE void prep_rw(struct io_uring_sqe *sqe, const struct ringer_completion *completion) {
    const int fd = completion->operation.rw.fd;
    void *buffer = completion->operation.rw.buffer;
    const uint32_t size = completion->operation.rw.size;
    switch (completion->operation_kind) {
    case RINGER_OP_READ:
        io_uring_prep_read(sqe, fd, buffer, size, completion->operation.rw.offset);
        break;
    case RINGER_OP_WRITE:
        io_uring_prep_write(sqe, fd, buffer, size, completion->operation.rw.offset);
        break;
    case RINGER_OP_RECV:
        io_uring_prep_recv(sqe, fd, buffer, size, 0);
        break;
    case RINGER_OP_SEND:
        io_uring_prep_send(sqe, fd, buffer, size, MSG_NOSIGNAL);
        break;
    default:
        RINGER_ASSERT(false);
    }
    RINGER_ASSERT(size <= RINGER_IO_SIZE_MAX);
}

RINGER_INLINE void prep_cancel(struct io_uring_sqe *sqe,
                               const struct ringer_completion *completion) {
    if (completion->operation_kind == RINGER_OP_SWEEP) {
        io_uring_prep_cancel64(sqe, 0, IORING_ASYNC_CANCEL_ANY | IORING_ASYNC_CANCEL_ALL);
        return;
    }
    const struct ringer_completion *target = completion->operation.cancel.target;
    RINGER_ASSERT(target != NULL && target->state == RINGER_SUBMITTED);
    io_uring_prep_cancel64(sqe, (uint64_t)(uintptr_t)target, 0);
}

RINGER_INLINE void prep_operation(struct io_uring_sqe *sqe, struct ringer_completion *completion) {
    switch (completion->operation_kind) {
    case RINGER_OP_ACCEPT:
        completion->operation.socket.address_size = sizeof(struct sockaddr_storage);
        io_uring_prep_accept(sqe, completion->operation.socket.socket,
                             (struct sockaddr *)&completion->operation.socket.address,
                             &completion->operation.socket.address_size, SOCK_CLOEXEC);
        break;
    case RINGER_OP_CONNECT:
        io_uring_prep_connect(sqe, completion->operation.socket.socket,
                              (const struct sockaddr *)&completion->operation.socket.address,
                              completion->operation.socket.address_size);
        break;
    case RINGER_OP_CLOSE:
        io_uring_prep_close(sqe, completion->operation.close.fd);
        break;
    case RINGER_OP_FSYNC:
        io_uring_prep_fsync(sqe, completion->operation.fsync.fd, completion->operation.fsync.flags);
        break;
    case RINGER_OP_OPENAT:
        io_uring_prep_openat(
            sqe, completion->operation.openat.dir_fd, completion->operation.openat.path,
            completion->operation.openat.flags | O_CLOEXEC, completion->operation.openat.mode);
        break;
    case RINGER_OP_STATX:
        io_uring_prep_statx(sqe, completion->operation.statx.dir_fd,
                            completion->operation.statx.path, completion->operation.statx.flags,
                            completion->operation.statx.mask, completion->operation.statx.statx);
        break;
    case RINGER_OP_TIMEOUT:
        io_uring_prep_timeout(sqe, &completion->operation.timeout.timespec, 0, 0);
        break;
    case RINGER_OP_EVENT_LISTEN:
        io_uring_prep_read(sqe, completion->operation.event.event,
                           &completion->operation.event.value, sizeof(uint64_t), 0);
        break;
    case RINGER_OP_NOP:
        io_uring_prep_nop(sqe);
        break;
    case RINGER_OP_CANCEL:
    case RINGER_OP_SWEEP:
        prep_cancel(sqe, completion);
        break;
    default:
        prep_rw(sqe, completion);
    }
}

/* Takes an SQE and fills it; false when the SQ is full (the completion is untouched). */
RINGER_INLINE bool prep_sqe(struct ringer_io *io, struct ringer_completion *completion) {
    RINGER_ASSERT(completion->state == RINGER_IDLE);
    RINGER_ASSERT(completion->operation_kind != RINGER_OP_NONE);
    struct io_uring_sqe *sqe = io_uring_get_sqe(&io->ring);
    if (sqe == NULL) return false;
    prep_operation(sqe, completion);
    io_uring_sqe_set_data64(sqe, (uint64_t)(uintptr_t)completion);
    io_uring_sqe_set_flags(sqe, 0);
    completion->state = RINGER_SUBMITTED;
    list_push(&io->awaiting, completion);
    io->queued += 1;
    io->prepared += 1;
    io->sqes_prepared += 1;
    return true;
}

/* Steps 1 and 2: check the caller's promises and overwrite the completion. */
RINGER_INLINE void enqueue_start(struct ringer_io *io, struct ringer_completion *completion,
                                 enum ringer_operation kind, void *context,
                                 ringer_callback callback) {
    RINGER_ASSERT(io->initialised);
    RINGER_ASSERT(completion != NULL);
    /* I2: after cancel_all starts, only its own cancel may be enqueued. */
    RINGER_ASSERT(!cancel_all_active(io) || completion == &io->cancel_all_completion);
    /* The completion must be zeroed before first use and not be in flight in this boot
     * (one started before a ringer_sim_crash died with the machine's ring). */
    RINGER_ASSERT(completion->state == RINGER_IDLE || completion->serial <= io->boot_serial);
    RINGER_ASSERT(callback != NULL || completion == &io->cancel_all_completion);
    /* Each starter writes the arguments it uses; clearing the whole union would cost more
     * than the rest of the start. An IDLE completion's links are already null. */
    completion->state = RINGER_IDLE; /* a completion from before a crash starts afresh */
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
RINGER_INLINE void enqueue(struct ringer_io *io, struct ringer_completion *completion) {
    RINGER_ASSERT(completion->state == RINGER_IDLE);
    RINGER_ASSERT(completion->next == NULL && completion->awaiting_prev == NULL);
    /* Strict FIFO: no op takes an SQE while an older one waits for one (I16). */
    if (io->unqueued.count == 0 && prep_sqe(io, completion)) return;
    completion->state = RINGER_UNQUEUED;
    fifo_push(&io->unqueued, completion);
}

static inline void complete_push_local(struct ringer_io *io, struct ringer_completion *completion,
                                       int32_t result) {
    RINGER_ASSERT(completion->awaiting_prev == NULL && completion->awaiting_next == NULL);
    RINGER_ASSERT(completion->state == RINGER_IDLE || completion->state == RINGER_UNQUEUED);
    completion->result = result;
    completion->state = RINGER_LOCAL;
    fifo_push(&io->completed, completion);
}

#endif /* RINGER_ENQUEUE_H */
