/* The structured-input reader: see input.h. */
#include "input.h"

#include <string.h>

#include "check.h"

void fuzz_input_init(struct fuzz_input *input, const uint8_t *data, size_t size) {
    FUZZ_ASSERT(input != NULL);
    FUZZ_ASSERT(data != NULL || size == 0);
    input->data = data;
    input->size = size;
    input->position = 0;
}

/*
 * Bytes 0-1 (little-endian) give the program part's length, clamped to what is there; the
 * rest is entropy. A missing header means "all program, no entropy": the kernel then takes
 * its defaults (no fault, FIFO order), which is what a hand-written seed usually wants.
 */
struct fuzz_split fuzz_input_split(const uint8_t *data, size_t size) {
    struct fuzz_split split;
    FUZZ_ASSERT(data != NULL || size == 0);
    if (size < 2) {
        fuzz_input_init(&split.program, data, size);
        split.entropy = data + size;
        split.entropy_size = 0;
        return split;
    }
    size_t program_size = (size_t)data[0] | ((size_t)data[1] << 8);
    if (program_size > size - 2) program_size = size - 2;
    fuzz_input_init(&split.program, data + 2, program_size);
    split.entropy = data + 2 + program_size;
    split.entropy_size = size - 2 - program_size;
    FUZZ_ASSERT(2 + program_size + split.entropy_size == size);
    return split;
}

bool fuzz_exhausted(const struct fuzz_input *input) {
    FUZZ_ASSERT(input->position <= input->size);
    return input->position == input->size;
}

uint8_t fuzz_u8(struct fuzz_input *input) {
    FUZZ_ASSERT(input->position <= input->size);
    if (input->position == input->size) return 0;
    return input->data[input->position++];
}

uint16_t fuzz_u16(struct fuzz_input *input) {
    uint16_t low = fuzz_u8(input);
    return (uint16_t)(low | (uint16_t)(fuzz_u8(input) << 8));
}

uint32_t fuzz_u32(struct fuzz_input *input) {
    uint32_t low = fuzz_u16(input);
    return low | ((uint32_t)fuzz_u16(input) << 16);
}

uint64_t fuzz_u64(struct fuzz_input *input) {
    uint64_t low = fuzz_u32(input);
    return low | ((uint64_t)fuzz_u32(input) << 32);
}

bool fuzz_bool(struct fuzz_input *input) {
    return (fuzz_u8(input) & 1u) != 0;
}

uint32_t fuzz_below(struct fuzz_input *input, uint32_t bound) {
    FUZZ_ASSERT(bound > 0);
    uint32_t value = bound <= 256 ? fuzz_u8(input) : fuzz_u32(input);
    uint32_t result = value % bound;
    FUZZ_ASSERT(result < bound);
    return result;
}

uint64_t fuzz_pick_u64(struct fuzz_input *input, const uint64_t *choices, size_t count) {
    FUZZ_ASSERT(choices != NULL && count > 0 && count <= 256);
    return choices[fuzz_below(input, (uint32_t)count)];
}

size_t fuzz_bytes(struct fuzz_input *input, void *buffer, size_t size) {
    FUZZ_ASSERT(buffer != NULL || size == 0);
    size_t available = input->size - input->position;
    size_t taken = size < available ? size : available;
    if (taken > 0) memcpy(buffer, input->data + input->position, taken);
    memset((uint8_t *)buffer + taken, 0, size - taken);
    input->position += taken;
    return taken;
}
