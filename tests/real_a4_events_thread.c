/* A4 on the real ring: a second thread triggers the event every 5 ms (real-only: threads). */
#include <pthread.h>

#include "scenario.h"

#define A4_TARGET 5

static struct fixture fixture;
static struct op listen_op;
static int event_fd = -1;
static int event_count; /* read by the trigger thread */
static int trigger_failures;
static pthread_t loop_thread;

static void on_event(struct op *op) {
    CHECK(pthread_equal(pthread_self(), loop_thread));
    CHECK_EQ(op->result, 8);
    int count = __atomic_add_fetch(&event_count, 1, __ATOMIC_SEQ_CST);
    if (count < A4_TARGET) {
        op_prepare(&listen_op)->then = on_event;
        STARTER(ringer_event_listen(&fixture.io, &listen_op.completion, event_fd, &listen_op,
                                    op_callback));
    }
}

static void *trigger_thread(void *argument) {
    (void)argument;
    while (__atomic_load_n(&event_count, __ATOMIC_SEQ_CST) < A4_TARGET) {
        world_sleep_ns(5 * MS);
        if (ringer_event_trigger(&fixture.io, event_fd) != 0)
            __atomic_add_fetch(&trigger_failures, 1, __ATOMIC_SEQ_CST);
    }
    return NULL;
}

TEST(a4_events_thread_source) {
    fixture_begin(&fixture, 32, 0);
    loop_thread = pthread_self();
    event_fd = ringer_open_event(&fixture.io);
    CHECK_GE(event_fd, 0);
    uint64_t start = world_now_ns();
    op_prepare(&listen_op)->then = on_event;
    STARTER(
        ringer_event_listen(&fixture.io, &listen_op.completion, event_fd, &listen_op, op_callback));
    pthread_t thread;
    alloc_count_pause(); /* pthread_create allocates on the test's behalf */
    CHECK_EQ(pthread_create(&thread, NULL, trigger_thread, NULL), 0);
    alloc_count_resume();
    RUN_UNTIL(&fixture.io, __atomic_load_n(&event_count, __ATOMIC_SEQ_CST) == A4_TARGET);
    alloc_count_pause();
    CHECK_EQ(pthread_join(thread, NULL), 0);
    alloc_count_resume();
    CHECK_EQ(ringer_run_for_ns(&fixture.io, 1 * MS), 0);
    CHECK_EQ(event_count, A4_TARGET);
    CHECK_EQ(trigger_failures, 0);
    CHECK_GE(world_now_ns() - start, 5 * MS);
    ringer_close_event(&fixture.io, event_fd);
    fixture_end(&fixture);
}

/* Four threads trigger 1000 times each while the loop listens and re-arms: every trigger
 * returns 0, and the values the listens read add up to exactly 4000 (nothing lost, nothing
 * counted twice: coalescing only merges). */
#define TRIGGER_THREADS     4
#define TRIGGERS_PER_THREAD 1000

static uint64_t values_read;

static void on_counted_event(struct op *op) {
    CHECK_EQ(op->result, 8);
    values_read += op->completion.operation.event.value;
    if (values_read >= TRIGGER_THREADS * TRIGGERS_PER_THREAD) return;
    op_prepare(&listen_op)->then = on_counted_event;
    STARTER(
        ringer_event_listen(&fixture.io, &listen_op.completion, event_fd, &listen_op, op_callback));
}

static void *trigger_many(void *argument) {
    (void)argument;
    for (int i = 0; i < TRIGGERS_PER_THREAD; i++)
        if (ringer_event_trigger(&fixture.io, event_fd) != 0)
            __atomic_add_fetch(&trigger_failures, 1, __ATOMIC_SEQ_CST);
    return NULL;
}

TEST(events_many_threads_trigger) {
    fixture_begin(&fixture, 8, 0);
    event_fd = ringer_open_event(&fixture.io);
    CHECK_GE(event_fd, 0);
    op_prepare(&listen_op)->then = on_counted_event;
    STARTER(
        ringer_event_listen(&fixture.io, &listen_op.completion, event_fd, &listen_op, op_callback));
    pthread_t threads[TRIGGER_THREADS];
    alloc_count_pause();
    for (int i = 0; i < TRIGGER_THREADS; i++)
        CHECK_EQ(pthread_create(&threads[i], NULL, trigger_many, NULL), 0);
    alloc_count_resume();
    RUN_UNTIL(&fixture.io, values_read >= TRIGGER_THREADS * TRIGGERS_PER_THREAD);
    alloc_count_pause();
    for (int i = 0; i < TRIGGER_THREADS; i++) CHECK_EQ(pthread_join(threads[i], NULL), 0);
    alloc_count_resume();
    CHECK_EQ(values_read, TRIGGER_THREADS * TRIGGERS_PER_THREAD);
    CHECK_EQ(trigger_failures, 0);
    ringer_close_event(&fixture.io, event_fd);
    fixture_end(&fixture);
}
