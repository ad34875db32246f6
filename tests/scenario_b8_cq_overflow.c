/* B8: a ring of 1 (so a CQ of 2) with 16 recvs in the kernel whose data arrives at once:
 * the CQ overflows, and every recv is still called back once with its data. */
#include <string.h>

#include "scenario.h"

#define B8_PAIRS 16

static struct fixture fixture;
static struct tcp_pair pairs[B8_PAIRS];
static struct op recvs[B8_PAIRS];
static uint8_t buffers[B8_PAIRS][32];

TEST(b8_cq_overflow) {
    fixture_begin(&fixture, 1, 0);
    for (unsigned i = 0; i < B8_PAIRS; i++)
        CHECK(tcp_pair_open(&fixture.io, &pairs[i], AF_INET, NULL));
    for (unsigned i = 0; i < B8_PAIRS; i++)
        STARTER(ringer_recv(&fixture.io, &op_prepare(&recvs[i])->completion, pairs[i].server,
                            buffers[i], sizeof buffers[i], &recvs[i], op_callback));
    CHECK_EQ(ringer_stats(&fixture.io).unqueued, B8_PAIRS - 1);
    TICK_UNTIL(&fixture.io, ringer_stats(&fixture.io).in_kernel == B8_PAIRS);
    CHECK_EQ(op_callbacks_total(), 2 * B8_PAIRS); /* only tcp_pair_open's accept + connect */
    for (unsigned i = 0; i < B8_PAIRS; i++) {
        uint8_t message[8];
        memset(message, (int)(i + 1), sizeof message);
        CHECK_EQ(world_send(pairs[i].client, message, sizeof message), sizeof message);
    }
    world_sleep_ns(20 * MS); /* all 16 receive their data before the next enter */
    /* The kernel posts the 16 CQEs inside one io_uring_enter (task work runs there), so the
     * overflow flag cannot be seen from outside; more than 2 callbacks from one tick prove
     * that more CQEs arrived at once than the CQ of 2 holds, i.e. that it overflowed. */
    unsigned most_in_one_tick = 0;
    uint64_t deadline = world_now_ns() + DRIVE_LIMIT_NS;
    while (op_callbacks_total() < 3 * B8_PAIRS) {
        unsigned before = op_callbacks_total();
        CHECK_EQ(ringer_tick(&fixture.io), 0);
        if (op_callbacks_total() - before > most_in_one_tick)
            most_in_one_tick = op_callbacks_total() - before;
        CHECK_LT(world_now_ns(), deadline);
    }
    CHECK_GT(most_in_one_tick, 2);
    for (unsigned i = 0; i < B8_PAIRS; i++) {
        CHECK_EQ(recvs[i].calls, 1);
        CHECK_EQ(recvs[i].result, 8);
        CHECK_EQ(buffers[i][0], i + 1);
        CHECK_EQ(buffers[i][7], i + 1);
    }
    CHECK(!io_uring_cq_has_overflow(&fixture.io.ring));
    for (unsigned i = 0; i < B8_PAIRS; i++) tcp_pair_close(&fixture.io, &pairs[i]);
    fixture_end(&fixture);
}
