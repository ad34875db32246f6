/* Chrome Trace Event JSON (Perfetto, chrome://tracing): each op a slice from its start to
 * its callback on a track per fd, faults and crashes as instant events. */
#ifndef SIMULATOR_TRACE_H
#define SIMULATOR_TRACE_H

#include <stdbool.h>
#include <stdint.h>

bool trace_open(const char *path);
bool trace_enabled(void);
/* An op from begin_ns to end_ns on the track of `fd` (-1: timers and cancels). */
void trace_slice(const char *name, int fd, uint32_t life, uint64_t begin_ns, uint64_t end_ns,
                 uint64_t seq, int32_t result);
void trace_instant(const char *name, uint64_t at_ns, const char *detail);
/* Returns false if the file could not be written completely. */
bool trace_close(void);

#endif
