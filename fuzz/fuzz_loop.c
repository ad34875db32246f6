/*
 * fuzz_loop: ringer's event loop on the simulated kernel, steered by the fuzzer.
 *
 * Exactly-once callbacks, ringer_stats counters, strict FIFO SQE assignment, no
 * re-entrant callbacks, timeouts never early, no internal timeout left after run_for_ns,
 * every op called back once the loop is quiesced (loop.md I1-I6, I12, I14, I16-I18, I20,
 * I23, I24).
 */
#include "driver.h"
#include "input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    driver_run(data, size, DRIVER_END_QUIESCE);
    return 0;
}
