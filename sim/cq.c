/*
 * The completion queue (kernel-semantics.md §6): CQEs are written into the CQ ring the
 * program shares with the kernel, in posting order; when it is full they wait, in order, on
 * the ring's overflow list (IORING_SQ_CQ_OVERFLOW) until an enter flushes them. A posted CQE
 * also signals the ring's registered eventfd, once per batch as Linux does at each commit.
 */
#include "sim_internal.h"

struct overflow_node {
    uint64_t user_data;
    int32_t res;
    uint32_t flags;
    uint32_t next;
};
static struct overflow_node overflow[RINGER_SIM_MAX_OVERFLOW];
static uint32_t overflow_free[RINGER_SIM_MAX_OVERFLOW];
static uint32_t overflow_free_count, overflow_fresh;
static bool any_eventfd_pending;

void sim_cq_reset(void) {
    overflow_free_count = overflow_fresh = 0;
    any_eventfd_pending = false;
}

uint32_t sim_cq_count(uint32_t index) {
    const struct sim_ring *r = &sim_rings[index];
    return r->cq_tail - IO_URING_READ_ONCE(r->hdr->cq_head);
}

/* Room in the CQ ring; a head moved past the tail leaves none (Linux's min(queued, size)). */
static uint32_t cq_space(const struct sim_ring *r) {
    uint32_t queued = r->cq_tail - IO_URING_READ_ONCE(r->hdr->cq_head);
    return queued >= r->cq_entries ? 0 : r->cq_entries - queued;
}

static void set_sq_flags(struct sim_ring *r, uint32_t flags) {
    r->sq_flags = flags;
    io_uring_smp_store_release(&r->hdr->sq_flags, flags);
}

static void cq_write(uint32_t index, const struct io_uring_cqe *cqe) {
    struct sim_ring *r = &sim_rings[index];
    SIM_ASSERT(cq_space(r) > 0);
    r->cqes[r->cq_tail & (r->cq_entries - 1)] = *cqe;
    r->cq_tail++;
    io_uring_smp_store_release(&r->hdr->cq_tail, r->cq_tail); /* the CQE before the tail */
    if (r->eventfd_file != SIM_NONE && (!r->eventfd_async || sim_in_event)) {
        r->eventfd_pending = true;
        any_eventfd_pending = true;
    }
    sim_wq_wake(WQ_POLL_RING, index); /* polls of the ring fd see POLLIN */
}

bool sim_cq_has_room(uint32_t index) {
    const struct sim_ring *r = &sim_rings[index];
    return r->ov_head == SIM_NONE && cq_space(r) > 0;
}

void sim_cq_signal_eventfds(void) {
    if (!any_eventfd_pending) return;
    any_eventfd_pending = false;
    for (uint32_t i = 0; i < RINGER_SIM_MAX_RINGS; i++) sim_cq_eventfd_flush(i);
}

void sim_cq_flush_overflow(uint32_t index) {
    struct sim_ring *r = &sim_rings[index];
    while (r->ov_head != SIM_NONE && cq_space(r) > 0) {
        uint32_t n = r->ov_head;
        struct io_uring_cqe cqe = {
            .user_data = overflow[n].user_data, .res = overflow[n].res, .flags = overflow[n].flags};
        r->ov_head = overflow[n].next;
        if (r->ov_head == SIM_NONE) r->ov_tail = SIM_NONE;
        r->ov_count--;
        overflow_free[overflow_free_count++] = n;
        cq_write(index, &cqe);
    }
    if (r->ov_head == SIM_NONE && (r->sq_flags & IORING_SQ_CQ_OVERFLOW))
        set_sq_flags(r, r->sq_flags & ~IORING_SQ_CQ_OVERFLOW);
}

/* Memory exhausted: the CQE is lost and counted (cq_overflow), as Linux's -EBADR case. */
static void cq_drop(struct sim_ring *r) {
    r->dropped = true;
    IO_URING_WRITE_ONCE(r->hdr->cq_overflow, r->hdr->cq_overflow + 1);
}

static void overflow_push(struct sim_ring *r, const struct io_uring_cqe *cqe) {
    if (overflow_free_count == 0 && overflow_fresh == RINGER_SIM_MAX_OVERFLOW) {
        cq_drop(r);
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
    set_sq_flags(r, r->sq_flags | IORING_SQ_CQ_OVERFLOW);
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
    if (drop) cq_drop(r);
    else if (r->ov_head != SIM_NONE || cq_space(r) == 0) overflow_push(r, &cqe);
    else cq_write(index, &cqe);
    if (!is_timeout) {
        r->cqes_posted_nontimeout++;
        sim_timeout_count_check(index);
    } else {
        r->cq_timeouts++;
    }
}

/* The registered eventfd gets one count per batch of CQEs, unless the program disabled it
 * (IORING_CQ_EVENTFD_DISABLED in the shared cq_flags). */
void sim_cq_eventfd_flush(uint32_t index) {
    struct sim_ring *r = &sim_rings[index];
    if (!r->used || !r->eventfd_pending) return;
    r->eventfd_pending = false;
    if (r->eventfd_file == SIM_NONE) return;
    if (IO_URING_READ_ONCE(r->hdr->cq_flags) & IORING_CQ_EVENTFD_DISABLED) return;
    const uint64_t one = 1;
    sim_event_write(sim_files[r->eventfd_file].obj, &one, sizeof one, true);
}

void sim_cq_ring_exit(uint32_t index) {
    struct sim_ring *r = &sim_rings[index];
    while (r->ov_head != SIM_NONE) {
        uint32_t n = r->ov_head;
        r->ov_head = overflow[n].next;
        overflow_free[overflow_free_count++] = n;
    }
    r->ov_tail = SIM_NONE;
    r->ov_count = 0;
}
