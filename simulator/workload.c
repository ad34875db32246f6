/* The table of workloads and their names. */
#include "workload.h"

#include <string.h>

const struct workload *const workloads[WORKLOAD_COUNT] = {
    [WORKLOAD_STORAGE] = &workload_storage,
    [WORKLOAD_NETWORK] = &workload_network,
    [WORKLOAD_CANCEL] = &workload_cancel,
    [WORKLOAD_TIMERS] = &workload_timers,
};

const char *workload_name(uint32_t id) {
    return id < WORKLOAD_COUNT ? workloads[id]->name : NULL;
}

int workload_parse(const char *name) {
    for (uint32_t id = 0; id < WORKLOAD_COUNT; id++) {
        if (strcmp(name, workloads[id]->name) == 0) return (int)id;
    }
    return -1;
}
