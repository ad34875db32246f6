/* stats.syscalls counts every liburing call that enters the kernel (loop.md §3). With
 * DEFER_TASKRUN a CQE can only be posted inside io_uring_enter, so a recv that completes
 * under ringer_tick alone, after its SQE was submitted, proves at least one enter: liburing's
 * io_uring_peek_batch_cqe enters (IORING_ENTER_GETEVENTS) when the kernel sets
 * IORING_SQ_TASKRUN, not only when the CQ overflowed. Real-only: it depends on the ring's
 * setup flags on this kernel. */
#include "scenario.h"

static struct fixture fixture;
static struct op recv_op;

TEST(stats_syscalls_counts_the_peek_that_runs_task_work)
{
    fixture_begin(&fixture, 8, 0);
    if (!(fixture.io.setup_flags & IORING_SETUP_DEFER_TASKRUN)) {
        fixture_end(&fixture);
        SKIP("the ring has no DEFER_TASKRUN on this kernel");
    }
    struct tcp_pair pair;
    CHECK(tcp_pair_open(&fixture.io, &pair, AF_INET, NULL));
    static uint8_t buffer[8];
    STARTER(ringer_recv(&fixture.io, &op_prepare(&recv_op)->completion, pair.server, buffer,
                        sizeof buffer, &recv_op, op_callback));
    TICK_UNTIL(&fixture.io, ringer_stats(&fixture.io).queued == 0);
    CHECK_EQ(recv_op.calls, 0);
    uint64_t before = ringer_stats(&fixture.io).syscalls;
    CHECK_EQ(world_send(pair.client, "12345678", 8), 8);
    world_sleep_ns(2 * MS);
    TICK_UNTIL(&fixture.io, recv_op.calls == 1);
    CHECK_EQ(recv_op.result, 8);
    CHECK_GE(ringer_stats(&fixture.io).syscalls - before, 1);
    tcp_pair_close(&fixture.io, &pair);
    fixture_end(&fixture);
}
