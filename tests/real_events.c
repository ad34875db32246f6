/* Events on the real kernel: the eventfd's flags, a saturated counter, a closed event. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <unistd.h>

#include "scenario.h"

static struct fixture fixture;
static struct op listen_op;

TEST(events_fd_is_nonblocking_cloexec) {
    fixture_begin(&fixture, 8, 0);
    int event = ringer_open_event(&fixture.io);
    CHECK_GE(event, 0);
    CHECK(fcntl(event, F_GETFD) & FD_CLOEXEC);
    CHECK(fcntl(event, F_GETFL) & O_NONBLOCK);
    ringer_close_event(&fixture.io, event);
    fixture_end(&fixture);
}

/* At the counter's maximum a write gives EAGAIN: a wake-up is pending, so trigger says 0. */
TEST(events_trigger_on_saturated_counter_is_zero) {
    fixture_begin(&fixture, 8, 0);
    int event = ringer_open_event(&fixture.io);
    CHECK_GE(event, 0);
    const uint64_t almost_full = UINT64_MAX - 1;
    CHECK_EQ(write(event, &almost_full, sizeof almost_full), sizeof almost_full);
    CHECK_EQ(ringer_event_trigger(&fixture.io, event), 0);
    STARTER(ringer_event_listen(&fixture.io, &op_prepare(&listen_op)->completion, event, &listen_op,
                                op_callback));
    RUN_UNTIL(&fixture.io, listen_op.calls == 1);
    CHECK_EQ(listen_op.result, 8);
    CHECK(listen_op.completion.operation.event.value == almost_full);
    ringer_close_event(&fixture.io, event);
    fixture_end(&fixture);
}

TEST(events_trigger_on_closed_event_is_ebadf) {
    fixture_begin(&fixture, 8, 0);
    int event = ringer_open_event(&fixture.io);
    CHECK_GE(event, 0);
    ringer_close_event(&fixture.io, event);
    CHECK_EQ(ringer_event_trigger(&fixture.io, event), -EBADF);
    fixture_end(&fixture);
}
