/* Eventfd events: a listen is an 8-byte read into the completion's own counter. */
#include "enqueue.h"

int ringer_open_event(struct ringer_io *io) {
    RINGER_ASSERT(io != NULL);
    int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (fd < 0) return negated_errno();
    RINGER_ASSERT(fd >= 0); /* I9 */
    return fd;
}

/* Completes once after one or more triggers: the read returns the counter and resets it. */
void ringer_event_listen(struct ringer_io *io, struct ringer_completion *completion, int event,
                         void *context, ringer_callback callback) {
    RINGER_ASSERT(event >= 0); /* I9 */
    enqueue_start(io, completion, RINGER_OP_EVENT_LISTEN, context, callback);
    completion->operation.event.event = event;
    enqueue(io, completion);
}

/* Thread-safe: one write(2), no loop state touched. A saturated counter already means a
 * wake-up is pending, so -EAGAIN is success. */
int ringer_event_trigger(struct ringer_io *io, int event) {
    RINGER_ASSERT(io != NULL && event >= 0);
    const uint64_t one = 1;
    for (;;) {
        ssize_t written = write(event, &one, sizeof(one));
        if (written == (ssize_t)sizeof(one)) return 0;
        if (written >= 0) return -EIO; /* an eventfd write moves 8 bytes or none (I9) */
        if (errno == EINTR) continue;
        if (errno == EAGAIN) return 0;
        return negated_errno();
    }
}

/* Closing does not cancel a listen in flight: cancel it first. */
void ringer_close_event(struct ringer_io *io, int event) {
    RINGER_ASSERT(io != NULL && event >= 0);
    close(event); /* -EINTR still releases the descriptor */
}
