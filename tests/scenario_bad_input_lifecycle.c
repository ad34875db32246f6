/* Bad input, life cycle: anything after cancel_all but ringer_deinit, and ringer_deinit
 * with work outstanding, are programmer errors that end in the library's assertion. */
#include "death.h"
#include "scenario.h"

enum after_cancel_all {
    AFTER_START_OP,
    AFTER_CANCEL,
    AFTER_TICK,
    AFTER_RUN_FOR_NS,
    AFTER_CANCEL_ALL
};

static void misuse_after_cancel_all(void *argument) {
    static struct ringer_io io;
    static struct ringer_completion pending, completion;
    if (ringer_init(&io, 8, 0) != 0) return;
    ringer_timeout(&io, &pending, 1000 * MS, NULL, op_callback);
    ringer_tick(&io);
    if (ringer_cancel_all(&io) != 0) return;
    switch (*(enum after_cancel_all *)argument) {
    case AFTER_START_OP:
        ringer_timeout(&io, &completion, 1 * MS, NULL, op_callback);
        break;
    case AFTER_CANCEL:
        ringer_cancel(&io, &completion, &pending, NULL, op_callback);
        break;
    case AFTER_TICK:
        ringer_tick(&io);
        break;
    case AFTER_RUN_FOR_NS:
        ringer_run_for_ns(&io, 1000);
        break;
    case AFTER_CANCEL_ALL:
        ringer_cancel_all(&io);
        break;
    }
}

TEST(bad_input_use_after_cancel_all_aborts) {
    for (enum after_cancel_all which = AFTER_START_OP; which <= AFTER_CANCEL_ALL; which++)
        expect_assertion(misuse_after_cancel_all, &which);
}

enum outstanding {
    OUTSTANDING_IN_KERNEL,
    OUTSTANDING_QUEUED,
    OUTSTANDING_UNQUEUED,
    OUTSTANDING_YIELD
};

static void deinit_with_outstanding_work(void *argument) {
    static struct ringer_io io;
    static struct ringer_completion first, second;
    enum outstanding which = *(enum outstanding *)argument;
    if (ringer_init(&io, which == OUTSTANDING_UNQUEUED ? 1 : 8, 0) != 0) return;
    if (which == OUTSTANDING_YIELD) {
        ringer_timeout(&io, &first, 0, NULL, op_callback);
    } else {
        ringer_timeout(&io, &first, 1000 * MS, NULL, op_callback);
        if (which == OUTSTANDING_UNQUEUED)
            ringer_timeout(&io, &second, 1000 * MS, NULL, op_callback);
        if (which == OUTSTANDING_IN_KERNEL) ringer_tick(&io);
    }
    ringer_deinit(&io);
}

TEST(bad_input_deinit_with_work_outstanding_aborts) {
    for (enum outstanding which = OUTSTANDING_IN_KERNEL; which <= OUTSTANDING_YIELD; which++)
        expect_assertion(deinit_with_outstanding_work, &which);
}

/* The legal path, for contrast: cancel_all, then ringer_deinit. */
TEST(bad_input_deinit_after_cancel_all_is_legal) {
    struct fixture fixture;
    static struct ringer_completion pending, yield;
    fixture_begin(&fixture, 8, 0);
    STARTER(ringer_timeout(&fixture.io, &pending, 1000 * MS, NULL, op_callback));
    STARTER(ringer_timeout(&fixture.io, &yield, 0, NULL, op_callback));
    CHECK_EQ(ringer_cancel_all(&fixture.io), 0);
    fixture.cancel_all_ran = true;
    fixture_end(&fixture);
}

/* ringer_init on a live io would abandon its ring (its fd, and CQEs still to come). */
static void init_live_io(void *argument) {
    (void)argument;
    static struct ringer_io io;
    if (ringer_init(&io, 8, 0) != 0) return;
    ringer_init(&io, 8, 0);
}

TEST(bad_input_init_on_live_io_aborts) {
    expect_assertion(init_live_io, NULL);
}
