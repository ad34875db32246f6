/*
 * Socket ops (kernel-semantics.md §8, §10): ACCEPT (also straight into the fixed file
 * table), CONNECT, SEND, RECV and SHUTDOWN on the sim's loopback TCP, with Linux's prep
 * checks. Connect addresses are copied at consumption.
 */
#include "sim_internal.h"

int sim_prep_accept(struct sim_req *q, const struct io_uring_sqe *sqe) {
    if (sqe->len || sqe->buf_index) return -EINVAL;
    if (sqe->ioprio & ~IORING_ACCEPT_MULTISHOT) return -EINVAL;
    q->addr3 = sqe->file_index;
    if (q->addr3) {
        if (sqe->accept_flags & SOCK_CLOEXEC) return -EINVAL;
        /* a multishot accept into the fixed table needs allocated slots */
        if ((sqe->ioprio & IORING_ACCEPT_MULTISHOT) && q->addr3 != IORING_FILE_INDEX_ALLOC)
            return -EINVAL;
    }
    return (sqe->accept_flags & ~(SOCK_CLOEXEC | SOCK_NONBLOCK)) ? -EINVAL : 0;
}

int sim_prep_connect(struct sim_req *q, const struct io_uring_sqe *sqe) {
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

int sim_prep_sendrecv(struct sim_req *q, const struct io_uring_sqe *sqe) {
    (void)q;
    if (sqe->file_index || sqe->addr2 || (sqe->ioprio & ~IORING_RECVSEND_POLL_FIRST))
        return -EINVAL;
    sim_check_not_stack((void *)(uintptr_t)sqe->addr, "buffer");
    return 0;
}

int sim_prep_shutdown(struct sim_req *q, const struct io_uring_sqe *sqe) {
    (void)q;
    if (sqe->off || sqe->addr || sqe->rw_flags || sqe->buf_index || sqe->splice_fd_in || sqe->addr3)
        return -EINVAL;
    return 0;
}

static int32_t accept_op(struct sim_req *q, uint32_t s, struct sim_op_out *out) {
    bool would_wait;
    int32_t res = sim_sock_accept(s, (struct sockaddr *)(uintptr_t)q->addr,
                                  (socklen_t *)(uintptr_t)q->off, (int)q->op_flags, &would_wait);
    out->wq_kind = would_wait ? WQ_LISTEN : WQ_NONE;
    /* multishot: a CQE per connection, then at once the next one, until it would wait */
    bool multishot = (q->ioprio & IORING_ACCEPT_MULTISHOT) != 0;
    if (res >= 0 && multishot) {
        out->wq_kind = WQ_LISTEN;
        out->more = out->again = true;
    }
    if (res < 0 || q->addr3 == 0) return res;
    /* straight into the fixed file table */
    uint32_t f = sim_fd_file(res);
    sim_file_ref(f);
    sim_fd_close(res);
    int32_t slot = sim_fixed_install(q->ring, (uint32_t)q->addr3 - 1, f);
    sim_file_unref(f);
    return slot;
}

int32_t sim_exec_net(struct sim_req *q, struct sim_op_out *out) {
    const struct sim_file *f = &sim_files[q->file];
    if (f->kind != FK_SOCK) return -ENOTSOCK;
    uint32_t s = f->obj;
    bool dontwait = (q->op_flags & MSG_DONTWAIT) != 0;
    void *buf = (void *)(uintptr_t)q->addr;
    out->wq_obj = s;
    bool transfer = q->opcode == IORING_OP_RECV || q->opcode == IORING_OP_SEND;
    if (transfer && !sim_user_ok(buf, q->len)) return -EFAULT;
    switch (q->opcode) {
    case IORING_OP_RECV:
        out->wq_kind = dontwait ? WQ_NONE : WQ_SOCK_RX;
        return sim_sock_recv(s, buf, q->len, (int)q->op_flags, &out->cqe_flags);
    case IORING_OP_SEND:
        out->wq_kind = dontwait ? WQ_NONE : WQ_SOCK_TX;
        return sim_sock_send(s, buf, q->len, (int)q->op_flags);
    case IORING_OP_ACCEPT:
        return accept_op(q, s, out);
    case IORING_OP_CONNECT:
        out->wq_kind = WQ_SOCK_TX;
        return sim_sock_connect_wait(s, (const struct sockaddr *)&q->copy.sa, q->salen,
                                     &out->wq_obj);
    case IORING_OP_SHUTDOWN:
        return sim_sock_shutdown(s, (int)q->len);
    default:
        SIM_ASSERT(!"not a network op");
        return -EINVAL;
    }
}
