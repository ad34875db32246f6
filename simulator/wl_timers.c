/* The timers workload: chains of timeouts and yields, cancels of each other's timers, and
 * an eventfd listener woken by the chains, all under the sim's CQE reordering.
 * Checker: no timeout fires before its virtual deadline (any profile); a yield always
 * completes with -ETIME; under faithful, a timeout ends in -ETIME, or -ECANCELED only when
 * it was cancelled; every event wake-up reads 8 bytes. (run_for_ns's own deadline is
 * checked by the driver after every call.) */
#include <assert.h>
#include <errno.h>
#include <inttypes.h>

#include "track.h"
#include "workload.h"

#define CHAINS_MAX     8u
#define TIMEOUT_MAX_NS 5000000u /* 5 ms */

struct chain {
    struct ringer_completion op;
    struct ringer_completion cancel;
    uint64_t start_ns;
    uint64_t ns;
    bool pending, cancel_pending, cancel_requested, finished;
};

static struct chain chains[CHAINS_MAX];
static uint32_t chain_count;
static struct ringer_completion listener;
static int event_fd = -1;
static bool listener_pending;

static void chain_next(struct run *run, struct chain *chain);

static bool any_chain_active(void) {
    for (uint32_t i = 0; i < chain_count; i++) {
        if (!chains[i].finished) return true;
    }
    return false;
}

static void on_event(struct run *run, void *context, struct ringer_completion *c, int32_t result) {
    (void)context;
    (void)c;
    listener_pending = false;
    if (run->faithful && result != 8 && !run_errno_explained(result, true)) {
        run_fail(run, "timers: an event listen completed with %d, not 8", (int)result);
        return;
    }
    if (any_chain_active()) {
        listener_pending = op_event_listen(run, &listener, event_fd, NULL, on_event);
    }
}

static void trigger(struct run *run) {
    if (event_fd < 0) return;
    int rc = ringer_event_trigger(run->io, event_fd);
    if (rc != 0) run_fail(run, "timers: ringer_event_trigger returned %d", rc);
}

static void check_timeout_result(struct run *run, const struct chain *chain, int32_t result) {
    const uint64_t now = run_now();
    if (result == -ETIME && now < chain->start_ns + chain->ns) {
        run_fail(run, "timers: a %" PRIu64 " ns timeout fired %" PRIu64 " ns early", chain->ns,
                 chain->start_ns + chain->ns - now);
        return;
    }
    if (chain->ns == 0 && result != -ETIME) {
        run_fail(run, "I3: a yield completed with %d, not -ETIME", (int)result);
        return;
    }
    if (!run->faithful || result == -ETIME) return;
    if (result == -ECANCELED && chain->cancel_requested) return;
    if (run_errno_explained(result, false)) return;
    run_fail(run, "timers: a %" PRIu64 " ns timeout completed with %d%s", chain->ns, (int)result,
             chain->cancel_requested ? " after a cancel" : "");
}

static void on_timeout(struct run *run, void *context, struct ringer_completion *c,
                       int32_t result) {
    struct chain *chain = context;
    assert(c == &chain->op && chain->pending);
    chain->pending = false;
    check_timeout_result(run, chain, result);
    if (run->failed) return;
    if (prng_chance(&run->rng, 1, 4)) trigger(run);
    chain_next(run, chain);
}

static void on_cancel(struct run *run, void *context, struct ringer_completion *c, int32_t result) {
    struct chain *chain = context;
    assert(c == &chain->cancel && chain->cancel_pending);
    chain->cancel_pending = false;
    const bool expected = result == 0 || result == -ENOENT || result == -EALREADY;
    if (run->faithful && !expected && !run_errno_explained(result, false)) {
        run_fail(run, "timers: ringer_cancel of a timeout returned %d", (int)result);
    }
}

/* Cancels some other chain's pending timer now and then. */
static void maybe_cancel(struct run *run, const struct chain *self) {
    if (!prng_chance(&run->rng, 1, 8)) return;
    struct chain *target = &chains[prng_below(&run->rng, chain_count)];
    if (target == self || !target->pending || target->cancel_pending) return;
    target->cancel_requested = true;
    target->cancel_pending = true;
    op_cancel(run, &target->cancel, &target->op, target, on_cancel);
}

static void chain_next(struct run *run, struct chain *chain) {
    assert(!chain->pending);
    assert(chain >= chains && chain < chains + chain_count);
    chain->ns = prng_chance(&run->rng, 1, 4) ? 0 : prng_log_uniform(&run->rng, TIMEOUT_MAX_NS);
    chain->start_ns = run_now();
    chain->cancel_requested = false;
    chain->pending = op_timeout(run, &chain->op, chain->ns, chain, on_timeout);
    if (!chain->pending) {
        chain->finished = true;
        trigger(run); /* wakes the listener so that it can see the chains are over */
        return;
    }
    maybe_cancel(run, chain);
}

static void timers_begin(struct run *run) {
    if (run->life == 0) chain_count = 1 + (uint32_t)prng_below(&run->rng, CHAINS_MAX);
    for (uint32_t i = 0; i < chain_count; i++) {
        chains[i] = (struct chain){0};
    }
    listener = (struct ringer_completion){0};
    listener_pending = false;
    event_fd = ringer_open_event(run->io);
    if (event_fd < 0) {
        run_fail(run, "timers: ringer_open_event returned %d", event_fd);
        return;
    }
    listener_pending = op_event_listen(run, &listener, event_fd, NULL, on_event);
    for (uint32_t i = 0; i < chain_count && !run->failed; i++) chain_next(run, &chains[i]);
}

static void timers_crashed(struct run *run) {
    (void)run;
    event_fd = -1; /* every fd is gone with the crash */
    listener_pending = false;
}

static bool timers_done(const struct run *run) {
    (void)run;
    if (listener_pending) return false;
    for (uint32_t i = 0; i < chain_count; i++) {
        if (chains[i].pending || chains[i].cancel_pending) return false;
    }
    return true;
}

static void timers_finish(struct run *run) {
    (void)run;
    if (event_fd >= 0) ringer_close_event(run->io, event_fd);
    event_fd = -1;
}

const struct workload workload_timers = {
    .name = "timers",
    .begin = timers_begin,
    .crashed = timers_crashed,
    .done = timers_done,
    .finish = timers_finish,
};
