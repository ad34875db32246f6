/*
 * SQE consumption (kernel-semantics.md §3, §8): the kernel reads the SQ ring the program
 * shares with it (the index array, then the SQE), checks what Linux's io_init_req checks,
 * lets the op's prep copy what must be stable, and issues the request: inline, after a
 * worker latency, or waiting on a socket, pipe or eventfd even when the fd is O_NONBLOCK.
 */
#include "sim_internal.h"
#include "sim_log.h"

#define SQE_FLAGS_KNOWN                                                                    \
    (IOSQE_FIXED_FILE | IOSQE_IO_DRAIN | IOSQE_IO_LINK | IOSQE_IO_HARDLINK | IOSQE_ASYNC | \
     IOSQE_BUFFER_SELECT | IOSQE_CQE_SKIP_SUCCESS)

int sim_copy_path(struct sim_req *q, const char *path) {
    if (path == NULL) return -EFAULT;
    sim_check_not_stack(path, "path");
    size_t n = strnlen(path, RINGER_SIM_MAX_PATH);
    if (n >= RINGER_SIM_MAX_PATH) return -ENAMETOOLONG;
    memcpy(q->copy.path, path, n + 1);
    return 0;
}

/* io_init_req's checks, before the op's own prep. */
static int init_checks(uint32_t ring, struct sim_req *q, const struct io_uring_sqe *sqe) {
    const struct sim_ring *r = &sim_rings[ring];
    if (!sim_op_supported(sqe->opcode)) return -EINVAL;
    const struct sim_op_def *def = &sim_op_defs[sqe->opcode];
    if (sqe->flags & ~SQE_FLAGS_KNOWN) return -EINVAL;
    if ((sqe->flags & IOSQE_CQE_SKIP_SUCCESS) && sim_cfg.kernel == RINGER_SIM_KERNEL_5_8)
        return -EINVAL;
    if (!sim_restriction_allows(ring, sqe)) return -EACCES;
    if (sqe->flags & IOSQE_BUFFER_SELECT) return sim_prep_buffer_select(q, sqe);
    if (!def->ioprio && sqe->ioprio) return -EINVAL;
    if (!def->iopoll && (r->setup_flags & IORING_SETUP_IOPOLL)) return -EINVAL;
    if (sqe->personality && !sim_personality_known(ring, sqe->personality)) return -EINVAL;
    return 0;
}

static int prep(uint32_t ring, struct sim_req *q, const struct io_uring_sqe *sqe) {
    int err = init_checks(ring, q, sqe);
    if (err) return err;
    return sim_op_defs[q->opcode].prep(q, sqe);
}

static void decode(uint32_t ring, struct sim_req *q, const struct io_uring_sqe *sqe) {
    q->ring = (uint8_t)ring;
    q->opcode = sqe->opcode;
    q->sqe_flags = sqe->flags;
    q->user_data = sqe->user_data;
    q->fd = sqe->fd;
    q->fixed_file = (sqe->flags & IOSQE_FIXED_FILE) != 0;
    q->addr = sqe->addr;
    q->off = sqe->off;
    q->len = sqe->len;
    q->op_flags = sqe->rw_flags;
    q->ioprio = sqe->ioprio;
    sim_stats.ops[sqe->opcode & 63]++;
    /* `off` is an address for STATX (statx buffer), ACCEPT (addrlen), TIMEOUT_REMOVE (its
     * timespec), RENAMEAT and LINKAT (the new path): never traced */
    uint8_t op = sqe->opcode;
    bool off_is_value = op != IORING_OP_STATX && op != IORING_OP_ACCEPT &&
                        op != IORING_OP_TIMEOUT_REMOVE && op != IORING_OP_RENAMEAT &&
                        op != IORING_OP_LINKAT;
    sim_trace(TRACE_SQE, q->seq, ((uint64_t)sqe->opcode << 32) | (uint32_t)sqe->fd,
              ((uint64_t)sqe->len << 32) | sqe->flags, off_is_value ? sqe->off : 0);
}

/* After consumption the SQE slot is the program's again: under the hostile profile it may
 * hold garbage when handed out next (a stale SQE); later liburing clears it. */
static void scrub(struct io_uring_sqe *sqe) {
    bool stale = sim_fault2(RINGER_SIM_FAULT_SQE_STALE, false, true);
    if (sim_cfg.o.liburing_clears_sqe) memset(sqe, 0, sizeof *sqe);
    if (stale) sim_draw_bytes(sqe, sizeof *sqe);
}

/* The next SQE of the ring (through the index array), or NULL for an invalid index, which
 * Linux drops (counted in sq_dropped). */
static struct io_uring_sqe *next_sqe(struct sim_ring *r) {
    uint32_t index = IO_URING_READ_ONCE(r->sq_array[r->sq_head & (r->sq_entries - 1)]);
    r->sq_head++;
    if (index < r->sq_entries) return &r->sqes[index];
    IO_URING_WRITE_ONCE(r->hdr->sq_dropped, r->hdr->sq_dropped + 1);
    return NULL;
}

uint32_t sim_consume_sqes(uint32_t ring, uint32_t n, int *err) {
    struct sim_ring *r = &sim_rings[ring];
    bool allowed = sim_transient_allowed(~(uint64_t)ring);
    uint32_t cut = sim_draw_u32();
    if (sim_fault(RINGER_SIM_FAULT_ENTER_PARTIAL, allowed && n >= 2)) n = 1 + cut % (n - 1);
    uint32_t consumed = 0;
    *err = 0;
    while (consumed < n) {
        uint32_t q = sim_req_alloc();
        if (q == SIM_NONE) {
            if (consumed == 0) *err = -EAGAIN;
            break;
        }
        struct io_uring_sqe *sqe = next_sqe(r);
        if (sqe == NULL) {
            sim_req_release(q);
            break;
        }
        consumed++;
        decode(ring, &sim_reqs[q], sqe);
        sim_inflight_add(q);
        int perr = prep(ring, &sim_reqs[q], sqe);
        scrub(sqe);
        sim_link_consumed(q, perr);
        if (perr && !(r->setup_flags & IORING_SETUP_SUBMIT_ALL)) break;
    }
    io_uring_smp_store_release(&r->hdr->sq_head, r->sq_head);
    sim_link_submit_end(ring);
    return consumed;
}

/* ---- execution ---- */

static bool is_fs_kind(uint8_t kind) {
    return kind == FK_REG || kind == FK_BLK || kind == FK_DIR;
}

static bool is_worker(const struct sim_req *q) {
    uint8_t worker = sim_op_defs[q->opcode].worker;
    if (worker != SIM_WORKER_IF_FILE) return worker == SIM_WORKER;
    const struct sim_file *f = &sim_files[q->file];
    if (!is_fs_kind(f->kind)) return false;
    /* tmpfs hands buffered I/O to workers (no NOWAIT support); disks do cached I/O inline */
    return (f->flags & O_DIRECT) || sim_mounts[sim_inodes[f->obj].mount].tmpfs;
}

/* The buffer the kernel writes while the op is in flight (poisoned meanwhile). */
static void *kernel_written(const struct sim_req *q, size_t *size) {
    switch (q->opcode) {
    case IORING_OP_READ:
    case IORING_OP_READ_FIXED:
    case IORING_OP_RECV:
        *size = q->len;
        return (void *)(uintptr_t)q->addr;
    case IORING_OP_STATX:
        *size = sizeof(struct statx);
        return (void *)(uintptr_t)q->off;
    default:
        return NULL;
    }
}

static void park_poison(struct sim_req *q) {
    size_t size = 0;
    void *p = kernel_written(q, &size);
    if (p == NULL || q->poisoned != NULL || sim_cfg.o.no_poison || size == 0) return;
    if (q->sqe_flags & IOSQE_BUFFER_SELECT) return; /* no buffer is the request's while it waits */
    q->poisoned_size = sim_poison(p, size);
    q->poisoned = p;
}

static bool op_retry(uint32_t r);

/* A waiting request is retried on the node that submitted it (a wake may come from
 * another node's send or connect). */
bool sim_op_retry(uint32_t r) {
    uint32_t back = sim_node_enter(sim_reqs[r].node);
    bool done = op_retry(r);
    sim_node_cur = back;
    return done;
}

static bool op_retry(uint32_t r) {
    struct sim_req *q = &sim_reqs[r];
    sim_log_op(q->seq);
    SIM_ASSERT(q->state != REQ_FREE);
    if (q->poisoned != NULL) {
        sim_unpoison_for_write(q->poisoned, q->poisoned_size);
        q->poisoned = NULL;
    }
    struct sim_op_out out = {.wq_kind = WQ_NONE, .wq_obj = SIM_NONE};
    bool selects = (q->sqe_flags & IOSQE_BUFFER_SELECT) != 0;
    if (selects && !sim_kbuf_select(q)) {
        sim_req_complete(r, -ENOBUFS, 0);
        return true;
    }
    int32_t res = sim_op_defs[q->opcode].exec(q, &out);
    if (res == -EAGAIN && out.wq_kind != WQ_NONE) {
        if (selects) sim_kbuf_recycle(q); /* it waits without its buffer */
        if (q->wq_kind == WQ_NONE) sim_wq_push(r, out.wq_kind, out.wq_obj);
        park_poison(q);
        return false;
    }
    if (selects) out.cqe_flags |= sim_kbuf_consume(q);
    if (out.more) {
        /* a multishot CQE: the request stays on its queue (or armed without one), and may
         * run again at once */
        sim_cq_post(q->ring, q->user_data, res, out.cqe_flags | IORING_CQE_F_MORE, q->seq, false);
        if (out.wq_kind == WQ_NONE) q->state = REQ_WAIT;
        else if (q->wq_kind == WQ_NONE) sim_wq_push(r, out.wq_kind, out.wq_obj);
        if (out.again) sim_op_retry(r);
        return false;
    }
    sim_req_complete(r, res, out.cqe_flags);
    return true;
}

static const int faithful_errnos[][4] = {
    [IORING_OP_READV] = {EIO, ECONNRESET, 0, 0},
    [IORING_OP_WRITEV] = {EIO, ENOSPC, EDQUOT, EFBIG},
    [IORING_OP_FSYNC] = {EIO, ENOSPC, 0, 0},
    [IORING_OP_READ_FIXED] = {EIO, 0, 0, 0},
    [IORING_OP_WRITE_FIXED] = {EIO, ENOSPC, 0, 0},
    [IORING_OP_OPENAT] = {EMFILE, ENFILE, ENOMEM, 0},
    [IORING_OP_STATX] = {ENOMEM, 0, 0, 0},
    [IORING_OP_ACCEPT] = {ECONNABORTED, EMFILE, ENFILE, 0},
    [IORING_OP_CONNECT] = {ETIMEDOUT, ENETUNREACH, EHOSTUNREACH, ECONNRESET},
    [IORING_OP_READ] = {EIO, ECONNRESET, 0, 0},
    [IORING_OP_WRITE] = {EIO, ENOSPC, EDQUOT, EFBIG},
    [IORING_OP_RECV] = {ECONNRESET, 0, 0, 0},
    [IORING_OP_SEND] = {ECONNRESET, EPIPE, 0, 0},
};
static const int hostile_errnos[4] = {EFAULT, EINVAL, EIO, ENOMEM};

static int pick_errno(uint8_t op, uint32_t pick) {
    uint32_t n = 0;
    if (op < sizeof faithful_errnos / sizeof faithful_errnos[0])
        while (n < 4 && faithful_errnos[op][n]) n++;
    if (sim_cfg.hostile && (n == 0 || (pick & 1))) return -hostile_errnos[(pick >> 1) % 4];
    return n == 0 ? 0 : -faithful_errnos[op][(pick >> 1) % n];
}

static bool is_transfer(uint8_t op) {
    return sim_op_is_read(op) || sim_op_is_write(op) || op == IORING_OP_SEND ||
           op == IORING_OP_RECV;
}

/* CQE faults decided when the op is issued; true with *res when one replaces the op. */
static bool op_faults(struct sim_req *q, int32_t *res) {
    uint8_t op = q->opcode;
    const struct sim_file *f = q->file == SIM_NONE ? NULL : &sim_files[q->file];
    bool file_read = sim_op_is_read(op) && f != NULL && f->kind == FK_REG;
    bool interruptible = is_transfer(op) || op == IORING_OP_ACCEPT || op == IORING_OP_CONNECT;
    bool allowed = sim_transient_allowed(q->user_data);
    bool eintr = sim_fault2(RINGER_SIM_FAULT_CQE_EINTR, allowed && interruptible, allowed);
    bool eagain = sim_fault2(RINGER_SIM_FAULT_CQE_EAGAIN, allowed && file_read, allowed);
    bool ecanceled = sim_fault2(RINGER_SIM_FAULT_CQE_ECANCELED, false, true);
    uint32_t pick = sim_draw_u32();
    int err = pick_errno(op, pick);
    bool errno_fault = sim_fault2(RINGER_SIM_FAULT_ERRNO, err != 0 && !sim_cfg.hostile, err != 0);
    bool is_file = f != NULL && is_fs_kind(f->kind);
    bool is_sock = f != NULL && f->kind == FK_SOCK;
    bool single = q->nr_iov == 0; /* vectored transfers are not shortened */
    /* faithful on sockets; mid-file short transfers only under hostile, and an O_DIRECT one
     * a whole number of logical blocks, as Linux cuts it */
    uint32_t unit = sim_short_unit(q->file);
    bool cuttable = is_transfer(op) && single && q->len >= 2 * unit;
    bool shorten =
        sim_fault2(RINGER_SIM_FAULT_SHORT, is_sock && cuttable, (is_file || is_sock) && cuttable);
    if (shorten) q->len = sim_short_length(q->len, unit, pick);
    *res = eintr ? -EINTR : eagain ? -EAGAIN : ecanceled ? -ECANCELED : errno_fault ? err : 0;
    if (*res != 0 && op == IORING_OP_CLOSE)
        sim_fd_close(q->fd); /* the descriptor is released before the error */
    return *res != 0;
}

static void schedule_work(uint32_t r, uint64_t delay) {
    struct sim_req *q = &sim_reqs[r];
    q->state = REQ_WORK;
    sim_schedule(sim_now + delay, EV_REQ, r, q->gen);
    park_poison(q);
}

uint32_t sim_req_file(const struct sim_req *q) {
    if (q->fixed_file) return sim_fixed_file_get(q->ring, (uint32_t)q->fd);
    uint32_t f = sim_fd_file_any(q->fd);
    if (f != SIM_NONE) sim_file_ref(f);
    return f;
}

void sim_op_issue(uint32_t r) {
    struct sim_req *q = &sim_reqs[r];
    sim_log_op(q->seq);
    const struct sim_op_def *def = &sim_op_defs[q->opcode];
    sim_link_timeout_arm(r);
    if (def->issue != NULL) return def->issue(r);
    if (def->needs_file) {
        uint32_t f = sim_req_file(q);
        if (f == SIM_NONE) return sim_req_complete(r, -EBADF, 0);
        q->file = f;
    }
    int32_t res;
    if (sim_script_take(q->opcode, &res)) {
        if (q->opcode == IORING_OP_CLOSE) sim_fd_close(q->fd);
        return sim_req_complete(r, res, 0);
    }
    if (op_faults(q, &res)) return sim_req_complete(r, res, 0);
    if (sim_iopoll_intercept(r)) return;
    if (is_worker(q)) {
        q->worker = true;
        return schedule_work(
            r, sim_latency(sim_cfg.o.storage_latency_min_ns, sim_cfg.o.storage_latency_mean_ns));
    }
    /* ORDER: the latency model, not faithful order mode, places this CQE */
    if (sim_fault(RINGER_SIM_FAULT_ORDER, true) || sim_cfg.reorder)
        return schedule_work(
            r, sim_latency(sim_cfg.reorder ? 0 : 1000, sim_cfg.o.storage_latency_mean_ns + 20000));
    sim_op_retry(r);
}
