/* Intrusive containers: the unqueued and completed FIFOs and the awaiting list. O(1). */
#include "internal.h"

void fifo_push(struct ringer_fifo *fifo, struct ringer_completion *completion) {
    RINGER_ASSERT(completion->next == NULL);
    RINGER_ASSERT(fifo->tail != completion);
    if (fifo->tail == NULL) {
        RINGER_ASSERT(fifo->head == NULL && fifo->count == 0);
        fifo->head = completion;
    } else {
        fifo->tail->next = completion;
    }
    fifo->tail = completion;
    fifo->count += 1;
}

struct ringer_completion *fifo_pop(struct ringer_fifo *fifo) {
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

/* O(n), used only by ringer_cancel on an unqueued target. */
bool fifo_remove(struct ringer_fifo *fifo, struct ringer_completion *completion) {
    struct ringer_completion *previous = NULL;
    for (struct ringer_completion *it = fifo->head; it != NULL; it = it->next) {
        if (it != completion) {
            previous = it;
            continue;
        }
        if (previous == NULL) fifo->head = it->next;
        else previous->next = it->next;
        if (fifo->tail == it) fifo->tail = previous;
        it->next = NULL;
        RINGER_ASSERT(fifo->count > 0);
        fifo->count -= 1;
        return true;
    }
    return false;
}

void list_push(struct ringer_list *list, struct ringer_completion *completion) {
    RINGER_ASSERT(completion->awaiting_prev == NULL && completion->awaiting_next == NULL);
    RINGER_ASSERT(list->head != completion);
    completion->awaiting_prev = list->tail;
    if (list->tail == NULL) list->head = completion;
    else list->tail->awaiting_next = completion;
    list->tail = completion;
    list->count += 1;
}

void list_remove(struct ringer_list *list, struct ringer_completion *completion) {
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
