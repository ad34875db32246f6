/*
 * TIMEOUT, TIMEOUT_REMOVE (and its updates) and LINK_TIMEOUT (kernel-semantics.md §11):
 * relative, absolute and count timeouts, and the timeout that guards the request before it
 * in a chain. A timer never fires before its deadline; it fires late by a slack drawn from
 * [0, timer_slack_ns].
 */
#include "sim_internal.h"

/* One slack per enter: timers armed together with equal durations fire together. */
static uint64_t drawn_at_enter = UINT64_MAX, enter_slack;

void sim_timeout_reset(void) {
    drawn_at_enter = UINT64_MAX;
    enter_slack = 0;
}

static uint64_t timer_slack(void) {
    if (drawn_at_enter != sim_stats.enters) {
        uint64_t max =
            sim_cfg.o.timer_slack_ns > UINT32_MAX - 1 ? UINT32_MAX - 1 : sim_cfg.o.timer_slack_ns;
        enter_slack = sim_draw_below((uint32_t)max + 1);
        drawn_at_enter = sim_stats.enters;
    }
    return enter_slack;
}

/* ---- prep ---- */

static bool clocks_valid(uint32_t flags) {
    return (flags & IORING_TIMEOUT_CLOCK_MASK) != IORING_TIMEOUT_CLOCK_MASK;
}

/* Reads the timespec once, at consumption (IORING_FEAT_SUBMIT_STABLE). */
static int read_timespec(struct sim_req *q, const struct __kernel_timespec *ts, uint32_t flags) {
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

int sim_prep_timeout(struct sim_req *q, const struct io_uring_sqe *sqe) {
    uint32_t flags = sqe->timeout_flags;
    if (q->fixed_file) return -EINVAL;
    if (sqe->len != 1 || sqe->buf_index || sqe->splice_fd_in) return -EINVAL;
    if (flags & ~(IORING_TIMEOUT_ABS | IORING_TIMEOUT_CLOCK_MASK | IORING_TIMEOUT_ETIME_SUCCESS))
        return -EINVAL;
    if (!clocks_valid(flags)) return -EINVAL;
    q->op_flags = flags;
    return read_timespec(q, (const struct __kernel_timespec *)(uintptr_t)sqe->addr, flags);
}

int sim_prep_link_timeout(struct sim_req *q, const struct io_uring_sqe *sqe) {
    const struct sim_ring *ring = &sim_rings[q->ring];
    int err = sim_prep_timeout(q, sqe);
    if (err) return err;
    if (sqe->off) return -EINVAL; /* no count for a link timeout */
    /* it guards the request before it in a chain being consumed */
    if (ring->link_tail == SIM_NONE || ring->link_failed) return -EINVAL;
    if (sim_reqs[ring->link_tail].opcode == IORING_OP_LINK_TIMEOUT) return -EINVAL;
    return 0;
}

int sim_prep_timeout_remove(struct sim_req *q, const struct io_uring_sqe *sqe) {
    uint32_t flags = sqe->timeout_flags;
    if (q->fixed_file) return -EINVAL;
    if (sqe->buf_index || sqe->len || sqe->splice_fd_in) return -EINVAL;
    q->op_flags = flags;
    if (!(flags & (IORING_TIMEOUT_UPDATE | IORING_LINK_TIMEOUT_UPDATE)))
        return flags ? -EINVAL : 0; /* a removal takes no flags */
    if (!clocks_valid(flags)) return -EINVAL;
    if (flags & ~(IORING_TIMEOUT_UPDATE_MASK | IORING_TIMEOUT_ABS | IORING_TIMEOUT_CLOCK_MASK))
        return -EINVAL;
    return read_timespec(q, (const struct __kernel_timespec *)(uintptr_t)sqe->addr2, flags);
}

/* ---- arming and firing ---- */

/* Hostile only: a timeout that ends with -ECANCELED or -EINTR; or a scripted result. */
static bool timeout_faults(uint32_t r, int32_t *res) {
    const struct sim_req *q = &sim_reqs[r];
    if (sim_script_take(IORING_OP_TIMEOUT, res)) return true;
    bool allowed = sim_transient_allowed(q->user_data);
    bool ecanceled = sim_fault2(RINGER_SIM_FAULT_CQE_ECANCELED, false, true);
    bool eintr = sim_fault2(RINGER_SIM_FAULT_CQE_EINTR, false, allowed);
    *res = ecanceled ? -ECANCELED : eintr ? -EINTR : 0;
    return *res != 0;
}

/* Starts the timer of r from its decoded deadline; false when it expired already. */
static bool arm(uint32_t r) {
    struct sim_req *q = &sim_reqs[r];
    uint64_t deadline = q->timeout_abs ? q->deadline : sim_now + q->deadline;
    if (!q->timeout_abs && deadline < sim_now) deadline = UINT64_MAX; /* overflow: never */
    uint64_t slack = timer_slack();
    if (deadline <= sim_now) return false;
    q->deadline = deadline;
    q->state = REQ_TIMER;
    if (deadline != UINT64_MAX) sim_schedule(deadline + slack, EV_REQ, r, q->gen);
    return true;
}

void sim_timeout_issue(uint32_t r) {
    struct sim_req *q = &sim_reqs[r];
    SIM_ASSERT(q->opcode == IORING_OP_TIMEOUT);
    int32_t fault;
    if (timeout_faults(r, &fault)) {
        sim_req_complete(r, fault, 0);
        return;
    }
    if (!arm(r)) {
        sim_req_complete(r, -ETIME, 0);
        return;
    }
    if (q->off != 0) {
        struct sim_ring *ring = &sim_rings[q->ring];
        q->count_target = ring->cqes_posted_nontimeout + q->off;
        q->count_next = ring->count_head;
        ring->count_head = r;
    }
}

void sim_link_timeout_issue(uint32_t r) {
    (void)r;
    SIM_ASSERT(!"a LINK_TIMEOUT is armed by the request it guards, never issued");
}

/* A LINK_TIMEOUT fired: the request it guards is cancelled (-ECANCELED, or -EINTR when
 * running in a worker), and the timeout reports -ETIME, or why the cancel failed. */
static void link_timeout_fire(uint32_t lt) {
    struct sim_req *t = &sim_reqs[lt];
    uint32_t target = t->lt_target;
    int32_t res = -ENOENT;
    t->lt_target = SIM_NONE;
    if (target != SIM_NONE && sim_reqs[target].gen == t->lt_target_gen &&
        sim_reqs[target].state != REQ_FREE) {
        sim_reqs[target].link_timeout = SIM_NONE;
        res = sim_cancel_target(target) == 0 ? -ETIME : -EALREADY;
    }
    sim_req_complete(lt, res, 0);
}

void sim_timer_fire(uint32_t r) {
    struct sim_req *q = &sim_reqs[r];
    SIM_ASSERT(q->state == REQ_TIMER);
    SIM_ASSERT(sim_now >= q->deadline); /* never early */
    if (q->opcode == IORING_OP_LINK_TIMEOUT) return link_timeout_fire(r);
    sim_req_complete(r, -ETIME, 0);
}

/* After a non-timeout CQE: complete the count timeouts it satisfied (posted after it). */
void sim_timeout_count_check(uint32_t ring_index) {
    struct sim_ring *ring = &sim_rings[ring_index];
    uint32_t r = ring->count_head;
    while (r != SIM_NONE) {
        uint32_t next = sim_reqs[r].count_next;
        SIM_ASSERT(sim_reqs[r].state == REQ_TIMER);
        if (ring->cqes_posted_nontimeout >= sim_reqs[r].count_target) {
            sim_req_complete(r, 0, 0);
            next = ring->count_head; /* the list changed: rescan */
        }
        r = next;
    }
}

/* ---- link timeouts and their chain ---- */

void sim_link_timeout_arm(uint32_t r) {
    struct sim_req *q = &sim_reqs[r];
    uint32_t lt = q->link_next;
    if (lt == SIM_NONE || sim_reqs[lt].opcode != IORING_OP_LINK_TIMEOUT) return;
    struct sim_req *t = &sim_reqs[lt];
    if (t->state != REQ_HELD || t->lt_target != SIM_NONE) return;
    t->lt_target = r;
    t->lt_target_gen = q->gen;
    q->link_timeout = lt;
    sim_link_splice_out(lt); /* out of the chain: the guarded request's successor follows it */
    if (!arm(lt)) {
        t->state = REQ_TIMER; /* expired already: fires at the next event */
        sim_schedule(sim_now, EV_REQ, lt, t->gen);
    }
}

uint32_t sim_link_timeout_disarm(uint32_t r, uint32_t *lt_gen) {
    struct sim_req *q = &sim_reqs[r];
    uint32_t lt = q->link_timeout;
    q->link_timeout = SIM_NONE;
    if (lt == SIM_NONE || sim_reqs[lt].lt_target != r || sim_reqs[lt].state != REQ_TIMER)
        return SIM_NONE;
    sim_reqs[lt].lt_target = SIM_NONE;
    sim_req_detach(lt); /* its timer event no longer matches */
    *lt_gen = sim_reqs[lt].gen;
    return lt;
}

/* ---- removal and update ---- */

static uint32_t find_timer(uint32_t ring_index, uint32_t self, uint64_t user_data, bool link) {
    const struct sim_ring *ring = &sim_rings[ring_index];
    uint8_t opcode = link ? IORING_OP_LINK_TIMEOUT : IORING_OP_TIMEOUT;
    for (uint32_t t = ring->inflight_head; t != SIM_NONE; t = sim_reqs[t].ring_next) {
        if (t != self && sim_reqs[t].opcode == opcode && sim_reqs[t].user_data == user_data &&
            sim_reqs[t].state == REQ_TIMER)
            return t;
    }
    return SIM_NONE;
}

/* A new deadline for an armed timeout (IORING_TIMEOUT_UPDATE / IORING_LINK_TIMEOUT_UPDATE). */
static int32_t update(uint32_t r, uint32_t target) {
    struct sim_req *q = &sim_reqs[r], *t = &sim_reqs[target];
    uint32_t lt_target = t->lt_target, lt_gen = t->lt_target_gen;
    sim_req_detach(target); /* drops the pending timer event */
    t->state = REQ_TIMER;
    t->lt_target = lt_target;
    t->lt_target_gen = lt_gen;
    t->deadline = q->deadline;
    t->timeout_abs = q->timeout_abs;
    if (!arm(target)) sim_schedule(sim_now, EV_REQ, target, t->gen);
    if (t->off != 0) { /* a count timeout stays on the ring's list */
        struct sim_ring *ring = &sim_rings[t->ring];
        t->count_next = ring->count_head;
        ring->count_head = target;
    }
    return 0;
}

void sim_timeout_remove_issue(uint32_t r) {
    struct sim_req *q = &sim_reqs[r];
    bool link = (q->op_flags & IORING_LINK_TIMEOUT_UPDATE) != 0;
    bool updating = (q->op_flags & (IORING_TIMEOUT_UPDATE | IORING_LINK_TIMEOUT_UPDATE)) != 0;
    uint32_t target = find_timer(q->ring, r, q->addr, link);
    if (target == SIM_NONE) return sim_req_complete(r, -ENOENT, 0);
    if (sim_now >= sim_reqs[target].deadline)
        return sim_req_complete(r, -EALREADY, 0); /* firing: it completes with -ETIME */
    if (updating) return sim_req_complete(r, update(r, target), 0);
    sim_req_detach(target);
    sim_req_complete(r, 0, 0);
    sim_req_complete(target, -ECANCELED, 0);
}
