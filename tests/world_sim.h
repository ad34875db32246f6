/*
 * Sim-only additions to world.h, for the tests/sim_*.c sources that only the simulated
 * kernel can run: they need fault knobs, kernel profiles, mounts or order modes of their
 * own instead of the ones the environment gives every scenario.
 */
#ifndef RINGER_TESTS_WORLD_SIM_H
#define RINGER_TESTS_WORLD_SIM_H

#include <ringer_sim.h>

#include "world.h"

/* The faithful kernel with no faults, the seed of RINGER_SIM_SEED (default 1), quiet. */
void world_sim_default_options(struct ringer_sim_options *options);

/* Replaces this test's simulated world with a fresh one built from `options`, ignoring
 * RINGER_SIM_FAULTS. Call it first in a test, before fixture_begin and before any
 * world_*_dir_fd: every fd of the old world is gone afterwards. */
void world_sim_configure(const struct ringer_sim_options *options);

struct ringer_io;
/* A swarm world for seed `seed` of a sweep (RINGER_SIM_SEED picks another set) under
 * `profile`, bounded in virtual time so that a hang fails at once, and failing the test,
 * with `io`'s state, if the sim stops the run. */
void world_sim_configure_swarm(uint64_t seed, uint8_t profile, const struct ringer_io *io);

/* When the sim stops the run (a deadlock or a liveness bound), fail the test with the
 * reason and the loop's state (cancel_all state and rounds, started, callbacks, awaiting)
 * instead of aborting. */
void world_sim_fail_on_stop(const struct ringer_io *io);

#endif /* RINGER_TESTS_WORLD_SIM_H */
