/* ringer-sim's rows of the timeline: one per loop life, a track per fd, each op a slice from
 * its start to its callback. The sim writes the file (ringer_sim_timeline_*) and adds its
 * own "kernel" row, where each op runs from its SQE to its CQE and faults sit on the op
 * they hit. */
#include "trace.h"

#include <assert.h>
#include <stdio.h>

#include <ringer_sim.h>

bool trace_open(const char *path) {
    assert(path != NULL);
    return ringer_sim_timeline_open(path) == 0;
}

bool trace_enabled(void) {
    return ringer_sim_timeline_is_open();
}

void trace_slice(const char *name, int fd, uint32_t life, uint64_t begin_ns, uint64_t end_ns,
                 uint64_t seq, int32_t result) {
    if (!ringer_sim_timeline_is_open()) return;
    char group[48], track[32];
    snprintf(group, sizeof(group), "ringer_io (life %u)", life);
    if (fd < 0) snprintf(track, sizeof(track), "timeouts and cancels");
    else snprintf(track, sizeof(track), "fd %d", fd);
    ringer_sim_timeline_slice(group, track, name, begin_ns, end_ns, seq, result);
}

void trace_instant(const char *name, uint64_t at_ns, const char *detail) {
    ringer_sim_timeline_instant(name, at_ns, detail);
}

bool trace_close(void) {
    return ringer_sim_timeline_close() == 0;
}
