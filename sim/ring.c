/*
 * Rings: setup (kernel-semantics.md §2), the probe, the submission queue (§3), and the
 * completion queue with its ordered overflow list (§6). SQEs and CQEs live in static
 * per-ring arrays.
 */
#include "sim_internal.h"
#include "sim_log.h"

#include <stdlib.h>

struct sim_ring sim_rings[RINGER_SIM_MAX_RINGS];
static struct io_uring_sqe sqe_pool[RINGER_SIM_MAX_RINGS][RINGER_SIM_MAX_SQ_ENTRIES];
static struct io_uring_cqe cqe_pool[RINGER_SIM_MAX_RINGS][RINGER_SIM_MAX_CQ_ENTRIES];
static uint32_t ring_file[RINGER_SIM_MAX_RINGS];

struct overflow_node {
    uint64_t user_data;
    int32_t res;
    uint32_t flags;
    uint32_t next;
};
static struct overflow_node overflow[RINGER_SIM_MAX_OVERFLOW];
static uint32_t overflow_free[RINGER_SIM_MAX_OVERFLOW];
static uint32_t overflow_free_count, overflow_fresh;

#define PROBE_OPS   64
#define PROBE_BYTES (sizeof(struct io_uring_probe) + PROBE_OPS * sizeof(struct io_uring_probe_op))
static _Alignas(16) uint8_t probes[RINGER_SIM_MAX_RINGS][PROBE_BYTES];
static bool probe_used[RINGER_SIM_MAX_RINGS];

void sim_rings_reset(void) {
    memset(sim_rings, 0, sizeof sim_rings);
    memset(probe_used, 0, sizeof probe_used);
    overflow_free_count = overflow_fresh = 0;
}

struct sim_ring *sim_ring_of(const struct io_uring *ring) {
    if (ring == NULL || ring->ring_id == 0 || ring->ring_id > RINGER_SIM_MAX_RINGS) return NULL;
    struct sim_ring *r = &sim_rings[ring->ring_id - 1];
    if (ring->generation != sim_generation)
        sim_ring_generation_check(ring->generation, ring->ring_fd);
    if (!r->used || ring->generation != sim_generation) return NULL;
    return r;
}

static uint32_t ring_index(const struct sim_ring *r) {
    SIM_ASSERT(r >= sim_rings && r < sim_rings + RINGER_SIM_MAX_RINGS);
    return (uint32_t)(r - sim_rings);
}

static uint32_t features_for_profile(void) {
    uint32_t f = IORING_FEAT_SINGLE_MMAP | IORING_FEAT_NODROP | IORING_FEAT_SUBMIT_STABLE |
                 IORING_FEAT_RW_CUR_POS | IORING_FEAT_CUR_PERSONALITY | IORING_FEAT_FAST_POLL;
    if (sim_cfg.kernel != RINGER_SIM_KERNEL_5_8)
        f |= IORING_FEAT_POLL_32BITS | IORING_FEAT_SQPOLL_NONFIXED | IORING_FEAT_EXT_ARG |
             IORING_FEAT_NATIVE_WORKERS | IORING_FEAT_RSRC_TAGS | IORING_FEAT_CQE_SKIP |
             IORING_FEAT_LINKED_FILE;
    return f;
}

static int check_setup_flags(uint32_t flags) {
    uint32_t allowed = IORING_SETUP_CLAMP | IORING_SETUP_CQSIZE;
    if (sim_cfg.kernel != RINGER_SIM_KERNEL_5_8)
        allowed |= IORING_SETUP_SUBMIT_ALL | IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG;
    if (sim_cfg.kernel == RINGER_SIM_KERNEL_6_1) allowed |= IORING_SETUP_SINGLE_ISSUER;
    if (flags & ~allowed) return -EINVAL;
    if ((flags & IORING_SETUP_TASKRUN_FLAG) && !(flags & IORING_SETUP_COOP_TASKRUN)) return -EINVAL;
    return 0;
}

static uint32_t roundup_pow2(uint32_t n) {
    uint32_t p = 1;
    while (p < n) p <<= 1;
    return p;
}

static int ring_sizes(unsigned entries, const struct io_uring_params *p, uint32_t *sq,
                      uint32_t *cq) {
    if (entries == 0) return -EINVAL;
    if (entries > RINGER_SIM_MAX_SQ_ENTRIES) {
        if (!(p->flags & IORING_SETUP_CLAMP)) return -EINVAL;
        entries = RINGER_SIM_MAX_SQ_ENTRIES;
    }
    *sq = roundup_pow2(entries);
    if (!(p->flags & IORING_SETUP_CQSIZE)) {
        *cq = 2 * *sq;
        return 0;
    }
    uint32_t c = p->cq_entries;
    if (c == 0) return -EINVAL;
    if (c > RINGER_SIM_MAX_CQ_ENTRIES) {
        if (!(p->flags & IORING_SETUP_CLAMP)) return -EINVAL;
        c = RINGER_SIM_MAX_CQ_ENTRIES;
    }
    *cq = roundup_pow2(c);
    return *cq < *sq ? -EINVAL : 0;
}

static int ring_create(uint32_t flags, uint32_t sq, uint32_t cq, uint32_t *index) {
    uint32_t i;
    for (i = 0; i < RINGER_SIM_MAX_RINGS && sim_rings[i].used; i++) {
    }
    if (i == RINGER_SIM_MAX_RINGS) return -ENOMEM;
    uint32_t f = sim_file_alloc(FK_RING, i, O_RDWR);
    if (f == SIM_NONE) return -ENFILE;
    int fd = sim_fd_install(f, true);
    if (fd < 0) {
        sim_file_unref(f);
        return fd;
    }
    sim_rings[i] = (struct sim_ring){.used = true,
                                     .fd = (uint32_t)fd,
                                     .setup_flags = flags,
                                     .sq_entries = sq,
                                     .cq_entries = cq,
                                     .sqes = sqe_pool[i],
                                     .cqes = cqe_pool[i],
                                     .ov_head = SIM_NONE,
                                     .ov_tail = SIM_NONE,
                                     .inflight_head = SIM_NONE,
                                     .inflight_tail = SIM_NONE,
                                     .count_head = SIM_NONE,
                                     .held_head = SIM_NONE,
                                     .held_tail = SIM_NONE,
                                     .drain_running = SIM_NONE,
                                     .link_tail = SIM_NONE};
    memset(sqe_pool[i], 0, sq * sizeof(struct io_uring_sqe));
    memset(cqe_pool[i], 0, cq * sizeof(struct io_uring_cqe));
    ring_file[i] = f;
    sim_file_ref(f); /* the ring's own reference: the description outlives a close(ring_fd) */
    *index = i;
    return 0;
}

int io_uring_queue_init_params(unsigned entries, struct io_uring *ring, struct io_uring_params *p) {
    sim_enter_call();
    SIM_ASSERT(ring != NULL && p != NULL);
    uint32_t sq = 0, cq = 0, index = 0;
    int err = check_setup_flags(p->flags);
    for (int i = 0; i < 3 && err == 0; i++) err = p->resv[i] ? -EINVAL : 0;
    if (err == 0) err = ring_sizes(entries, p, &sq, &cq);
    if (err == 0) err = ring_create(p->flags, sq, cq, &index);
    sim_trace(TRACE_ENTER, 0x5e7, entries, p->flags, (uint64_t)err);
    if (err) return err;
    p->sq_entries = sq;
    p->cq_entries = cq;
    p->features = features_for_profile();
    memset(ring, 0, sizeof *ring);
    ring->ring_id = index + 1;
    ring->flags = p->flags;
    ring->ring_fd = (int)sim_rings[index].fd;
    ring->features = p->features;
    ring->sq_entries = sq;
    ring->cq_entries = cq;
    ring->generation = sim_generation;
    return 0;
}

int io_uring_queue_init(unsigned entries, struct io_uring *ring, unsigned flags) {
    struct io_uring_params p;
    memset(&p, 0, sizeof p);
    p.flags = flags;
    return io_uring_queue_init_params(entries, ring, &p);
}

void sim_ring_exit(uint32_t index) {
    struct sim_ring *r = &sim_rings[index];
    SIM_ASSERT(r->used);
    while (r->inflight_head != SIM_NONE) sim_req_release(r->inflight_head);
    while (r->ov_head != SIM_NONE) {
        uint32_t n = r->ov_head;
        r->ov_head = overflow[n].next;
        overflow_free[overflow_free_count++] = n;
    }
    if (sim_fd_file((int)r->fd) == ring_file[index]) sim_fd_close((int)r->fd);
    sim_file_unref(ring_file[index]);
    r->used = false;
}

void io_uring_queue_exit(struct io_uring *ring) {
    sim_enter_call();
    struct sim_ring *r = sim_ring_of(ring);
    SIM_ASSERT(r != NULL);
    sim_ring_exit(ring_index(r));
    ring->ring_id = 0;
}

static bool op_modelled(uint32_t op) {
    switch (op) {
    case IORING_OP_NOP:
    case IORING_OP_READ:
    case IORING_OP_WRITE:
    case IORING_OP_FSYNC:
    case IORING_OP_OPENAT:
    case IORING_OP_CLOSE:
    case IORING_OP_STATX:
    case IORING_OP_ACCEPT:
    case IORING_OP_CONNECT:
    case IORING_OP_RECV:
    case IORING_OP_SEND:
    case IORING_OP_TIMEOUT:
    case IORING_OP_TIMEOUT_REMOVE:
    case IORING_OP_ASYNC_CANCEL:
        return true;
    default:
        return false;
    }
}

uint32_t sim_last_op(void) {
    return sim_cfg.kernel == RINGER_SIM_KERNEL_5_8    ? IORING_OP_TEE
           : sim_cfg.kernel == RINGER_SIM_KERNEL_5_19 ? IORING_OP_URING_CMD
                                                      : IORING_OP_SENDMSG_ZC;
}

bool sim_op_supported(uint32_t op) {
    return op <= sim_last_op() && op_modelled(op);
}

struct io_uring_probe *io_uring_get_probe_ring(struct io_uring *ring) {
    sim_enter_call();
    if (sim_ring_of(ring) == NULL) return NULL;
    uint32_t i;
    for (i = 0; i < RINGER_SIM_MAX_RINGS && probe_used[i]; i++) {
    }
    if (i == RINGER_SIM_MAX_RINGS) return NULL;
    probe_used[i] = true;
    memset(probes[i], 0, sizeof probes[i]);
    struct io_uring_probe *p = (struct io_uring_probe *)(void *)probes[i];
    p->last_op = (uint8_t)sim_last_op();
    p->ops_len = (uint8_t)(sim_last_op() + 1);
    for (uint32_t op = 0; op <= sim_last_op() && op < PROBE_OPS; op++) {
        p->ops[op].op = (uint8_t)op;
        p->ops[op].flags = op_modelled(op) ? IO_URING_OP_SUPPORTED : 0;
    }
    return p;
}

struct io_uring_probe *io_uring_get_probe(void) {
    struct io_uring ring;
    if (io_uring_queue_init(2, &ring, 0) < 0) return NULL;
    struct io_uring_probe *p = io_uring_get_probe_ring(&ring);
    io_uring_queue_exit(&ring);
    return p;
}

void io_uring_free_probe(struct io_uring_probe *probe) {
    for (uint32_t i = 0; i < RINGER_SIM_MAX_RINGS; i++) {
        if ((uint8_t *)probe == probes[i]) {
            SIM_ASSERT(probe_used[i]);
            probe_used[i] = false;
            return;
        }
    }
    SIM_ASSERT(!"io_uring_free_probe: not a probe of the sim");
}

/* ---- SQ ---- */

struct io_uring_sqe *io_uring_get_sqe(struct io_uring *ring) {
    struct sim_ring *r = sim_ring_of(ring);
    SIM_ASSERT(r != NULL);
    if (r->sqe_tail - r->sq_khead >= r->sq_entries) return NULL;
    struct io_uring_sqe *sqe = &r->sqes[r->sqe_tail & (r->sq_entries - 1)];
    r->sqe_tail++;
    bool stale = sim_fault2(RINGER_SIM_FAULT_SQE_STALE, false, true);
    if (sim_cfg.o.liburing_clears_sqe) memset(sqe, 0, sizeof *sqe);
    if (stale) sim_draw_bytes(sqe, sizeof *sqe);
    return sqe;
}

unsigned io_uring_sq_ready(const struct io_uring *ring) {
    const struct sim_ring *r = sim_ring_of(ring);
    SIM_ASSERT(r != NULL);
    return r->sqe_tail - r->sq_khead;
}

unsigned io_uring_sq_space_left(const struct io_uring *ring) {
    const struct sim_ring *r = sim_ring_of(ring);
    SIM_ASSERT(r != NULL);
    return r->sq_entries - (r->sqe_tail - r->sq_khead);
}

/* ---- CQ ---- */

uint32_t sim_cq_count(uint32_t index) {
    const struct sim_ring *r = &sim_rings[index];
    SIM_ASSERT(r->cq_ktail - r->cq_khead <= r->cq_entries);
    return r->cq_ktail - r->cq_khead;
}

static void cq_write(struct sim_ring *r, const struct io_uring_cqe *cqe) {
    SIM_ASSERT(r->cq_ktail - r->cq_khead < r->cq_entries);
    r->cqes[r->cq_ktail & (r->cq_entries - 1)] = *cqe;
    r->cq_ktail++;
}

void sim_cq_flush_overflow(uint32_t index) {
    struct sim_ring *r = &sim_rings[index];
    while (r->ov_head != SIM_NONE && r->cq_ktail - r->cq_khead < r->cq_entries) {
        uint32_t n = r->ov_head;
        struct io_uring_cqe cqe = {
            .user_data = overflow[n].user_data, .res = overflow[n].res, .flags = overflow[n].flags};
        cq_write(r, &cqe);
        r->ov_head = overflow[n].next;
        if (r->ov_head == SIM_NONE) r->ov_tail = SIM_NONE;
        r->ov_count--;
        overflow_free[overflow_free_count++] = n;
    }
    if (r->ov_head == SIM_NONE) r->sq_flags &= ~IORING_SQ_CQ_OVERFLOW;
}

static void overflow_push(struct sim_ring *r, const struct io_uring_cqe *cqe) {
    if (overflow_free_count == 0 && overflow_fresh == RINGER_SIM_MAX_OVERFLOW) {
        r->dropped = true; /* memory exhausted: the CQE is lost, as Linux's -EBADR */
        return;
    }
    uint32_t n = overflow_free_count > 0 ? overflow_free[--overflow_free_count] : overflow_fresh++;
    overflow[n].user_data = cqe->user_data;
    overflow[n].res = cqe->res;
    overflow[n].flags = cqe->flags;
    overflow[n].next = SIM_NONE;
    if (r->ov_tail == SIM_NONE) r->ov_head = n;
    else overflow[r->ov_tail].next = n;
    r->ov_tail = n;
    r->ov_count++;
    r->sq_flags |= IORING_SQ_CQ_OVERFLOW;
    sim_stats.overflowed++;
}

void sim_cq_post(uint32_t index, uint64_t user_data, int32_t res, uint32_t flags, uint64_t seq,
                 bool is_timeout) {
    struct sim_ring *r = &sim_rings[index];
    SIM_ASSERT(r->used);
    bool drop =
        sim_fault2(RINGER_SIM_FAULT_CQE_DROP, sim_cfg.o.allow_cqe_drop, sim_cfg.o.allow_cqe_drop);
    bool odd = sim_fault2(RINGER_SIM_FAULT_CQE_FLAGS, false, true);
    uint32_t bits = sim_draw_u32();
    if (odd) flags |= (bits & 0xfff0u) << 4;
    struct io_uring_cqe cqe = {.user_data = user_data, .res = res, .flags = flags};
    sim_stats.cqes++;
    if (seq < r->max_posted_seq) sim_stats.cqes_reordered++;
    else r->max_posted_seq = seq;
    sim_trace(TRACE_CQE, seq, (uint64_t)(int64_t)res, flags, sim_now);
    if (drop) r->dropped = true;
    else if (r->ov_head != SIM_NONE || r->cq_ktail - r->cq_khead == r->cq_entries)
        overflow_push(r, &cqe);
    else cq_write(r, &cqe);
    if (!is_timeout) {
        r->cqes_posted_nontimeout++;
        sim_timeout_count_check(index);
    }
}

unsigned io_uring_cq_ready(const struct io_uring *ring) {
    const struct sim_ring *r = sim_ring_of(ring);
    SIM_ASSERT(r != NULL);
    return r->cq_ktail - r->cq_khead;
}

bool io_uring_cq_has_overflow(const struct io_uring *ring) {
    const struct sim_ring *r = sim_ring_of(ring);
    SIM_ASSERT(r != NULL);
    return (r->sq_flags & IORING_SQ_CQ_OVERFLOW) != 0;
}

void io_uring_cq_advance(struct io_uring *ring, unsigned nr) {
    struct sim_ring *r = sim_ring_of(ring);
    SIM_ASSERT(r != NULL);
    if (nr > r->cq_ktail - r->cq_khead)
        sim_oracle_fail("io_uring_cq_advance(%u) past the CQ tail (%u ready)", nr,
                        r->cq_ktail - r->cq_khead);
    r->cq_khead += nr;
}

unsigned io_uring_peek_batch_cqe(struct io_uring *ring, struct io_uring_cqe **cqes,
                                 unsigned count) {
    struct sim_ring *r = sim_ring_of(ring);
    SIM_ASSERT(r != NULL);
    SIM_ASSERT(cqes != NULL || count == 0);
    sim_enter_call(); /* a reaping loop makes progress in virtual time */
    bool overflow_checked = false;
    for (;;) {
        unsigned ready = r->cq_ktail - r->cq_khead;
        if (ready) {
            unsigned n = count < ready ? count : ready;
            for (unsigned i = 0; i < n; i++)
                cqes[i] = &r->cqes[(r->cq_khead + i) & (r->cq_entries - 1)];
            return n;
        }
        if (overflow_checked || !(r->sq_flags & IORING_SQ_CQ_OVERFLOW)) return 0;
        sim_enter(ring_index(r), 0, 0, IORING_ENTER_GETEVENTS);
        overflow_checked = true;
    }
}

uint32_t sim_ring_index_of(const struct io_uring *ring) {
    struct sim_ring *r = sim_ring_of(ring);
    return r == NULL ? SIM_NONE : ring_index(r);
}
