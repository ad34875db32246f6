/* Per-seed entry point of the workers. */
#include "runner.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "driver.h"
#include "jobs.h"
#include "report.h"
#include "trace.h"

void runner_seed(uint64_t seed, struct seed_result *result, void *arg) {
    const struct runner *runner = arg;
    struct run_config config = runner->config;
    config.seed = seed;
    if (runner->cli->trace_path != NULL && !trace_open(runner->cli->trace_path)) {
        memset(result, 0, sizeof(*result));
        result->seed = seed;
        result->failed = true;
        snprintf(result->message, sizeof(result->message), "cannot write the trace file %s",
                 runner->cli->trace_path);
        return;
    }
    driver_run_seed(&config, result, runner->cli->log ? stdout : NULL);
    if (!trace_close() && !result->failed) {
        result->failed = true;
        snprintf(result->message, sizeof(result->message), "writing the trace file failed");
    }
    if (!runner->cli->twice || result->failed) return;
    static struct seed_result again;
    driver_run_seed(&config, &again, NULL);
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
    struct runner runner = {.cli = cli, .config = *config};
    struct jobs_plan plan = {.first_seed = config->seed, .count = 1, .jobs = 1};
    struct report report;
    report_init(&report, cli);
    report.quiet = true;
    uint64_t real_ns = 0;
    jobs_run(&plan, runner_seed, &runner, report_result, NULL, &report, &real_ns);
    assert(report.done <= 1);
    *result = report.last;
    return report.failed > 0;
}
