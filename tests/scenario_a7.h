/*
 * The A7 pipe (acceptance.md A7): 1 MiB of test_pattern over a loopback TCP pair with
 * 8 KiB socket buffers, one send and one recv in flight at a time, each continued from its
 * callback with what is left, driven by ticks mixed with run_for_ns. Defined in
 * scenario_a7_tcp_pipe.c (both kernels) and shared with the sim's partial-transfer test
 * (sim_partial_transfers.c). One pipe at a time: every test runs in its own process.
 */
#ifndef RINGER_TESTS_SCENARIO_A7_H
#define RINGER_TESTS_SCENARIO_A7_H

#include <stdbool.h>
#include <stdint.h>

#include "scenario.h"

#define A7_SIZE (1u << 20)

struct a7_pipe {
    struct ringer_io *io;
    struct tcp_pair pair;
    struct op send_op, recv_op;
    uint8_t sent_data[A7_SIZE], received_data[A7_SIZE];
    uint32_t sent, received;
    unsigned partials; /* transfers that moved less than was left */
    unsigned sends_in_flight, recvs_in_flight;
    bool failed; /* a send or recv gave <= 0 */
};
extern struct a7_pipe a7_pipe;

/* Opens the pair on `io`, fills the data and starts the first send and recv. */
void a7_start(struct ringer_io *io);
/* The A7 loop until all is delivered or a transfer failed: ringer_tick, and
 * run_for_ns(counter % 10 ms) whenever counter % 61 == 0, with check_loop_invariants after
 * each call. Returns how many run_for_ns calls it made. */
unsigned a7_drive(void);
/* The end checks of A7 (no failure, every byte arrived intact, run_for_ns ran at least
 * once), then closes the pair. */
void a7_finish(unsigned run_for_ns_calls);

#endif /* RINGER_TESTS_SCENARIO_A7_H */
