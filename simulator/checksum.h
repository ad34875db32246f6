/* CRC-32C (Castagnoli) in software: the checksum the workloads put in every record, block
 * and frame, so that damage is detected independently of the sim's own bookkeeping. */
#ifndef SIMULATOR_CHECKSUM_H
#define SIMULATOR_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>

uint32_t checksum_crc32c(uint32_t crc, const void *data, size_t size);
/* Fills `size` bytes with a pattern derived from `key`, the same on every run. */
void checksum_fill_pattern(void *data, size_t size, uint64_t key);

#endif
