/* Shared internals of the library: assertions, containers, and the loop's entry points. */
#ifndef RINGER_INTERNAL_H
#define RINGER_INTERNAL_H

#include "kernel.h"
#include "ringer.h"

/*
 * Assertions document preconditions, postconditions and invariants, and stay on in every
 * build: they guard programmer errors only, never anything the kernel or the environment
 * controls (those become negated errnos).
 */
_Noreturn void ringer_assert_fail(const char *condition, const char *file, int line);
#define RINGER_ASSERT(condition) \
    ((condition) ? (void)0 : ringer_assert_fail(#condition, __FILE__, __LINE__))

/* ---- intrusive containers (inline: they are on every op's path; fifo.c has the rest) ---- */
static inline void fifo_push(struct ringer_fifo *fifo, struct ringer_completion *completion) {
    RINGER_ASSERT(completion->next == NULL && fifo->tail != completion);
    if (fifo->tail == NULL) fifo->head = completion;
    else fifo->tail->next = completion;
    fifo->tail = completion;
    fifo->count += 1;
}

static inline struct ringer_completion *fifo_pop(struct ringer_fifo *fifo) {
    struct ringer_completion *completion = fifo->head;
    if (completion == NULL) {
        RINGER_ASSERT(fifo->count == 0 && fifo->tail == NULL);
        return NULL;
    }
    RINGER_ASSERT(fifo->count > 0);
    fifo->head = completion->next;
    if (fifo->head == NULL) fifo->tail = NULL;
    completion->next = NULL;
    fifo->count -= 1;
    return completion;
}

static inline void list_push(struct ringer_list *list, struct ringer_completion *completion) {
    RINGER_ASSERT(completion->awaiting_prev == NULL && completion->awaiting_next == NULL);
    completion->awaiting_prev = list->tail;
    if (list->tail == NULL) list->head = completion;
    else list->tail->awaiting_next = completion;
    list->tail = completion;
    list->count += 1;
}

static inline void list_remove(struct ringer_list *list, struct ringer_completion *completion) {
    RINGER_ASSERT(list->count > 0);
    RINGER_ASSERT(completion->awaiting_prev != NULL || list->head == completion);
    if (completion->awaiting_prev == NULL) list->head = completion->awaiting_next;
    else completion->awaiting_prev->awaiting_next = completion->awaiting_next;
    if (completion->awaiting_next == NULL) list->tail = completion->awaiting_prev;
    else completion->awaiting_next->awaiting_prev = completion->awaiting_prev;
    completion->awaiting_prev = NULL;
    completion->awaiting_next = NULL;
    list->count -= 1;
}

bool fifo_remove(struct ringer_fifo *fifo, struct ringer_completion *completion);

/* ---- the loop (loop.c, flush.c) ---- */
void loop_assert_not_in_callback(const struct ringer_io *io);
void loop_check_invariants(const struct ringer_io *io);
int loop_flush(struct ringer_io *io, bool wait);
int loop_final_submit(struct ringer_io *io);
int loop_run_for_ns(struct ringer_io *io, uint64_t nanoseconds);
void loop_refill(struct ringer_io *io);
void loop_set_broken(struct ringer_io *io, int error);
int loop_submit(struct ringer_io *io, bool wait);
void loop_reap(struct ringer_io *io);

/* ---- operations (enqueue.h, complete.c) ---- */
void complete_error(struct ringer_io *io, struct ringer_completion *completion);

/* I25: after the callback is entered, the completion is never touched again. */
static inline void call_back(struct ringer_io *io, struct ringer_completion *completion,
                             int32_t result) {
    ringer_callback callback = completion->callback;
    void *context = completion->context;
    RINGER_ASSERT(callback != NULL);
    completion->state = RINGER_IDLE;
    io->stats.callbacks += 1;
    io->callback_depth += 1;
    callback(context, completion, result);
    RINGER_ASSERT(io->callback_depth == 1);
    io->callback_depth -= 1;
}

/* ---- cancel_all (cancel_all.c) ---- */
void cancel_all_dispatch(struct ringer_io *io, struct ringer_completion *completion);
void cancel_all_drop_result(struct ringer_io *io, const struct ringer_completion *completion);

/* ---- time (time.c) ---- */
uint64_t time_monotonic_ns(void);
void time_sleep_ns(uint64_t nanoseconds);

static inline bool cancel_all_active(const struct ringer_io *io) {
    return io->cancel_all_state != RINGER_CANCEL_ALL_INACTIVE;
}

static inline int negated_errno(void) {
    RINGER_ASSERT(errno > 0);
    return -errno;
}

#endif /* RINGER_INTERNAL_H */
