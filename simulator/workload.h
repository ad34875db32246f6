/* A workload is a small real user of the ringer API with its own independent checker.
 * Each keeps its state in its own file; the driver calls these hooks. */
#ifndef SIMULATOR_WORKLOAD_H
#define SIMULATOR_WORKLOAD_H

#include "run.h"

struct workload {
    const char *name;
    /* A fresh life on run->io: the first one (life 0 resets everything) or after a crash. */
    void (*begin)(struct run *run);
    /* Power loss: every fd and in-flight op is gone; forget them, keep what is durable. */
    void (*crashed)(struct run *run);
    /* Called before every loop call: restart work that no callback will restart. */
    void (*poll)(struct run *run);
    /* Nothing in flight and nothing left to do. */
    bool (*done)(const struct run *run);
    /* The loop is quiescent (or cancel_all returned): final checks, close every fd. */
    void (*finish)(struct run *run);
};

extern const struct workload workload_storage;
extern const struct workload workload_network;
extern const struct workload workload_cancel;
extern const struct workload workload_timers;

/* Indexed by enum workload_id. */
extern const struct workload *const workloads[WORKLOAD_COUNT];
/* "storage", ...; NULL for an unknown id. Parses a name back; -1 if unknown. */
const char *workload_name(uint32_t id);
int workload_parse(const char *name);

#endif
