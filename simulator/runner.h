/* The function each worker process runs per seed: the workloads (trace and log around the
 * driver) or a user's program (--exec), the optional second run that proves the replay is
 * bit for bit, and what a failure shows. */
#ifndef SIMULATOR_RUNNER_H
#define SIMULATOR_RUNNER_H

#include "cli.h"
#include "jobs.h"
#include "result.h"

struct runner {
    const struct cli *cli;
    struct run_config config; /* the seed is filled in per run */
};

void runner_seed(uint64_t seed, struct seed_result *result, void *arg);
/* The driver's abort reporter: adds the last kernel events, then hands the result over. */
void runner_report_abort(const struct seed_result *result);
/* Runs one seed with `config` in a quiet worker process; true if it failed. */
bool runner_trial(const struct cli *cli, const struct run_config *config,
                  struct seed_result *result);
/* --minimize: prints the shrunk failing case; returns the exit status. */
int minimize_seed(const struct cli *cli);
/* The profile's classes decide whether the workloads may lose power. */
struct run_config runner_effective_config(const struct run_config *config);

/* --exec (exec.c): runs the program once with the seed's environment and fills `result`
 * from its exit status and the sim's report line. */
void exec_run_seed(const struct cli *cli, const struct run_config *config,
                   struct seed_result *result);

#endif
