/*
 * A throughput probe of the simulated kernel alone (not a test): 4 KiB O_DIRECT reads and
 * writes at queue depth 32 through its liburing API, reporting simulated I/Os per second of
 * real time and the ratio of virtual to real time.
 *   make sim-perf && build/<V>/simtests/perf_storage [batches]
 */
#include <liburing.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ringer_sim.h"

static _Alignas(4096) char buffers[32][4096];

static double host_seconds(void) {
    struct timespec ts; /* the host's clock: clock_gettime is the sim's here */
    syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    long batches = argc > 1 ? atol(argv[1]) : 50000;
    struct ringer_sim_options o;
    memset(&o, 0, sizeof o);
    o.seed = 1;
    o.quiet = true;
    ringer_sim_init(&o);
    struct io_uring ring;
    io_uring_queue_init(32, &ring, 0);
    int fd = open("/data/perf", O_RDWR | O_CREAT, 0600);
    for (int i = 0; i < 256; i++) (void)pwrite(fd, buffers[0], 4096, (off_t)i * 4096);
    close(fd);
    fd = open("/data/perf", O_RDWR | O_DIRECT);
    double start = host_seconds();
    long ops = 0;
    for (long b = 0; b < batches; b++) {
        for (int k = 0; k < 32; k++) {
            struct io_uring_sqe *s = io_uring_get_sqe(&ring);
            uint64_t off = (uint64_t)((b * 32 + k) % 256) * 4096;
            if (k & 1) io_uring_prep_write(s, fd, buffers[k], 4096, off);
            else io_uring_prep_read(s, fd, buffers[k], 4096, off);
            io_uring_sqe_set_data64(s, (uint64_t)k);
        }
        io_uring_submit_and_wait(&ring, 32);
        struct io_uring_cqe *cqes[32];
        unsigned n;
        while ((n = io_uring_peek_batch_cqe(&ring, cqes, 32)) > 0) {
            ops += n;
            io_uring_cq_advance(&ring, n);
        }
    }
    double real = host_seconds() - start;
    double virtual_s = (double)ringer_sim_now_ns() / 1e9;
    printf("%ld simulated 4 KiB I/Os in %.3f s: %.2f M/s; virtual %.3f s (virtual/real %.1f)\n",
           ops, real, (double)ops / real / 1e6, virtual_s, virtual_s / real);
    close(fd);
    io_uring_queue_exit(&ring);
    ringer_sim_deinit();
    return 0;
}
