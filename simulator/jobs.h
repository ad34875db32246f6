/* Worker processes, pipes and the wall clock: the only part of ringer-sim that talks to
 * the real OS (compiled without the sim's forced include, which maps read, write, close,
 * pipe and clock_gettime to the simulated kernel). Each seed runs in a worker process, so
 * a library assertion or a sim stop ends only that worker; the parent still reports the
 * seed. */
#ifndef SIMULATOR_JOBS_H
#define SIMULATOR_JOBS_H

#include <stdbool.h>
#include <stdint.h>

#include "result.h"

struct jobs_plan {
    uint64_t first_seed;
    uint64_t count;
    unsigned jobs;
    bool keep_going;
};

/* Runs in a worker: fills the result of one seed. */
typedef void (*jobs_seed_fn)(uint64_t seed, struct seed_result *result, void *arg);
/* Runs in the parent for every finished seed, in arrival order. */
typedef void (*jobs_result_fn)(const struct seed_result *result, void *arg);
/* Runs in the parent about four times a second. */
typedef void (*jobs_progress_fn)(uint64_t real_ns, void *arg);

/* Returns the number of failed seeds; `real_ns` gets the wall time taken. */
uint64_t jobs_run(const struct jobs_plan *plan, jobs_seed_fn seed_fn, void *seed_arg,
                  jobs_result_fn result_fn, jobs_progress_fn progress_fn, void *report_arg,
                  uint64_t *real_ns);
/* In a worker that is about to abort: hands the failing seed's result to the parent. */
void jobs_report_abort(const struct seed_result *result);
/* Called in a worker when it receives SIGABRT, before it dies of it. */
void jobs_set_abort_hook(void (*hook)(void));
uint64_t jobs_wall_ns(void);
bool jobs_is_terminal(int fd);

#endif
