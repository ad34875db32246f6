/*
 * READ, WRITE, READV, WRITEV, READ_FIXED and WRITE_FIXED (kernel-semantics.md §8) on files,
 * sockets, pipes and eventfds. Prep is Linux's io_prep_rw (ioprio checked, the registered
 * buffer looked up); the iovec array is copied at consumption (IORING_FEAT_SUBMIT_STABLE);
 * errors Linux finds only when it imports the iovecs or sets up the kiocb are the CQE's.
 */
#include "sim_internal.h"

#include <signal.h>

#define RWF_OK         (RWF_HIPRI | RWF_DSYNC | RWF_SYNC | RWF_NOWAIT | RWF_APPEND)
#define MAX_RW_COUNT   0x7ffff000ull
#define IOV_BIG_SLOTS  32u   /* vectored requests in flight with more than 16 iovecs */
#define UIO_MAXIOV_SIM 1024u /* UIO_MAXIOV */

static struct iovec iov_big[IOV_BIG_SLOTS][UIO_MAXIOV_SIM];
static bool iov_big_used[IOV_BIG_SLOTS];

void sim_iov_reset(void) {
    memset(iov_big_used, 0, sizeof iov_big_used);
}

void sim_iov_release(struct sim_req *q) {
    if (q->iov_slot == SIM_NONE) return;
    SIM_ASSERT(q->iov_slot < IOV_BIG_SLOTS && iov_big_used[q->iov_slot]);
    iov_big_used[q->iov_slot] = false;
    q->iov_slot = SIM_NONE;
}

static struct iovec *iovecs(struct sim_req *q) {
    return q->iov_slot == SIM_NONE ? q->copy.iov : iov_big[q->iov_slot];
}

/* ioprio_check_cap as for root: a valid class and, for RT and BE, a level below 8. */
static int ioprio_check(uint16_t ioprio) {
    uint32_t class = ioprio >> 13, data = ioprio & 0x1fff;
    switch (class) {
    case 0: /* IOPRIO_CLASS_NONE */
        return data ? -EINVAL : 0;
    case 1: /* IOPRIO_CLASS_RT */
    case 2: /* IOPRIO_CLASS_BE */
        return data >= 8 ? -EINVAL : 0;
    case 3: /* IOPRIO_CLASS_IDLE */
        return 0;
    default:
        return -EINVAL;
    }
}

/* Copies the iovec array; errors of the import are kept for the CQE. */
static int copy_iovecs(struct sim_req *q) {
    const struct iovec *user = (const struct iovec *)(uintptr_t)q->addr;
    uint32_t n = q->len;
    if (n > UIO_MAXIOV_SIM) return -EINVAL;
    if (!sim_user_ok(user, n * sizeof(struct iovec))) return -EFAULT;
    if (n > SIM_INLINE_IOVECS) {
        uint32_t s = 0;
        while (s < IOV_BIG_SLOTS && iov_big_used[s]) s++;
        if (s == IOV_BIG_SLOTS) return -ENOMEM;
        iov_big_used[s] = true;
        q->iov_slot = s;
    }
    sim_check_not_stack(user, "iovec array");
    memcpy(iovecs(q), user, n * sizeof(struct iovec));
    q->nr_iov = n;
    uint64_t total = 0;
    for (uint32_t i = 0; i < n; i++) {
        if ((ssize_t)iovecs(q)[i].iov_len < 0) return -EINVAL;
        total += iovecs(q)[i].iov_len;
        if (total > MAX_RW_COUNT) return -EINVAL;
    }
    q->total = total;
    return 0;
}

static int prep_fixed(struct sim_req *q, const struct io_uring_sqe *sqe) {
    uint64_t base = 0, len = 0;
    if (!sim_fixed_buf(q->ring, sqe->buf_index, &base, &len)) return -EFAULT;
    q->buf_lo = base;
    q->buf_hi = base + len;
    return 0;
}

int sim_prep_rw(struct sim_req *q, const struct io_uring_sqe *sqe) {
    bool fixed = q->opcode == IORING_OP_READ_FIXED || q->opcode == IORING_OP_WRITE_FIXED;
    if (fixed) {
        int err = prep_fixed(q, sqe);
        if (err) return err;
    }
    if (sqe->ioprio && ioprio_check(sqe->ioprio) != 0) return -EINVAL;
    bool vectored = q->opcode == IORING_OP_READV || q->opcode == IORING_OP_WRITEV;
    q->total = q->len;
    if (vectored) q->deferred_err = copy_iovecs(q);
    else sim_check_not_stack((void *)(uintptr_t)sqe->addr, "buffer");
    return 0;
}

/* ---- execution ---- */

static void sigpipe(void) {
    sim_stats.sigpipes++;
    if (!sim_cfg.o.no_real_sigpipe) raise(SIGPIPE);
}

static bool stream_offset_bad(const struct sim_req *q) {
    return q->off != 0 && q->off != UINT64_MAX;
}

/* One buffer on a socket, pipe or eventfd; -EAGAIN sets the queue to wait on. */
static int32_t stream_once(struct sim_req *q, void *buf, uint32_t len, struct sim_op_out *out) {
    const struct sim_file *f = &sim_files[q->file];
    bool rd = sim_op_is_read(q->opcode);
    out->wq_obj = f->obj;
    switch (f->kind) {
    case FK_SOCK:
        out->wq_kind = rd ? WQ_SOCK_RX : WQ_SOCK_TX;
        return rd ? sim_sock_recv(f->obj, buf, len, 0, &out->cqe_flags)
                  : sim_sock_send(f->obj, buf, len, 0);
    case FK_EVENT:
        out->wq_kind = rd ? WQ_EVENT : WQ_NONE;
        return rd ? sim_event_read(f->obj, buf, len) : sim_event_write(f->obj, buf, len, true);
    case FK_PIPE_R:
        out->wq_kind = WQ_PIPE_R;
        return rd ? sim_pipe_read(f->obj, buf, len) : -EBADF;
    case FK_PIPE_W:
        out->wq_kind = WQ_PIPE_W;
        return rd ? -EBADF : sim_pipe_write(f->obj, buf, len);
    case FK_CHR:
        out->wq_kind = WQ_NONE;
        return rd ? sim_chr_read(f->obj, buf, len) : (int32_t)len;
    case FK_HOST: { /* the host's stdio: a plain read or write */
        ssize_t n = rd ? read((int)f->obj, buf, len) : write((int)f->obj, buf, len);
        return n < 0 ? -errno : (int32_t)n;
    }
    default:
        return -EINVAL;
    }
}

/* One buffer of a regular file or block device, at `off` (UINT64_MAX: the file position). */
static int32_t file_once(struct sim_req *q, void *buf, uint32_t len, uint64_t off) {
    bool use_pos = q->off == UINT64_MAX;
    if (!use_pos && q->off > INT64_MAX) return -EINVAL;
    if (sim_op_is_read(q->opcode))
        return sim_file_read(q->file, buf, len, (int64_t)off, use_pos, (uint32_t)(q - sim_reqs));
    return sim_file_write(q->file, buf, len, (int64_t)off, use_pos);
}

static bool is_fs_kind(uint8_t kind) {
    return kind == FK_REG || kind == FK_BLK || kind == FK_DIR;
}

/* Every segment in turn, stopping at a short one; an error after some bytes is those bytes. */
static int32_t transfer(struct sim_req *q, struct sim_op_out *out) {
    struct iovec single = {(void *)(uintptr_t)q->addr, q->len};
    const struct iovec *segs = q->nr_iov ? iovecs(q) : &single;
    uint32_t count = q->nr_iov ? q->nr_iov : 1;
    bool file = is_fs_kind(sim_files[q->file].kind);
    uint64_t done = 0;
    for (uint32_t i = 0; i < count; i++) {
        if (segs[i].iov_len == 0 && count > 1) continue;
        uint32_t len = (uint32_t)segs[i].iov_len;
        int32_t n = !sim_user_ok(segs[i].iov_base, len) ? -EFAULT
                    : file ? file_once(q, segs[i].iov_base, len, q->off + done)
                           : stream_once(q, segs[i].iov_base, len, out);
        if (n < 0) {
            if (done == 0) return n;
            out->wq_kind = WQ_NONE;
            break;
        }
        done += (uint32_t)n;
        if ((uint32_t)n < len) break;
    }
    return (int32_t)done;
}

int32_t sim_exec_rw(struct sim_req *q, struct sim_op_out *out) {
    if (q->deferred_err) return q->deferred_err;
    if (q->op_flags & ~RWF_OK) return -EOPNOTSUPP;
    bool fixed = q->opcode == IORING_OP_READ_FIXED || q->opcode == IORING_OP_WRITE_FIXED;
    if (fixed &&
        (q->addr < q->buf_lo || q->addr + q->len > q->buf_hi || q->addr + q->len < q->addr))
        return -EFAULT;
    const struct sim_file *f = &sim_files[q->file];
    if (f->kind == FK_SOCK && stream_offset_bad(q))
        return -ESPIPE; /* sock_read_iter/sock_write_iter; pipes and eventfds ignore it */
    if (f->kind == FK_RING) return -EINVAL; /* an io_uring fd has no read or write */
    int32_t res = transfer(q, out);
    if (res == -EPIPE && sim_op_is_write(q->opcode)) sigpipe();
    return res;
}
