/*
 * The liburing 2.3 submission and completion calls (its src/queue.c), written for the sim
 * over io_uring_enter2: the SQ tail is published from the program's struct io_uring, CQEs
 * are read from the shared CQ ring, and the kernel is entered exactly when liburing enters
 * it. Where liburing returns without a system call the sim still charges one entry's cost
 * (D23), so that a program polling the CQ or feeding an SQ thread advances virtual time and
 * lets the simulated kernel run.
 */
#define LIBURING_INTERNAL
#include "sim_internal.h"

#define INT_FLAG_REG_RING 1

struct get_data {
    unsigned submit;
    unsigned wait_nr;
    unsigned get_flags;
    int sz;
    bool has_ts;
    void *arg;
};

/* Only with an SQ thread that went to sleep does a submission need the kernel. */
static bool sq_ring_needs_enter(struct io_uring *ring, unsigned submit, unsigned *flags) {
    if (!submit) return false;
    if (!(ring->flags & IORING_SETUP_SQPOLL)) return true;
    io_uring_smp_mb(); /* the SQ tail store before the flags load */
    if (uring_unlikely(IO_URING_READ_ONCE(*ring->sq.kflags) & IORING_SQ_NEED_WAKEUP)) {
        *flags |= IORING_ENTER_SQ_WAKEUP;
        return true;
    }
    return false;
}

static bool cq_ring_needs_flush(struct io_uring *ring) {
    return IO_URING_READ_ONCE(*ring->sq.kflags) & (IORING_SQ_CQ_OVERFLOW | IORING_SQ_TASKRUN);
}

static bool cq_ring_needs_enter(struct io_uring *ring) {
    return (ring->flags & IORING_SETUP_IOPOLL) || cq_ring_needs_flush(ring);
}

static int enter(struct io_uring *ring, unsigned submit, unsigned wait_nr, unsigned flags,
                 void *arg, size_t size) {
    if (ring->int_flags & INT_FLAG_REG_RING) flags |= IORING_ENTER_REGISTERED_RING;
    return io_uring_enter2((unsigned)ring->enter_ring_fd, submit, wait_nr, flags, arg, size);
}

static int get_cqe(struct io_uring *ring, struct io_uring_cqe **cqe_ptr, struct get_data *data) {
    struct io_uring_cqe *cqe = NULL;
    bool looped = false, entered = false;
    int err = 0;
    for (;;) {
        bool need_enter = false;
        unsigned flags = 0, nr_available;
        int ret = __io_uring_peek_cqe(ring, &cqe, &nr_available);
        if (ret) {
            if (!err) err = ret;
            break;
        }
        if (!cqe && !data->wait_nr && !data->submit) {
            /* entered once already: nothing to submit or wait for, no retry */
            if (looped || !cq_ring_needs_enter(ring)) {
                if (!err) err = -EAGAIN;
                break;
            }
            need_enter = true;
        }
        if (data->wait_nr > nr_available || need_enter) {
            flags = IORING_ENTER_GETEVENTS | data->get_flags;
            need_enter = true;
        }
        if (sq_ring_needs_enter(ring, data->submit, &flags)) need_enter = true;
        if (!need_enter) break;
        if (looped && data->has_ts) {
            const struct io_uring_getevents_arg *arg = data->arg;
            if (!cqe && arg->ts && !err) err = -ETIME;
            break;
        }
        ret = enter(ring, data->submit, data->wait_nr, flags, data->arg, (size_t)data->sz);
        entered = true;
        if (ret < 0) {
            if (!err) err = ret;
            break;
        }
        data->submit -= (unsigned)ret;
        if (cqe) break;
        if (!looped) {
            looped = true;
            err = ret;
        }
    }
    if (!entered) sim_enter_call(); /* a poll of the CQ ring costs, and lets the kernel run */
    *cqe_ptr = cqe;
    return err;
}

int __io_uring_get_cqe(struct io_uring *ring, struct io_uring_cqe **cqe_ptr, unsigned submit,
                       unsigned wait_nr, sigset_t *sigmask) {
    struct get_data data = {submit, wait_nr, 0, _NSIG / 8, false, sigmask};
    return get_cqe(ring, cqe_ptr, &data);
}

int io_uring_get_events(struct io_uring *ring) {
    return enter(ring, 0, 0, IORING_ENTER_GETEVENTS, NULL, _NSIG / 8);
}

unsigned io_uring_peek_batch_cqe(struct io_uring *ring, struct io_uring_cqe **cqes,
                                 unsigned count) {
    SIM_ASSERT(cqes != NULL || count == 0);
    bool overflow_checked = false;
    int shift = (ring->flags & IORING_SETUP_CQE32) ? 1 : 0;
    sim_enter_call(); /* a reaping loop makes progress in virtual time (D23) */
    for (;;) {
        unsigned ready = io_uring_cq_ready(ring);
        if (ready) {
            unsigned head = *ring->cq.khead, mask = ring->cq.ring_mask;
            count = count > ready ? ready : count;
            for (unsigned i = 0; i < count; i++)
                cqes[i] = &ring->cq.cqes[((head + i) & mask) << shift];
            return count;
        }
        if (overflow_checked || !cq_ring_needs_flush(ring)) return 0;
        io_uring_get_events(ring);
        overflow_checked = true;
    }
}

/* Exported by liburing 2.3 without a declaration in its header (programs declare it). */
unsigned __io_uring_flush_sq(struct io_uring *ring);

/* Publishes the SQEs handed out by io_uring_get_sqe: the ones the kernel has not consumed. */
unsigned __io_uring_flush_sq(struct io_uring *ring) {
    struct io_uring_sq *sq = &ring->sq;
    unsigned tail = sq->sqe_tail;
    if (sq->sqe_head != tail) {
        sq->sqe_head = tail;
        /* the SQE stores before the tail store */
        if (!(ring->flags & IORING_SETUP_SQPOLL)) IO_URING_WRITE_ONCE(*sq->ktail, tail);
        else io_uring_smp_store_release(sq->ktail, tail);
    }
    return tail - *sq->khead;
}

static int wait_cqes_ext(struct io_uring *ring, struct io_uring_cqe **cqe_ptr, unsigned wait_nr,
                         unsigned submit, struct __kernel_timespec *ts, sigset_t *sigmask) {
    struct io_uring_getevents_arg arg = {
        .sigmask = (unsigned long)sigmask, .sigmask_sz = _NSIG / 8, .ts = (unsigned long)ts};
    struct get_data data = {submit,          wait_nr,    IORING_ENTER_EXT_ARG,
                            (int)sizeof arg, ts != NULL, &arg};
    return get_cqe(ring, cqe_ptr, &data);
}

/* Kernels without IORING_FEAT_EXT_ARG: a TIMEOUT SQE with LIBURING_UDATA_TIMEOUT bounds the
 * wait (and is submitted here). */
static int submit_timeout(struct io_uring *ring, unsigned wait_nr, struct __kernel_timespec *ts) {
    struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
    if (!sqe) {
        int ret = io_uring_submit(ring);
        if (ret < 0) return ret;
        sqe = io_uring_get_sqe(ring);
        if (!sqe) return -EAGAIN;
    }
    io_uring_prep_timeout(sqe, ts, wait_nr, 0);
    sqe->user_data = LIBURING_UDATA_TIMEOUT;
    return (int)__io_uring_flush_sq(ring);
}

int io_uring_wait_cqes(struct io_uring *ring, struct io_uring_cqe **cqe_ptr, unsigned wait_nr,
                       struct __kernel_timespec *ts, sigset_t *sigmask) {
    int to_submit = 0;
    if (ts) {
        if (ring->features & IORING_FEAT_EXT_ARG)
            return wait_cqes_ext(ring, cqe_ptr, wait_nr, 0, ts, sigmask);
        to_submit = submit_timeout(ring, wait_nr, ts);
        if (to_submit < 0) return to_submit;
    }
    return __io_uring_get_cqe(ring, cqe_ptr, (unsigned)to_submit, wait_nr, sigmask);
}

int io_uring_submit_and_wait_timeout(struct io_uring *ring, struct io_uring_cqe **cqe_ptr,
                                     unsigned wait_nr, struct __kernel_timespec *ts,
                                     sigset_t *sigmask) {
    int to_submit;
    if (ts) {
        if (ring->features & IORING_FEAT_EXT_ARG)
            return wait_cqes_ext(ring, cqe_ptr, wait_nr, __io_uring_flush_sq(ring), ts, sigmask);
        to_submit = submit_timeout(ring, wait_nr, ts);
        if (to_submit < 0) return to_submit;
    } else {
        to_submit = (int)__io_uring_flush_sq(ring);
    }
    return __io_uring_get_cqe(ring, cqe_ptr, (unsigned)to_submit, wait_nr, sigmask);
}

int io_uring_wait_cqe_timeout(struct io_uring *ring, struct io_uring_cqe **cqe_ptr,
                              struct __kernel_timespec *ts) {
    return io_uring_wait_cqes(ring, cqe_ptr, 1, ts, NULL);
}

static int submit(struct io_uring *ring, unsigned submitted, unsigned wait_nr, bool getevents) {
    bool cq_needs_enter = getevents || wait_nr || cq_ring_needs_enter(ring);
    unsigned flags = 0;
    if (sq_ring_needs_enter(ring, submitted, &flags) || cq_needs_enter) {
        if (cq_needs_enter) flags |= IORING_ENTER_GETEVENTS;
        return enter(ring, submitted, wait_nr, flags, NULL, _NSIG / 8);
    }
    sim_enter_call(); /* no system call: the SQ thread sees the new SQEs now */
    return (int)submitted;
}

int io_uring_submit(struct io_uring *ring) {
    return submit(ring, __io_uring_flush_sq(ring), 0, false);
}

int io_uring_submit_and_wait(struct io_uring *ring, unsigned wait_nr) {
    return submit(ring, __io_uring_flush_sq(ring), wait_nr, false);
}

int io_uring_submit_and_get_events(struct io_uring *ring) {
    return submit(ring, __io_uring_flush_sq(ring), 0, true);
}

struct io_uring_sqe *io_uring_get_sqe(struct io_uring *ring) {
    return _io_uring_get_sqe(ring);
}

int __io_uring_sqring_wait(struct io_uring *ring) {
    return enter(ring, 0, 0, IORING_ENTER_SQ_WAIT, NULL, _NSIG / 8);
}
