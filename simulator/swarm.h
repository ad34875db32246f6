/* The sim's configuration for one seed: in swarm mode the seed draws its own fault
 * probabilities (each class on with probability 1/2, log-uniform ppm), latencies and
 * environment knobs; otherwise a fixed moderate mix. ringer-sim draws these itself rather
 * than through the sim's options.swarm, so the minimizer can switch single classes off
 * without changing any other decision. */
#ifndef SIMULATOR_SWARM_H
#define SIMULATOR_SWARM_H

#include <ringer_sim.h>

#include "result.h"

/* Draws within the classes of config->profile (ringer_sim_profile_faults): the classes
 * outside it are drawn too, then set to 0, so a profile never shifts another draw. */
void swarm_options(const struct run_config *config, struct ringer_sim_options *options);

#endif
