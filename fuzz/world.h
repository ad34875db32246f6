/*
 * Creating the simulated world for one fuzzer input: options shaped by the program part of
 * the input, entropy from the rest, and a stop handler that turns a deadlock or a broken
 * liveness bound into an invariant failure. Every input gets a fresh world.
 */
#ifndef RINGER_FUZZ_WORLD_H
#define RINGER_FUZZ_WORLD_H

#include <ringer_sim.h>

#include "input.h"

/* Which fault classes a target lets the input switch on. */
enum fuzz_fault_set {
    FUZZ_FAULTS_RING,           /* enter, CQE and ordering faults, storage and network faults */
    FUZZ_FAULTS_STORAGE,        /* file-system faults only, for open_data_file */
    FUZZ_FAULTS_RING_BREAKABLE, /* ring faults, and the input may allow a dropped CQE, which
                                   breaks the ring (-EBADR) */
};

/* Fills `options` from the input: profile, kernel, order, fault classes and levels. */
void fuzz_world_options(struct fuzz_input *program, enum fuzz_fault_set set,
                        struct ringer_sim_options *options);
/* ringer_sim_init with an empty entropy stream (a fault-free setup), the stop handler. */
void fuzz_world_start(const struct ringer_sim_options *options, const struct fuzz_split *split);
/* Hands the input's entropy part to the sim: every later kernel decision comes from it. */
void fuzz_world_unleash(const struct fuzz_split *split);
void fuzz_world_stop(void);

/* The number of SQEs the kernel has consumed, over every opcode. */
uint64_t fuzz_world_sqes_consumed(void);

#endif /* RINGER_FUZZ_WORLD_H */
