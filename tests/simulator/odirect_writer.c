/*
 * A correct O_DIRECT writer, for the hostile profile (tests/simulator/programs.sh runs it
 * under ringer-sim --exec --profile hostile): 32 aligned writes of 16 KiB that go on after a
 * short write and retry a failed one, then an fsync, then the file must hold exactly what
 * was written (unless a write was misdirected: one copy of the data cannot survive that).
 * A short O_DIRECT write must be a whole number of logical blocks, and -EINVAL may only
 * come from an injected ERRNO fault: the hostile SHORT fault used to cut a direct transfer
 * anywhere, and the sim then refused the unaligned rest with a false -EINVAL.
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <ringer.h>
#include <ringer_sim.h>

#define CHUNK   16384u
#define CHUNKS  32u
#define RETRIES 64u

static struct ringer_io io;
static struct ringer_completion completion;
static int32_t last_result;
static int done;
static _Alignas(4096) unsigned char data[CHUNK * CHUNKS];
static unsigned char check[CHUNK * CHUNKS];

static void on_done(void *context, struct ringer_completion *c, int32_t result) {
    (void)context;
    (void)c;
    last_result = result;
    done = 1;
}

static int32_t wait_for_it(void) {
    done = 0;
    while (!done) ringer_run_for_ns(&io, 1000000);
    return last_result;
}

static uint64_t errno_faults(void) {
    return ringer_sim_stats().faults[RINGER_SIM_FAULT_ERRNO];
}

/* Writes one chunk whole; 0, or 1 after saying what went wrong. */
static int write_chunk(int fd, uint32_t chunk, int direct, uint32_t *shorts) {
    uint32_t written = 0, tries = 0;
    while (written < CHUNK) {
        uint64_t errno_before = errno_faults();
        uint64_t at = (uint64_t)chunk * CHUNK + written;
        ringer_write(&io, &completion, fd, data + at, CHUNK - written, at, NULL, on_done);
        int32_t n = wait_for_it();
        if (n == -EINVAL && errno_faults() == errno_before) {
            fprintf(stderr, "odirect_writer: a false -EINVAL at %llu (no ERRNO fault)\n",
                    (unsigned long long)at);
            return 1;
        }
        if (n <= 0 && ++tries < RETRIES) continue; /* an injected error: try again */
        if (n <= 0) return fprintf(stderr, "odirect_writer: write: %d\n", n), 1;
        if (n < (int32_t)(CHUNK - written)) *shorts += 1;
        if (direct && n % 512 != 0) {
            fprintf(stderr, "odirect_writer: a short O_DIRECT write of %d bytes\n", n);
            return 1;
        }
        written += (uint32_t)n;
    }
    return 0;
}

int main(void) {
    for (uint32_t i = 0; i < sizeof data; i++) data[i] = (unsigned char)(i * 131u + i / 4096u);
    if (ringer_init(&io, 16, 0) != 0) return 2;
    int direct = 1;
    int fd = open("/data/direct.bin", O_CREAT | O_RDWR | O_DIRECT | O_CLOEXEC, 0600);
    if (fd < 0 && errno == EINVAL) { /* this /data has no O_DIRECT: buffered, still correct */
        direct = 0;
        fd = open("/data/direct.bin", O_CREAT | O_RDWR | O_CLOEXEC, 0600);
    }
    if (fd < 0) return fprintf(stderr, "odirect_writer: open: %s\n", strerror(errno)), 1;
    uint32_t shorts = 0;
    for (uint32_t chunk = 0; chunk < CHUNKS; chunk++) {
        if (write_chunk(fd, chunk, direct, &shorts) != 0) return 1;
    }
    int32_t synced = -1;
    for (uint32_t tries = 0; synced != 0 && tries < RETRIES; tries++) {
        ringer_fsync(&io, &completion, fd, 0, NULL, on_done);
        synced = wait_for_it();
    }
    if (synced != 0) return fprintf(stderr, "odirect_writer: fsync: %d\n", synced), 1;
    bool misdirected = ringer_sim_stats().faults[RINGER_SIM_FAULT_MISDIRECT] > 0;
    if (!misdirected && (ringer_sim_read_file("/data/direct.bin", check, sizeof check, 0) !=
                             (int64_t)sizeof check ||
                         memcmp(check, data, sizeof data) != 0))
        return fprintf(stderr, "odirect_writer: the file differs from what was written\n"), 1;
    close(fd);
    ringer_deinit(&io);
    printf("odirect_writer: %s, %u short writes, all whole blocks; %s\n",
           direct ? "O_DIRECT" : "buffered", shorts,
           misdirected ? "a write was misdirected: contents not judged" : "contents exact");
    return 0;
}
