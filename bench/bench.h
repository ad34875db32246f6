/*
 * ringer-bench: one measurement per process run. Each subcommand runs one implementation
 * (ringer, or a minimal program written directly on liburing) of one workload for a fixed
 * time and prints one line:
 *
 *   result ops=N seconds=S syscalls=K cpu_ns=C
 *
 * syscalls counts io_uring_enter calls (ringer_stats().syscalls for ringer, the baseline's
 * own count of the liburing calls that enter); cpu_ns is user+system CPU from getrusage.
 * bench/run.sh runs these back to back, several times, and prints medians and ratios.
 */
#ifndef RINGER_BENCH_H
#define RINGER_BENCH_H

#include <stdbool.h>
#include <stdint.h>

#include <liburing.h>

#define BENCH_BLOCK_SIZE 4096u
#define BENCH_QD_MAX     1024u

/* The ring flags ringer_init tries first, then its fallbacks: baselines use the same. */
#define BENCH_FAST_FLAGS                                                                  \
    (IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG | IORING_SETUP_SINGLE_ISSUER | \
     IORING_SETUP_DEFER_TASKRUN)
#define BENCH_COOP_FLAGS (IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG)

enum bench_workload {
    BENCH_NOP,   /* IORING_OP_NOP: the loop's own cost */
    BENCH_READ,  /* 4 KiB random reads */
    BENCH_WRITE, /* 4 KiB random writes */
};

struct bench_storage_options {
    enum bench_workload workload;
    const char *path; /* the file; NULL for NOP */
    bool direct;      /* O_DIRECT */
    uint32_t depth;   /* operations in flight */
    double seconds;
};

struct bench_result {
    uint64_t ops;
    double seconds;
    int64_t syscalls; /* -1: not known */
    uint64_t cpu_ns;
};

/* common.c */
uint64_t bench_now_ns(void);
uint64_t bench_cpu_ns(void);
void bench_print_result(const struct bench_result *result);
_Noreturn void bench_die(const char *what, int error);
int bench_ring_init(struct io_uring *ring, uint32_t entries);
uint32_t bench_ring_entries(uint32_t depth);
uint64_t bench_random(uint64_t *state);
void *bench_aligned_buffers(uint32_t count);
int bench_open_file(const struct bench_storage_options *options, uint64_t *blocks);

/* storage.c */
int bench_storage_ringer(const struct bench_storage_options *options);
int bench_storage_raw(const struct bench_storage_options *options);

/* echo.c */
int bench_echo_server_ringer(void);
int bench_echo_server_raw(void);
int bench_echo_client(int port, uint32_t connections, uint32_t message_size, double seconds);

#endif /* RINGER_BENCH_H */
