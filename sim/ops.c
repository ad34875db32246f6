/*
 * SQE consumption (prep checks and the copies the kernel makes at consumption) and the
 * execution of each op (kernel-semantics.md §8): inline, after a worker latency, or
 * waiting on a socket, pipe or eventfd even when the fd is O_NONBLOCK.
 */
#include "sim_internal.h"
#include "sim_log.h"

#include <signal.h>

#define RWF_OK (RWF_HIPRI | RWF_DSYNC | RWF_SYNC | RWF_NOWAIT | RWF_APPEND)
#define SQE_FLAGS_KNOWN                                                                    \
    (IOSQE_FIXED_FILE | IOSQE_IO_DRAIN | IOSQE_IO_LINK | IOSQE_IO_HARDLINK | IOSQE_ASYNC | \
     IOSQE_BUFFER_SELECT | IOSQE_CQE_SKIP_SUCCESS)

static int copy_path(struct sim_req *q, const char *path) {
    if (path == NULL) return -EFAULT;
    sim_check_not_stack(path, "path");
    size_t n = strnlen(path, RINGER_SIM_MAX_PATH);
    if (n >= RINGER_SIM_MAX_PATH) return -ENAMETOOLONG;
    memcpy(q->copy.path, path, n + 1);
    return 0;
}

static int prep_timeout(struct sim_req *q, const struct io_uring_sqe *sqe) {
    uint32_t flags = sqe->timeout_flags;
    if (sqe->len != 1 || sqe->buf_index || sqe->splice_fd_in) return -EINVAL;
    if (flags & ~(IORING_TIMEOUT_ABS | IORING_TIMEOUT_CLOCK_MASK | IORING_TIMEOUT_ETIME_SUCCESS))
        return -EINVAL;
    if ((flags & IORING_TIMEOUT_CLOCK_MASK) == IORING_TIMEOUT_CLOCK_MASK) return -EINVAL;
    const struct __kernel_timespec *ts = (const struct __kernel_timespec *)(uintptr_t)sqe->addr;
    if (ts == NULL) return -EFAULT;
    sim_check_not_stack(ts, "timespec");
    if (ts->tv_sec < 0 || ts->tv_nsec < 0) return -EINVAL;
    if (ts->tv_nsec >= (long long)SIM_NS_PER_S) sim_stats.timespec_unnormalised++;
    uint64_t ns = (uint64_t)ts->tv_sec * SIM_NS_PER_S + (uint64_t)ts->tv_nsec;
    q->deadline = ns; /* interpreted at issue */
    q->timeout_abs = (flags & IORING_TIMEOUT_ABS) != 0;
    if (q->timeout_abs && (flags & IORING_TIMEOUT_REALTIME))
        q->deadline = ns > 1700000000ull * SIM_NS_PER_S ? ns - 1700000000ull * SIM_NS_PER_S : 0;
    return 0;
}

static int prep_cancel(const struct io_uring_sqe *sqe) {
    if (sqe->ioprio || sqe->off || sqe->len || sqe->splice_fd_in) return -EINVAL;
    uint32_t flags = sqe->cancel_flags;
    if (sim_cfg.kernel == RINGER_SIM_KERNEL_5_8) return flags ? -EINVAL : 0;
    if (flags & ~(IORING_ASYNC_CANCEL_ALL | IORING_ASYNC_CANCEL_FD | IORING_ASYNC_CANCEL_ANY))
        return -EINVAL;
    return 0;
}

static int prep_connect(struct sim_req *q, const struct io_uring_sqe *sqe) {
    if (sqe->len || sqe->buf_index || sqe->rw_flags || sqe->splice_fd_in) return -EINVAL;
    if (sqe->off > sizeof(struct sockaddr_storage)) return -EINVAL;
    const void *a = (const void *)(uintptr_t)sqe->addr;
    if (a == NULL) return -EFAULT;
    sim_check_not_stack(a, "connect address");
    memset(&q->copy.sa, 0, sizeof q->copy.sa);
    memcpy(&q->copy.sa, a, sqe->off);
    q->salen = (uint32_t)sqe->off;
    return 0;
}

static int prep_op(struct sim_req *q, const struct io_uring_sqe *sqe) {
    switch (q->opcode) {
    case IORING_OP_NOP:
        return 0;
    case IORING_OP_READ:
    case IORING_OP_WRITE:
        if (sqe->rw_flags & ~RWF_OK) return -EOPNOTSUPP;
        sim_check_not_stack((void *)(uintptr_t)sqe->addr, "buffer");
        return 0;
    case IORING_OP_FSYNC:
        if (sqe->addr || sqe->ioprio || sqe->buf_index || sqe->splice_fd_in) return -EINVAL;
        return (sqe->fsync_flags & ~IORING_FSYNC_DATASYNC) ? -EINVAL : 0;
    case IORING_OP_TIMEOUT:
        return prep_timeout(q, sqe);
    case IORING_OP_TIMEOUT_REMOVE:
        if (sqe->buf_index || sqe->len || sqe->splice_fd_in || sqe->timeout_flags) return -EINVAL;
        return 0;
    case IORING_OP_ASYNC_CANCEL:
        return prep_cancel(sqe);
    case IORING_OP_OPENAT:
    case IORING_OP_STATX:
        if (sqe->ioprio || sqe->buf_index || sqe->file_index) return -EINVAL;
        return copy_path(q, (const char *)(uintptr_t)sqe->addr);
    case IORING_OP_CLOSE:
        if (sqe->off || sqe->addr || sqe->len || sqe->rw_flags || sqe->buf_index || sqe->file_index)
            return -EINVAL;
        return 0;
    case IORING_OP_ACCEPT:
        if (sqe->len || sqe->buf_index || sqe->ioprio || sqe->file_index) return -EINVAL;
        return (sqe->accept_flags & ~(SOCK_CLOEXEC | SOCK_NONBLOCK)) ? -EINVAL : 0;
    case IORING_OP_CONNECT:
        return prep_connect(q, sqe);
    case IORING_OP_SEND:
    case IORING_OP_RECV:
        if (sqe->file_index || sqe->addr2 || (sqe->ioprio & ~IORING_RECVSEND_POLL_FIRST))
            return -EINVAL;
        sim_check_not_stack((void *)(uintptr_t)sqe->addr, "buffer");
        return 0;
    default:
        return -EINVAL;
    }
}

static int prep(struct sim_req *q, const struct io_uring_sqe *sqe) {
    if (sqe->flags & ~SQE_FLAGS_KNOWN) return -EINVAL;
    if ((sqe->flags & IOSQE_CQE_SKIP_SUCCESS) && sim_cfg.kernel == RINGER_SIM_KERNEL_5_8)
        return -EINVAL;
    if (!sim_op_supported(sqe->opcode)) return -EINVAL;
    if (sqe->flags & IOSQE_BUFFER_SELECT)
        return (q->opcode == IORING_OP_READ || q->opcode == IORING_OP_RECV) ? -ENOBUFS : -EINVAL;
    if (sqe->flags & IOSQE_FIXED_FILE) return -EBADF;
    return prep_op(q, sqe);
}

static void decode(uint32_t ring, struct sim_req *q, const struct io_uring_sqe *sqe) {
    q->ring = (uint8_t)ring;
    q->opcode = sqe->opcode;
    q->sqe_flags = sqe->flags;
    q->user_data = sqe->user_data;
    q->fd = sqe->fd;
    q->addr = sqe->addr;
    q->off = sqe->off;
    q->len = sqe->len;
    q->op_flags = sqe->rw_flags;
    q->ioprio = sqe->ioprio;
    sim_stats.ops[sqe->opcode & 63]++;
    /* `off` is an address for STATX (statx buffer) and ACCEPT (addrlen): never traced */
    bool off_is_value = sqe->opcode != IORING_OP_STATX && sqe->opcode != IORING_OP_ACCEPT;
    sim_trace(TRACE_SQE, q->seq, ((uint64_t)sqe->opcode << 32) | (uint32_t)sqe->fd,
              ((uint64_t)sqe->len << 32) | sqe->flags, off_is_value ? sqe->off : 0);
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
        const struct io_uring_sqe *sqe = &r->sqes[r->sq_khead & (r->sq_entries - 1)];
        r->sq_khead++;
        consumed++;
        decode(ring, &sim_reqs[q], sqe);
        sim_inflight_add(q);
        int perr = prep(&sim_reqs[q], sqe);
        sim_link_consumed(q, perr);
        if (perr && !(r->setup_flags & IORING_SETUP_SUBMIT_ALL)) break;
    }
    sim_link_submit_end(ring);
    return consumed;
}

/* ---- execution ---- */

static bool needs_file(uint8_t opcode) {
    return opcode == IORING_OP_READ || opcode == IORING_OP_WRITE || opcode == IORING_OP_FSYNC ||
           opcode == IORING_OP_ACCEPT || opcode == IORING_OP_CONNECT || opcode == IORING_OP_RECV ||
           opcode == IORING_OP_SEND;
}

static bool is_fs_kind(uint8_t kind) {
    return kind == FK_REG || kind == FK_BLK || kind == FK_DIR;
}

static bool is_worker(const struct sim_req *q) {
    if (q->opcode == IORING_OP_FSYNC || q->opcode == IORING_OP_OPENAT ||
        q->opcode == IORING_OP_STATX)
        return true;
    if (q->opcode != IORING_OP_READ && q->opcode != IORING_OP_WRITE) return false;
    const struct sim_file *f = &sim_files[q->file];
    if (!is_fs_kind(f->kind)) return false;
    /* tmpfs hands buffered I/O to workers (no NOWAIT support); disks do cached I/O inline */
    return (f->flags & O_DIRECT) || sim_mounts[sim_inodes[f->obj].mount].tmpfs;
}

/* The buffer the kernel writes while the op is in flight (poisoned meanwhile). */
static void *kernel_written(const struct sim_req *q, size_t *size) {
    switch (q->opcode) {
    case IORING_OP_READ:
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
    q->poisoned_size = sim_poison(p, size);
    q->poisoned = p;
}

static void sigpipe(void) {
    sim_stats.sigpipes++;
    if (!sim_cfg.o.no_real_sigpipe) raise(SIGPIPE);
}

static bool stream_offset_bad(const struct sim_req *q) {
    return q->off != 0 && q->off != UINT64_MAX;
}

/* READ and WRITE on sockets, pipes and eventfds. */
static int32_t exec_stream_rw(struct sim_req *q, uint32_t *flags, uint32_t *wq, uint32_t *obj) {
    const struct sim_file *f = &sim_files[q->file];
    void *buf = (void *)(uintptr_t)q->addr;
    bool rd = q->opcode == IORING_OP_READ;
    if (f->kind == FK_SOCK && stream_offset_bad(q))
        return -ESPIPE; /* sock_read_iter/sock_write_iter; pipes and eventfds ignore it */
    *obj = f->obj;
    int32_t res;
    switch (f->kind) {
    case FK_SOCK:
        res = rd ? sim_sock_recv(f->obj, buf, q->len, 0, flags)
                 : sim_sock_send(f->obj, buf, q->len, 0);
        *wq = rd ? WQ_SOCK_RX : WQ_SOCK_TX;
        break;
    case FK_EVENT:
        res = rd ? sim_event_read(f->obj, buf, q->len) : sim_event_write(f->obj, buf, q->len, true);
        *wq = rd ? WQ_EVENT : WQ_NONE;
        break;
    case FK_PIPE_R:
        res = rd ? sim_pipe_read(f->obj, buf, q->len) : -EBADF;
        *wq = WQ_PIPE_R;
        break;
    case FK_PIPE_W:
        res = rd ? -EBADF : sim_pipe_write(f->obj, buf, q->len);
        *wq = WQ_PIPE_W;
        break;
    default:
        return -EINVAL;
    }
    if (res == -EPIPE && !rd) sigpipe();
    return res;
}

static int32_t exec_rw(struct sim_req *q, uint32_t *flags, uint32_t *wq, uint32_t *obj) {
    const struct sim_file *f = &sim_files[q->file];
    if (!is_fs_kind(f->kind)) return exec_stream_rw(q, flags, wq, obj);
    bool use_pos = q->off == UINT64_MAX;
    if (!use_pos && q->off > INT64_MAX) return -EINVAL;
    if (q->opcode == IORING_OP_READ)
        return sim_file_read(q->file, (void *)(uintptr_t)q->addr, q->len, (int64_t)q->off, use_pos,
                             (uint32_t)(q - sim_reqs));
    return sim_file_write(q->file, (const void *)(uintptr_t)q->addr, q->len, (int64_t)q->off,
                          use_pos);
}

static int32_t exec_net(struct sim_req *q, uint32_t *flags, uint32_t *wq, uint32_t *obj) {
    const struct sim_file *f = &sim_files[q->file];
    if (f->kind != FK_SOCK) return -ENOTSOCK;
    uint32_t s = f->obj;
    bool dontwait = (q->op_flags & MSG_DONTWAIT) != 0;
    void *buf = (void *)(uintptr_t)q->addr;
    *obj = s;
    switch (q->opcode) {
    case IORING_OP_RECV:
        *wq = dontwait ? WQ_NONE : WQ_SOCK_RX;
        return sim_sock_recv(s, buf, q->len, (int)q->op_flags, flags);
    case IORING_OP_SEND:
        *wq = dontwait ? WQ_NONE : WQ_SOCK_TX;
        return sim_sock_send(s, buf, q->len, (int)q->op_flags);
    case IORING_OP_ACCEPT: {
        bool would_wait;
        int32_t res =
            sim_sock_accept(s, buf, (socklen_t *)(uintptr_t)q->off, (int)q->op_flags, &would_wait);
        *wq = would_wait ? WQ_LISTEN : WQ_NONE;
        return res;
    }
    case IORING_OP_CONNECT:
        *wq = WQ_SOCK_TX;
        return sim_sock_connect_wait(s, (const struct sockaddr *)&q->copy.sa, q->salen, obj);
    default:
        SIM_ASSERT(!"not a network op");
        return -EINVAL;
    }
}

static int32_t exec_op(struct sim_req *q, uint32_t *flags, uint32_t *wq, uint32_t *obj) {
    *wq = WQ_NONE;
    switch (q->opcode) {
    case IORING_OP_NOP:
        return 0;
    case IORING_OP_READ:
    case IORING_OP_WRITE:
        return exec_rw(q, flags, wq, obj);
    case IORING_OP_FSYNC:
        return sim_file_fsync(q->file, (q->op_flags & IORING_FSYNC_DATASYNC) != 0);
    case IORING_OP_OPENAT:
        return sim_fs_open(q->fd, q->copy.path, (int)q->op_flags, (mode_t)q->len);
    case IORING_OP_STATX:
        return sim_fs_statx(q->fd, q->copy.path, (int)q->op_flags, q->len,
                            (struct statx *)(uintptr_t)q->off);
    case IORING_OP_CLOSE: {
        uint32_t f = sim_fd_file(q->fd);
        if (f != SIM_NONE && sim_files[f].kind == FK_RING) return -EBADF;
        return sim_fd_close(q->fd);
    }
    default:
        return exec_net(q, flags, wq, obj);
    }
}

bool sim_op_retry(uint32_t r) {
    struct sim_req *q = &sim_reqs[r];
    sim_log_op(q->seq);
    SIM_ASSERT(q->state != REQ_FREE);
    if (q->poisoned != NULL) {
        sim_unpoison_for_write(q->poisoned, q->poisoned_size);
        q->poisoned = NULL;
    }
    uint32_t flags = 0, wq = WQ_NONE, obj = SIM_NONE;
    int32_t res = exec_op(q, &flags, &wq, &obj);
    if (res == -EAGAIN && wq != WQ_NONE) {
        if (q->wq_kind == WQ_NONE) sim_wq_push(r, wq, obj);
        park_poison(q);
        return false;
    }
    sim_req_complete(r, res, flags);
    return true;
}

static const int faithful_errnos[][4] = {
    [IORING_OP_READ] = {EIO, ECONNRESET, 0, 0},
    [IORING_OP_WRITE] = {EIO, ENOSPC, EDQUOT, EFBIG},
    [IORING_OP_FSYNC] = {EIO, ENOSPC, 0, 0},
    [IORING_OP_OPENAT] = {EMFILE, ENFILE, ENOMEM, 0},
    [IORING_OP_STATX] = {ENOMEM, 0, 0, 0},
    [IORING_OP_ACCEPT] = {ECONNABORTED, EMFILE, ENFILE, 0},
    [IORING_OP_CONNECT] = {ETIMEDOUT, ENETUNREACH, EHOSTUNREACH, ECONNRESET},
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

/* CQE faults decided when the op is issued; true with *res when one replaces the op. */
static bool op_faults(struct sim_req *q, int32_t *res) {
    uint8_t op = q->opcode;
    const struct sim_file *f = q->file == SIM_NONE ? NULL : &sim_files[q->file];
    bool file_read = op == IORING_OP_READ && f != NULL && f->kind == FK_REG;
    bool interruptible = op == IORING_OP_READ || op == IORING_OP_WRITE || op == IORING_OP_SEND ||
                         op == IORING_OP_RECV || op == IORING_OP_ACCEPT || op == IORING_OP_CONNECT;
    bool allowed = sim_transient_allowed(q->user_data);
    bool eintr = sim_fault2(RINGER_SIM_FAULT_CQE_EINTR, allowed && interruptible, allowed);
    bool eagain = sim_fault2(RINGER_SIM_FAULT_CQE_EAGAIN, allowed && file_read, allowed);
    bool ecanceled = sim_fault2(RINGER_SIM_FAULT_CQE_ECANCELED, false, true);
    uint32_t pick = sim_draw_u32();
    int err = pick_errno(op, pick);
    bool errno_fault = sim_fault2(RINGER_SIM_FAULT_ERRNO, err != 0 && !sim_cfg.hostile, err != 0);
    bool is_file = f != NULL && is_fs_kind(f->kind);
    bool is_sock = f != NULL && f->kind == FK_SOCK;
    bool transfer = op == IORING_OP_READ || op == IORING_OP_WRITE || op == IORING_OP_SEND ||
                    op == IORING_OP_RECV;
    /* faithful on sockets; mid-file short transfers only under hostile, and an O_DIRECT one
     * a whole number of logical blocks, as Linux cuts it */
    uint32_t unit = sim_short_unit(q->file);
    bool shorten = sim_fault2(RINGER_SIM_FAULT_SHORT, is_sock && transfer && q->len >= 2 * unit,
                              (is_file || is_sock) && transfer && q->len >= 2 * unit);
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

void sim_op_issue(uint32_t r) {
    struct sim_req *q = &sim_reqs[r];
    sim_log_op(q->seq);
    if (q->opcode == IORING_OP_TIMEOUT) return sim_timeout_issue(r);
    if (q->opcode == IORING_OP_TIMEOUT_REMOVE) return sim_timeout_remove_issue(r);
    if (q->opcode == IORING_OP_ASYNC_CANCEL) {
        /* hostile ORDER: the cancel runs after later SQEs instead of during submission */
        if (sim_fault2(RINGER_SIM_FAULT_ORDER, false, true)) {
            q->state = REQ_WORK;
            sim_schedule(sim_now + sim_latency(1000, 20000), EV_REQ, r, q->gen);
            return;
        }
        return sim_cancel_issue(r);
    }
    if (needs_file(q->opcode)) {
        uint32_t f = sim_fd_file(q->fd);
        if (f == SIM_NONE) return sim_req_complete(r, -EBADF, 0);
        sim_file_ref(f);
        q->file = f;
    }
    int32_t res;
    if (sim_script_take(q->opcode, &res)) {
        if (q->opcode == IORING_OP_CLOSE) sim_fd_close(q->fd);
        return sim_req_complete(r, res, 0);
    }
    if (op_faults(q, &res)) return sim_req_complete(r, res, 0);
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
