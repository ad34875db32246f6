/* What ringer-sim prints: the progress line, each failure with its reproduction command,
 * and the summary. */
#ifndef SIMULATOR_REPORT_H
#define SIMULATOR_REPORT_H

#include <stdint.h>

#include "cli.h"
#include "result.h"

struct report {
    const struct cli *cli;
    uint64_t done, failed, ops, virtual_ns, crashes;
    uint64_t faults[RINGER_SIM_FAULT_CLASS_COUNT];
    uint64_t last_plain_ns;
    bool terminal;
    bool line_open; /* a progress line is on the terminal and must be cleared */
    bool quiet;     /* the minimizer's trials print nothing */
    struct seed_result last;
};

void report_init(struct report *report, const struct cli *cli);
void report_result(const struct seed_result *result, void *arg);
void report_progress(uint64_t real_ns, void *arg);
void report_summary(struct report *report, uint64_t real_ns);
/* Prints the failure block: seed, message, virtual time, the reproduction command. */
void report_failure(const struct report *report, const struct run_config *config,
                    const struct seed_result *result);

#endif
