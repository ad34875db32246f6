/* One seed's run: the shared state that the driver, the workloads and the checkers use. */
#ifndef SIMULATOR_RUN_H
#define SIMULATOR_RUN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <ringer.h>
#include <ringer_sim.h>

#include "prng.h"
#include "result.h"

#define RUN_IO_SLOTS 4u /* one ringer_io per life: the first, then one per crash */

struct run {
    const struct run_config *config;
    struct seed_result *result;
    struct prng rng;      /* workload decisions; never the sim's stream */
    struct ringer_io *io; /* the current loop; a crash abandons it */
    uint32_t life;        /* 0, then +1 per crash */
    uint32_t mix;         /* the workloads of this run */
    uint32_t ring_entries;
    bool faithful;           /* functional outcomes are judged only under faithful */
    bool cancel_all_started; /* no callback may run from here on */
    bool failed;
    uint64_t op_budget; /* ops that may still start */
    uint32_t crash_max;
    uint32_t steps;         /* loop calls so far */
    uint64_t workload_hash; /* results the workloads saw, for the replay hash */
    FILE *log;              /* readable event log, or NULL */
};

/* Records the first failure (later ones are ignored) with the virtual time. */
void run_fail(struct run *run, const char *format, ...) __attribute__((format(printf, 2, 3)));
/* Adds a result to the replay hash, so a run that diverges shows it. */
void run_hash(struct run *run, uint64_t value);
/* Faults injected so far in one class, and in a set of classes. */
uint64_t run_faults(enum ringer_sim_fault_class fault_class);
bool run_any_fault(const enum ringer_sim_fault_class *classes, uint32_t count);
/* Under faithful, ERRNO faults may put any errno of an op's set in its CQE; what the
 * library retries (-EINTR everywhere, -EAGAIN on reads) must still never reach a callback. */
bool run_errno_explained(int32_t result, bool read_like);
/* Budget: true (and one op used) if the workloads may start another op. */
bool run_take_op(struct run *run);
/* Virtual time as the workloads read it: ringer_sim_now_ns, which costs a syscall's worth
 * of virtual time (a loop that only reads the clock must advance). */
uint64_t run_now(void);
/* Virtual time for the log, the trace and failure reports: a free read
 * (ringer_sim_peek_now_ns), so logging on or off never changes a run. */
uint64_t run_last_now(void);
/* The readable log: one line per event when --log is on. */
void run_log(struct run *run, const char *format, ...) __attribute__((format(printf, 2, 3)));

#endif
