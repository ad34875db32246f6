/*
 * Requests: the pool, the per-ring in-flight list (consumption order), waiter queues on
 * sockets, pipes and eventfds, and CQE posting.
 */
#include "sim_internal.h"

struct sim_req sim_reqs[RINGER_SIM_MAX_REQUESTS];
static uint32_t req_free[RINGER_SIM_MAX_REQUESTS];
static uint32_t req_free_count;
uint32_t sim_reqs_used; /* high-water mark: requests [0, used) were ever allocated */
static uint64_t req_seq;

#define WQ_KINDS WQ_KIND_COUNT
#define WQ_OBJS  8192u /* sockets, eventfds, pipes, rings: at most this many each */
static uint32_t wq_head[WQ_KINDS][WQ_OBJS], wq_tail[WQ_KINDS][WQ_OBJS];
static bool wq_waking[WQ_KINDS][WQ_OBJS], wq_again[WQ_KINDS][WQ_OBJS];
static uint32_t wq_count; /* requests on any waiter queue */

/* Resets only what the previous world used, so that a fresh world costs microseconds. */
void sim_reqs_reset(void) {
    static bool first = true;
    memset(sim_reqs, 0, sim_reqs_used * sizeof sim_reqs[0]);
    sim_reqs_used = 0;
    req_free_count = 0;
    req_seq = 0;
    if (first) {
        for (uint32_t k = 0; k < WQ_KINDS; k++) {
            for (uint32_t o = 0; o < WQ_OBJS; o++) wq_head[k][o] = wq_tail[k][o] = SIM_NONE;
        }
        first = false;
    }
    /* wq_waking and wq_again are false outside a wake, and the queues empty between worlds */
    SIM_ASSERT(wq_count == 0);
    sim_iov_reset();
}

/* Wait queues are empty at the end of every world (requests leave them when released);
 * a crash or deinit that releases everything keeps that true. */
void sim_wq_check_empty(void) {
    SIM_ASSERT(wq_count == 0);
}

uint32_t sim_req_alloc(void) {
    uint32_t r;
    if (req_free_count > 0) r = req_free[--req_free_count];
    else if (sim_reqs_used < RINGER_SIM_MAX_REQUESTS) r = sim_reqs_used++;
    else return SIM_NONE;
    struct sim_req *q = &sim_reqs[r];
    SIM_ASSERT(q->state == REQ_FREE);
    uint32_t gen = q->gen + 1;
    memset(q, 0, offsetof(struct sim_req, copy));
    q->gen = gen;
    q->node = (uint8_t)sim_node_cur;
    q->seq = ++req_seq;
    q->file = SIM_NONE;
    q->wq_next = q->wq_prev = q->ring_next = q->ring_prev = q->count_next = SIM_NONE;
    q->link_next = q->link_prev = q->held_next = SIM_NONE;
    q->wq_obj = SIM_NONE;
    q->iov_slot = q->link_timeout = q->lt_target = q->kbuf = SIM_NONE;
    q->state = REQ_WORK; /* in flight until it posts */
    return r;
}

void sim_inflight_add(uint32_t r) {
    struct sim_req *q = &sim_reqs[r];
    struct sim_ring *ring = &sim_rings[q->ring];
    q->ring_prev = ring->inflight_tail;
    q->ring_next = SIM_NONE;
    if (ring->inflight_tail == SIM_NONE) ring->inflight_head = r;
    else sim_reqs[ring->inflight_tail].ring_next = r;
    ring->inflight_tail = r;
    ring->inflight_count++;
}

static void inflight_remove(uint32_t r) {
    struct sim_req *q = &sim_reqs[r];
    struct sim_ring *ring = &sim_rings[q->ring];
    if (q->ring_prev == SIM_NONE && ring->inflight_head != r)
        return; /* never added (prep failure) */
    if (q->ring_prev == SIM_NONE) ring->inflight_head = q->ring_next;
    else sim_reqs[q->ring_prev].ring_next = q->ring_next;
    if (q->ring_next == SIM_NONE) ring->inflight_tail = q->ring_prev;
    else sim_reqs[q->ring_next].ring_prev = q->ring_prev;
    SIM_ASSERT(ring->inflight_count > 0);
    ring->inflight_count--;
    q->ring_next = q->ring_prev = SIM_NONE;
}

static void count_list_remove(uint32_t r) {
    struct sim_ring *ring = &sim_rings[sim_reqs[r].ring];
    for (uint32_t *link = &ring->count_head; *link != SIM_NONE;
         link = &sim_reqs[*link].count_next) {
        if (*link == r) {
            *link = sim_reqs[r].count_next;
            sim_reqs[r].count_next = SIM_NONE;
            return;
        }
    }
}

/* Takes a request out of every wait (queue, timer, count list) before its CQE is decided
 * elsewhere; stale timer events no longer match its generation. */
void sim_req_detach(uint32_t r) {
    struct sim_req *q = &sim_reqs[r];
    SIM_ASSERT(q->state != REQ_FREE);
    sim_link_unhook(r); /* a held member leaves its chain position and the drain FIFO */
    if (q->wq_kind != WQ_NONE) sim_wq_remove(r);
    count_list_remove(r);
    q->gen++;
    q->state = REQ_POSTPONED;
}

/* Frees a request without a CQE (ring exit, crash, or after posting). */
void sim_req_release(uint32_t r) {
    struct sim_req *q = &sim_reqs[r];
    SIM_ASSERT(q->state != REQ_FREE);
    sim_link_unhook(r);
    if (q->wq_kind != WQ_NONE) sim_wq_remove(r);
    count_list_remove(r);
    inflight_remove(r);
    if (q->poisoned != NULL) sim_unpoison_for_write(q->poisoned, q->poisoned_size);
    q->poisoned = NULL;
    if (q->file != SIM_NONE) sim_file_unref(q->file);
    q->file = SIM_NONE;
    sim_iov_release(q);
    q->state = REQ_FREE;
    q->gen++;
    SIM_ASSERT(req_free_count < RINGER_SIM_MAX_REQUESTS);
    req_free[req_free_count++] = r;
}

void sim_req_complete(uint32_t r, int32_t res, uint32_t flags) {
    struct sim_req *q = &sim_reqs[r];
    if (q->state == REQ_FREE)
        sim_oracle_fail("a CQE for a request that is not in flight (user_data %llu)",
                        (unsigned long long)q->user_data);
    uint32_t ring = q->ring;
    uint64_t user_data = q->user_data, seq = q->seq;
    bool is_timeout = q->opcode == IORING_OP_TIMEOUT;
    bool skip =
        ((q->sqe_flags & IOSQE_CQE_SKIP_SUCCESS) && !sim_req_failed(q, res)) || q->cqe_quiet;
    flags |= q->cqe_flags;
    sim_transient_note(user_data, res == -EINTR || res == -EAGAIN);
    bool fail_chain;
    uint32_t next_gen = 0;
    uint32_t next = sim_link_take_next(r, res, &fail_chain, &next_gen);
    uint32_t lt_gen = 0;
    uint32_t lt = sim_link_timeout_disarm(r, &lt_gen);
    sim_req_release(r);
    if (!skip) sim_cq_post(ring, user_data, res, flags, seq, is_timeout);
    /* its link timeout did not fire: it is cancelled, after the request's CQE */
    if (lt != SIM_NONE && sim_reqs[lt].gen == lt_gen && sim_reqs[lt].state != REQ_FREE)
        sim_req_complete(lt, -ECANCELED, 0);
    sim_link_continue(ring, next, next_gen, fail_chain);
}

static void req_event(uint32_t r) {
    struct sim_req *q = &sim_reqs[r];
    switch (q->state) {
    case REQ_TIMER:
        sim_timer_fire(r);
        break;
    case REQ_POSTPONED:
        sim_req_complete(r, q->res, 0);
        break;
    case REQ_WORK:
        if (q->cancelled_running) sim_req_complete(r, -EINTR, 0);
        else if (q->opcode == IORING_OP_ASYNC_CANCEL)
            sim_cancel_issue(r); /* deferred under the hostile profile */
        else sim_op_retry(r);
        break;
    default:
        SIM_ASSERT(!"request event in a waiting state");
    }
}

/* A request's event runs on the node that submitted it (its fds, its file system). */
void sim_req_event(uint32_t r) {
    uint32_t back = sim_node_enter(sim_reqs[r].node);
    req_event(r);
    sim_node_cur = back;
}

/* ---- waiter queues ---- */

void sim_wq_push(uint32_t r, uint32_t kind, uint32_t obj) {
    struct sim_req *q = &sim_reqs[r];
    SIM_ASSERT(kind > WQ_NONE && kind < WQ_KINDS && obj < WQ_OBJS);
    SIM_ASSERT(q->wq_kind == WQ_NONE);
    q->wq_kind = kind;
    q->wq_obj = obj;
    q->wq_next = SIM_NONE;
    q->wq_prev = wq_tail[kind][obj];
    if (wq_tail[kind][obj] == SIM_NONE) wq_head[kind][obj] = r;
    else sim_reqs[wq_tail[kind][obj]].wq_next = r;
    wq_tail[kind][obj] = r;
    q->state = REQ_WAIT;
    wq_count++;
}

void sim_wq_remove(uint32_t r) {
    struct sim_req *q = &sim_reqs[r];
    uint32_t kind = q->wq_kind, obj = q->wq_obj;
    SIM_ASSERT(kind > WQ_NONE && kind < WQ_KINDS);
    if (q->wq_prev == SIM_NONE) wq_head[kind][obj] = q->wq_next;
    else sim_reqs[q->wq_prev].wq_next = q->wq_next;
    if (q->wq_next == SIM_NONE) wq_tail[kind][obj] = q->wq_prev;
    else sim_reqs[q->wq_next].wq_prev = q->wq_prev;
    q->wq_kind = WQ_NONE;
    q->wq_next = q->wq_prev = SIM_NONE;
    SIM_ASSERT(wq_count > 0);
    wq_count--;
}

/* One pass over the waiters; under an ORDER fault the first two swap (item 9). */
static bool wake_pass(uint32_t kind, uint32_t obj) {
    bool progress = false;
    uint32_t r = wq_head[kind][obj];
    if (r != SIM_NONE && sim_reqs[r].wq_next != SIM_NONE &&
        sim_fault(RINGER_SIM_FAULT_ORDER, true)) {
        uint32_t second = sim_reqs[r].wq_next;
        progress |= sim_op_retry(second);
        r = wq_head[kind][obj];
    }
    while (r != SIM_NONE) {
        uint32_t next = sim_reqs[r].wq_next;
        progress |= sim_op_retry(r);
        r = next;
    }
    return progress;
}

/* The POLL_ADD queue that hears every change of a queue's object. */
static uint32_t poll_kind(uint32_t kind) {
    switch (kind) {
    case WQ_SOCK_RX:
    case WQ_SOCK_TX:
    case WQ_LISTEN:
        return WQ_POLL_SOCK;
    case WQ_EVENT:
        return WQ_POLL_EVENT;
    case WQ_PIPE_R:
    case WQ_PIPE_W:
        return WQ_POLL_PIPE;
    default:
        return WQ_NONE;
    }
}

void sim_wq_wake(uint32_t kind, uint32_t obj) {
    SIM_ASSERT(kind < WQ_KINDS && obj < WQ_OBJS);
    if (wq_waking[kind][obj]) {
        wq_again[kind][obj] = true;
        return;
    }
    wq_waking[kind][obj] = true;
    do {
        wq_again[kind][obj] = false;
        if (!wake_pass(kind, obj)) break;
    } while (wq_again[kind][obj] || wq_head[kind][obj] != SIM_NONE);
    wq_waking[kind][obj] = false;
    uint32_t poll = poll_kind(kind);
    if (poll != WQ_NONE && wq_head[poll][obj] != SIM_NONE) sim_wq_wake(poll, obj);
}

uint32_t ringer_sim_in_flight(void) {
    SIM_ASSERT(req_free_count <= sim_reqs_used);
    return sim_reqs_used - req_free_count;
}

uint32_t ringer_sim_timers_with_user_data(uint64_t user_data) {
    uint32_t n = 0;
    for (uint32_t r = 0; r < sim_reqs_used; r++) {
        const struct sim_req *q = &sim_reqs[r];
        if (q->state != REQ_FREE && q->opcode == IORING_OP_TIMEOUT && q->user_data == user_data)
            n++;
    }
    return n;
}
