/*
 * fuzz_cancel_all: ringer's event loop on the simulated kernel, steered by the fuzzer.
 *
 * The same op sequences, cut off by ringer_cancel_all at a step the input
 * picks, with cancel and target CQE orders the input picks (a cancel script, reorder mode,
 * CANCEL_RACE). Checks termination (the sim's step and time bounds), no callback after the
 * call begins, zero counters, no request left in the kernel, no fd leaked, and no kernel
 * write to caller memory afterwards (loop.md I7, I13, I22, I26).
 */
#include "driver.h"
#include "input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    driver_run(data, size, DRIVER_END_CANCEL_ALL);
    return 0;
}
