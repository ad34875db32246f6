/*
 * The op-sequence driver shared by fuzz_loop and fuzz_cancel_all.
 *
 * It builds a small world on the sim (a tmpfs file, a disk file, a listener, a connected
 * TCP pair, spare sockets for connects, an eventfd), a tiny ring (1..8 entries, so the
 * unqueued path is hot), and a pool of completions. The program part of the input then
 * picks a sequence of steps: op starts of every kind of the API (including ringer_cancel),
 * ringer_tick, ringer_run_for_ns, event triggers; callbacks read the input too and may start
 * new ops. After every step it checks the loop's invariants (loop.md §13) against its own
 * bookkeeping: exactly-once callbacks per completion, the counters of ringer_stats, strict
 * FIFO assignment of SQEs (I16), no re-entrant callbacks, timeouts never early, no internal
 * timeout left in the kernel after run_for_ns.
 */
#ifndef RINGER_FUZZ_DRIVER_H
#define RINGER_FUZZ_DRIVER_H

#include <stdbool.h>
#include <stdint.h>

#include "input.h"

enum driver_ending {
    DRIVER_END_QUIESCE,    /* fuzz_loop: cancel what is left, run until every op called back */
    DRIVER_END_CANCEL_ALL, /* fuzz_cancel_all: ringer_cancel_all at a chosen step */
};

/* One whole run for one fuzzer input. */
void driver_run(const uint8_t *data, size_t size, enum driver_ending ending);

#endif /* RINGER_FUZZ_DRIVER_H */
