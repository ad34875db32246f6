/* ringer-sim: the deterministic simulator (see --help). Exit status: 0 every seed passed,
 * 1 a seed failed, 2 bad usage or ringer-sim's own I/O error, 128 + the signal (130 for
 * SIGINT) when stopped. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "driver.h"
#include "jobs.h"
#include "junit.h"
#include "report.h"
#include "runner.h"

/* ringer-sim reads no RINGER_SIM_* variable itself: no world before main (ringer_sim.h). */
const bool ringer_sim_no_environment_world = true;

/* The output files must be writable before any seed runs: a bad path is a usage error. */
static int check_outputs(const struct cli *cli) {
    const char *paths[] = {cli->trace_path, cli->junit_path};
    for (unsigned i = 0; i < 2; i++) {
        if (paths[i] == NULL) continue;
        const int error = jobs_check_writable(paths[i]);
        if (error != 0) {
            fprintf(stderr, "ringer-sim: cannot write %s: %s\n", paths[i], strerror(error));
            return 2;
        }
    }
    if (cli->junit_path != NULL && !junit_begin()) {
        fprintf(stderr, "ringer-sim: cannot make a temporary file: %s\n", strerror(errno));
        return 2;
    }
    return 0;
}

static int run_campaign(const struct cli *cli) {
    struct runner runner = {.cli = cli, .config = cli->config};
    struct jobs_plan plan = {
        .first_seed = cli->first_seed,
        .count = cli->seed_count,
        .jobs = cli->jobs,
        .keep_going = cli->keep_going,
    };
    static struct report report;
    report_init(&report, cli);
    report.junit = cli->junit_path != NULL;
    static struct jobs_outcome outcome;
    jobs_run(&plan, runner_seed, &runner, report_result, report_progress, &report, &outcome);
    if (!report.io_error && (!cli->single_seed || outcome.failures == 0 || outcome.signal != 0))
        report_summary(&report, &outcome);
    const uint64_t not_run = cli->seed_count - outcome.done;
    if (report.junit && !junit_end(cli->junit_path, report_suite(cli), not_run)) {
        fprintf(stderr, "ringer-sim: writing %s failed\n", cli->junit_path);
        return 2;
    }
    if (outcome.signal != 0) return 128 + outcome.signal;
    if (report.io_error) return 2;
    return outcome.failures == 0 ? 0 : 1;
}

int main(int argc, char **argv) {
    static struct cli cli;
    const int parsed = cli_parse(argc, argv, jobs_cpu_count(), &cli);
    if (parsed == 1) return 0;
    if (parsed != 0) return 2;
    if (check_outputs(&cli) != 0) return 2;
    driver_set_abort_reporter(runner_report_abort);
    jobs_set_abort_hook(driver_report_signal);
    if (cli.minimize) return minimize_seed(&cli);
    return run_campaign(&cli);
}
