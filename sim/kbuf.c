/*
 * Provided buffers (the legacy kind: PROVIDE_BUFFERS, REMOVE_BUFFERS, IOSQE_BUFFER_SELECT),
 * as Linux's io_uring/kbuf.c: buffers join their group at the tail, a read or recv that
 * selects one takes the group's head (IORING_CQE_F_BUFFER with the buffer id in the CQE's
 * flags), a request that must wait gives its buffer back to the head, and a completed one
 * keeps it. Static pools: RINGER_SIM_MAX_PROVIDED_BUFFERS buffers and
 * RINGER_SIM_MAX_BUFFER_GROUPS groups per ring; exhausting them gives -ENOMEM.
 */
#include "sim_internal.h"

#define MAX_BIDS 65536u /* MAX_BIDS_PER_BGID */

struct kbuf {
    uint64_t addr;
    uint32_t len;
    uint16_t bid;
    uint32_t next;
};
struct kgroup {
    bool used;
    uint16_t bgid;
    uint32_t head, tail, count;
};

static struct kbuf kbufs[RINGER_SIM_MAX_PROVIDED_BUFFERS];
static uint32_t kbuf_free_head, kbuf_fresh;
static struct kgroup groups[RINGER_SIM_MAX_RINGS][RINGER_SIM_MAX_BUFFER_GROUPS];

void sim_kbuf_reset(void) {
    kbuf_free_head = SIM_NONE;
    kbuf_fresh = 0;
    memset(groups, 0, sizeof groups);
}

static uint32_t kbuf_alloc(void) {
    if (kbuf_free_head != SIM_NONE) {
        uint32_t b = kbuf_free_head;
        kbuf_free_head = kbufs[b].next;
        return b;
    }
    return kbuf_fresh < RINGER_SIM_MAX_PROVIDED_BUFFERS ? kbuf_fresh++ : SIM_NONE;
}

static void kbuf_put(uint32_t b) {
    kbufs[b].next = kbuf_free_head;
    kbuf_free_head = b;
}

static struct kgroup *group(uint32_t ring, uint16_t bgid, bool create) {
    struct kgroup *free_slot = NULL;
    for (uint32_t g = 0; g < RINGER_SIM_MAX_BUFFER_GROUPS; g++) {
        struct kgroup *k = &groups[ring][g];
        if (k->used && k->bgid == bgid) return k;
        if (!k->used && free_slot == NULL) free_slot = k;
    }
    if (!create || free_slot == NULL) return NULL;
    *free_slot = (struct kgroup){.used = true, .bgid = bgid, .head = SIM_NONE, .tail = SIM_NONE};
    return free_slot;
}

int sim_prep_provide_buffers(struct sim_req *q, const struct io_uring_sqe *sqe) {
    if (sqe->rw_flags || sqe->splice_fd_in) return -EINVAL;
    uint32_t nbufs = (uint32_t)sqe->fd;
    if (sqe->fd <= 0 || nbufs > MAX_BIDS) return -E2BIG;
    if (sqe->len == 0) return -EINVAL;
    uint64_t size = (uint64_t)sqe->len * nbufs;
    if (sqe->addr + size < sqe->addr) return -EOVERFLOW;
    if (!sim_user_ok((void *)(uintptr_t)sqe->addr, size)) return -EFAULT;
    if (sqe->off > UINT16_MAX) return -E2BIG;
    if (sqe->off + nbufs > MAX_BIDS) return -EINVAL;
    q->addr3 = sqe->buf_group;
    return 0;
}

int sim_prep_remove_buffers(struct sim_req *q, const struct io_uring_sqe *sqe) {
    if (sqe->rw_flags || sqe->addr || sqe->len || sqe->off || sqe->splice_fd_in) return -EINVAL;
    if (sqe->fd <= 0 || (uint32_t)sqe->fd > MAX_BIDS) return -EINVAL;
    q->addr3 = sqe->buf_group;
    return 0;
}

int32_t sim_exec_provide_buffers(struct sim_req *q, struct sim_op_out *out) {
    (void)out;
    struct kgroup *g = group(q->ring, (uint16_t)q->addr3, true);
    if (g == NULL) return -ENOMEM;
    uint32_t added = 0, nbufs = (uint32_t)q->fd;
    for (; added < nbufs; added++) {
        if (g->count == UINT16_MAX) return added ? 0 : -EOVERFLOW;
        uint32_t b = kbuf_alloc();
        if (b == SIM_NONE) break;
        kbufs[b] = (struct kbuf){q->addr + (uint64_t)added * q->len,
                                 q->len < 0x7ffff000u ? q->len : 0x7ffff000u,
                                 (uint16_t)(q->off + added), SIM_NONE};
        if (g->tail == SIM_NONE) g->head = b;
        else kbufs[g->tail].next = b;
        g->tail = b;
        g->count++;
    }
    return added ? 0 : -ENOMEM;
}

int32_t sim_exec_remove_buffers(struct sim_req *q, struct sim_op_out *out) {
    (void)out;
    struct kgroup *g = group(q->ring, (uint16_t)q->addr3, false);
    if (g == NULL || g->count == 0) return -ENOENT;
    int32_t removed = 0;
    while (removed < q->fd && g->head != SIM_NONE) {
        uint32_t b = g->head;
        g->head = kbufs[b].next;
        kbuf_put(b);
        g->count--;
        removed++;
    }
    if (g->head == SIM_NONE) g->tail = SIM_NONE;
    return removed;
}

int sim_prep_buffer_select(struct sim_req *q, const struct io_uring_sqe *sqe) {
    bool selects =
        q->opcode == IORING_OP_READ || q->opcode == IORING_OP_READV || q->opcode == IORING_OP_RECV;
    if (!selects) return -EOPNOTSUPP;
    q->buf_group = sqe->buf_group;
    if (q->opcode == IORING_OP_READV) { /* one iovec, whose length bounds the buffer */
        const struct iovec *iov = (const struct iovec *)(uintptr_t)sqe->addr;
        if (sqe->len != 1) return -EINVAL;
        if (!sim_user_ok(iov, sizeof *iov)) return -EFAULT;
        q->buf_len = (uint32_t)iov->iov_len;
    } else {
        q->buf_len = sqe->len;
    }
    return 0;
}

/* Takes the group's first buffer for the request: false (-ENOBUFS) when there is none. */
bool sim_kbuf_select(struct sim_req *q) {
    struct kgroup *g = group(q->ring, q->buf_group, false);
    if (g == NULL || g->head == SIM_NONE) return false;
    uint32_t b = g->head;
    g->head = kbufs[b].next;
    if (g->head == SIM_NONE) g->tail = SIM_NONE;
    g->count--;
    q->kbuf = b;
    q->addr = kbufs[b].addr;
    q->len = q->buf_len == 0 || q->buf_len > kbufs[b].len ? kbufs[b].len : q->buf_len;
    q->nr_iov = 0;
    q->total = q->len;
    return true;
}

/* The request waits: its buffer goes back to the head of its group. */
void sim_kbuf_recycle(struct sim_req *q) {
    struct kgroup *g = group(q->ring, q->buf_group, true);
    uint32_t b = q->kbuf;
    q->kbuf = SIM_NONE;
    SIM_ASSERT(g != NULL && b != SIM_NONE);
    kbufs[b].next = g->head;
    g->head = b;
    if (g->tail == SIM_NONE) g->tail = b;
    g->count++;
}

/* The request completes with the buffer: the CQE flags that name it. */
uint32_t sim_kbuf_consume(struct sim_req *q) {
    uint32_t b = q->kbuf;
    q->kbuf = SIM_NONE;
    uint32_t flags = IORING_CQE_F_BUFFER | ((uint32_t)kbufs[b].bid << IORING_CQE_BUFFER_SHIFT);
    kbuf_put(b);
    return flags;
}

void sim_kbuf_ring_exit(uint32_t ring) {
    for (uint32_t g = 0; g < RINGER_SIM_MAX_BUFFER_GROUPS; g++) {
        struct kgroup *k = &groups[ring][g];
        for (uint32_t b = k->head; k->used && b != SIM_NONE;) {
            uint32_t next = kbufs[b].next;
            kbuf_put(b);
            b = next;
        }
        k->used = false;
    }
}
