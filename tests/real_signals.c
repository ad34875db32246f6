/* Signals interrupt io_uring_enter's wait: -EINTR must be retried (loop.md §6), never
 * surface or break the ring, and run_for_ns must still return on time, not early. A second
 * thread sends SIGUSR1 (a handler without SA_RESTART) to the loop thread every 100 us while
 * the loop waits; enter_eintr proves that waits were interrupted. Real-only: signals and
 * threads. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>

#include "scenario.h"

static struct fixture fixture;
static struct op timer_op;
static pthread_t loop_thread;
static int stop_signalling;
static unsigned timer_fired;

static void on_signal(int number) {
    (void)number;
}

static void *signal_loop_thread(void *argument) {
    (void)argument;
    while (!__atomic_load_n(&stop_signalling, __ATOMIC_SEQ_CST)) {
        pthread_kill(loop_thread, SIGUSR1);
        world_sleep_ns(100000);
    }
    return NULL;
}

static void rearm_timer(struct op *op) {
    CHECK_EQ(op->result, -ETIME);
    CHECK_GE(op->finished_ns - op->started_ns, 2 * MS);
    timer_fired++;
    if (timer_fired == 10) return;
    op_prepare(&timer_op)->then = rearm_timer;
    STARTER(ringer_timeout(&fixture.io, &timer_op.completion, 2 * MS, &timer_op, op_callback));
}

TEST(signals_interrupting_waits_are_retried) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_signal; /* no SA_RESTART: the wait returns -EINTR */
    CHECK_EQ(sigaction(SIGUSR1, &action, NULL), 0);
    fixture_begin(&fixture, 8, 0);
    loop_thread = pthread_self();
    pthread_t thread;
    alloc_count_pause();
    CHECK_EQ(pthread_create(&thread, NULL, signal_loop_thread, NULL), 0);
    alloc_count_resume();
    op_prepare(&timer_op)->then = rearm_timer;
    STARTER(ringer_timeout(&fixture.io, &timer_op.completion, 2 * MS, &timer_op, op_callback));
    for (int i = 0; i < 10; i++) {
        uint64_t before = world_now_ns();
        CHECK_EQ(ringer_run_for_ns(&fixture.io, 5 * MS), 0);
        CHECK_GE(world_now_ns(), before + 5 * MS);
    }
    RUN_UNTIL(&fixture.io, timer_fired == 10);
    __atomic_store_n(&stop_signalling, 1, __ATOMIC_SEQ_CST);
    alloc_count_pause();
    CHECK_EQ(pthread_join(thread, NULL), 0);
    alloc_count_resume();
    CHECK_GT(ringer_stats(&fixture.io).enter_eintr, 0);
    fixture_end(&fixture);
}
