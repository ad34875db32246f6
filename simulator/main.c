/* ringer-sim: the deterministic simulator (see --help). */
#include <stdio.h>

#include "cli.h"
#include "driver.h"
#include "jobs.h"
#include "report.h"
#include "runner.h"

int main(int argc, char **argv) {
    static struct cli cli;
    const int parsed = cli_parse(argc, argv, &cli);
    if (parsed == 1) return 0;
    if (parsed != 0) return 2;
    driver_set_abort_reporter(jobs_report_abort);
    jobs_set_abort_hook(driver_report_signal);
    if (cli.minimize) return minimize_seed(&cli);
    struct runner runner = {.cli = &cli, .config = cli.config};
    struct jobs_plan plan = {
        .first_seed = cli.first_seed,
        .count = cli.seed_count,
        .jobs = cli.jobs,
        .keep_going = cli.keep_going,
    };
    static struct report report;
    report_init(&report, &cli);
    uint64_t real_ns = 0;
    const uint64_t failures =
        jobs_run(&plan, runner_seed, &runner, report_result, report_progress, &report, &real_ns);
    if (!cli.single_seed || failures == 0) report_summary(&report, real_ns);
    return failures == 0 ? 0 : 1;
}
