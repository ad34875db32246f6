/* The storage workload: a checksummed block store on a data file from
 * ringer_open_data_file, and a write-ahead log on a plain file made durable by fsync, with
 * concurrent writes, reads, appends and fsyncs; the driver crashes the world at random
 * moments, and each new life reopens both files and recovers.
 * Checker (storage_model.c): every acknowledged write survives every crash byte for byte;
 * anything else is old or new content, or is detected by its checksum with a fault that
 * explains it; read errors surface as errors, never as wrong data. */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "storage_model.h"
#include "track.h"
#include "workload.h"

#define QUEUE_MAX   8u
#define SOPS_MAX    (QUEUE_MAX + 2u) /* plus the WAL's open or fsync and the statx */
#define APPENDS_MAX 4u

enum sop_kind {
    SOP_BLOCK_WRITE,
    SOP_BLOCK_READ,
    SOP_WAL_APPEND,
    SOP_WAL_FSYNC,
    SOP_WAL_OPEN,
    SOP_DIR_FSYNC,
    SOP_STATX
};

struct storage_op {
    uint8_t buffer[STORE_BLOCK_SIZE]; /* first, so it is 4096-aligned for O_DIRECT */
    struct ringer_completion c;
    uint8_t kind;
    bool busy;
    uint32_t index; /* block index or lsn */
    uint32_t value; /* block version, or the lsn an fsync covers */
};

static struct storage_op sops[SOPS_MAX] __attribute__((aligned(4096)));
static struct block_model blocks[BLOCKS_MAX];
static struct wal_model wal;
static uint32_t block_count, queue_depth, in_flight, appends_in_flight;
static int dir_fd = -1, data_fd = -1, wal_fd = -1;
static bool formatted, store_ready, wal_ready, wal_poisoned, fsync_in_flight, fsync_broken;
static bool out_of_budget;
static struct statx store_statx; /* the kernel writes it until the statx's callback */

static void pump(struct run *run);

static struct storage_op *sop_alloc(uint8_t kind) {
    for (uint32_t i = 0; i < SOPS_MAX; i++) {
        if (!sops[i].busy) {
            sops[i].busy = true;
            sops[i].kind = kind;
            in_flight += 1;
            return &sops[i];
        }
    }
    assert(false && "queue_depth <= QUEUE_MAX leaves room for the others");
    return NULL;
}

static void sop_free(struct storage_op *sop) {
    assert(sop->busy && in_flight > 0);
    sop->busy = false;
    in_flight -= 1;
}

static bool no_fault_at_all(void) {
    const struct ringer_sim_stats stats = ringer_sim_stats();
    for (uint32_t c = 0; c < RINGER_SIM_FAULT_CLASS_COUNT; c++) {
        if (stats.faults[c] != 0) return false;
    }
    return true;
}

/* A write's result under faithful: full, or an error or short count the kernel can give. */
static bool write_result_ok(struct run *run, int32_t result, uint32_t size, const char *what) {
    if (result == (int32_t)size) return true;
    if (!run->faithful) return false;
    if (result < 0 && !storage_error_expected(false, result)) {
        run_fail(run, "storage: %s returned %d", what, (int)result);
    } else if (result >= 0 && run_faults(RINGER_SIM_FAULT_ENOSPC) == 0 &&
               run_faults(RINGER_SIM_FAULT_SHORT) == 0) {
        run_fail(run, "storage: %s was short (%d of %u bytes) with no space fault", what,
                 (int)result, size);
    }
    return false;
}

static void on_block_write(struct run *run, void *context, struct ringer_completion *c,
                           int32_t result) {
    struct storage_op *sop = context;
    assert(c == &sop->c);
    struct block_model *block = &blocks[sop->index];
    block->busy = false;
    /* O_DSYNC: a completed full write is durable now. */
    if (write_result_ok(run, result, STORE_BLOCK_SIZE, "block write")) {
        if (sop->value > block->acked) block->acked = sop->value;
        block->maybe_torn = false; /* the whole block was rewritten */
    } else {
        block->maybe_torn = true;
    }
    sop_free(sop);
    pump(run);
}

static void on_block_read(struct run *run, void *context, struct ringer_completion *c,
                          int32_t result) {
    struct storage_op *sop = context;
    assert(c == &sop->c);
    blocks[sop->index].busy = false;
    if (run->faithful) {
        storage_verify_block(run, &blocks[sop->index], sop->index, sop->buffer, result, "a");
    }
    sop_free(sop);
    pump(run);
}

static void on_wal_append(struct run *run, void *context, struct ringer_completion *c,
                          int32_t result) {
    struct storage_op *sop = context;
    assert(c == &sop->c && appends_in_flight > 0);
    appends_in_flight -= 1;
    if (write_result_ok(run, result, RECORD_SIZE, "WAL append")) {
        wal.completed[sop->index] = true;
    } else {
        wal_poisoned = true; /* a hole: stop appending until the next recovery */
    }
    sop_free(sop);
    pump(run);
}

/* fsync -EIO may have dropped the dirty pages (fault-model.md §4, FSYNC_FAIL): nothing
 * unacknowledged may be trusted again in this life, and no later fsync may ack it. */
static void on_wal_fsync(struct run *run, void *context, struct ringer_completion *c,
                         int32_t result) {
    struct storage_op *sop = context;
    assert(c == &sop->c && fsync_in_flight);
    fsync_in_flight = false;
    if (result == 0) {
        if (sop->value > wal.acked) wal.acked = sop->value;
    } else {
        if (run->faithful && !storage_error_expected(false, result)) {
            run_fail(run, "storage: WAL fsync returned %d", (int)result);
        }
        fsync_broken = true;
        wal_poisoned = true;
    }
    sop_free(sop);
    pump(run);
}

static void on_dir_fsync(struct run *run, void *context, struct ringer_completion *c,
                         int32_t result) {
    struct storage_op *sop = context;
    assert(c == &sop->c);
    if (result == 0) wal_ready = true; /* the WAL's directory entry is durable */
    else if (run->faithful && !storage_error_expected(false, result)) {
        run_fail(run, "storage: fsync of /data returned %d", (int)result);
    }
    sop_free(sop);
    pump(run);
}

static void on_wal_open(struct run *run, void *context, struct ringer_completion *c,
                        int32_t result) {
    struct storage_op *sop = context;
    assert(c == &sop->c);
    sop_free(sop);
    if (result < 0) {
        if (no_fault_at_all()) run_fail(run, "storage: openat of the WAL returned %d", (int)result);
        return;
    }
    wal_fd = result;
    struct storage_op *sync = sop_alloc(SOP_DIR_FSYNC);
    if (!op_fsync(run, &sync->c, dir_fd, 0, sync, on_dir_fsync)) {
        sop_free(sync);
        out_of_budget = true;
    }
}

static bool start_block_op(struct run *run, bool write) {
    const uint32_t index = (uint32_t)prng_below(&run->rng, block_count);
    struct block_model *block = &blocks[index];
    if (block->busy) return true; /* try again on the next pump */
    struct storage_op *sop = sop_alloc(write ? SOP_BLOCK_WRITE : SOP_BLOCK_READ);
    sop->index = index;
    bool started;
    if (write) {
        sop->value = block->newest + 1;
        storage_fill_block(sop->buffer, run->config->seed, index, sop->value);
        started = op_write(run, &sop->c, data_fd, sop->buffer, STORE_BLOCK_SIZE,
                           (uint64_t)index * STORE_BLOCK_SIZE, sop, on_block_write);
        if (started) block->newest = sop->value;
    } else {
        memset(sop->buffer, 0xee, STORE_BLOCK_SIZE);
        started = op_read(run, &sop->c, data_fd, sop->buffer, STORE_BLOCK_SIZE,
                          (uint64_t)index * STORE_BLOCK_SIZE, sop, on_block_read);
    }
    if (!started) sop_free(sop);
    else block->busy = true;
    return started;
}

static bool start_append(struct run *run) {
    const uint32_t lsn = wal.next;
    struct storage_op *sop = sop_alloc(SOP_WAL_APPEND);
    sop->index = lsn;
    wal.epoch[lsn] = run->life;
    wal.completed[lsn] = false;
    storage_fill_record(sop->buffer, run->config->seed, lsn, run->life);
    if (!op_write(run, &sop->c, wal_fd, sop->buffer, RECORD_SIZE, (uint64_t)(lsn - 1) * RECORD_SIZE,
                  sop, on_wal_append)) {
        sop_free(sop);
        return false;
    }
    wal.next += 1;
    if (lsn > wal.written_max) wal.written_max = lsn;
    appends_in_flight += 1;
    return true;
}

/* An fsync acknowledges the records whose writes completed before it started, as far as
 * they form a prefix: recovery stops at the first hole. */
static bool start_fsync(struct run *run) {
    uint32_t covers = wal.acked;
    while (covers + 1 < wal.next && wal.completed[covers + 1]) covers += 1;
    struct storage_op *sop = sop_alloc(SOP_WAL_FSYNC);
    sop->value = covers;
    const uint32_t flags = prng_chance(&run->rng, 1, 2) ? IORING_FSYNC_DATASYNC : 0;
    if (!op_fsync(run, &sop->c, wal_fd, flags, sop, on_wal_fsync)) {
        sop_free(sop);
        return false;
    }
    fsync_in_flight = true;
    return true;
}

static bool wal_can_append(void) {
    return wal_ready && !wal_poisoned && wal.next <= RECORDS_MAX && appends_in_flight < APPENDS_MAX;
}

static bool wal_can_commit(void) {
    return wal_ready && !fsync_in_flight && !fsync_broken && wal.acked < RECORDS_MAX &&
           wal.completed[wal.acked + 1];
}

/* Whether pump could start anything at all: otherwise, with nothing in flight, done. */
static bool can_work(void) {
    return store_ready || wal_can_append() || wal_can_commit();
}

/* Keeps up to queue_depth ops in flight, in a random mix. */
static void pump(struct run *run) {
    for (uint32_t tries = 0; tries < 8; tries++) {
        if (run->failed || out_of_budget || run->cancel_all_started) return;
        if (in_flight >= queue_depth) return;
        const uint32_t choice = (uint32_t)prng_below(&run->rng, 100);
        bool started = true;
        if (choice < 40 && store_ready) started = start_block_op(run, true);
        else if (choice < 65 && store_ready) started = start_block_op(run, false);
        else if (choice < 90 && wal_can_append()) started = start_append(run);
        else if (choice >= 90 && wal_can_commit()) { /* a commit only when there is one */
            started = start_fsync(run);
        }
        if (!started) out_of_budget = true;
    }
}

static void verify_store(struct run *run, const char *when) {
    static uint8_t block[STORE_BLOCK_SIZE] __attribute__((aligned(4096)));
    for (uint32_t i = 0; i < block_count && !run->failed; i++) {
        memset(block, 0xee, sizeof(block));
        ssize_t n = pread(data_fd, block, sizeof(block), (off_t)i * STORE_BLOCK_SIZE);
        storage_verify_block(run, &blocks[i], i, block, n < 0 ? -errno : (int32_t)n, when);
    }
}

/* Reads the log back after a crash: acknowledged records must be intact; the recoverable
 * prefix becomes the new durable log, and appends continue after it. */
static void recover_wal(struct run *run) {
    int fd = open("/data/wal", O_RDONLY | O_CLOEXEC); /* the sim's */
    if (fd < 0) {
        if (errno == ENOENT && wal.acked > 0) {
            run_fail(run,
                     "storage: the WAL file vanished in the crash, but %u records were "
                     "acknowledged",
                     wal.acked);
        }
        memset(&wal, 0, sizeof(wal));
        wal.next = 1;
        return;
    }
    static uint8_t record[RECORD_SIZE];
    uint32_t prefix = 0;
    for (uint32_t lsn = 1; lsn <= wal.written_max && !run->failed; lsn++) {
        ssize_t n = pread(fd, record, sizeof(record), (off_t)(lsn - 1) * RECORD_SIZE);
        const bool valid =
            storage_verify_record(run, &wal, lsn, record, n < 0 ? -errno : (int32_t)n);
        if (valid && prefix == lsn - 1) {
            prefix = lsn;
            memcpy(&wal.epoch[lsn], record + 12, sizeof(uint32_t)); /* header.version */
        }
        if (!valid && lsn > wal.acked) break;
    }
    (void)close(fd);
    for (uint32_t lsn = 1; lsn <= RECORDS_MAX; lsn++) wal.completed[lsn] = lsn <= prefix;
    wal.acked = prefix; /* after a crash, what recovery read back is what is on disk */
    wal.next = prefix + 1;
}

/* The data file's size must survive every crash: open_data_file fsyncs after allocating. */
static void on_store_statx(struct run *run, void *context, struct ringer_completion *c,
                           int32_t result) {
    struct storage_op *sop = context;
    assert(c == &sop->c && sop->kind == SOP_STATX);
    const uint64_t size = (uint64_t)block_count * STORE_BLOCK_SIZE;
    if (result == 0 && (store_statx.stx_mask & STATX_SIZE) && store_statx.stx_size < size) {
        run_fail(run, "storage: statx gives the data file %llu bytes, formatted with %llu",
                 (unsigned long long)store_statx.stx_size, (unsigned long long)size);
    } else if (result < 0 && run->faithful && !run_errno_explained(result, false)) {
        run_fail(run, "storage: statx of the data file returned %d", (int)result);
    }
    sop_free(sop);
    pump(run);
}

static void start_statx(struct run *run) {
    struct storage_op *sop = sop_alloc(SOP_STATX);
    memset(&store_statx, 0, sizeof(store_statx));
    if (!op_statx(run, &sop->c, dir_fd, "store", STATX_SIZE, &store_statx, sop, on_store_statx)) {
        sop_free(sop);
        out_of_budget = true;
    }
}

static void open_store(struct run *run) {
    const uint64_t size = (uint64_t)block_count * STORE_BLOCK_SIZE;
    const enum ringer_data_file_purpose purpose =
        run->life == 0 ? RINGER_DATA_FILE_FORMAT : RINGER_DATA_FILE_OPEN;
    if (run->life > 0 && !formatted) return;
    int rc = ringer_open_data_file(run->io, dir_fd, "store", size, purpose,
                                   RINGER_DIRECT_IO_OPTIONAL, &data_fd);
    if (rc == 0) {
        formatted = true;
        store_ready = true;
        if (run->life > 0) verify_store(run, "after the crash,");
        return;
    }
    data_fd = -1;
    if (run->life > 0 && (rc == -ENOENT || rc == -EFBIG)) {
        run_fail(
            run,
            "storage: after the crash, opening the formatted data file gave %d: "
            "%s",
            rc, rc == -ENOENT ? "its directory entry was not durable" : "its size was not durable");
    } else if (no_fault_at_all()) {
        run_fail(run, "storage: ringer_open_data_file returned %d with no fault injected", rc);
    }
}

static void storage_begin(struct run *run) {
    if (run->life == 0) {
        block_count = 4 + (uint32_t)prng_below(&run->rng, BLOCKS_MAX - 3);
        queue_depth = 1 + (uint32_t)prng_below(&run->rng, QUEUE_MAX);
        memset(blocks, 0, sizeof(blocks));
        memset(&wal, 0, sizeof(wal));
        wal.next = 1;
        formatted = false;
        out_of_budget = false;
    }
    store_ready = wal_ready = wal_poisoned = fsync_in_flight = fsync_broken = false;
    in_flight = appends_in_flight = 0;
    memset(sops, 0, sizeof(sops));
    dir_fd = ringer_open_dir("/data");
    if (dir_fd < 0) {
        run_fail(run, "storage: ringer_open_dir(/data) returned %d", dir_fd);
        return;
    }
    open_store(run);
    if (run->life > 0) recover_wal(run);
    if (run->failed) return;
    struct storage_op *sop = sop_alloc(SOP_WAL_OPEN);
    if (!op_openat(run, &sop->c, dir_fd, "wal", O_CREAT | O_RDWR, 0600, sop, on_wal_open)) {
        sop_free(sop);
        out_of_budget = true;
    }
    if (store_ready && !out_of_budget) start_statx(run);
    pump(run);
}

/* A write cut short by a crash or by cancel_all may have been partly applied (a short
 * write for want of space, an interrupted worker): its block may fail its checksum. */
static void writes_cut(void) {
    for (uint32_t i = 0; i < SOPS_MAX; i++) {
        if (sops[i].busy && sops[i].kind == SOP_BLOCK_WRITE) {
            assert(sops[i].index < block_count);
            blocks[sops[i].index].maybe_torn = true;
        }
    }
}

static void storage_crashed(struct run *run) {
    (void)run;
    dir_fd = data_fd = wal_fd = -1; /* the crash closed them */
    writes_cut();
    for (uint32_t i = 0; i < BLOCKS_MAX; i++) blocks[i].busy = false;
    in_flight = appends_in_flight = 0;
}

/* Every op's callback pumps; when none is in flight (all choices were unavailable last
 * time), the driver's poll does. */
static void storage_poll(struct run *run) {
    if (in_flight == 0 && !out_of_budget) pump(run);
}

static bool storage_done(const struct run *run) {
    (void)run;
    return in_flight == 0 && (out_of_budget || !can_work());
}

static void close_fd(int *fd) {
    if (*fd >= 0) (void)close(*fd); /* the sim's */
    *fd = -1;
}

/* The final read-back: the same verdicts as after a crash, on a quiescent loop (or after
 * cancel_all, whose dropped writes are still only "maybe" on disk). */
static void storage_finish(struct run *run) {
    if (run->cancel_all_started) writes_cut();
    if (store_ready) verify_store(run, "at the end,");
    static uint8_t record[RECORD_SIZE];
    for (uint32_t lsn = 1; lsn <= wal.acked && wal_fd >= 0 && !run->failed; lsn++) {
        ssize_t n = pread(wal_fd, record, sizeof(record), (off_t)(lsn - 1) * RECORD_SIZE);
        (void)storage_verify_record(run, &wal, lsn, record, n < 0 ? -errno : (int32_t)n);
    }
    close_fd(&data_fd);
    close_fd(&wal_fd);
    close_fd(&dir_fd);
}

const struct workload workload_storage = {
    .name = "storage",
    .begin = storage_begin,
    .crashed = storage_crashed,
    .poll = storage_poll,
    .done = storage_done,
    .finish = storage_finish,
};
