/* A tick from a thread other than the ring's own on a SINGLE_ISSUER ring (ringer's default
 * where the kernel has DEFER_TASKRUN) is a programmer error: the kernel refuses the enter
 * with -EEXIST, and ringer ends in an assertion that says so instead of breaking the ring
 * for good (real-only: threads). */
#include <pthread.h>

#include "death.h"
#include "scenario.h"

static struct ringer_io io;
static struct ringer_completion nop;

static void on_nop(void *context, struct ringer_completion *completion, int32_t result) {
    (void)context;
    (void)completion;
    (void)result;
}

static void *tick_thread(void *argument) {
    (void)argument;
    ringer_nop(&io, &nop, NULL, on_nop);
    ringer_tick(&io);
    return NULL;
}

static void tick_from_second_thread(void *argument) {
    (void)argument;
    pthread_t thread;
    if (pthread_create(&thread, NULL, tick_thread, NULL) != 0) return;
    pthread_join(thread, NULL);
}

TEST(real_tick_from_second_thread_aborts) {
    int rc = ringer_init(&io, 8, IORING_SETUP_SINGLE_ISSUER);
    if (rc == -ENOSYS || rc == -EPERM || rc == -EINVAL) SKIP("no SINGLE_ISSUER ring (%d)", rc);
    CHECK_EQ(rc, 0);
    ringer_tick(&io); /* the first enter makes this thread the ring's submitter */
    expect_assertion(tick_from_second_thread, NULL);
    ringer_deinit(&io);
}
