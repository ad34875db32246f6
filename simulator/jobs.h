/* Worker processes, pipes, signals and the wall clock: the only part of ringer-sim that
 * talks to the real OS, with exec.c (both compiled without the sim's forced include,
 * which maps read, write, close, pipe and clock_gettime to the simulated kernel). Each
 * seed runs in a worker process, so a library assertion or a sim stop ends only that
 * worker; the parent still reports the seed. The parent hands out seeds in order, one at
 * a time to whichever worker is free, so the seeds not run when a campaign stops are the
 * few in progress and a range after them. */
#ifndef SIMULATOR_JOBS_H
#define SIMULATOR_JOBS_H

#include <stdbool.h>
#include <stdint.h>

#include "result.h"

#define JOBS_MAX 256u

struct jobs_plan {
    uint64_t first_seed;
    uint64_t count;
    unsigned jobs;
    bool keep_going;
    bool quiet; /* the workers' stdout and stderr go to /dev/null (the minimizer's trials) */
};

/* How a campaign ended. */
struct jobs_outcome {
    uint64_t failures;
    uint64_t done; /* seeds with a result */
    uint64_t real_ns;
    int signal; /* SIGINT or SIGTERM that stopped it, or 0 */
    /* Seeds without a result (after a stop): `in_progress` of them, then the range
     * [next_seed, last_seed] if next_seed <= last_seed. */
    uint64_t in_progress[JOBS_MAX];
    unsigned in_progress_count;
    uint64_t next_seed, last_seed;
};

/* Runs in a worker: fills the result of one seed. */
typedef void (*jobs_seed_fn)(uint64_t seed, struct seed_result *result, void *arg);
/* Runs in the parent for every finished seed, in arrival order. */
typedef void (*jobs_result_fn)(const struct seed_result *result, void *arg);
/* Runs in the parent about four times a second. */
typedef void (*jobs_progress_fn)(uint64_t real_ns, void *arg);

void jobs_run(const struct jobs_plan *plan, jobs_seed_fn seed_fn, void *seed_arg,
              jobs_result_fn result_fn, jobs_progress_fn progress_fn, void *report_arg,
              struct jobs_outcome *outcome);
/* In a worker that is about to abort: hands the failing seed's result to the parent. */
void jobs_report_abort(const struct seed_result *result);
/* Called in a worker when it receives SIGABRT, before it dies of it. */
void jobs_set_abort_hook(void (*hook)(void));
uint64_t jobs_wall_ns(void);
bool jobs_is_terminal(int fd);
/* CPUs this process may run on (the default of --jobs). */
unsigned jobs_cpu_count(void);
/* 0 if `path` can be created or truncated for writing, else the errno. */
int jobs_check_writable(const char *path);

#endif
