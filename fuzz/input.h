/*
 * The fuzzers' structured-input reader.
 *
 * One fuzzer input is split in two: a "program" part that the target reads front to back
 * to choose its calls and their arguments, and an "entropy" part handed to
 * ringer_sim_entropy_bytes, from which the simulated kernel draws every decision (CQE
 * order, faults, latencies, crash timing). The first two bytes give the program part's
 * length, so a mutation inside one part leaves the other part's bytes where they were.
 *
 * Every read has a fixed default when the bytes run out (0, false, the first choice), so
 * any input, even an empty one, is a complete and valid run: a short input simply stops
 * making calls and lets the target wind down.
 */
#ifndef RINGER_FUZZ_INPUT_H
#define RINGER_FUZZ_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fuzz_input {
    const uint8_t *data;
    size_t size;
    size_t position;
};

/* The two parts of one fuzzer input. */
struct fuzz_split {
    struct fuzz_input program;
    const uint8_t *entropy;
    size_t entropy_size;
};

struct fuzz_split fuzz_input_split(const uint8_t *data, size_t size);
void fuzz_input_init(struct fuzz_input *input, const uint8_t *data, size_t size);

bool fuzz_exhausted(const struct fuzz_input *input);
uint8_t fuzz_u8(struct fuzz_input *input);
uint16_t fuzz_u16(struct fuzz_input *input);
uint32_t fuzz_u32(struct fuzz_input *input);
uint64_t fuzz_u64(struct fuzz_input *input);
bool fuzz_bool(struct fuzz_input *input);
/* A value in [0, bound): one byte when bound <= 256, else four. 0 when exhausted. */
uint32_t fuzz_below(struct fuzz_input *input, uint32_t bound);
/* One entry of a table of choices; the first entry is the default. */
uint64_t fuzz_pick_u64(struct fuzz_input *input, const uint64_t *choices, size_t count);
/* Copies up to `size` bytes (zeros past the end); returns how many came from the input. */
size_t fuzz_bytes(struct fuzz_input *input, void *buffer, size_t size);

#define FUZZ_PICK(input, table) fuzz_pick_u64((input), (table), sizeof(table) / sizeof((table)[0]))

/* libFuzzer's entry points, declared for -Wmissing-prototypes. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#endif /* RINGER_FUZZ_INPUT_H */
