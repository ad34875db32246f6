/* B2/I22 on the real kernel: an accept that succeeds while cancel_all runs has its fd
 * closed by cancel_all (cancel_all_fds_closed), and no fd leaks. Real-only: the client
 * connects with a plain blocking connect(2) so that the connection is pending at the
 * moment of the cancel. Two timings:
 *   - before the accept is submitted: the accept completes inline in the same submit as
 *     cancel_all's cancel, so its CQE comes first and its fd must be closed (every round);
 *   - after the accept is in the kernel: the connection's wake-up races the cancel, and
 *     either the cancel wins (-ECANCELED) or the accept delivers an fd that is closed. */
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "scenario.h"

static struct ringer_io io;
static struct op accept_op;
static bool canceled;
static uint64_t allocations;

static void accept_callback(void *context, struct ringer_completion *completion, int32_t result) {
    CHECK(!canceled);
    op_callback(context, completion, result);
}

static int connect_blocking(const struct tcp_pair *pair) {
    int client = socket(pair->listen_address.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    CHECK_GE(client, 0);
    CHECK_EQ(
        connect(client, (const struct sockaddr *)&pair->listen_address, pair->listen_address_size),
        0);
    return client;
}

/* Returns cancel_all_fds_closed of the round. */
static uint64_t accept_round(const struct tcp_pair *pair, bool submitted_first, uint32_t flags) {
    ringer_init_or_skip(&io, 8, flags);
    alloc_count_start();
    canceled = false;
    STARTER(ringer_accept(&io, &op_prepare(&accept_op)->completion, pair->listener, &accept_op,
                          accept_callback));
    if (submitted_first) CHECK_EQ(ringer_tick(&io), 0);
    alloc_count_pause();
    int client = connect_blocking(pair);
    alloc_count_resume();
    canceled = true;
    CHECK_EQ(ringer_cancel_all(&io), 0);
    check_quiescent(&io);
    uint64_t closed = ringer_stats(&io).cancel_all_fds_closed;
    allocations += alloc_count_stop();
    ringer_deinit(&io);
    close(client);
    /* A connection the cancelled accept left in the backlog would serve the next round's
     * accept at once: take it out here. */
    int leftover;
    while ((leftover = accept4(pair->listener, NULL, NULL, SOCK_CLOEXEC)) >= 0) close(leftover);
    return closed;
}

static void run_accept_rounds(bool submitted_first, uint32_t flags, unsigned rounds) {
    static struct fixture setup;
    fixture_begin(&setup, 8, 0);
    struct tcp_pair pair;
    CHECK(tcp_pair_open(&setup.io, &pair, AF_INET, NULL));
    int fds_before = world_open_fd_count();
    uint64_t closed_total = 0;
    for (unsigned round = 0; round < rounds; round++) {
        uint64_t closed = accept_round(&pair, submitted_first, flags);
        CHECK_LE(closed, 1);
        closed_total += closed;
        CHECK_EQ(world_open_fd_count(), fds_before);
    }
    CHECK_EQ(allocations, 0);
    if (!submitted_first) CHECK_EQ(closed_total, rounds);
    tcp_pair_close(&setup.io, &pair);
    fixture_end(&setup);
}

TEST(b2_cancel_all_closes_inline_accepted_fd) {
    run_accept_rounds(false, 0, 10);
    run_accept_rounds(false, RINGER_INIT_NO_CANCEL_SWEEP, 10);
}

TEST(b2_cancel_all_accept_racing_connection) {
    run_accept_rounds(true, 0, 20);
    run_accept_rounds(true, RINGER_INIT_NO_CANCEL_SWEEP, 20);
}
