/*
 * SQPOLL and IOPOLL rings (kernel-semantics.md §2).
 *
 * The SQ thread is a virtual actor: while awake it consumes whatever the program has put in
 * the SQ ring each time the program calls into the sim (virtual time stands still between
 * calls, so it sees the SQEs at the time they were queued), and it goes to sleep once it
 * found nothing for sq_thread_idle (default one second) of virtual time: an event at that
 * deadline sets IORING_SQ_NEED_WAKEUP, and only io_uring_enter with IORING_ENTER_SQ_WAKEUP
 * wakes it again, as on Linux. io_uring_enter on such a ring submits nothing itself and
 * reports the count it was asked for.
 *
 * IOPOLL: no simulated file supports polled I/O (as tmpfs and most file systems on Linux), so
 * reads and writes on an IOPOLL ring fail with -EOPNOTSUPP; the ops that do not need polling
 * complete as usual, and reaping never waits for a poll.
 */
#include "sim_internal.h"

#define SQPOLL_DEFAULT_IDLE_NS SIM_NS_PER_S

static bool sqpoll(const struct sim_ring *r) {
    return r->used && (r->setup_flags & IORING_SETUP_SQPOLL);
}

static void set_need_wakeup(struct sim_ring *r, bool on) {
    uint32_t flags =
        on ? r->sq_flags | IORING_SQ_NEED_WAKEUP : r->sq_flags & ~IORING_SQ_NEED_WAKEUP;
    r->sq_flags = flags;
    io_uring_smp_store_release(&r->hdr->sq_flags, flags);
}

/* The idle deadline: one pending event per ring at a time. */
static void arm_idle(uint32_t ring) {
    struct sim_ring *r = &sim_rings[ring];
    if (r->sq_idle_armed) return;
    r->sq_idle_armed = true;
    sim_schedule(r->sq_last_work + r->sq_idle_ns, EV_SQPOLL, ring, r->sq_idle_gen);
}

void sim_sqpoll_setup(uint32_t ring, const struct io_uring_params *p) {
    struct sim_ring *r = &sim_rings[ring];
    if (!(p->flags & IORING_SETUP_SQPOLL)) return;
    r->sq_idle_ns =
        p->sq_thread_idle ? (uint64_t)p->sq_thread_idle * 1000000ull : SQPOLL_DEFAULT_IDLE_NS;
    r->sq_awake = true;
    r->sq_last_work = sim_now;
    r->sq_idle_gen++;
    r->sq_idle_armed = false;
    arm_idle(ring);
}

/* The SQ thread's pass over its ring: everything queued is consumed. */
static void sq_thread_pass(uint32_t ring) {
    struct sim_ring *r = &sim_rings[ring];
    if (!r->sq_awake || r->disabled) return;
    uint32_t ready = IO_URING_READ_ONCE(r->hdr->sq_tail) - r->sq_head;
    if (ready == 0) return;
    if (ready > r->sq_entries) ready = r->sq_entries;
    int err = 0;
    sim_consume_sqes(ring, ready, &err);
    r->sq_last_work = sim_now;
    arm_idle(ring);
}

void sim_sqpoll_run_all(void) {
    for (uint32_t i = 0; i < RINGER_SIM_MAX_RINGS; i++) {
        if (sqpoll(&sim_rings[i])) sq_thread_pass(i);
    }
}

void sim_sqpoll_event(uint32_t ring, uint32_t gen) {
    struct sim_ring *r = &sim_rings[ring];
    if (!sqpoll(r) || gen != r->sq_idle_gen) return;
    r->sq_idle_armed = false;
    if (!r->sq_awake) return;
    if (sim_now < r->sq_last_work + r->sq_idle_ns) {
        arm_idle(ring); /* it found work since: a later deadline */
        return;
    }
    r->sq_awake = false; /* idle for sq_thread_idle: the thread sleeps */
    set_need_wakeup(r, true);
}

int sim_sqpoll_enter(uint32_t ring, uint32_t enter_flags) {
    struct sim_ring *r = &sim_rings[ring];
    if ((enter_flags & IORING_ENTER_SQ_WAKEUP) && !r->sq_awake) {
        r->sq_awake = true;
        r->sq_last_work = sim_now;
        set_need_wakeup(r, false);
        arm_idle(ring);
    }
    sq_thread_pass(ring);
    if ((enter_flags & IORING_ENTER_SQ_WAIT) &&
        IO_URING_READ_ONCE(r->hdr->sq_tail) - r->sq_head >= r->sq_entries)
        sim_stop("deadlock: IORING_ENTER_SQ_WAIT on a full SQ ring whose SQ thread sleeps");
    return 0;
}

/* ---- IOPOLL ---- */

bool sim_iopoll_intercept(uint32_t r) {
    const struct sim_req *q = &sim_reqs[r];
    if (!(sim_rings[q->ring].setup_flags & IORING_SETUP_IOPOLL)) return false;
    if (!sim_op_is_read(q->opcode) && !sim_op_is_write(q->opcode)) return false;
    sim_req_complete(r, -EOPNOTSUPP, 0); /* no simulated file supports polled I/O */
    return true;
}

int sim_iopoll_reap(uint32_t ring, uint32_t min_complete) {
    (void)min_complete; /* nothing is ever left to poll for */
    sim_cq_flush_overflow(ring);
    return 0;
}
