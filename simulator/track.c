/* The op tracker: a pool of records, each wrapping one started op's callback. */
#include "track.h"

#include <assert.h>
#include <inttypes.h>
#include <stddef.h>

#include "trace.h"

#define TRACK_MAX  8192u
#define TRACK_NONE UINT32_MAX

struct track_op {
    struct ringer_completion *completion;
    track_callback callback;
    void *context;
    uint64_t seq;
    uint64_t begin_ns;
    uint32_t life;
    int fd;
    uint8_t kind; /* enum ringer_operation */
    bool in_use;
    uint32_t prev, next; /* pending ops in start order */
    uint32_t free_next;  /* FIFO of free records: a late duplicate callback finds its
                            record still free rather than reused */
};

static struct track_op ops[TRACK_MAX];
static uint32_t pending_head, pending_tail, pending_count;
static uint32_t free_head, free_tail;
static uint64_t next_seq;
static struct run *current;
static uint32_t callback_depth;
static bool in_starter;

static const char *const op_names[] = {
    [RINGER_OP_ACCEPT] = "accept",
    [RINGER_OP_CLOSE] = "close",
    [RINGER_OP_CONNECT] = "connect",
    [RINGER_OP_FSYNC] = "fsync",
    [RINGER_OP_OPENAT] = "openat",
    [RINGER_OP_READ] = "read",
    [RINGER_OP_RECV] = "recv",
    [RINGER_OP_SEND] = "send",
    [RINGER_OP_STATX] = "statx",
    [RINGER_OP_TIMEOUT] = "timeout",
    [RINGER_OP_WRITE] = "write",
    [RINGER_OP_CANCEL] = "cancel",
    [RINGER_OP_EVENT_LISTEN] = "event_listen",
};

static const char *op_name(uint8_t kind) {
    if (kind < sizeof(op_names) / sizeof(op_names[0]) && op_names[kind] != NULL) {
        return op_names[kind];
    }
    return "op";
}

void track_reset(struct run *run) {
    assert(run != NULL);
    current = run;
    pending_head = pending_tail = TRACK_NONE;
    pending_count = 0;
    for (uint32_t i = 0; i < TRACK_MAX; i++) {
        ops[i].in_use = false;
        ops[i].free_next = i + 1 < TRACK_MAX ? i + 1 : TRACK_NONE;
    }
    free_head = 0;
    free_tail = TRACK_MAX - 1;
    next_seq = 1;
    callback_depth = 0;
    in_starter = false;
}

static void pending_remove(uint32_t index) {
    struct track_op *op = &ops[index];
    assert(op->in_use && pending_count > 0);
    if (op->prev != TRACK_NONE) ops[op->prev].next = op->next;
    else pending_head = op->next;
    if (op->next != TRACK_NONE) ops[op->next].prev = op->prev;
    else pending_tail = op->prev;
    pending_count -= 1;
    op->in_use = false;
    op->free_next = TRACK_NONE;
    if (free_tail != TRACK_NONE) ops[free_tail].free_next = index;
    else free_head = index;
    free_tail = index;
}

static uint32_t record_alloc(void) {
    uint32_t index = free_head;
    assert(index != TRACK_NONE); /* the op budget keeps pending ops far below TRACK_MAX */
    free_head = ops[index].free_next;
    if (free_head == TRACK_NONE) free_tail = TRACK_NONE;
    struct track_op *op = &ops[index];
    op->in_use = true;
    op->prev = pending_tail;
    op->next = TRACK_NONE;
    if (pending_tail != TRACK_NONE) ops[pending_tail].next = index;
    else pending_head = index;
    pending_tail = index;
    pending_count += 1;
    return index;
}

/* Drops every pending op without a callback (a crash, or cancel_all). */
static void drop_pending(struct run *run, const char *why) {
    while (pending_head != TRACK_NONE) {
        struct track_op *op = &ops[pending_head];
        trace_slice(op_name(op->kind), op->fd, op->life, op->begin_ns, run_last_now(), op->seq, 0);
        run_log(run, "op %" PRIu64 " %s fd=%d %s", op->seq, op_name(op->kind), op->fd, why);
        pending_remove(pending_head);
    }
    assert(pending_count == 0);
}

void track_log_pending(struct run *run) {
    for (uint32_t i = pending_head; i != TRACK_NONE && run->log != NULL; i = ops[i].next) {
        run_log(run, "  pending: op %" PRIu64 " %s fd=%d state %u", ops[i].seq,
                op_name(ops[i].kind), ops[i].fd, (unsigned)ops[i].completion->state);
    }
}

void track_abort(struct run *run) {
    drop_pending(run, "still pending when the run aborted");
}

void track_crash(struct run *run) {
    drop_pending(run, "vanished in the crash");
    callback_depth = 0;
}

void track_cancel_all_begin(struct run *run) {
    assert(!run->cancel_all_started);
    run->cancel_all_started = true;
}

void track_cancel_all_end(struct run *run) {
    assert(run->cancel_all_started);
    drop_pending(run, "dropped by cancel_all");
}

uint32_t track_pending(void) {
    return pending_count;
}

static bool got_sqe(const struct ringer_completion *c) {
    return c->state == RINGER_SUBMITTED || c->state == RINGER_REAPED;
}

/* I16: no op takes an SQE while an older one (that was never retried) waits for one. */
void track_check_order(struct run *run) {
    const struct track_op *oldest_waiting = NULL;
    for (uint32_t i = pending_head; i != TRACK_NONE; i = ops[i].next) {
        const struct track_op *op = &ops[i];
        const struct ringer_completion *c = op->completion;
        if (c->retried) continue; /* a retry rejoins at the back, legitimately later */
        if (c->state == RINGER_UNQUEUED && oldest_waiting == NULL) oldest_waiting = op;
        if (oldest_waiting != NULL && got_sqe(c)) {
            run_fail(run,
                     "I16: op %" PRIu64 " (%s) got an SQE while older op %" PRIu64
                     " (%s) still waits in unqueued",
                     op->seq, op_name(op->kind), oldest_waiting->seq,
                     op_name(oldest_waiting->kind));
            return;
        }
    }
}

/* I12, I17-I18 as seen from outside: the loop's counters agree with the tracker. */
void track_check_loop(struct run *run, const char *where) {
    const struct ringer_stats s = ringer_stats(run->io);
    if (s.started - s.callbacks != pending_count) {
        run_fail(run,
                 "I12 after %s: started %" PRIu64 " - callbacks %" PRIu64
                 " != %u ops the workloads still wait for",
                 where, s.started, s.callbacks, pending_count);
        return;
    }
    if (s.deadlines != 0) {
        run_fail(run, "I6 after %s: deadlines = %u, the internal timeout was left behind", where,
                 s.deadlines);
        return;
    }
    if (pending_count == 0 && (s.queued | s.in_kernel | s.unqueued | s.completed | s.awaiting)) {
        run_fail(run,
                 "I24 after %s: quiescent but queued=%u in_kernel=%u unqueued=%u "
                 "completed=%u awaiting=%u",
                 where, s.queued, s.in_kernel, s.unqueued, s.completed, s.awaiting);
        return;
    }
    track_check_order(run);
}

/* The one callback the library ever sees: checks, then the workload's own callback. */
static void on_callback(void *context, struct ringer_completion *c, int32_t result) {
    struct run *run = current;
    struct track_op *op = context;
    assert(op >= ops && op < ops + TRACK_MAX);
    if (run->cancel_all_started) {
        run_fail(run, "I13: a callback (%s, result %d) ran after cancel_all began",
                 op_name(c->operation_kind), (int)result);
        return;
    }
    if (!op->in_use || op->completion != c) {
        run_fail(run, "I12: a callback ran twice (op %" PRIu64 ", %s, result %d)", op->seq,
                 op_name(op->kind), (int)result);
        return;
    }
    if (callback_depth != 0 || in_starter) {
        run_fail(run, "I14: a callback (op %" PRIu64 ") ran nested in %s", op->seq,
                 in_starter ? "a starter" : "another callback");
        return;
    }
    if (op->life != run->life) {
        run_fail(run, "a callback came from a loop abandoned by a crash");
        return;
    }
    track_callback callback = op->callback;
    void *user_context = op->context;
    trace_slice(op_name(op->kind), op->fd, op->life, op->begin_ns, run_now(), op->seq, result);
    run_log(run, "op %" PRIu64 " %s fd=%d -> %d", op->seq, op_name(op->kind), op->fd, (int)result);
    run_hash(run, op->seq ^ ((uint64_t)(uint32_t)result << 32));
    pending_remove((uint32_t)(op - ops));
    callback_depth += 1;
    track_check_order(run);
    callback(run, user_context, c, result);
    assert(callback_depth == 1);
    callback_depth -= 1;
}

/* Allocates the record for an op about to start, or NULL when the budget is spent. */
static struct track_op *begin(struct run *run, struct ringer_completion *c, uint8_t kind, int fd,
                              void *context, track_callback callback, bool forced) {
    assert(c != NULL && callback != NULL);
    if (!forced && !run_take_op(run)) return NULL;
    struct track_op *op = &ops[record_alloc()];
    op->completion = c;
    op->callback = callback;
    op->context = context;
    op->seq = next_seq++;
    op->begin_ns = run_now();
    op->life = run->life;
    op->fd = fd;
    op->kind = kind;
    run->result->ops += 1;
    run_log(run, "op %" PRIu64 " %s fd=%d start", op->seq, op_name(kind), fd);
    in_starter = true;
    return op;
}

/* After the starter: it ran no callback, and the op is somewhere in the loop (I14). */
static void end(struct run *run, const struct ringer_completion *c) {
    assert(in_starter);
    in_starter = false;
    if (c->state != RINGER_SUBMITTED && c->state != RINGER_UNQUEUED && c->state != RINGER_LOCAL) {
        run_fail(run, "a started %s is in state %u, neither submitted, unqueued nor local",
                 op_name(c->operation_kind), (unsigned)c->state);
    }
}

bool op_read(struct run *run, struct ringer_completion *c, int fd, void *buffer, uint32_t size,
             uint64_t offset, void *context, track_callback callback) {
    struct track_op *op = begin(run, c, RINGER_OP_READ, fd, context, callback, false);
    if (op == NULL) return false;
    ringer_read(run->io, c, fd, buffer, size, offset, op, on_callback);
    end(run, c);
    return true;
}

bool op_write(struct run *run, struct ringer_completion *c, int fd, const void *buffer,
              uint32_t size, uint64_t offset, void *context, track_callback callback) {
    struct track_op *op = begin(run, c, RINGER_OP_WRITE, fd, context, callback, false);
    if (op == NULL) return false;
    ringer_write(run->io, c, fd, buffer, size, offset, op, on_callback);
    end(run, c);
    return true;
}

bool op_recv(struct run *run, struct ringer_completion *c, int fd, void *buffer, uint32_t size,
             void *context, track_callback callback) {
    struct track_op *op = begin(run, c, RINGER_OP_RECV, fd, context, callback, true);
    ringer_recv(run->io, c, fd, buffer, size, op, on_callback);
    end(run, c);
    return true;
}

bool op_send(struct run *run, struct ringer_completion *c, int fd, const void *buffer,
             uint32_t size, void *context, track_callback callback) {
    struct track_op *op = begin(run, c, RINGER_OP_SEND, fd, context, callback, true);
    ringer_send(run->io, c, fd, buffer, size, op, on_callback);
    end(run, c);
    return true;
}

bool op_accept(struct run *run, struct ringer_completion *c, int fd, void *context,
               track_callback callback) {
    struct track_op *op = begin(run, c, RINGER_OP_ACCEPT, fd, context, callback, true);
    ringer_accept(run->io, c, fd, op, on_callback);
    end(run, c);
    return true;
}

bool op_connect(struct run *run, struct ringer_completion *c, int fd,
                const struct sockaddr *address, socklen_t size, void *context,
                track_callback callback) {
    struct track_op *op = begin(run, c, RINGER_OP_CONNECT, fd, context, callback, false);
    if (op == NULL) return false;
    ringer_connect(run->io, c, fd, address, size, op, on_callback);
    end(run, c);
    return true;
}

/* Closes and cancels are forced past the budget (they release resources), and so are
 * sends, recvs and accepts: a connection that started runs to its end, and a server keeps
 * accepting until its clients are done; connects are what the budget gates. */
bool op_close(struct run *run, struct ringer_completion *c, int fd, void *context,
              track_callback callback) {
    struct track_op *op = begin(run, c, RINGER_OP_CLOSE, fd, context, callback, true);
    ringer_close(run->io, c, fd, op, on_callback);
    end(run, c);
    return true;
}

bool op_fsync(struct run *run, struct ringer_completion *c, int fd, uint32_t flags, void *context,
              track_callback callback) {
    struct track_op *op = begin(run, c, RINGER_OP_FSYNC, fd, context, callback, false);
    if (op == NULL) return false;
    ringer_fsync(run->io, c, fd, flags, op, on_callback);
    end(run, c);
    return true;
}

bool op_openat(struct run *run, struct ringer_completion *c, int dir_fd, const char *path,
               int flags, mode_t mode, void *context, track_callback callback) {
    struct track_op *op = begin(run, c, RINGER_OP_OPENAT, dir_fd, context, callback, false);
    if (op == NULL) return false;
    ringer_openat(run->io, c, dir_fd, path, flags, mode, op, on_callback);
    end(run, c);
    return true;
}

bool op_statx(struct run *run, struct ringer_completion *c, int dir_fd, const char *path,
              uint32_t mask, struct statx *statx, void *context, track_callback callback) {
    struct track_op *op = begin(run, c, RINGER_OP_STATX, dir_fd, context, callback, false);
    if (op == NULL) return false;
    ringer_statx(run->io, c, dir_fd, path, 0, mask, statx, op, on_callback);
    end(run, c);
    return true;
}

bool op_timeout(struct run *run, struct ringer_completion *c, uint64_t nanoseconds, void *context,
                track_callback callback) {
    struct track_op *op = begin(run, c, RINGER_OP_TIMEOUT, -1, context, callback, false);
    if (op == NULL) return false;
    ringer_timeout(run->io, c, nanoseconds, op, on_callback);
    end(run, c);
    return true;
}

bool op_event_listen(struct run *run, struct ringer_completion *c, int event, void *context,
                     track_callback callback) {
    struct track_op *op = begin(run, c, RINGER_OP_EVENT_LISTEN, event, context, callback, false);
    if (op == NULL) return false;
    ringer_event_listen(run->io, c, event, op, on_callback);
    end(run, c);
    return true;
}

void op_cancel(struct run *run, struct ringer_completion *c, struct ringer_completion *target,
               void *context, track_callback callback) {
    struct track_op *op = begin(run, c, RINGER_OP_CANCEL, -1, context, callback, true);
    ringer_cancel(run->io, c, target, op, on_callback);
    end(run, c);
}
