/* CRC-32C with a table built on first use, and a deterministic fill pattern. */
#include "checksum.h"

#include <assert.h>
#include <stdbool.h>
#include <string.h>

#include "prng.h"

static uint32_t table[256];
static bool table_ready;

static void build_table(void) {
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t crc = i;
        for (int bit = 0; bit < 8; bit++) crc = (crc >> 1) ^ (0x82f63b78u & (0u - (crc & 1u)));
        table[i] = crc;
    }
    table_ready = true;
}

uint32_t checksum_crc32c(uint32_t crc, const void *data, size_t size) {
    assert(data != NULL || size == 0);
    if (!table_ready) build_table();
    const uint8_t *bytes = data;
    crc = ~crc;
    for (size_t i = 0; i < size; i++) crc = table[(crc ^ bytes[i]) & 0xffu] ^ (crc >> 8);
    return ~crc;
}

void checksum_fill_pattern(void *data, size_t size, uint64_t key) {
    assert(data != NULL || size == 0);
    uint8_t *bytes = data;
    uint64_t word = 0;
    for (size_t i = 0; i < size; i++) {
        if (i % 8 == 0) word = prng_mix(key, i / 8);
        bytes[i] = (uint8_t)(word >> (8 * (i % 8)));
    }
}
