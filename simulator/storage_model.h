/* The storage workload's on-disk formats and what the checker knows about them.
 *
 * Block store: STORE_BLOCK_SIZE-byte blocks in a data file from ringer_open_data_file (O_DSYNC,
 * so a completed full write is durable). Each block holds {magic, crc, block, version}
 * and a payload derived from (seed, block, version); version 0 is the zeroed block.
 * Write-ahead log: RECORD_SIZE-byte records at (lsn - 1) * RECORD_SIZE in a plain file,
 * durable only once an fsync that started after the write completed returns 0. */
#ifndef SIMULATOR_STORAGE_MODEL_H
#define SIMULATOR_STORAGE_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "run.h"

#define STORE_BLOCK_SIZE 4096u
#define BLOCKS_MAX       48u
#define RECORD_SIZE      1024u
#define RECORDS_MAX      256u

struct block_model {
    uint32_t acked;  /* newest version whose write completed in full */
    uint32_t newest; /* newest version ever attempted: (acked, newest] may be on disk */
    bool busy;       /* one op per block at a time */
    bool maybe_torn; /* the last write failed or came back short: part of it may be there */
};

struct wal_model {
    uint32_t epoch[RECORDS_MAX + 1]; /* life in which each lsn was last written */
    bool completed[RECORDS_MAX + 1]; /* written in full in this life, or recovered */
    uint32_t acked;                  /* every lsn <= acked is durable */
    uint32_t next;                   /* next lsn to append */
    uint32_t written_max;            /* highest lsn ever written */
};

void storage_fill_block(uint8_t *block, uint64_t seed, uint32_t index, uint32_t version);
void storage_fill_record(uint8_t *record, uint64_t seed, uint32_t lsn, uint32_t epoch);

/* Judges a block read (result and bytes) against the model; fails the run if the data is
 * silently wrong or an acknowledged write is lost without a fault to explain it. */
void storage_verify_block(struct run *run, const struct block_model *model, uint32_t index,
                          const uint8_t *block, int32_t result, const char *when);
/* Judges one WAL record read during recovery. Returns true if the record is valid (part
 * of the recoverable prefix). */
bool storage_verify_record(struct run *run, const struct wal_model *wal, uint32_t lsn,
                           const uint8_t *record, int32_t result);
/* An error a faithful kernel can return for this storage op (the library retries -EINTR
 * and read's -EAGAIN, so those must never reach a callback). */
bool storage_error_expected(bool is_read, int32_t result);

#endif
