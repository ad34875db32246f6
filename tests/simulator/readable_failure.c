/*
 * A user's program with a bug, for the test that its failure report reads without the
 * sim's source (tests/simulator/programs.sh compares it with readable_failure.expected):
 * it closes its file and then reads from the closed fd, gets -EBADF, and gives up.
 * Built against the sim, run by ringer-sim --exec: the world comes from the environment.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <ringer.h>
#include <ringer_sim.h>

static struct ringer_io io;
static struct ringer_completion completion;
static int32_t last_result;
static int done;

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

int main(void) {
    static char block[512];
    memset(block, 'k', sizeof block);
    if (ringer_init(&io, 8, 0) != 0) return 2;
    int fd = open("/data/journal", O_CREAT | O_RDWR | O_CLOEXEC, 0600);
    ringer_sim_log("journal opened as fd %d", fd);
    ringer_write(&io, &completion, fd, block, sizeof block, 0, NULL, on_done);
    if (wait_for_it() != (int32_t)sizeof block) return 2;
    close(fd); /* the bug: the journal is closed too early */
    ringer_read(&io, &completion, fd, block, sizeof block, 0, NULL, on_done);
    int32_t n = wait_for_it();
    if (n < 0) {
        fprintf(stderr, "journal check: read failed: %s\n", strerror(-n));
        return 1;
    }
    ringer_deinit(&io);
    return 0;
}
