/* Shared helpers of ringer-bench: clocks, CPU time, ring setup, file setup, output. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

uint64_t bench_now_ns(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
}

/* User plus system CPU time of this process so far. */
uint64_t bench_cpu_ns(void) {
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    uint64_t us = (uint64_t)usage.ru_utime.tv_sec * 1000000u + (uint64_t)usage.ru_utime.tv_usec +
                  (uint64_t)usage.ru_stime.tv_sec * 1000000u + (uint64_t)usage.ru_stime.tv_usec;
    return us * 1000u;
}

void bench_print_result(const struct bench_result *result) {
    printf("result ops=%llu seconds=%.6f syscalls=%lld cpu_ns=%llu\n",
           (unsigned long long)result->ops, result->seconds, (long long)result->syscalls,
           (unsigned long long)result->cpu_ns);
    fflush(stdout);
}

_Noreturn void bench_die(const char *what, int error) {
    fprintf(stderr, "ringer-bench: %s: %s\n", what, strerror(error < 0 ? -error : error));
    exit(1);
}

/* Room for every op in flight plus ringer's internal deadline timeout, as a power of two. */
uint32_t bench_ring_entries(uint32_t depth) {
    uint32_t entries = 1;
    while (entries < depth + 1) entries *= 2;
    return entries;
}

/* The baselines set up their ring exactly as ringer_init does: fast flags, then fallbacks. */
int bench_ring_init(struct io_uring *ring, uint32_t entries) {
    const uint32_t attempts[] = {BENCH_FAST_FLAGS, BENCH_COOP_FLAGS, 0};
    int rc = -EINVAL;
    for (size_t i = 0; i < sizeof(attempts) / sizeof(attempts[0]) && rc == -EINVAL; i++) {
        struct io_uring_params params;
        memset(&params, 0, sizeof(params));
        params.flags = attempts[i];
        rc = io_uring_queue_init_params(entries, ring, &params);
    }
    return rc;
}

/* xorshift64*: cheap, and the same sequence for ringer and the baseline. */
uint64_t bench_random(uint64_t *state) {
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 0x2545F4914F6CDD1Dull;
}

void *bench_aligned_buffers(uint32_t count) {
    void *buffers = NULL;
    int rc = posix_memalign(&buffers, BENCH_BLOCK_SIZE, (size_t)count * BENCH_BLOCK_SIZE);
    if (rc != 0) bench_die("posix_memalign", rc);
    memset(buffers, 0x5a, (size_t)count * BENCH_BLOCK_SIZE);
    return buffers;
}

/* Opens the workload's file; -1 and no blocks for NOP. */
int bench_open_file(const struct bench_storage_options *options, uint64_t *blocks) {
    *blocks = 0;
    if (options->workload == BENCH_NOP) return -1;
    const char *path = options->path;
    int flags = (options->workload == BENCH_WRITE ? O_RDWR : O_RDONLY) | O_CLOEXEC;
    if (options->direct) flags |= O_DIRECT;
    int fd = open(path, flags);
    if (fd < 0) bench_die(path, errno);
    struct stat st;
    if (fstat(fd, &st) != 0) bench_die("fstat", errno);
    *blocks = (uint64_t)st.st_size / BENCH_BLOCK_SIZE;
    if (*blocks == 0) bench_die("the file is smaller than one block", EINVAL);
    return fd;
}
