/* Runs one seed: builds the simulated world, runs the seed's workload mix on ringer with
 * loop-invariant checks after every step, then the workloads' own checkers. */
#ifndef SIMULATOR_DRIVER_H
#define SIMULATOR_DRIVER_H

#include <stdio.h>

#include "result.h"

/* Fills `result`; returns when the run ended (a failure included). A library assertion or
 * a sim stop instead reports through `abort_reporter` and aborts the process. */
void driver_run_seed(const struct run_config *config, struct seed_result *result, FILE *log);
void driver_set_abort_reporter(void (*reporter)(const struct seed_result *result));
/* From a SIGABRT handler: reports the seed in progress, unless it was reported already. */
void driver_report_signal(void);

#endif
