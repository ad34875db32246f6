/* Per-seed entry point of the workers. */
#include "runner.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "report.h"
#include "trace.h"

#define EVENTS_SHOWN 20u

/* The last kernel events of the run, readably, into the result (the world may be gone:
 * the events stay until the next one starts). */
static void capture_events(struct seed_result *result) {
    FILE *out = fmemopen(result->events, sizeof(result->events), "w");
    if (out == NULL) return;
    ringer_sim_print_events(out, EVENTS_SHOWN);
    fclose(out);
    result->events[sizeof(result->events) - 1] = '\0';
}

void runner_report_abort(const struct seed_result *result) {
    static struct seed_result copy;
    copy = *result;
    capture_events(&copy);
    jobs_report_abort(&copy);
}

struct run_config runner_effective_config(const struct run_config *config) {
    struct run_config effective = *config;
    const uint32_t power_loss = 1u << RINGER_SIM_FAULT_LOST_UNSYNCED;
    if (!(ringer_sim_profile_faults(config->profile) & power_loss)) effective.no_crash = true;
    return effective;
}

static void run_workloads(const struct runner *runner, const struct run_config *config,
                          struct seed_result *result) {
    if (runner->cli->trace_path != NULL && !trace_open(runner->cli->trace_path)) {
        memset(result, 0, sizeof(*result));
        result->seed = config->seed;
        result->io_error = true;
        snprintf(result->message, sizeof(result->message), "cannot write the trace file %s",
                 runner->cli->trace_path);
        return;
    }
    driver_run_seed(config, result, runner->cli->log ? stdout : NULL);
    if (!trace_close()) {
        result->io_error = true;
        snprintf(result->message, sizeof(result->message), "writing the trace file %s failed",
                 runner->cli->trace_path);
    }
    if (result->failed) capture_events(result);
}

static void run_once(const struct runner *runner, const struct run_config *config,
                     struct seed_result *result) {
    if (runner->cli->exec_argv != NULL) exec_run_seed(runner->cli, config, result);
    else run_workloads(runner, config, result);
}

void runner_seed(uint64_t seed, struct seed_result *result, void *arg) {
    const struct runner *runner = arg;
    struct run_config config = runner_effective_config(&runner->config);
    config.seed = seed;
    run_once(runner, &config, result);
    if (!runner->cli->twice || result->failed || result->io_error) return;
    static struct seed_result again;
    struct runner quiet = *runner;
    struct cli second = *runner->cli;
    second.trace_path = NULL;
    second.log = false;
    quiet.cli = &second;
    memset(&again, 0, sizeof(again));
    again.seed = seed;
    run_once(&quiet, &config, &again);
    if (again.failed || again.hash != result->hash || again.ops != result->ops) {
        const uint64_t first = result->hash;
        result->failed = true;
        snprintf(result->message, sizeof(result->message),
                 "not deterministic: the same seed "
                 "gave trace hash %016" PRIx64 " then %016" PRIx64 "%s",
                 first, again.hash, again.failed ? " (and failed the second time)" : "");
    }
}

bool runner_trial(const struct cli *cli, const struct run_config *config,
                  struct seed_result *result) {
    struct cli quiet = *cli;
    quiet.trace_path = NULL;
    quiet.log = false;
    quiet.single_seed = false; /* a trial keeps a program's output for the failure block */
    struct runner runner = {.cli = &quiet, .config = *config};
    struct jobs_plan plan = {.first_seed = config->seed, .count = 1, .jobs = 1, .quiet = true};
    static struct report report;
    report_init(&report, &quiet);
    report.quiet = true;
    static struct jobs_outcome outcome;
    jobs_run(&plan, runner_seed, &runner, report_result, NULL, &report, &outcome);
    if (outcome.signal != 0) { /* the minimizer was interrupted: its best so far is lost */
        fprintf(stderr, "ringer-sim: --minimize stopped by signal %d\n", outcome.signal);
        exit(128 + outcome.signal);
    }
    if (report.io_error) exit(2);
    assert(report.done <= 1);
    *result = report.last;
    return report.failed > 0;
}
