/* The counting state shared by both allocation-counting back ends. */
#include "alloc_count.h"

#include <stdbool.h>

static __thread bool counting;
static __thread bool paused;
static uint64_t count;

void alloc_count_note_(void) {
    if (counting && !paused) __atomic_add_fetch(&count, 1, __ATOMIC_RELAXED);
}

void alloc_count_start(void) {
    __atomic_store_n(&count, 0, __ATOMIC_RELAXED);
    paused = false;
    counting = true;
}

uint64_t alloc_count_stop(void) {
    counting = false;
    return __atomic_load_n(&count, __ATOMIC_RELAXED);
}

void alloc_count_pause(void) {
    paused = true;
}

void alloc_count_resume(void) {
    paused = false;
}

uint64_t alloc_count_value(void) {
    return __atomic_load_n(&count, __ATOMIC_RELAXED);
}
