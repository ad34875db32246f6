/* What ringer-sim prints: the progress line (on a terminal), each failure with its last
 * events and its reproduction command, the summary (with the seeds not run when a
 * campaign was stopped), and the JUnit report. */
#ifndef SIMULATOR_REPORT_H
#define SIMULATOR_REPORT_H

#include <stdint.h>

#include "cli.h"
#include "jobs.h"
#include "result.h"

struct report {
    const struct cli *cli;
    uint64_t done, failed, ops, virtual_ns, crashes;
    uint64_t faults[RINGER_SIM_FAULT_CLASS_COUNT];
    bool terminal;
    bool line_open; /* a progress line is on the terminal and must be cleared */
    bool quiet;     /* the minimizer's trials print nothing */
    bool junit;     /* cases go to the JUnit report */
    bool io_error;  /* ringer-sim's own I/O failed: exit 2 */
    struct seed_result last;
};

void report_init(struct report *report, const struct cli *cli);
void report_result(const struct seed_result *result, void *arg);
void report_progress(uint64_t real_ns, void *arg);
void report_summary(struct report *report, const struct jobs_outcome *outcome);
/* Prints the failure block: seed, message, last events, virtual time, the command. */
void report_failure(const struct report *report, const struct run_config *config,
                    const struct seed_result *result);
/* The command that replays `result`'s seed with `config`. */
void report_replay(const struct cli *cli, const struct run_config *config, uint64_t seed, char *out,
                   unsigned size);
/* The JUnit suite's name: "ringer-sim" or "ringer-sim --exec PROGRAM". */
const char *report_suite(const struct cli *cli);

#endif
