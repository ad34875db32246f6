/* A program outside the tree: #include <ringer.h>, link with pkg-config, and run a
 * read/write/timeout/cancel_all round trip. Exits 0 on success, 1 with a message otherwise. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ringer.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int calls;
static int32_t last_result;

static void on_done(void *context, struct ringer_completion *completion, int32_t result) {
    (void)context;
    (void)completion;
    calls++;
    last_result = result;
}

static int32_t wait_for(struct ringer_io *io, int expected_calls) {
    for (int i = 0; i < 5000 && calls < expected_calls; i++) ringer_run_for_ns(io, 1000000);
    return calls == expected_calls ? last_result : -ETIMEDOUT;
}

#define EXPECT(condition)                                            \
    do {                                                             \
        if (!(condition)) {                                          \
            fprintf(stderr, "round_trip: failed: %s\n", #condition); \
            return 1;                                                \
        }                                                            \
    } while (0)

int main(void) {
    static struct ringer_io io;
    static struct ringer_completion write_op, read_op, timeout_op, pending_op;
    static char out[4096], in[4096];
    char path[] = "/dev/shm/ringer-install-XXXXXX";
    int fd = mkstemp(path);
    EXPECT(fd >= 0);
    unlink(path);
    int result = ringer_init(&io, 8, 0);
    if (result == -ENOSYS || result == -EPERM) return 77;
    EXPECT(result == 0);
    memset(out, 'r', sizeof out);
    ringer_write(&io, &write_op, fd, out, sizeof out, 0, NULL, on_done);
    EXPECT(wait_for(&io, 1) == (int32_t)sizeof out);
    ringer_read(&io, &read_op, fd, in, sizeof in, 0, NULL, on_done);
    EXPECT(wait_for(&io, 2) == (int32_t)sizeof in);
    EXPECT(memcmp(in, out, sizeof in) == 0);
    ringer_timeout(&io, &timeout_op, 1000000, NULL, on_done);
    EXPECT(wait_for(&io, 3) == -ETIME);
    ringer_timeout(&io, &pending_op, 60ull * 1000000000, NULL, on_done);
    EXPECT(ringer_tick(&io) == 0);
    EXPECT(ringer_cancel_all(&io) == 0);
    EXPECT(calls == 3);
    ringer_deinit(&io);
    close(fd);
    return 0;
}
