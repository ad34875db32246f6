/* A mixed liburing workload on the simulated kernel (see workload.c). */
#ifndef SIM_WORKLOAD_H
#define SIM_WORKLOAD_H

#include <stdbool.h>
#include <stdint.h>

#include "ringer_sim.h"

struct workload_result {
    uint64_t completions;
};

/* Runs `iterations` steps on a fresh ring in the current world; with `crash` it ends with
 * ringer_sim_crash() instead of closing everything. */
struct workload_result workload_run(uint32_t iterations, bool crash);

#endif
