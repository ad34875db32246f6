/* The workloads' own PRNG (xoshiro256** seeded through SplitMix64). It is separate from
 * the sim's entropy stream, so a workload decision never shifts a kernel decision. */
#ifndef SIMULATOR_PRNG_H
#define SIMULATOR_PRNG_H

#include <stdbool.h>
#include <stdint.h>

struct prng {
    uint64_t s[4];
};

void prng_seed(struct prng *prng, uint64_t seed);
uint64_t prng_next(struct prng *prng);
/* Uniform in [0, bound); bound must be > 0. */
uint64_t prng_below(struct prng *prng, uint64_t bound);
/* True with probability numerator / denominator. */
bool prng_chance(struct prng *prng, uint32_t numerator, uint32_t denominator);
/* Log-uniform in [1, max]: small values as likely per decade as large ones. */
uint64_t prng_log_uniform(struct prng *prng, uint64_t max);
/* A stateless mix of two words, for content derived from (seed, block, version). */
uint64_t prng_mix(uint64_t a, uint64_t b);

#endif
