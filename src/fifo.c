/* The one O(n) container operation: removing an op from the middle of unqueued. */
#include "internal.h"

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
