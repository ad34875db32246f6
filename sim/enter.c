/*
 * io_uring_enter (kernel-semantics.md §4, §5): submission from the shared SQ ring, waiting
 * for completions (min_complete, at most the CQ size, with the IORING_ENTER_EXT_ARG timeout),
 * the combination rule (a short submission never waits), the SQ thread's wakeup and wait,
 * and the injected enter faults.
 */
#include "sim_internal.h"

#define ENTER_FLAGS                                                           \
    (IORING_ENTER_GETEVENTS | IORING_ENTER_SQ_WAKEUP | IORING_ENTER_SQ_WAIT | \
     IORING_ENTER_EXT_ARG | IORING_ENTER_REGISTERED_RING)

struct wait_arg {
    uint32_t ring;
    uint32_t min_complete;
    uint64_t deadline;    /* 0: none */
    uint64_t cq_timeouts; /* when the wait began */
};

/* Linux's io_should_wake: enough CQEs, or a TIMEOUT completed since the wait began. */
static bool wait_done(void *arg) {
    const struct wait_arg *w = arg;
    const struct sim_ring *r = &sim_rings[w->ring];
    sim_cq_flush_overflow(w->ring);
    if (r->dropped || r->cq_timeouts != w->cq_timeouts || sim_signal_pending) return true;
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

/* Linux's io_cqring_wait: a timeout that expires with the CQ ring still empty is -ETIME. */
static int enter_wait(uint32_t ring, uint32_t consumed, uint32_t min_complete, uint64_t key,
                      uint64_t deadline) {
    struct wait_arg w = {ring, min_complete, deadline, sim_rings[ring].cq_timeouts};
    sim_cq_flush_overflow(ring);
    if (sim_cq_count(ring) >= min_complete) return 0;
    if (sim_rings[ring].dropped) return enter_dropped(ring, consumed);
    if (wait_done(&w)) return sim_cq_count(ring) == 0 ? -ETIME : 0;
    bool intr = sim_fault(RINGER_SIM_FAULT_ENTER_EINTR, sim_transient_allowed(key));
    if (intr) {
        sim_transient_note(key, true);
        return consumed > 0 ? 0 : -EINTR;
    }
    sim_signal_pending = false;
    sim_block_until(wait_done, &w, "io_uring_enter(GETEVENTS)");
    if (sim_signal_pending && sim_cq_count(ring) < min_complete) {
        sim_signal_pending = false;
        return consumed > 0 ? 0 : -EINTR; /* a handler returned: the wait is interrupted */
    }
    if (sim_rings[ring].dropped && sim_cq_count(ring) < min_complete)
        return enter_dropped(ring, consumed);
    if (sim_cq_count(ring) < min_complete && sim_cq_count(ring) == 0) return -ETIME;
    return 0;
}

/* Consumes SQEs (or, with an SQ thread, lets it run); the count, or -errno. */
static int enter_submit(uint32_t ring, uint32_t to_submit, uint32_t flags, uint32_t *consumed) {
    struct sim_ring *r = &sim_rings[ring];
    *consumed = 0;
    if (r->setup_flags & IORING_SETUP_SQPOLL) {
        int res = sim_sqpoll_enter(ring, flags);
        if (res < 0) return res;
        *consumed = to_submit; /* the SQ thread submits; Linux reports what was asked */
        return 0;
    }
    uint32_t ready = IO_URING_READ_ONCE(r->hdr->sq_tail) - r->sq_head;
    if (ready > r->sq_entries) ready = r->sq_entries;
    int err = 0;
    *consumed = sim_consume_sqes(ring, to_submit < ready ? to_submit : ready, &err);
    return err;
}

int sim_enter_deadline(uint32_t ring, uint32_t to_submit, uint32_t min_complete, uint32_t flags,
                       uint64_t deadline) {
    sim_stats.enters++;
    struct sim_ring *r = &sim_rings[ring];
    SIM_ASSERT(r->used);
    uint64_t key = ~(uint64_t)ring;
    bool getevents = (flags & IORING_ENTER_GETEVENTS) != 0;
    bool submitting = to_submit > 0 && IO_URING_READ_ONCE(r->hdr->sq_tail) != r->sq_head;
    uint32_t consumed = 0;
    int res = enter_faults(ring, submitting, getevents, key);
    if (res != 0) {
        sim_transient_note(key, true);
    } else {
        res = enter_submit(ring, to_submit, flags, &consumed);
        sim_cq_signal_eventfds();
        if (min_complete > r->cq_entries) min_complete = r->cq_entries;
        if (res == 0 && consumed == to_submit && getevents) {
            res = (r->setup_flags & IORING_SETUP_IOPOLL)
                      ? sim_iopoll_reap(ring, min_complete)
                      : enter_wait(ring, consumed, min_complete, key, deadline);
        }
        if (res == 0 || consumed > 0) res = (int)consumed;
        if (res >= 0) sim_transient_note(key, false);
    }
    sim_trace(TRACE_ENTER, ring, to_submit, ((uint64_t)min_complete << 32) | flags,
              (uint64_t)(int64_t)res);
    return res;
}

int sim_enter(uint32_t ring, uint32_t to_submit, uint32_t min_complete, uint32_t flags) {
    return sim_enter_deadline(ring, to_submit, min_complete, flags, 0);
}

/* The ring of an enter: an fd, or an index into the registered ring fds. */
static int enter_ring(unsigned int fd, uint32_t flags, uint32_t *ring) {
    if (flags & IORING_ENTER_REGISTERED_RING) return sim_registered_ring(fd, ring);
    if (sim_fd_file_any((int)fd) == SIM_NONE) return -EBADF;
    *ring = sim_ring_by_fd((int)fd);
    return *ring == SIM_NONE ? -EOPNOTSUPP : 0;
}

/* The wait's deadline from IORING_ENTER_EXT_ARG's struct io_uring_getevents_arg (0: none). */
static int enter_deadline(uint32_t flags, const void *arg, size_t size, uint64_t *deadline) {
    *deadline = 0;
    if (!(flags & IORING_ENTER_EXT_ARG)) {
        return arg != NULL && size != _NSIG / 8 ? -EINVAL : 0;
    }
    if (size != sizeof(struct io_uring_getevents_arg)) return -EINVAL;
    if (arg == NULL) return -EFAULT;
    struct io_uring_getevents_arg ext;
    memcpy(&ext, arg, sizeof ext);
    if (ext.pad) return -EINVAL;
    if (ext.sigmask && ext.sigmask_sz != _NSIG / 8) return -EINVAL;
    if (ext.ts == 0) return 0;
    const struct __kernel_timespec *ts = (const struct __kernel_timespec *)(uintptr_t)ext.ts;
    int64_t ns = ts->tv_sec * (int64_t)SIM_NS_PER_S + ts->tv_nsec;
    *deadline = sim_now + (ns > 0 ? (uint64_t)ns : 0);
    if (*deadline == 0) *deadline = 1;
    sim_schedule(*deadline, EV_NOTHING, 0, 0);
    return 0;
}

int io_uring_enter2(unsigned int fd, unsigned int to_submit, unsigned int min_complete,
                    unsigned int flags, sigset_t *sig, size_t sz) {
    sim_enter_call();
    uint32_t ring = SIM_NONE;
    uint64_t deadline = 0;
    int res = (flags & ~ENTER_FLAGS) ? -EINVAL : enter_ring(fd, flags, &ring);
    if (res == 0 && sim_rings[ring].disabled) res = -EBADFD;
    if (res == 0 && (flags & IORING_ENTER_GETEVENTS))
        res = enter_deadline(flags, sig, sz, &deadline);
    if (res != 0) {
        sim_trace(TRACE_ENTER, fd, to_submit, flags, (uint64_t)(int64_t)res);
        return res;
    }
    return sim_enter_deadline(ring, to_submit, min_complete, flags, deadline);
}

int io_uring_enter(unsigned int fd, unsigned int to_submit, unsigned int min_complete,
                   unsigned int flags, sigset_t *sig) {
    return io_uring_enter2(fd, to_submit, min_complete, flags, sig, _NSIG / 8);
}
