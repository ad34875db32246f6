/*
 * ringer-bench-sim SECONDS: the sim row. ringer, compiled against the simulated kernel,
 * does 4 KiB I/O on a simulated disk (O_DIRECT on the /data mount, so every read and write
 * pays the sim's storage latency: 20 us in the faithful default), half reads and half
 * writes at random offsets, in two phases of SECONDS/2 of real time each:
 *
 *   saturated: QD32 kept full. Measures simulated I/Os per second of real time on one
 *              core, the sim's raw speed; virtual time passes about as fast as real time.
 *   ticking:   a server-like loop: a 10 ms timer, then a burst of 8 I/Os, then the next
 *              timer. Measures virtual seconds per real second: the speed-up a test on the
 *              sim gets over running the same program on a real machine.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <ringer.h>
#include <ringer_sim.h>

#define QD          32u
#define BLOCK       4096u
#define FILE_BLOCKS 4096u /* 16 MiB */

struct job {
    struct ringer_completion completion;
    uint8_t *buffer;
};

static struct ringer_io io;
static struct job jobs[QD];
static int fd;
static uint64_t random_state = 0x9e3779b97f4a7c15ull;
static uint64_t completed;
static int32_t first_error;
static unsigned in_flight;
static int stopping;
/* The ticking phase. */
#define TICK_NS 10000000u
#define BURST   8u
static int ticking;
static unsigned burst_left;
static uint64_t ticks;
static struct ringer_completion tick_completion;

/* The host's clock. In this file clock_gettime(...) is a macro for the simulated clock;
 * the parentheses around the name stop the macro and call the real libc function. */
static uint64_t real_now_ns(void) {
    struct timespec now;
    (clock_gettime)(CLOCK_MONOTONIC, &now);
    return (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
}

static uint64_t next_random(void) {
    uint64_t x = random_state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    random_state = x;
    return x * 0x2545F4914F6CDD1Dull;
}

static void on_done(void *context, struct ringer_completion *completion, int32_t result);
static void on_tick(void *context, struct ringer_completion *completion, int32_t result);

static void start(struct job *job) {
    uint64_t r = next_random();
    uint64_t offset = (r % FILE_BLOCKS) * BLOCK;
    in_flight += 1;
    if (r >> 63) ringer_write(&io, &job->completion, fd, job->buffer, BLOCK, offset, job, on_done);
    else ringer_read(&io, &job->completion, fd, job->buffer, BLOCK, offset, job, on_done);
}

static void on_done(void *context, struct ringer_completion *completion, int32_t result) {
    (void)completion;
    in_flight -= 1;
    if (result != (int32_t)BLOCK) {
        if (first_error == 0) first_error = result < 0 ? result : -EIO;
        stopping = 1;
        return;
    }
    completed += 1;
    if (stopping) return;
    if (!ticking) {
        start(context);
    } else if (--burst_left == 0) {
        ringer_timeout(&io, &tick_completion, TICK_NS, NULL, on_tick);
    }
}

static void on_tick(void *context, struct ringer_completion *completion, int32_t result) {
    (void)context;
    (void)completion;
    (void)result;
    ticks += 1;
    if (stopping) return;
    burst_left = BURST;
    for (unsigned i = 0; i < BURST; i++) start(&jobs[i]);
}

/* Creates the simulated data file, written in full so that reads find data. */
static int create_file(uint8_t *buffer) {
    fd = open("/data/bench", O_CREAT | O_RDWR | O_DIRECT | O_CLOEXEC, 0600);
    if (fd < 0) return -errno;
    for (uint64_t block = 0; block < FILE_BLOCKS; block++) {
        if (pwrite(fd, buffer, BLOCK, (off_t)(block * BLOCK)) != (ssize_t)BLOCK) return -EIO;
    }
    return 0;
}

/* Runs the loop for `seconds` of real time, then lets what is in flight finish. */
static int run_phase(const char *label, double seconds) {
    uint64_t ops_start = completed, real_start = real_now_ns();
    uint64_t virtual_start = ringer_sim_now_ns();
    uint64_t real_end = real_start + (uint64_t)(seconds * 1e9), real_now = real_start;
    int rc = 0;
    stopping = 0;
    if (ticking) {
        ringer_timeout(&io, &tick_completion, TICK_NS, NULL, on_tick);
    } else {
        for (unsigned i = 0; i < QD; i++) start(&jobs[i]);
    }
    while (rc == 0 && real_now < real_end && first_error == 0) {
        rc = ringer_run_for_ns(&io, TICK_NS); /* 10 ms of virtual time per call */
        real_now = real_now_ns();
    }
    uint64_t ops = completed - ops_start, virtual_ns = ringer_sim_now_ns() - virtual_start;
    double real_s = (double)(real_now - real_start) / 1e9;
    stopping = 1;
    while (rc == 0 && (in_flight > 0 || tick_completion.state != RINGER_IDLE)) {
        rc = ringer_run_for_ns(&io, TICK_NS);
    }
    if (rc < 0 || first_error < 0) return rc < 0 ? rc : first_error;
    printf("%-18s ringer %10.0f simulated I/Os per real second (1 core)  virtual/real %8.1fx  "
           "(%" PRIu64 " I/Os, %.3f s real, %.3f s virtual)\n",
           label, (double)ops / real_s, (double)virtual_ns / 1e9 / real_s, ops, real_s,
           (double)virtual_ns / 1e9);
    return 0;
}

int main(int argc, char **argv) {
    double seconds = argc > 1 ? strtod(argv[1], NULL) : 1.0;
    if (!(seconds > 0 && seconds <= 600)) {
        fprintf(stderr, "usage: ringer-bench-sim SECONDS\n");
        return 2;
    }
    struct ringer_sim_options options;
    memset(&options, 0, sizeof(options)); /* faithful kernel, default latency model */
    options.seed = 1;
    options.quiet = true;
    static uint8_t buffers[QD][BLOCK] __attribute__((aligned(4096)));
    int rc = ringer_sim_init(&options);
    if (rc == 0) rc = create_file(buffers[0]);
    if (rc == 0) rc = ringer_init(&io, 64, 0);
    for (unsigned i = 0; i < QD; i++) jobs[i].buffer = buffers[i];
    if (rc == 0) rc = run_phase("sim saturated QD32", seconds / 2);
    if (rc == 0) printf("%-18s target: >= 2 M/s\n", "sim saturated QD32");
    ticking = 1;
    if (rc == 0) rc = run_phase("sim ticking 10ms", seconds / 2);
    if (rc == 0) printf("%-18s target: >= 1000x\n", "sim ticking 10ms");
    if (rc < 0) {
        fprintf(stderr, "ringer-bench-sim: %s\n", strerror(-rc));
        return 1;
    }
    ringer_deinit(&io);
    close(fd);
    ringer_sim_deinit();
    return 0;
}
