/* The cancel workload: slots that keep a random mix of ops in flight (file reads, pipe
 * reads that wait for data, long timeouts, listens on a silent eventfd) while other slots
 * ringer_cancel them; the run then ends in ringer_cancel_all at a random moment (driver).
 * Checker: each callback once, with -ECANCELED only for cancelled ops and a cancel result
 * of 0, -ENOENT or -EALREADY (faithful); after cancel_all returns, no buffer the kernel
 * could write changes, even 50 ms of virtual time later. */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "checksum.h"
#include "track.h"
#include "workload.h"

#define SLOTS_MAX   24u
#define SLOT_BUFFER 4096u
#define FILE_SIZE   (16u * SLOT_BUFFER)

enum slot_kind {
    SLOT_FILE_READ,
    SLOT_PIPE_READ,
    SLOT_TIMEOUT,
    SLOT_EVENT,
    SLOT_CANCEL,
    SLOT_KINDS
};

struct slot {
    struct ringer_completion op;
    uint64_t offset; /* of a file read */
    uint8_t kind;
    bool pending;
    bool cancel_requested;
};

static struct slot slots[SLOTS_MAX];
static uint8_t buffers[SLOTS_MAX][SLOT_BUFFER] __attribute__((aligned(4096)));
static uint32_t slot_count;
static int file_fd = -1, pipe_r = -1, pipe_w = -1, event_fd = -1;
static uint8_t content[FILE_SIZE]; /* what the file was written with */
static uint64_t file_length;       /* how much of it the (fault-prone) pwrite wrote */
static bool file_known;            /* false when the pwrite failed: sectors may be torn */
static bool out_of_budget;
static uint32_t step_quota; /* loop calls after which cancel_all may come */

static void slot_next(struct run *run, struct slot *slot);

static const char *const slot_names[SLOT_KINDS] = {
    "file read", "pipe read", "timeout", "event listen", "cancel",
};

/* A file read returns what was written, as many bytes as the file holds from there (short
 * only at EOF under faithful), or an injected -EIO. */
static bool file_read_ok(const struct slot *slot, int32_t result, const uint8_t *buffer) {
    static const enum ringer_sim_fault_class read_errors[] = {
        RINGER_SIM_FAULT_READ_EIO,
        RINGER_SIM_FAULT_LATENT_SECTOR,
    };
    static const enum ringer_sim_fault_class damage[] = {
        RINGER_SIM_FAULT_CORRUPT,
        RINGER_SIM_FAULT_MISDIRECT,
        RINGER_SIM_FAULT_WRITE_EIO,
        RINGER_SIM_FAULT_ENOSPC,
    };
    if (result == -EIO) return run_any_fault(read_errors, 2);
    if (!file_known) return result >= 0 && result <= (int32_t)SLOT_BUFFER;
    const uint64_t left = slot->offset < file_length ? file_length - slot->offset : 0;
    const uint64_t expected = left < SLOT_BUFFER ? left : SLOT_BUFFER;
    if (result < 0 || (uint64_t)result != expected) return false;
    assert(slot->offset + expected <= FILE_SIZE);
    return memcmp(buffer, content + slot->offset, expected) == 0 ||
           run_any_fault(damage, sizeof(damage) / sizeof(damage[0]));
}

static bool result_expected(const struct slot *slot, int32_t result) {
    if (result == -ECANCELED) return slot->cancel_requested;
    switch (slot->kind) {
    case SLOT_FILE_READ:
        return file_read_ok(slot, result, buffers[slot - slots]);
    case SLOT_PIPE_READ:
        return result >= 1 && result <= (int32_t)SLOT_BUFFER;
    case SLOT_TIMEOUT:
        return result == -ETIME;
    case SLOT_EVENT:
        return false; /* nobody triggers it */
    default:
        return result == 0 || result == -ENOENT || result == -EALREADY;
    }
}

static void on_slot(struct run *run, void *context, struct ringer_completion *c, int32_t result) {
    struct slot *slot = context;
    assert(c == &slot->op && slot->pending);
    slot->pending = false;
    if (run->faithful && !result_expected(slot, result) &&
        !run_errno_explained(result, slot->kind != SLOT_TIMEOUT && slot->kind != SLOT_CANCEL)) {
        run_fail(run, "cancel: a %s completed with %d%s%s", slot_names[slot->kind], (int)result,
                 slot->cancel_requested ? " after a cancel" : "",
                 slot->kind == SLOT_FILE_READ && result >= 0 ? " (wrong length or bytes)" : "");
        return;
    }
    if (prng_chance(&run->rng, 1, 4) && pipe_w >= 0) {
        uint8_t bytes[64];
        memset(bytes, 0x5a, sizeof(bytes));
        (void)write(pipe_w, bytes, 1 + prng_below(&run->rng, sizeof(bytes))); /* the sim's */
    }
    slot_next(run, slot);
}

/* A cancel slot picks a pending, non-cancel target; none found means a short timeout. */
static bool start_cancel(struct run *run, struct slot *slot) {
    struct slot *target = &slots[prng_below(&run->rng, slot_count)];
    if (target == slot || !target->pending || target->kind == SLOT_CANCEL) return false;
    target->cancel_requested = true;
    slot->kind = SLOT_CANCEL;
    op_cancel(run, &slot->op, &target->op, slot, on_slot);
    return true;
}

static bool start_kind(struct run *run, struct slot *slot, uint8_t *buffer) {
    switch (slot->kind) {
    case SLOT_FILE_READ:
        slot->offset = SLOT_BUFFER * prng_below(&run->rng, FILE_SIZE / SLOT_BUFFER + 1);
        return op_read(run, &slot->op, file_fd, buffer, SLOT_BUFFER, slot->offset, slot, on_slot);
    case SLOT_PIPE_READ:
        return op_read(run, &slot->op, pipe_r, buffer, SLOT_BUFFER, 0, slot, on_slot);
    case SLOT_EVENT:
        return op_event_listen(run, &slot->op, event_fd, slot, on_slot);
    default:
        return op_timeout(run, &slot->op, prng_log_uniform(&run->rng, 10000000000ull), slot,
                          on_slot);
    }
}

static void slot_next(struct run *run, struct slot *slot) {
    assert(!slot->pending);
    if (out_of_budget || run->cancel_all_started) return;
    uint8_t *buffer = buffers[slot - slots];
    memset(buffer, 0xee, SLOT_BUFFER);
    slot->cancel_requested = false;
    slot->kind = (uint8_t)prng_below(&run->rng, SLOT_KINDS);
    if (slot->kind == SLOT_CANCEL && start_cancel(run, slot)) {
        slot->pending = true;
        return;
    }
    if (slot->kind == SLOT_CANCEL) slot->kind = SLOT_TIMEOUT;
    slot->pending = start_kind(run, slot, buffer);
    if (!slot->pending) out_of_budget = true;
}

static bool create_file(struct run *run) {
    char path[64];
    snprintf(path, sizeof(path), "/tmp/cancel-%u", run->life);
    file_fd = open(path, O_CREAT | O_TRUNC | O_RDWR | O_CLOEXEC, 0600); /* the sim's */
    if (file_fd < 0) {
        run_fail(run, "cancel: creating %s failed (errno %d)", path, errno);
        return false;
    }
    checksum_fill_pattern(content, sizeof(content), run->config->seed);
    /* Storage faults may cut this write short; the reads' checker knows how much landed. */
    const ssize_t written = pwrite(file_fd, content, sizeof(content), 0);
    file_known = written >= 0;
    file_length = written > 0 ? (uint64_t)written : 0;
    return true;
}

static void cancel_begin(struct run *run) {
    if (run->life == 0) {
        slot_count = 2 + (uint32_t)prng_below(&run->rng, SLOTS_MAX - 1);
        step_quota = 1 + (uint32_t)prng_log_uniform(&run->rng, 4000);
    }
    memset(slots, 0, sizeof(slots));
    out_of_budget = false;
    if (!create_file(run)) return;
    int fds[2];
    if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0) { /* the sim's */
        run_fail(run, "cancel: pipe2 failed (errno %d)", errno);
        return;
    }
    pipe_r = fds[0];
    pipe_w = fds[1];
    event_fd = ringer_open_event(run->io);
    if (event_fd < 0) {
        run_fail(run, "cancel: ringer_open_event returned %d", event_fd);
        return;
    }
    for (uint32_t i = 0; i < slot_count && !run->failed; i++) slot_next(run, &slots[i]);
}

static void cancel_crashed(struct run *run) {
    (void)run;
    file_fd = pipe_r = pipe_w = event_fd = -1;
    memset(slots, 0, sizeof(slots));
}

/* Done once it starts nothing more, or after its share of loop calls: whatever still
 * waits is cancel_all's to stop. */
static bool cancel_done(const struct run *run) {
    return out_of_budget || run->steps >= step_quota;
}

static uint32_t buffers_checksum(void) {
    return checksum_crc32c(0, buffers, sizeof(buffers));
}

static void close_fd(int *fd) {
    if (*fd >= 0) (void)close(*fd); /* the sim's */
    *fd = -1;
}

static void cancel_finish(struct run *run) {
    if (run->cancel_all_started) {
        const uint32_t before = buffers_checksum();
        const struct timespec settle = {.tv_sec = 0, .tv_nsec = 50000000};
        clock_nanosleep(CLOCK_MONOTONIC, 0, &settle, NULL); /* virtual time */
        if (buffers_checksum() != before) {
            run_fail(run, "cancel: the kernel wrote a caller buffer after cancel_all "
                          "returned");
        }
    }
    close_fd(&file_fd);
    close_fd(&pipe_r);
    close_fd(&pipe_w);
    close_fd(&event_fd);
}

const struct workload workload_cancel = {
    .name = "cancel",
    .begin = cancel_begin,
    .crashed = cancel_crashed,
    .done = cancel_done,
    .finish = cancel_finish,
};
