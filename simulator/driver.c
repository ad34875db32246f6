/* The driver of one seed. */
#include "driver.h"

#include <assert.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "run.h"
#include "swarm.h"
#include "trace.h"
#include "track.h"
#include "workload.h"

#define STEP_MAX        400000u   /* liveness bound on loop calls */
#define CRASH_STEPS_MAX 1000u     /* loop calls between crashes, at most */
#define OP_BUDGET_MAX   1000u     /* ops a seed may start, at most */
#define RUN_FOR_NS_MAX  20000000u /* 20 ms */

static struct ringer_io io_slots[RUN_IO_SLOTS];
static struct run the_run;
static void (*abort_reporter)(const struct seed_result *result);

void driver_set_abort_reporter(void (*reporter)(const struct seed_result *result)) {
    abort_reporter = reporter;
}

static bool abort_reported; /* one report per seed, whichever path gets there first */

static void report_abort(const char *what) {
    struct seed_result *result = the_run.result;
    if (result == NULL || abort_reported) return;
    abort_reported = true;
    if (!result->failed) {
        result->failed = true;
        snprintf(result->message, sizeof(result->message), "%s", what);
        /* run_now would enter the sim again, and past a liveness bound stop it again. */
        result->virtual_ns = run_last_now();
    }
    result->hash = ringer_sim_trace_hash() ^ the_run.workload_hash;
    track_abort(&the_run);
    (void)trace_close(); /* the timeline up to the abort still opens in a viewer */
    if (abort_reporter != NULL) abort_reporter(result);
}

void driver_report_signal(void) {
    report_abort("the run aborted (a sim oracle, or a sanitizer; its report is on stderr)");
}

/* The sim stops a run (deadlock, liveness bound) by calling this, then aborting. */
static void on_sim_stop(const char *reason) {
    char message[RESULT_MESSAGE_SIZE];
    const struct ringer_io *io = the_run.io;
    const struct ringer_completion *target = io != NULL ? io->cancel_all_target : NULL;
    snprintf(message, sizeof(message),
             "sim stopped the run: %s (loop: queued %u, in_kernel "
             "%u, unqueued %u, completed %u, awaiting %u, cancel_all state %u, target op %d "
             "state %d)",
             reason, io ? io->queued : 0, io ? io->in_kernel : 0, io ? io->unqueued.count : 0,
             io ? io->completed.count : 0, io ? io->awaiting.count : 0,
             io ? io->cancel_all_state : 0, target ? target->operation_kind : -1,
             target ? target->state : -1);
    report_abort(message);
}

/* Replaces the library's assertion reporter (src/assert.c) in ringer-sim: the message
 * reaches the failure report, then the process aborts as the library would. */
_Noreturn void ringer_assert_fail(const char *condition, const char *file, int line);
_Noreturn void ringer_assert_fail(const char *condition, const char *file, int line) {
    char message[RESULT_MESSAGE_SIZE];
    snprintf(message, sizeof(message), "library assertion failed: %s (%s:%d)", condition, file,
             line);
    fprintf(stderr, "ringer: assertion failed: %s (%s:%d)\n", condition, file, line);
    report_abort(message);
    abort();
}

static void pick_mix(struct run *run) {
    const uint32_t allowed = run->config->workloads;
    assert(allowed != 0);
    /* A coin for every workload, allowed or not, so that narrowing --workload (as the
     * minimizer does) keeps every other decision of the seed. */
    do {
        run->mix = 0;
        for (uint32_t id = 0; id < WORKLOAD_COUNT; id++) {
            if (prng_chance(&run->rng, 1, 2)) run->mix |= 1u << id;
        }
        run->mix &= allowed;
    } while (run->mix == 0);
}

static void setup_run(const struct run_config *config, struct seed_result *result, FILE *log) {
    static const uint32_t entries[] = {1, 2, 4, 8, 16, 64, 256};
    memset(&the_run, 0, sizeof(the_run));
    struct run *run = &the_run;
    run->config = config;
    run->result = result;
    run->log = log;
    run->faithful = config->profile != RINGER_SIM_PROFILE_HOSTILE; /* Linux's outcomes only */
    prng_seed(&run->rng, prng_mix(config->seed, 0x574b4c44u));     /* "WKLD" */
    pick_mix(run);
    run->ring_entries = entries[prng_below(&run->rng, sizeof(entries) / sizeof(entries[0]))];
    run->op_budget = 100 + prng_below(&run->rng, OP_BUDGET_MAX - 100);
    if (config->op_budget != 0) run->op_budget = config->op_budget;
    run->crash_max = config->no_crash ? 0 : (uint32_t)prng_below(&run->rng, RUN_IO_SLOTS);
    result->mix = run->mix;
    track_reset(run);
}

static bool start_life(struct run *run) {
    assert(run->life < RUN_IO_SLOTS);
    run->io = &io_slots[run->life];
    memset(run->io, 0, sizeof(*run->io));
    const uint32_t flags = prng_chance(&run->rng, 1, 4) ? RINGER_INIT_NO_CANCEL_SWEEP : 0;
    int rc = ringer_init(run->io, run->ring_entries, flags);
    if (rc != 0) {
        run_fail(run, "ringer_init(%u) returned %d", run->ring_entries, rc);
        return false;
    }
    run_log(run, "life %u: ringer_init(%u entries) workloads 0x%x", run->life, run->ring_entries,
            run->mix);
    for (uint32_t id = 0; id < WORKLOAD_COUNT && !run->failed; id++) {
        if ((run->mix >> id) & 1u) workloads[id]->begin(run);
    }
    return !run->failed;
}

static bool all_done(const struct run *run) {
    for (uint32_t id = 0; id < WORKLOAD_COUNT; id++) {
        if (((run->mix >> id) & 1u) && !workloads[id]->done(run)) return false;
    }
    return true;
}

/* run_for_ns never returns early and never leaves its timeout in the kernel (I6). */
static void step_run_for_ns(struct run *run, uint64_t ns) {
    const uint64_t before = run_now();
    int rc = ringer_run_for_ns(run->io, ns);
    const uint64_t after = run_now();
    if (rc != 0) {
        run_fail(run, "ringer_run_for_ns(%" PRIu64 ") returned %d", ns, rc);
        return;
    }
    if (after - before < ns) {
        run_fail(run, "I6: ringer_run_for_ns(%" PRIu64 ") returned early, after %" PRIu64 " ns", ns,
                 after - before);
        return;
    }
    if (ringer_sim_timers_with_user_data(0) != 0) {
        run_fail(run, "I6: ringer_run_for_ns(%" PRIu64 ") left its internal timeout armed", ns);
    }
}

static void step(struct run *run) {
    if (prng_chance(&run->rng, 1, 2)) {
        run_log(run, "ringer_tick");
        int rc = ringer_tick(run->io);
        if (rc != 0) run_fail(run, "ringer_tick returned %d", rc);
        if (!run->failed) track_check_loop(run, "ringer_tick");
        return;
    }
    const uint64_t ns =
        prng_chance(&run->rng, 1, 8) ? 0 : prng_log_uniform(&run->rng, RUN_FOR_NS_MAX);
    run_log(run, "ringer_run_for_ns(%" PRIu64 ")", ns);
    step_run_for_ns(run, ns);
    if (!run->failed) track_check_loop(run, "ringer_run_for_ns");
}

static void crash(struct run *run) {
    run_log(run, "CRASH (life %u ends)", run->life);
    trace_instant("crash", run_last_now(), "power loss");
    ringer_sim_crash(); /* the old ringer_io is abandoned, never deinited */
    track_crash(run);
    for (uint32_t id = 0; id < WORKLOAD_COUNT; id++) {
        if ((run->mix >> id) & 1u) workloads[id]->crashed(run);
    }
    run->life += 1;
    run->result->crashes += 1;
    start_life(run);
}

/* cancel_all at a random moment: no callback after it begins, nothing left in the kernel,
 * counters zero (I7, I13). The cancel workload then checks its buffers stay untouched. */
static void cancel_all(struct run *run) {
    run_log(run, "ringer_cancel_all with %u ops pending", track_pending());
    track_log_pending(run);
    trace_instant("cancel_all", run_last_now(), "begin");
    track_cancel_all_begin(run);
    int rc = ringer_cancel_all(run->io);
    if (rc != 0) {
        run_fail(run, "ringer_cancel_all returned %d", rc);
        return;
    }
    track_cancel_all_end(run);
    const struct ringer_stats s = ringer_stats(run->io);
    if (s.queued | s.in_kernel | s.unqueued | s.completed | s.awaiting | s.deadlines) {
        run_fail(run,
                 "I7: after cancel_all queued=%u in_kernel=%u unqueued=%u completed=%u "
                 "awaiting=%u deadlines=%u",
                 s.queued, s.in_kernel, s.unqueued, s.completed, s.awaiting, s.deadlines);
        return;
    }
    if (ringer_sim_in_flight() != 0) {
        run_fail(run, "I7: %u requests still in the kernel after cancel_all returned",
                 ringer_sim_in_flight());
    }
}

static void check_fd_table(struct run *run) {
    int fds[8];
    const uint32_t open = ringer_sim_open_fds(fds, 8);
    if (open == 0) return;
    char list[96] = "";
    size_t used = 0;
    for (uint32_t i = 0; i < open && i < 8 && used < sizeof(list) - 12; i++) {
        used += (size_t)snprintf(list + used, sizeof(list) - used, " %d", fds[i]);
    }
    run_fail(run, "I22: %u fds left open at the end:%s", open, list);
}

/* The end of a run that was not cut short: workload checks, deinit, then the fd table. */
static void finish_run(struct run *run, bool cancelled) {
    for (uint32_t id = 0; id < WORKLOAD_COUNT && !run->failed; id++) {
        if ((run->mix >> id) & 1u) workloads[id]->finish(run);
    }
    if (run->failed) return;
    if (!cancelled) track_check_loop(run, "the end");
    if (run->failed) return;
    ringer_deinit(run->io);
    check_fd_table(run);
    const struct ringer_sim_stats stats = ringer_sim_stats();
    if (stats.timespec_unnormalised != 0) {
        run_fail(run, "%" PRIu64 " timeouts were armed with tv_nsec >= 10^9",
                 stats.timespec_unnormalised);
    }
}

static void main_loop(struct run *run) {
    const bool cancel = (run->mix >> WORKLOAD_CANCEL) & 1u;
    /* Drawn without the budget, so that --ops (and the minimizer) truncates a run rather
     * than reshuffling it. */
    const uint64_t cancel_at = prng_below(&run->rng, OP_BUDGET_MAX + 1);
    const bool crashes = (run->mix >> WORKLOAD_STORAGE) & 1u;
    /* Log-uniform: crashes right after a (re)start, inside recovery, are as likely per
     * decade as late ones; that is where durability bugs hide. */
    uint64_t crash_step = prng_log_uniform(&run->rng, CRASH_STEPS_MAX);
    for (run->steps = 0; !run->failed; run->steps++) {
        if (run->steps >= STEP_MAX) {
            run_fail(run,
                     "liveness: the workloads did not finish in %u loop calls "
                     "(%u ops pending)",
                     STEP_MAX, track_pending());
            return;
        }
        if (cancel && run->result->ops >= cancel_at) break;
        if (all_done(run)) break;
        if (crashes && run->life < run->crash_max && run->steps >= crash_step) {
            crash(run);
            crash_step = run->steps + prng_log_uniform(&run->rng, CRASH_STEPS_MAX);
            continue;
        }
        for (uint32_t id = 0; id < WORKLOAD_COUNT; id++) {
            if (((run->mix >> id) & 1u) && workloads[id]->poll != NULL) workloads[id]->poll(run);
        }
        if (run->failed) break;
        step(run);
    }
    if (run->failed) return;
    if (cancel) cancel_all(run);
    if (!run->failed) finish_run(run, cancel);
}

static void fill_result(struct run *run, const struct ringer_sim_options *options) {
    struct seed_result *result = run->result;
    const struct ringer_sim_stats stats = ringer_sim_stats();
    for (uint32_t c = 0; c < RINGER_SIM_FAULT_CLASS_COUNT; c++) {
        result->faults[c] = stats.faults[c];
        if (options->faults[c].ppm != 0) result->faults_on |= 1u << c;
    }
    if (!result->failed) result->virtual_ns = run_now();
    result->hash = ringer_sim_trace_hash() ^ run->workload_hash;
    result->finished = true;
}

void driver_run_seed(const struct run_config *config, struct seed_result *result, FILE *log) {
    assert(config != NULL && result != NULL);
    memset(result, 0, sizeof(*result));
    result->seed = config->seed;
    abort_reported = false;
    struct ringer_sim_options options;
    swarm_options(config, &options);
    ringer_sim_log_to(log, RINGER_SIM_LOG_READABLE); /* the kernel's events among ours */
    int rc = ringer_sim_init(&options);
    if (rc != 0) {
        result->failed = true;
        result->finished = true;
        snprintf(result->message, sizeof(result->message), "ringer_sim_init returned %d", rc);
        return;
    }
    ringer_sim_on_stop(on_sim_stop);
    setup_run(config, result, log);
    struct run *run = &the_run;
    if (start_life(run)) main_loop(run);
    fill_result(run, &options);
    run_log(run,
            "end: %s, %" PRIu64 " ops, hash %016" PRIx64 " (sim %016" PRIx64
            ", workloads %016" PRIx64 ")",
            result->failed ? "FAILED" : "ok", result->ops, result->hash, ringer_sim_trace_hash(),
            run->workload_hash);
    ringer_sim_on_stop(NULL);
    ringer_sim_deinit();
    ringer_sim_log_to(NULL, RINGER_SIM_LOG_READABLE);
    the_run.result = NULL;
}
