/*
 * POLL_ADD (one-shot and multishot) and POLL_REMOVE (removal and update), as Linux's
 * io_uring/poll.c: the CQE's result is the file's ready mask within the requested events,
 * errors and hang-ups always included. A waiting poll sits on its object's poll queue and is
 * woken by every change of that object (and, for a ring fd, by its CQEs). A multishot poll
 * posts a CQE with IORING_CQE_F_MORE at each wakeup that finds the file ready, until it is
 * removed or the CQ ring has no room (then its last CQE carries the mask alone).
 */
#include "sim_internal.h"

#include <poll.h>

#define POLL_UNMASK (POLLERR | POLLHUP | POLLNVAL | POLLRDHUP)

static uint32_t ring_poll(uint32_t i) {
    const struct sim_ring *r = &sim_rings[i];
    uint32_t mask = 0;
    if (sim_cq_count(i) > 0 || r->ov_head != SIM_NONE) mask |= POLLIN | POLLRDNORM;
    if (IO_URING_READ_ONCE(r->hdr->sq_tail) - r->sq_head < r->sq_entries)
        mask |= POLLOUT | POLLWRNORM;
    return mask;
}

/* The file's ready mask, and the poll queue its changes wake. */
static uint32_t file_poll(uint32_t f, uint32_t *kind, uint32_t *obj) {
    const struct sim_file *file = &sim_files[f];
    *obj = file->obj;
    switch (file->kind) {
    case FK_SOCK:
        *kind = WQ_POLL_SOCK;
        return sim_sock_poll(file->obj);
    case FK_EVENT:
        *kind = WQ_POLL_EVENT;
        return sim_event_poll(file->obj);
    case FK_PIPE_R:
    case FK_PIPE_W:
        *kind = WQ_POLL_PIPE;
        return sim_pipe_poll(file->obj, file->kind == FK_PIPE_W);
    case FK_RING:
        *kind = WQ_POLL_RING;
        return ring_poll(file->obj);
    default:
        *kind = WQ_NONE; /* regular files, directories, block devices never wait */
        return POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;
    }
}

static bool multishot(const struct sim_req *q) {
    return (q->len & IORING_POLL_ADD_MULTI) != 0;
}

int sim_prep_poll_add(struct sim_req *q, const struct io_uring_sqe *sqe) {
    if (sqe->buf_index || sqe->off || sqe->addr) return -EINVAL;
    if (sqe->len & ~IORING_POLL_ADD_MULTI) return -EINVAL;
    if ((sqe->len & IORING_POLL_ADD_MULTI) && (sqe->flags & IOSQE_CQE_SKIP_SUCCESS)) return -EINVAL;
    q->op_flags = (sqe->poll32_events & 0xffff) | POLL_UNMASK;
    return 0;
}

int32_t sim_exec_poll_add(struct sim_req *q, struct sim_op_out *out) {
    uint32_t mask = file_poll(q->file, &out->wq_kind, &out->wq_obj) & q->op_flags;
    if (mask == 0) return -EAGAIN; /* wait on the poll queue */
    if (!multishot(q)) return (int32_t)mask;
    if (!sim_cq_has_room(q->ring)) {
        out->wq_kind = WQ_NONE; /* the CQ ring is full: the multishot poll ends here */
        return (int32_t)mask;
    }
    out->more = true;
    return (int32_t)mask;
}

int sim_prep_poll_remove(struct sim_req *q, const struct io_uring_sqe *sqe) {
    uint32_t flags = sqe->len;
    if (q->fixed_file) return -EINVAL;
    if (sqe->buf_index || sqe->splice_fd_in) return -EINVAL;
    if (flags & ~(IORING_POLL_UPDATE_EVENTS | IORING_POLL_UPDATE_USER_DATA | IORING_POLL_ADD_MULTI))
        return -EINVAL;
    if (flags == IORING_POLL_ADD_MULTI) return -EINVAL; /* meaningless without an update */
    if (!(flags & IORING_POLL_UPDATE_USER_DATA) && sqe->off) return -EINVAL;
    if (!(flags & IORING_POLL_UPDATE_EVENTS) && sqe->poll32_events) return -EINVAL;
    q->op_flags = sqe->poll32_events;
    q->addr3 = sqe->off; /* the new user_data */
    return 0;
}

static uint32_t find_poll(uint32_t ring_index, uint64_t user_data) {
    const struct sim_ring *ring = &sim_rings[ring_index];
    for (uint32_t t = ring->inflight_head; t != SIM_NONE; t = sim_reqs[t].ring_next) {
        const struct sim_req *p = &sim_reqs[t];
        if (p->opcode == IORING_OP_POLL_ADD && p->user_data == user_data && p->state == REQ_WAIT)
            return t;
    }
    return SIM_NONE;
}

/* An update re-arms the poll with its new events or user_data: it may complete at once. */
static void update(uint32_t target, const struct sim_req *u) {
    struct sim_req *p = &sim_reqs[target];
    if (u->len & IORING_POLL_UPDATE_EVENTS) {
        p->op_flags = (u->op_flags & 0xffff) | POLL_UNMASK;
        p->len = (p->len & ~IORING_POLL_ADD_MULTI) | (u->len & IORING_POLL_ADD_MULTI);
    }
    if (u->len & IORING_POLL_UPDATE_USER_DATA) p->user_data = u->addr3;
    if (p->wq_kind != WQ_NONE) sim_wq_remove(target);
    sim_op_retry(target);
}

void sim_poll_remove_issue(uint32_t r) {
    struct sim_req *q = &sim_reqs[r];
    uint32_t target = find_poll(q->ring, q->addr);
    if (target == SIM_NONE) return sim_req_complete(r, -ENOENT, 0);
    if (q->len & (IORING_POLL_UPDATE_EVENTS | IORING_POLL_UPDATE_USER_DATA)) {
        update(target, q);
    } else {
        sim_req_detach(target);
        sim_req_complete(target, -ECANCELED, 0);
    }
    sim_req_complete(r, 0, 0);
}
