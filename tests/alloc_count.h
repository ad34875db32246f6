/*
 * Counts heap allocations (malloc, calloc, realloc, posix_memalign, aligned_alloc, ...)
 * made on the calling thread while counting is on. Two back ends, one linked per build:
 * alloc_count_interpose.c defines the allocator's symbols and forwards them to glibc's
 * __libc_* functions; alloc_count_asan.c (sanitizer builds, where interposing would fight
 * ASan's own allocator) installs __sanitizer_install_malloc_and_free_hooks.
 */
#ifndef RINGER_TESTS_ALLOC_COUNT_H
#define RINGER_TESTS_ALLOC_COUNT_H

#include <stdint.h>

/* Resets the count and turns counting on for this thread. */
void alloc_count_start(void);
/* Turns counting off; returns the allocations counted since alloc_count_start. */
uint64_t alloc_count_stop(void);
/* Brackets test-side code that allocates (pthread_create, stdio) inside a counted span. */
void alloc_count_pause(void);
void alloc_count_resume(void);
/* The number counted so far without stopping. */
uint64_t alloc_count_value(void);

/* For the back ends: records one allocation if this thread is counting. */
void alloc_count_note_(void);

#endif /* RINGER_TESTS_ALLOC_COUNT_H */
