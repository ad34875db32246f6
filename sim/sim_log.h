/*
 * What the sim shows of a run, inside the sim: the event log (eventlog.c), the timeline
 * (timeline.c), the world taken from the environment (env.c) and the fault profiles
 * (profile.c). Every kernel event reaches them through sim_trace (core.c), which hashes it
 * first: nothing here draws entropy or moves virtual time, so showing a run never changes
 * it.
 */
#ifndef RINGER_SIM_LOG_H
#define RINGER_SIM_LOG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "ringer_sim.h"

/* ---- the event log (eventlog.c) ---- */
/* Forgets the events of the last world (the sink and the hook stay). */
void sim_log_reset(void);
/* One kernel event, as sim_trace hashed it. */
void sim_log_event(uint32_t kind, uint64_t a, uint64_t b, uint64_t c, uint64_t d);
/* The op whose issue or run draws the faults that follow, until the next event. */
void sim_log_op(uint64_t seq);
/* The readable tail on stderr, after a failure (what the sim's reports end with). */
void sim_log_print_tail(void);
/* Describes fd as it is now ("file /data/kv.log", "socket 127.0.0.1:40001 -> :8080"). */
void sim_log_describe_fd(int fd, char *out, size_t size);

/* ---- the timeline (timeline.c) ---- */
void sim_timeline_event(const struct ringer_sim_event *event);

/* ---- the world from the environment (env.c) ---- */
/* Called by ringer_sim_init: true if the world is the automatic one from before main and
 * no program call has touched it yet (the program's own init then replaces it). */
bool sim_env_world_replaceable(void);
/* Ends that world, without a report, for the program's own. */
void sim_env_world_end(void);
/* A world ends (deinit) or fails (assertion, oracle, stop): one result line for ringer-sim
 * on RINGER_SIM_REPORT_FD, if set. `failure` is NULL at a clean end. */
void sim_env_report(const char *failure);
/* Applies RINGER_SIM_* to an init with a zero seed: 0, or -EINVAL after printing why. */
int sim_env_apply(struct ringer_sim_options *options);

/* ---- the file system, for names (fs.c) ---- */
/* The path of inode `ino` from "/", or "" if it has no name now. */
void sim_fs_path_of(uint32_t ino, char *out, size_t size);

/* ---- the SHORT fault (entropy.c) ---- */
/* The unit a short transfer on `file` keeps whole: the logical block size for O_DIRECT,
 * else 1 byte. */
uint32_t sim_short_unit(uint32_t file);
/* A SHORT fault's length for a transfer of `length` (at least 2 units): a whole number of
 * units in [unit, length - unit], chosen by `pick`. */
uint32_t sim_short_length(uint32_t length, uint32_t unit, uint32_t pick);

/* ---- rings after a crash (core.c) ---- */
/* fd is a ring fd that ringer_sim_crash closed, and nothing has reused it since. */
bool sim_crashed_ring_fd(int fd);

#endif /* RINGER_SIM_LOG_H */
