/* A program outside the tree built against the installed simulated kernel
 * (`pkg-config --cflags --libs --static ringer-sim`): a 5 ms timeout must fire on virtual
 * time, never early, and the world must tear down without a leaked fd. Exits 0 on success,
 * 1 with a message otherwise. */
#include <errno.h>
#include <ringer.h>
#include <ringer_sim.h>
#include <stdio.h>

#define TIMEOUT_NS 5000000u

static int calls;
static int32_t last_result;

static void on_timeout(void *context, struct ringer_completion *completion, int32_t result) {
    (void)context;
    (void)completion;
    calls++;
    last_result = result;
}

#define EXPECT(condition)                                                \
    do {                                                                 \
        if (!(condition)) {                                              \
            fprintf(stderr, "sim_round_trip: failed: %s\n", #condition); \
            return 1;                                                    \
        }                                                                \
    } while (0)

int main(void) {
    static struct ringer_io io;
    static struct ringer_completion timeout;
    struct ringer_sim_options options = {.seed = 7, .quiet = true};
    EXPECT(ringer_sim_init(&options) == 0);
    EXPECT(ringer_init(&io, 8, 0) == 0);
    const uint64_t start = ringer_sim_peek_now_ns();
    ringer_timeout(&io, &timeout, TIMEOUT_NS, NULL, on_timeout);
    for (int i = 0; i < 100 && calls == 0; i++) EXPECT(ringer_run_for_ns(&io, 1000000) == 0);
    EXPECT(calls == 1 && last_result == -ETIME);
    EXPECT(ringer_sim_peek_now_ns() - start >= TIMEOUT_NS);
    ringer_deinit(&io);
    ringer_sim_deinit();
    return 0;
}
