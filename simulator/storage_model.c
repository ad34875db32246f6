/* Block and record formats, and the storage checker's verdicts. */
#include "storage_model.h"

#include <assert.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "checksum.h"

#define BLOCK_MAGIC  0x424c4b31u /* "BLK1" */
#define RECORD_MAGIC 0x57414c31u /* "WAL1" */

struct header {
    uint32_t magic;
    uint32_t crc;     /* over the whole unit with this field zero */
    uint32_t id;      /* block index or lsn */
    uint32_t version; /* block version or record epoch */
};

static uint32_t unit_crc(const uint8_t *unit, uint32_t size) {
    struct header header;
    memcpy(&header, unit, sizeof(header));
    const uint32_t zero = 0;
    uint32_t crc = checksum_crc32c(0, unit, offsetof(struct header, crc));
    crc = checksum_crc32c(crc, &zero, sizeof(zero));
    const uint32_t rest = (uint32_t)offsetof(struct header, id);
    return checksum_crc32c(crc, unit + rest, size - rest);
}

static void fill_unit(uint8_t *unit, uint32_t size, uint32_t magic, uint64_t key, uint32_t id,
                      uint32_t version) {
    assert(size > sizeof(struct header));
    checksum_fill_pattern(unit + sizeof(struct header), size - sizeof(struct header), key);
    struct header header = {.magic = magic, .crc = 0, .id = id, .version = version};
    memcpy(unit, &header, sizeof(header));
    header.crc = unit_crc(unit, size);
    memcpy(unit, &header, sizeof(header));
}

void storage_fill_block(uint8_t *block, uint64_t seed, uint32_t index, uint32_t version) {
    if (version == 0) {
        memset(block, 0, STORE_BLOCK_SIZE);
        return;
    }
    const uint64_t key = prng_mix(seed, ((uint64_t)index << 32) | version);
    fill_unit(block, STORE_BLOCK_SIZE, BLOCK_MAGIC, key, index, version);
}

void storage_fill_record(uint8_t *record, uint64_t seed, uint32_t lsn, uint32_t epoch) {
    assert(lsn >= 1 && lsn <= RECORDS_MAX);
    fill_unit(record, RECORD_SIZE, RECORD_MAGIC,
              prng_mix(seed ^ 0x57414cu, ((uint64_t)lsn << 32) | epoch), lsn, epoch);
}

/* Decodes a unit: false if the checksum or magic is wrong (detected damage). */
static bool decode(const uint8_t *unit, uint32_t size, uint32_t magic, struct header *header) {
    memcpy(header, unit, sizeof(*header));
    return header->magic == magic && header->crc == unit_crc(unit, size);
}

static bool all_zero(const uint8_t *unit, uint32_t size) {
    for (uint32_t i = 0; i < size; i++) {
        if (unit[i] != 0) return false;
    }
    return true;
}

bool storage_error_expected(bool is_read, int32_t result) {
    assert(result < 0);
    switch (-result) {
    case EIO:
    case ENOSPC:
    case EDQUOT:
    case EFBIG:
    case EINVAL:
    case EBADF:
        return true;
    case EAGAIN:
        return !is_read && run_faults(RINGER_SIM_FAULT_CQE_EAGAIN) > 0; /* not retried */
    default:
        return run_errno_explained(result, is_read);
    }
}

static bool damage_explained(void) {
    static const enum ringer_sim_fault_class damage[] = {
        RINGER_SIM_FAULT_CORRUPT,
        RINGER_SIM_FAULT_MISDIRECT,
        RINGER_SIM_FAULT_WRITE_EIO,
        RINGER_SIM_FAULT_TORN,
    };
    return run_any_fault(damage, sizeof(damage) / sizeof(damage[0]));
}

void storage_verify_block(struct run *run, const struct block_model *model, uint32_t index,
                          const uint8_t *block, int32_t result, const char *when) {
    assert(index < BLOCKS_MAX);
    if (result < 0) {
        if (!storage_error_expected(true, result)) {
            run_fail(run, "storage: %s read of block %u returned %d", when, index, (int)result);
        }
        return; /* an injected error surfaced as an error: what the checker wants */
    }
    if (result != (int32_t)STORE_BLOCK_SIZE) {
        run_fail(run, "storage: %s read of block %u returned %d bytes in mid-file", when, index,
                 (int)result);
        return;
    }
    uint32_t version = 0;
    struct header header;
    if (!all_zero(block, STORE_BLOCK_SIZE)) {
        if (!decode(block, STORE_BLOCK_SIZE, BLOCK_MAGIC, &header)) {
            if (!model->maybe_torn && !damage_explained()) {
                run_fail(run,
                         "storage: %s block %u fails its checksum, and no fault was "
                         "injected that could damage it",
                         when, index);
            }
            return; /* detected by the checksum */
        }
        if (header.id != index) {
            if (run_faults(RINGER_SIM_FAULT_MISDIRECT) == 0) {
                run_fail(run, "storage: %s block %u holds block %u", when, index, header.id);
            }
            return;
        }
        version = header.version;
    }
    if (version < model->acked && run_faults(RINGER_SIM_FAULT_MISDIRECT) == 0) {
        run_fail(run,
                 "storage: %s block %u holds version %u, but version %u was "
                 "acknowledged (written through O_DSYNC)",
                 when, index, version, model->acked);
        return;
    }
    if (version > model->newest) {
        run_fail(run, "storage: %s block %u holds version %u, never written (newest %u)", when,
                 index, version, model->newest);
        return;
    }
    static uint8_t expected[STORE_BLOCK_SIZE];
    storage_fill_block(expected, run->config->seed, index, version);
    if (memcmp(expected, block, STORE_BLOCK_SIZE) != 0) {
        run_fail(run, "storage: %s block %u version %u: silently wrong bytes", when, index,
                 version);
    }
}

bool storage_verify_record(struct run *run, const struct wal_model *wal, uint32_t lsn,
                           const uint8_t *record, int32_t result) {
    assert(lsn >= 1 && lsn <= RECORDS_MAX);
    const bool acked = lsn <= wal->acked;
    if (result < 0) {
        static const enum ringer_sim_fault_class read_faults[] = {
            RINGER_SIM_FAULT_READ_EIO,
            RINGER_SIM_FAULT_LATENT_SECTOR,
            RINGER_SIM_FAULT_ERRNO,
        };
        if (!run_any_fault(read_faults, 3)) {
            run_fail(run, "storage: reading WAL record %u failed with %d, no fault injected", lsn,
                     (int)result);
        }
        return false;
    }
    struct header header;
    const bool decoded =
        result == (int32_t)RECORD_SIZE && decode(record, RECORD_SIZE, RECORD_MAGIC, &header);
    const bool valid = decoded && header.id == lsn;
    if (!acked) return valid;
    /* Zeros, or an intact record from an older write, is old content: the write was lost.
     * Only a misdirected write explains that; bit rot explains garbage. */
    const bool old = (result == (int32_t)RECORD_SIZE && all_zero(record, RECORD_SIZE)) ||
                     (valid && header.version != wal->epoch[lsn]);
    if (old && run_faults(RINGER_SIM_FAULT_MISDIRECT) == 0) {
        run_fail(run,
                 "storage: WAL record %u was acknowledged by a successful fsync but "
                 "holds old content after the crash: the write was lost",
                 lsn);
        return false;
    }
    if (!valid) {
        static const enum ringer_sim_fault_class rot[] = {
            RINGER_SIM_FAULT_CORRUPT,
            RINGER_SIM_FAULT_MISDIRECT,
        };
        if (!old && !run_any_fault(rot, 2)) {
            run_fail(run,
                     "storage: WAL record %u was acknowledged by a successful fsync but "
                     "is damaged (%d bytes read) with no fault to explain it",
                     lsn, (int)result);
        }
        return false;
    }
    static uint8_t expected[RECORD_SIZE];
    storage_fill_record(expected, run->config->seed, lsn, wal->epoch[lsn]);
    if (memcmp(expected, record, RECORD_SIZE) != 0 && run_faults(RINGER_SIM_FAULT_MISDIRECT) == 0) {
        run_fail(run, "storage: acknowledged WAL record %u has silently wrong bytes", lsn);
    }
    return true;
}
