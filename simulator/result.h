/* What one seed's run hands back: plain data, sent over a pipe from a worker process. */
#ifndef SIMULATOR_RESULT_H
#define SIMULATOR_RESULT_H

#include <stdbool.h>
#include <stdint.h>

#include <ringer_sim.h>

#define RESULT_MESSAGE_SIZE 512
#define RESULT_EVENTS_SIZE  2800 /* what a failure shows: the last events or output lines */

enum workload_id {
    WORKLOAD_STORAGE = 0,
    WORKLOAD_NETWORK,
    WORKLOAD_CANCEL,
    WORKLOAD_TIMERS,
    WORKLOAD_COUNT,
};
#define WORKLOAD_ALL ((1u << WORKLOAD_COUNT) - 1u)

/* Everything that decides a run: the seed plus these replay it bit for bit. */
struct run_config {
    uint64_t seed;
    uint32_t workloads;  /* mask of workloads a seed may pick from */
    uint8_t profile;     /* enum ringer_sim_profile: what the seed's faults may be */
    bool swarm;          /* the seed draws its own fault configuration */
    uint64_t op_budget;  /* 0: the seed's own; otherwise at most this many ops start */
    uint32_t faults_off; /* fault classes forced to 0 ppm (the minimizer's mask) */
    bool no_crash;       /* no simulated power loss */
    bool half_close;     /* network clients may shut down their sending side (SHUT_WR) */
};

struct seed_result {
    uint64_t seed;
    bool failed;
    bool finished; /* the run reached its end (false: the worker died inside it) */
    uint32_t mix;  /* the workloads that ran */
    uint64_t ops;  /* operations started */
    uint64_t virtual_ns;
    uint64_t real_ns; /* wall time the seed took in its worker */
    uint64_t hash;    /* the sim's trace hash mixed with the workload's own */
    uint64_t crashes;
    uint64_t faults[RINGER_SIM_FAULT_CLASS_COUNT];
    uint32_t faults_on; /* classes with a non-zero probability in this run */
    bool io_error;      /* ringer-sim's own I/O failed (a trace file): exit 2, not a FAIL */
    char message[RESULT_MESSAGE_SIZE];
    /* A failure's context, printed after its message: the last kernel events (workloads)
     * or the last lines of the program's output (--exec), each line indented. */
    char events[RESULT_EVENTS_SIZE];
};

#endif
