/*
 * The storage rows (nop, read-cache, read-tmpfs, write-tmpfs, direct): `depth` operations
 * kept in flight for a fixed time, through ringer and through a minimal liburing loop that
 * does the same work the way a careful C programmer would write it by hand.
 *
 * Both run the same shape of loop: submit everything prepared and wait for at least one
 * completion in one io_uring_enter, reap every ready completion, start one new operation
 * per completion. ringer does this inside ringer_run_for_ns.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <ringer.h>

#include "bench.h"

struct storage_job;

struct storage_bench {
    const struct bench_storage_options *options;
    int fd;
    uint64_t blocks;
    uint64_t random_state;
    uint8_t *buffers;
    bool stopping;
    uint64_t completed;
    uint32_t in_flight;
    int32_t error;
};

/* A random block-aligned offset in the file. */
static uint64_t next_offset(struct storage_bench *bench) {
    return (bench_random(&bench->random_state) % bench->blocks) * BENCH_BLOCK_SIZE;
}

/* What a successful operation returns: 0 for a NOP, the whole block otherwise. */
static uint32_t op_size(const struct storage_bench *bench) {
    return bench->options->workload == BENCH_NOP ? 0 : BENCH_BLOCK_SIZE;
}

static void bench_setup(struct storage_bench *bench, const struct bench_storage_options *options) {
    bench->options = options;
    bench->fd = bench_open_file(options, &bench->blocks);
    bench->random_state = 0x9e3779b97f4a7c15ull;
    bench->buffers = bench_aligned_buffers(options->depth);
}

/* ---- ringer ---- */

struct ringer_storage {
    struct ringer_io io;
    struct storage_bench bench;
    struct ringer_completion completions[BENCH_QD_MAX];
};

static void on_ringer_done(void *context, struct ringer_completion *completion, int32_t result);

static void ringer_start(struct ringer_storage *run, uint32_t index) {
    struct storage_bench *bench = &run->bench;
    uint8_t *buffer = bench->buffers + (size_t)index * BENCH_BLOCK_SIZE;
    struct ringer_completion *completion = &run->completions[index];
    bench->in_flight += 1;
    switch (bench->options->workload) {
    case BENCH_NOP:
        ringer_nop(&run->io, completion, run, on_ringer_done);
        break;
    case BENCH_WRITE:
        ringer_write(&run->io, completion, bench->fd, buffer, BENCH_BLOCK_SIZE, next_offset(bench),
                     run, on_ringer_done);
        break;
    case BENCH_READ:
        ringer_read(&run->io, completion, bench->fd, buffer, BENCH_BLOCK_SIZE, next_offset(bench),
                    run, on_ringer_done);
        break;
    }
}

static void on_ringer_done(void *context, struct ringer_completion *completion, int32_t result) {
    struct ringer_storage *run = context;
    struct storage_bench *bench = &run->bench;
    bench->in_flight -= 1;
    if (result < 0 || (uint32_t)result != op_size(bench)) {
        if (bench->error == 0) bench->error = result < 0 ? result : -EIO;
        bench->stopping = true;
        return;
    }
    bench->completed += 1;
    if (!bench->stopping) ringer_start(run, (uint32_t)(completion - run->completions));
}

int bench_storage_ringer(const struct bench_storage_options *options) {
    static struct ringer_storage run; /* static: zeroed completions, and off the stack */
    bench_setup(&run.bench, options);
    int rc = ringer_init(&run.io, bench_ring_entries(options->depth), 0);
    if (rc < 0) bench_die("ringer_init", rc);
    uint64_t cpu_start = bench_cpu_ns();
    uint64_t start = bench_now_ns();
    for (uint32_t i = 0; i < options->depth; i++) ringer_start(&run, i);
    rc = ringer_run_for_ns(&run.io, (uint64_t)(options->seconds * 1e9));
    if (rc < 0) bench_die("ringer_run_for_ns", rc);
    struct bench_result result = {
        .ops = run.bench.completed,
        .seconds = (double)(bench_now_ns() - start) / 1e9,
        .syscalls = (int64_t)ringer_stats(&run.io).syscalls,
        .cpu_ns = bench_cpu_ns() - cpu_start,
    };
    run.bench.stopping = true; /* let what is in flight come back, then tear down */
    while (rc >= 0 && run.bench.in_flight > 0) rc = ringer_run_for_ns(&run.io, 1000000);
    if (run.bench.error < 0) bench_die("an operation failed", run.bench.error);
    ringer_deinit(&run.io);
    bench_print_result(&result);
    return 0;
}

/* ---- raw liburing ---- */

static void raw_prep(struct io_uring *ring, struct storage_bench *bench, uint32_t index) {
    struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
    if (sqe == NULL) bench_die("io_uring_get_sqe", EBUSY); /* the ring has room for all */
    uint8_t *buffer = bench->buffers + (size_t)index * BENCH_BLOCK_SIZE;
    switch (bench->options->workload) {
    case BENCH_NOP:
        io_uring_prep_nop(sqe);
        break;
    case BENCH_WRITE:
        io_uring_prep_write(sqe, bench->fd, buffer, BENCH_BLOCK_SIZE, next_offset(bench));
        break;
    case BENCH_READ:
        io_uring_prep_read(sqe, bench->fd, buffer, BENCH_BLOCK_SIZE, next_offset(bench));
        break;
    }
    io_uring_sqe_set_data64(sqe, index);
    bench->in_flight += 1;
}

/* Reaps every ready CQE; starts a new op per CQE unless stopping. */
static void raw_reap(struct io_uring *ring, struct storage_bench *bench) {
    struct io_uring_cqe *cqes[256];
    unsigned count;
    do {
        count = io_uring_peek_batch_cqe(ring, cqes, 256);
        for (unsigned i = 0; i < count; i++) {
            int32_t res = cqes[i]->res;
            uint32_t index = (uint32_t)io_uring_cqe_get_data64(cqes[i]);
            bench->in_flight -= 1;
            if (res < 0 || (uint32_t)res != op_size(bench)) {
                bench_die("an operation failed", res < 0 ? res : EIO);
            }
            bench->completed += 1;
            if (!bench->stopping) raw_prep(ring, bench, index);
        }
        io_uring_cq_advance(ring, count);
    } while (count == 256);
}

int bench_storage_raw(const struct bench_storage_options *options) {
    static struct storage_bench bench;
    static struct io_uring ring;
    bench_setup(&bench, options);
    int rc = bench_ring_init(&ring, bench_ring_entries(options->depth));
    if (rc < 0) bench_die("io_uring_queue_init_params", rc);
    uint64_t enters = 0;
    uint64_t cpu_start = bench_cpu_ns();
    uint64_t start = bench_now_ns();
    uint64_t end = start + (uint64_t)(options->seconds * 1e9);
    for (uint32_t i = 0; i < options->depth; i++) raw_prep(&ring, &bench, i);
    uint64_t now = start;
    while (now < end) {
        enters += 1;
        rc = io_uring_submit_and_wait(&ring, 1);
        if (rc < 0 && rc != -EINTR) bench_die("io_uring_submit_and_wait", rc);
        raw_reap(&ring, &bench);
        now = bench_now_ns();
    }
    struct bench_result result = {
        .ops = bench.completed,
        .seconds = (double)(now - start) / 1e9,
        .syscalls = (int64_t)enters,
        .cpu_ns = bench_cpu_ns() - cpu_start,
    };
    bench.stopping = true;
    while (bench.in_flight > 0) {
        rc = io_uring_submit_and_wait(&ring, 1);
        if (rc < 0 && rc != -EINTR) bench_die("io_uring_submit_and_wait", rc);
        raw_reap(&ring, &bench);
    }
    io_uring_queue_exit(&ring);
    bench_print_result(&result);
    return 0;
}
