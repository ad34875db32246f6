/*
 * TIMEOUT and TIMEOUT_REMOVE (kernel-semantics.md §11): relative, absolute and count
 * timeouts. A timer never fires before its deadline; it fires late by a slack drawn from
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

void sim_timeout_issue(uint32_t r) {
    struct sim_req *q = &sim_reqs[r];
    SIM_ASSERT(q->opcode == IORING_OP_TIMEOUT);
    int32_t fault;
    if (timeout_faults(r, &fault)) {
        sim_req_complete(r, fault, 0);
        return;
    }
    uint64_t deadline = q->timeout_abs ? q->deadline : sim_now + q->deadline;
    if (!q->timeout_abs && deadline < sim_now) deadline = UINT64_MAX; /* overflow: never */
    uint64_t slack = timer_slack();
    if (deadline <= sim_now) {
        sim_req_complete(r, -ETIME, 0);
        return;
    }
    q->deadline = deadline;
    q->state = REQ_TIMER;
    if (deadline != UINT64_MAX) sim_schedule(deadline + slack, EV_REQ, r, q->gen);
    if (q->off != 0) {
        struct sim_ring *ring = &sim_rings[q->ring];
        q->count_target = ring->cqes_posted_nontimeout + q->off;
        q->count_next = ring->count_head;
        ring->count_head = r;
    }
}

void sim_timer_fire(uint32_t r) {
    struct sim_req *q = &sim_reqs[r];
    SIM_ASSERT(q->state == REQ_TIMER);
    SIM_ASSERT(sim_now >= q->deadline); /* never early */
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

void sim_timeout_remove_issue(uint32_t r) {
    struct sim_req *q = &sim_reqs[r];
    struct sim_ring *ring = &sim_rings[q->ring];
    uint32_t target = SIM_NONE;
    for (uint32_t t = ring->inflight_head; t != SIM_NONE; t = sim_reqs[t].ring_next) {
        if (t != r && sim_reqs[t].opcode == IORING_OP_TIMEOUT && sim_reqs[t].user_data == q->addr &&
            sim_reqs[t].state == REQ_TIMER) {
            target = t;
            break;
        }
    }
    if (target == SIM_NONE) {
        sim_req_complete(r, -ENOENT, 0);
        return;
    }
    if (sim_now >= sim_reqs[target].deadline) {
        sim_req_complete(r, -EALREADY, 0); /* firing: it will complete with -ETIME */
        return;
    }
    sim_req_detach(target);
    sim_req_complete(r, 0, 0);
    sim_req_complete(target, -ECANCELED, 0);
}
