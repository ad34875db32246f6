/* The checks the suite relies on can fail: the allocation counter sees an allocation, and
 * a death test tells an assertion from a clean exit. */
#include <stdlib.h>

#include "death.h"
#include "scenario.h"

static void *(*volatile allocate)(size_t) = malloc;

TEST(selftest_allocation_counter_counts) {
    alloc_count_start();
    void *pointer = allocate(24);
    uint64_t counted = alloc_count_stop();
    free(pointer);
    CHECK_EQ(counted, 1);
    alloc_count_start();
    alloc_count_pause();
    pointer = allocate(24);
    alloc_count_resume();
    free(pointer);
    CHECK_EQ(alloc_count_stop(), 0);
}

static void exits_cleanly(void *argument) {
    (void)argument;
}

TEST(selftest_death_test_needs_an_abort) {
    char output[256];
    int status = harness_run_in_child(exits_cleanly, NULL, output, sizeof output);
    CHECK(!harness_died_of_abort(status));
}
