/*
 * IOSQE_IO_LINK, IOSQE_IO_HARDLINK and IOSQE_IO_DRAIN (kernel-semantics.md §7): a chain
 * starts its next member when one completes, fails the rest with -ECANCELED after a failure
 * (not for HARDLINK), fails every member after a prep failure, and ends at the submit
 * boundary; a DRAIN request starts after every earlier request completed, and later ones
 * wait for it. Held requests are in flight (cancellable) but not issued.
 */
#include "sim_internal.h"

static void hold(uint32_t r) {
    struct sim_req *q = &sim_reqs[r];
    SIM_ASSERT(q->state != REQ_FREE && q->state != REQ_HELD);
    q->state = REQ_HELD;
    sim_rings[q->ring].held_count++;
}

static void unhold(uint32_t r) {
    struct sim_req *q = &sim_reqs[r];
    SIM_ASSERT(q->state == REQ_HELD);
    SIM_ASSERT(sim_rings[q->ring].held_count > 0);
    sim_rings[q->ring].held_count--;
    q->state = REQ_WORK;
}

static uint32_t issued_in_flight(const struct sim_ring *ring) {
    SIM_ASSERT(ring->inflight_count >= ring->held_count);
    return ring->inflight_count - ring->held_count;
}

static void fifo_push(uint32_t r) {
    struct sim_req *q = &sim_reqs[r];
    struct sim_ring *ring = &sim_rings[q->ring];
    hold(r);
    q->drain_fifo = true;
    q->held_next = SIM_NONE;
    if (ring->held_tail == SIM_NONE) ring->held_head = r;
    else sim_reqs[ring->held_tail].held_next = r;
    ring->held_tail = r;
}

static void issue(uint32_t r) {
    struct sim_req *q = &sim_reqs[r];
    if (q->sqe_flags & IOSQE_IO_DRAIN) sim_rings[q->ring].drain_running = r;
    sim_op_issue(r);
}

/* Issues r now, or holds it behind a drain. */
static void issue_or_hold(uint32_t r) {
    struct sim_req *q = &sim_reqs[r];
    const struct sim_ring *ring = &sim_rings[q->ring];
    bool must_wait = ring->held_head != SIM_NONE || ring->drain_running != SIM_NONE ||
                     ((q->sqe_flags & IOSQE_IO_DRAIN) && issued_in_flight(ring) > 1);
    if (must_wait) fifo_push(r);
    else issue(r);
}

/* Releases the drain FIFO as far as the rules allow. */
static void fifo_release(uint32_t ring_index) {
    struct sim_ring *ring = &sim_rings[ring_index];
    while (ring->held_head != SIM_NONE && ring->drain_running == SIM_NONE) {
        uint32_t r = ring->held_head;
        struct sim_req *q = &sim_reqs[r];
        if ((q->sqe_flags & IOSQE_IO_DRAIN) && issued_in_flight(ring) > 0) return;
        ring->held_head = q->held_next;
        if (ring->held_head == SIM_NONE) ring->held_tail = SIM_NONE;
        q->drain_fifo = false;
        unhold(r);
        issue(r);
    }
}

static void fifo_remove(uint32_t r) {
    struct sim_ring *ring = &sim_rings[sim_reqs[r].ring];
    uint32_t prev = SIM_NONE;
    for (uint32_t t = ring->held_head; t != SIM_NONE; prev = t, t = sim_reqs[t].held_next) {
        if (t != r) continue;
        if (prev == SIM_NONE) ring->held_head = sim_reqs[t].held_next;
        else sim_reqs[prev].held_next = sim_reqs[t].held_next;
        if (ring->held_tail == r) ring->held_tail = prev;
        sim_reqs[r].drain_fifo = false;
        return;
    }
    SIM_ASSERT(!"held request not in the drain FIFO");
}

/* Fails `first` and every member after it (held, never issued) with -ECANCELED, in chain
 * order; a HARDLINK among them does not stop it (Linux fails the whole rest). */
static void fail_from(uint32_t first) {
    uint32_t m = first, gen = sim_reqs[first].gen;
    while (m != SIM_NONE) {
        /* a nested completion (a cancel released from the drain FIFO, a count timeout) may
         * already have decided this member: it then failed its own successors */
        if (sim_reqs[m].gen != gen || sim_reqs[m].state != REQ_HELD) return;
        uint32_t after = sim_reqs[m].link_next;
        uint32_t after_gen = after == SIM_NONE ? 0 : sim_reqs[after].gen;
        sim_reqs[m].link_next = sim_reqs[m].link_prev = SIM_NONE;
        if (after != SIM_NONE) sim_reqs[after].link_prev = SIM_NONE;
        unhold(m);
        sim_req_complete(m, -ECANCELED, 0);
        m = after;
        gen = after_gen;
    }
}

void sim_link_consumed(uint32_t r, int prep_error) {
    struct sim_req *q = &sim_reqs[r];
    struct sim_ring *ring = &sim_rings[q->ring];
    bool links = (q->sqe_flags & (IOSQE_IO_LINK | IOSQE_IO_HARDLINK)) != 0;
    uint32_t tail = ring->link_tail;
    if (ring->link_failed) { /* the rest of a chain broken by a prep failure */
        ring->link_failed = links;
        sim_req_complete(r, prep_error ? prep_error : -ECANCELED, 0);
        return;
    }
    if (tail == SIM_NONE) {
        if (prep_error) {
            ring->link_failed = links;
            sim_req_complete(r, prep_error, 0);
        } else if (links) {
            hold(r);
            ring->link_tail = r;
            ring->link_failed = false;
        } else {
            issue_or_hold(r);
        }
        return;
    }
    /* a member of the chain being consumed */
    sim_reqs[tail].link_next = r;
    q->link_prev = tail;
    hold(r);
    ring->link_tail = links ? r : SIM_NONE;
    if (prep_error || ring->link_failed) {
        /* a prep failure fails every member, earlier ones included */
        uint32_t head = r;
        while (sim_reqs[head].link_prev != SIM_NONE) head = sim_reqs[head].link_prev;
        for (uint32_t m = head; m != SIM_NONE;) {
            uint32_t next = sim_reqs[m].link_next;
            sim_reqs[m].link_next = sim_reqs[m].link_prev = SIM_NONE;
            unhold(m);
            sim_req_complete(m, m == r && prep_error ? prep_error : -ECANCELED, 0);
            m = next;
        }
        ring->link_tail = SIM_NONE;
        ring->link_failed = links; /* later members of this chain fail too */
        return;
    }
    if (!links) { /* the chain is complete: start its head */
        uint32_t head = r;
        while (sim_reqs[head].link_prev != SIM_NONE) head = sim_reqs[head].link_prev;
        unhold(head);
        issue_or_hold(head);
    }
}

void sim_link_submit_end(uint32_t ring_index) {
    struct sim_ring *ring = &sim_rings[ring_index];
    ring->link_failed = false;
    uint32_t tail = ring->link_tail;
    if (tail == SIM_NONE) return;
    ring->link_tail = SIM_NONE; /* a chain ends at the submit boundary */
    uint32_t head = tail;
    while (sim_reqs[head].link_prev != SIM_NONE) head = sim_reqs[head].link_prev;
    unhold(head);
    issue_or_hold(head);
}

/* A LINK_TIMEOUT being armed leaves the chain: its predecessor links to its successor. */
void sim_link_splice_out(uint32_t lt) {
    struct sim_req *t = &sim_reqs[lt];
    unhold(lt);
    uint32_t prev = t->link_prev, next = t->link_next;
    if (prev != SIM_NONE) sim_reqs[prev].link_next = next;
    if (next != SIM_NONE) sim_reqs[next].link_prev = prev;
    struct sim_ring *ring = &sim_rings[t->ring];
    if (ring->link_tail == lt) ring->link_tail = prev;
    t->link_prev = t->link_next = SIM_NONE;
}

bool sim_req_failed(const struct sim_req *q, int32_t res) {
    /* a LINK_TIMEOUT completes by task work, never marked failed: CQE_SKIP_SUCCESS always
     * skips its CQE */
    if (q->opcode == IORING_OP_LINK_TIMEOUT) return false;
    if (q->opcode == IORING_OP_TIMEOUT && res == -ETIME)
        return !(q->op_flags & IORING_TIMEOUT_ETIME_SUCCESS);
    if (res < 0) return true;
    /* a short read or write: less than the whole request (all iovecs) moved */
    if ((sim_op_is_read(q->opcode) || sim_op_is_write(q->opcode)) && (uint64_t)res < q->total)
        return true;
    return (q->opcode == IORING_OP_SEND || q->opcode == IORING_OP_RECV) &&
           (q->op_flags & MSG_WAITALL) && (uint32_t)res < q->len;
}

uint32_t sim_link_take_next(uint32_t r, int32_t res, bool *fail, uint32_t *next_gen) {
    struct sim_req *q = &sim_reqs[r];
    struct sim_ring *ring = &sim_rings[q->ring];
    if (ring->drain_running == r) ring->drain_running = SIM_NONE;
    uint32_t next = q->link_next;
    *fail = false;
    if (next == SIM_NONE) return SIM_NONE;
    q->link_next = SIM_NONE;
    sim_reqs[next].link_prev = SIM_NONE;
    *next_gen = sim_reqs[next].gen;
    *fail = sim_req_failed(q, res) && !(q->sqe_flags & IOSQE_IO_HARDLINK);
    /* a failed request whose CQE was to be skipped on success posts its own CQE and none
     * for the members it fails (Linux's REQ_F_SKIP_LINK_CQES) */
    if (*fail && (q->sqe_flags & IOSQE_CQE_SKIP_SUCCESS)) {
        for (uint32_t m = next; m != SIM_NONE; m = sim_reqs[m].link_next)
            sim_reqs[m].cqe_quiet = true;
    }
    return next;
}

void sim_link_continue(uint32_t ring_index, uint32_t next, uint32_t next_gen, bool fail) {
    /* posting the CQE may have run other completions (count timeouts, chains, a cancel)
     * that already decided the successor: then there is nothing left to do for it */
    if (next != SIM_NONE && (sim_reqs[next].gen != next_gen || sim_reqs[next].state != REQ_HELD))
        next = SIM_NONE;
    if (next != SIM_NONE) {
        SIM_ASSERT(!sim_reqs[next].drain_fifo);
        if (fail) {
            fail_from(next);
        } else {
            unhold(next);
            issue_or_hold(next);
        }
    }
    if (sim_rings[ring_index].used) fifo_release(ring_index);
}

void sim_link_unhook(uint32_t r) {
    struct sim_req *q = &sim_reqs[r];
    struct sim_ring *ring = &sim_rings[q->ring];
    if (q->drain_fifo) fifo_remove(r);
    if (q->state == REQ_HELD) {
        SIM_ASSERT(ring->held_count > 0);
        ring->held_count--;
        q->state = REQ_WORK;
    }
    if (q->link_prev != SIM_NONE) sim_reqs[q->link_prev].link_next = SIM_NONE;
    if (ring->link_tail == r) ring->link_tail = q->link_prev;
    q->link_prev = SIM_NONE;
    if (ring->drain_running == r) ring->drain_running = SIM_NONE;
}
