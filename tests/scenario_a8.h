/*
 * The A8 load (acceptance.md A8): 8 reads of 16 KiB into buffers filled with 0xEE, 2 recvs
 * on a pair that carries no data, and a 10 s timeout, so that something is certainly in
 * flight when cancel_all runs. Defined in scenario_a8_cancel_all.c (both kernels) and
 * shared with the sim-only A8 tests (sim_a8_no_late_writes.c, sim_fail_nth_scenarios.c).
 * One load at a time: every test runs in its own process.
 */
#ifndef RINGER_TESTS_SCENARIO_A8_H
#define RINGER_TESTS_SCENARIO_A8_H

#include <stdbool.h>
#include <stdint.h>

#include "scenario.h"

#define A8_READS     8
#define A8_SIZE      (16u * 1024)
#define A8_RECVS     2
#define A8_RECV_SIZE 64u

struct a8_load {
    struct op reads[A8_READS], recvs[A8_RECVS], timeout;
    uint8_t read_buffers[A8_READS][A8_SIZE] __attribute__((aligned(4096)));
    uint8_t recv_buffers[A8_RECVS][A8_RECV_SIZE] __attribute__((aligned(64)));
};
extern struct a8_load a8_load;

/* The file the reads use, "a8_file" in `dir`, opened read-only; with `direct`, with
 * O_DIRECT (checked). */
int a8_open_file(int dir, bool direct);
/* Starts the whole load on `io`: the reads on `file`, the recvs on `socket`. */
void a8_start(struct ringer_io *io, int file, int socket);
/* FNV-1a over every buffer of the load. */
uint64_t a8_checksum(void);
/* After cancel_all: no buffer of the load changes while 50 ms pass (no late kernel write). */
void a8_check_no_late_writes(void);

#endif /* RINGER_TESTS_SCENARIO_A8_H */
