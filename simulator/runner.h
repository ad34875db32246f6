/* The function each worker process runs per seed: trace and log around the driver, and
 * the optional second run that proves the replay is bit for bit. */
#ifndef SIMULATOR_RUNNER_H
#define SIMULATOR_RUNNER_H

#include "cli.h"
#include "result.h"

struct runner {
    const struct cli *cli;
    struct run_config config; /* the seed is filled in per run */
};

void runner_seed(uint64_t seed, struct seed_result *result, void *arg);
/* Runs one seed with `config` in a worker process; true if it failed. */
bool runner_trial(const struct cli *cli, const struct run_config *config,
                  struct seed_result *result);
/* --minimize: prints the shrunk failing case; returns the exit status. */
int minimize_seed(const struct cli *cli);

#endif
