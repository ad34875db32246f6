/*
 * io_uring_enter (kernel-semantics.md §4, §5) and the liburing calls built on it, following
 * liburing 2.3's src/queue.c.
 */
#include "sim_internal.h"

struct wait_arg {
    uint32_t ring;
    uint32_t min_complete;
    uint64_t deadline; /* 0: none */
};

static bool wait_done(void *arg) {
    const struct wait_arg *w = arg;
    sim_cq_flush_overflow(w->ring);
    if (sim_rings[w->ring].dropped) return true;
    if (w->deadline && sim_now >= w->deadline) return true;
    return sim_cq_count(w->ring) >= w->min_complete;
}

/* Faults at the start of an enter: -EBUSY, -EAGAIN, or 0. */
static int enter_faults(uint32_t ring, bool submitting, bool getevents, uint64_t key) {
    const struct sim_ring *r = &sim_rings[ring];
    bool allowed = sim_transient_allowed(key);
    bool busy = sim_fault2(RINGER_SIM_FAULT_ENTER_EBUSY,
                           allowed && getevents && r->ov_head != SIM_NONE, allowed);
    bool again = sim_fault(RINGER_SIM_FAULT_ENTER_EAGAIN, allowed && submitting);
    if (busy) return -EBUSY;
    if (again) return -EAGAIN;
    return 0;
}

/* A dropped CQE is reported as Linux's io_cqring_wait reports it: only by an enter that
 * would otherwise wait (the CQ, after the overflow flush, holds fewer than min_complete),
 * and on every such enter from then on. An enter that only flushes (min_complete 0, as
 * liburing's peek makes) returns at once, so the report cannot be lost to a caller that
 * ignores the result. A call that consumed SQEs returns their count instead. */
static int enter_dropped(uint32_t ring, uint32_t consumed) {
    SIM_ASSERT(sim_rings[ring].dropped);
    return consumed > 0 ? 0 : -EBADR;
}

static int enter_wait(uint32_t ring, uint32_t consumed, uint32_t min_complete, uint64_t key,
                      uint64_t deadline) {
    struct wait_arg w = {ring, min_complete, deadline};
    sim_cq_flush_overflow(ring);
    if (sim_cq_count(ring) >= min_complete) return 0;
    if (sim_rings[ring].dropped) return enter_dropped(ring, consumed);
    if (wait_done(&w)) return 0;
    bool intr = sim_fault(RINGER_SIM_FAULT_ENTER_EINTR, sim_transient_allowed(key));
    if (intr) {
        sim_transient_note(key, true);
        return consumed > 0 ? 0 : -EINTR;
    }
    sim_block_until(wait_done, &w, "io_uring_enter(GETEVENTS)");
    if (sim_rings[ring].dropped && sim_cq_count(ring) < min_complete)
        return enter_dropped(ring, consumed);
    return 0;
}

int sim_enter_deadline(uint32_t ring, uint32_t to_submit, uint32_t min_complete, uint32_t flags,
                       uint64_t deadline) {
    sim_enter_call();
    sim_stats.enters++;
    struct sim_ring *r = &sim_rings[ring];
    SIM_ASSERT(r->used);
    uint64_t key = ~(uint64_t)ring;
    int res = 0;
    uint32_t consumed = 0;
    bool getevents = (flags & IORING_ENTER_GETEVENTS) != 0;
    uint32_t ready = r->sqe_tail - r->sq_khead;
    if (flags & ~(IORING_ENTER_GETEVENTS | IORING_ENTER_SQ_WAKEUP | IORING_ENTER_SQ_WAIT |
                  IORING_ENTER_EXT_ARG | IORING_ENTER_REGISTERED_RING)) {
        res = -EINVAL;
    } else if ((res = enter_faults(ring, to_submit > 0 && ready > 0, getevents, key)) != 0) {
        sim_transient_note(key, true);
    } else {
        uint32_t n = to_submit < ready ? to_submit : ready;
        consumed = sim_consume_sqes(ring, n, &res);
        if (res == 0 && consumed == to_submit && getevents)
            res = enter_wait(ring, consumed, min_complete, key, deadline);
        if (res == 0) res = (int)consumed;
        if (res >= 0) sim_transient_note(key, false);
    }
    sim_trace(TRACE_ENTER, ring, to_submit, ((uint64_t)min_complete << 32) | flags,
              (uint64_t)(int64_t)res);
    return res;
}

int sim_enter(uint32_t ring, uint32_t to_submit, uint32_t min_complete, uint32_t flags) {
    return sim_enter_deadline(ring, to_submit, min_complete, flags, 0);
}

static bool cq_needs_enter(uint32_t ring) {
    return (sim_rings[ring].sq_flags & (IORING_SQ_CQ_OVERFLOW | IORING_SQ_TASKRUN)) != 0;
}

static int submit(struct io_uring *ring, unsigned wait_nr, bool getevents) {
    uint32_t i = sim_ring_index_of(ring);
    if (i == SIM_NONE) return -EBADF;
    const struct sim_ring *r = &sim_rings[i];
    unsigned submitted = r->sqe_tail - r->sq_khead;
    bool needs = getevents || wait_nr || cq_needs_enter(i);
    if (submitted == 0 && !needs) return 0;
    return sim_enter(i, submitted, wait_nr, needs ? IORING_ENTER_GETEVENTS : 0);
}

int io_uring_submit(struct io_uring *ring) {
    return submit(ring, 0, false);
}

int io_uring_submit_and_wait(struct io_uring *ring, unsigned wait_nr) {
    return submit(ring, wait_nr, false);
}

int io_uring_submit_and_get_events(struct io_uring *ring) {
    return submit(ring, 0, true);
}

int io_uring_get_events(struct io_uring *ring) {
    uint32_t i = sim_ring_index_of(ring);
    if (i == SIM_NONE) return -EBADF;
    return sim_enter(i, 0, 0, IORING_ENTER_GETEVENTS);
}

/* liburing's __io_uring_peek_cqe. */
static int peek(struct io_uring *ring, uint32_t i, struct io_uring_cqe **cqe_ptr, unsigned *avail) {
    struct sim_ring *r = &sim_rings[i];
    int err = 0;
    for (;;) {
        unsigned available = r->cq_ktail - r->cq_khead;
        *cqe_ptr = NULL;
        *avail = available;
        if (!available) return err;
        struct io_uring_cqe *cqe = &r->cqes[r->cq_khead & (r->cq_entries - 1)];
        if (!(ring->features & IORING_FEAT_EXT_ARG) && cqe->user_data == LIBURING_UDATA_TIMEOUT) {
            if (cqe->res < 0) err = cqe->res;
            r->cq_khead++;
            if (!err) continue;
            return err;
        }
        *cqe_ptr = cqe;
        return err;
    }
}

/* liburing's _io_uring_get_cqe with submit = 0. */
static int get_cqe(struct io_uring *ring, struct io_uring_cqe **cqe_ptr, unsigned wait_nr,
                   uint64_t deadline) {
    uint32_t i = sim_ring_index_of(ring);
    if (i == SIM_NONE) return -EBADF;
    bool looped = false;
    int err = 0;
    struct io_uring_cqe *cqe = NULL;
    for (;;) {
        unsigned available;
        bool need_enter = false;
        int ret = peek(ring, i, &cqe, &available);
        if (ret) {
            err = err ? err : ret;
            break;
        }
        if (!cqe && !wait_nr) {
            if (looped || !cq_needs_enter(i)) {
                err = err ? err : -EAGAIN;
                break;
            }
            need_enter = true;
        }
        if (wait_nr > available) need_enter = true;
        if (!need_enter) break;
        if (looped && deadline && sim_now >= deadline) {
            err = -ETIME;
            break;
        }
        ret = sim_enter_deadline(i, 0, wait_nr, IORING_ENTER_GETEVENTS, deadline);
        if (ret < 0) {
            err = err ? err : ret;
            break;
        }
        if (cqe) break;
        if (!looped) {
            looped = true;
            err = ret;
        }
    }
    *cqe_ptr = cqe;
    return err;
}

int io_uring_wait_cqe_nr(struct io_uring *ring, struct io_uring_cqe **cqe_ptr, unsigned wait_nr) {
    return get_cqe(ring, cqe_ptr, wait_nr, 0);
}

int io_uring_peek_cqe(struct io_uring *ring, struct io_uring_cqe **cqe_ptr) {
    uint32_t i = sim_ring_index_of(ring);
    unsigned avail;
    if (i != SIM_NONE && !peek(ring, i, cqe_ptr, &avail) && *cqe_ptr) return 0;
    return io_uring_wait_cqe_nr(ring, cqe_ptr, 0);
}

int io_uring_wait_cqe(struct io_uring *ring, struct io_uring_cqe **cqe_ptr) {
    uint32_t i = sim_ring_index_of(ring);
    unsigned avail;
    if (i != SIM_NONE && !peek(ring, i, cqe_ptr, &avail) && *cqe_ptr) return 0;
    return io_uring_wait_cqe_nr(ring, cqe_ptr, 1);
}

static uint64_t ts_deadline(const struct __kernel_timespec *ts) {
    if (ts == NULL) return 0;
    uint64_t d = sim_now + (uint64_t)ts->tv_sec * SIM_NS_PER_S + (uint64_t)ts->tv_nsec;
    sim_schedule(d, EV_NOTHING, 0, 0);
    return d;
}

int io_uring_wait_cqes(struct io_uring *ring, struct io_uring_cqe **cqe_ptr, unsigned wait_nr,
                       struct __kernel_timespec *ts, sigset_t *sigmask) {
    (void)sigmask;
    uint64_t deadline = ts_deadline(ts);
    int res = get_cqe(ring, cqe_ptr, wait_nr, deadline);
    if (res >= 0 && *cqe_ptr == NULL && deadline && sim_now >= deadline) return -ETIME;
    return res;
}

int io_uring_wait_cqe_timeout(struct io_uring *ring, struct io_uring_cqe **cqe_ptr,
                              struct __kernel_timespec *ts) {
    return io_uring_wait_cqes(ring, cqe_ptr, 1, ts, NULL);
}

int io_uring_submit_and_wait_timeout(struct io_uring *ring, struct io_uring_cqe **cqe_ptr,
                                     unsigned wait_nr, struct __kernel_timespec *ts,
                                     sigset_t *sigmask) {
    int submitted = io_uring_submit(ring);
    if (submitted < 0) return submitted;
    int res = io_uring_wait_cqes(ring, cqe_ptr, wait_nr, ts, sigmask);
    return res < 0 ? res : submitted;
}
