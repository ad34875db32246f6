/* ringer-sim's command line. */
#ifndef SIMULATOR_CLI_H
#define SIMULATOR_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include "result.h"

#define CLI_DEFAULT_SEEDS 16000u /* about a minute on one core (measured: 295 seeds/s) */

struct cli {
    struct run_config config; /* seed is unused here: the range below gives the seeds */
    uint64_t first_seed;
    uint64_t seed_count;
    bool single_seed; /* --seed S: replay one seed and print its trace hash */
    unsigned jobs;
    const char *trace_path;
    const char *junit_path;
    bool log;
    bool minimize;
    bool keep_going;
    bool twice;               /* run every seed twice and compare the hashes */
    const char *workload_arg; /* as given, for the reproduction line */
    char **exec_argv;         /* --exec PROGRAM ARGS...: a user's program per seed, or NULL */
};

/* Parses argv; `cpus` is the default of --jobs. Returns 0 to run, 1 after printing help
 * (exit 0), or 2 after printing a one-line error (exit 2). */
int cli_parse(int argc, char **argv, unsigned cpus, struct cli *cli);
/* The flags that reproduce `config` exactly (without --seed), e.g.
 * "--workload all --profile faithful --swarm", or for --exec
 * "--profile transparent --swarm --exec ./app arg". */
void cli_config_flags(const struct cli *cli, const struct run_config *config, char *out,
                      unsigned size);
/* For --exec: the environment that runs the program by hand, e.g.
 * "RINGER_SIM_SEED=7 RINGER_SIM_PROFILE=transparent RINGER_SIM_SWARM=1 ./app arg". */
void cli_exec_environment(const struct cli *cli, const struct run_config *config, char *out,
                          unsigned size);

#endif
