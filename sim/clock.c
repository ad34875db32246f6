/*
 * Virtual time and the event queue: a binary heap keyed by (time, sequence). Every sim
 * entry point costs syscall_cost_ns; a blocking call jumps to the next event; blocking with
 * no future event stops the run with a deadlock report.
 */
#include "sim_internal.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#define HEAP_MAX          (RINGER_SIM_MAX_REQUESTS * 2 + RINGER_SIM_MAX_SOCKETS * 4)
#define REALTIME_EPOCH_NS (1700000000ull * SIM_NS_PER_S)

struct sim_event {
    uint64_t time;
    uint64_t seq;
    uint32_t kind;
    uint32_t obj;
    uint32_t gen;
};

uint64_t sim_now;
bool sim_in_event;
bool sim_signal_pending;
static uint64_t alarm_at; /* 0: none */
static uint32_t alarm_gen;
static struct sim_event heap[HEAP_MAX];
static uint32_t heap_len;
static uint64_t event_seq;

void sim_clock_reset(void) {
    alarm_at = 0;
    alarm_gen++;
    sim_signal_pending = false;
    sim_now = 0;
    heap_len = 0;
    event_seq = 0;
}

static bool event_before(const struct sim_event *a, const struct sim_event *b) {
    return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

static void heap_swap(uint32_t i, uint32_t j) {
    struct sim_event t = heap[i];
    heap[i] = heap[j];
    heap[j] = t;
}

void sim_schedule(uint64_t time, uint32_t kind, uint32_t obj, uint32_t gen) {
    if (heap_len == HEAP_MAX) sim_stop("event queue full");
    SIM_ASSERT(time >= sim_now);
    uint32_t i = heap_len++;
    heap[i] = (struct sim_event){time, event_seq++, kind, obj, gen};
    while (i > 0 && event_before(&heap[i], &heap[(i - 1) / 2])) {
        heap_swap(i, (i - 1) / 2);
        i = (i - 1) / 2;
    }
}

static struct sim_event heap_pop(void) {
    SIM_ASSERT(heap_len > 0);
    struct sim_event top = heap[0];
    heap[0] = heap[--heap_len];
    uint32_t i = 0;
    for (;;) {
        uint32_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < heap_len && event_before(&heap[l], &heap[m])) m = l;
        if (r < heap_len && event_before(&heap[r], &heap[m])) m = r;
        if (m == i) break;
        heap_swap(i, m);
        i = m;
    }
    return top;
}

/* Drops stale request events from the top so that "next event" is a live one. */
static void heap_prune(void) {
    while (heap_len > 0 && heap[0].kind == EV_REQ) {
        const struct sim_req *r = &sim_reqs[heap[0].obj];
        bool live = r->gen == heap[0].gen &&
                    (r->state == REQ_TIMER || r->state == REQ_WORK || r->state == REQ_POSTPONED);
        if (live) return;
        heap_pop();
    }
}

bool sim_has_events(void) {
    heap_prune();
    return heap_len > 0;
}

static void run_event(const struct sim_event *e) {
    SIM_ASSERT(e->time <= sim_now);
    sim_in_event = true;
    switch (e->kind) {
    case EV_REQ:
        if (sim_reqs[e->obj].gen == e->gen) sim_req_event(e->obj);
        break;
    case EV_WAKE:
        sim_wq_wake(WQ_SOCK_RX, e->obj);
        sim_wq_wake(WQ_SOCK_TX, e->obj);
        break;
    case EV_SQPOLL:
        sim_sqpoll_event(e->obj, e->gen);
        break;
    case EV_ALARM:
        if (e->gen == alarm_gen && alarm_at != 0) {
            alarm_at = 0;
            sim_signal_pending = true; /* a wait the handler returns to ends with EINTR */
            raise(SIGALRM);            /* the program's handler runs now, in virtual time */
        }
        break;
    case EV_NOTHING:
        break;
    default:
        SIM_ASSERT(!"unknown event kind");
    }
    sim_in_event = false;
}

/* Runs every event at the earliest pending time: timers that expire together complete
 * before a waiter looks. */
bool sim_run_next_events(void) {
    if (!sim_has_events()) return false;
    uint64_t t = heap[0].time;
    if (t > sim_now) sim_now = t;
    if (sim_cfg.o.max_virtual_ns && sim_now > sim_cfg.o.max_virtual_ns)
        sim_stop("liveness: max_virtual_ns exceeded");
    while (sim_has_events() && heap[0].time <= t) {
        struct sim_event e = heap_pop();
        run_event(&e);
    }
    sim_cq_signal_eventfds(); /* one eventfd count per batch of CQEs */
    return true;
}

/* Runs the events that are due at the current time. */
static void run_due_events(void) {
    while (sim_has_events() && heap[0].time <= sim_now) sim_run_next_events();
}

/* The simulated process has one thread: the one that first called into the sim. Another
 * thread's call would race the kernel's state and the virtual clock, so it stops the
 * program at once, deterministically, rather than interleaving by host timing. */
static void one_thread(void) {
    static pthread_t owner;
    static bool owned;
    if (!owned) {
        owner = pthread_self();
        owned = true;
    } else if (!pthread_equal(owner, pthread_self())) {
        fprintf(stderr, "ringer-sim: a second thread called into the simulated kernel; threads "
                        "are not modelled\n");
        abort();
    }
}

void sim_enter_call(void) {
    one_thread();
    if (!sim_initialised) {
        /* a program that never called ringer_sim_init gets the default faithful world */
        static const struct ringer_sim_options defaults;
        SIM_ASSERT(ringer_sim_init(&defaults) == 0);
    }
    /* the SQ threads see what the program queued since its last call, at the time it did */
    sim_sqpoll_run_all();
    sim_cq_signal_eventfds();
    sim_stats.steps++;
    sim_now += sim_cfg.o.syscall_cost_ns;
    if (sim_cfg.o.max_steps && sim_stats.steps > sim_cfg.o.max_steps)
        sim_stop("liveness: max_steps exceeded");
    if (sim_cfg.o.max_virtual_ns && sim_now > sim_cfg.o.max_virtual_ns)
        sim_stop("liveness: max_virtual_ns exceeded");
    run_due_events();
}

void sim_block_until(bool (*ready)(void *), void *arg, const char *what) {
    SIM_ASSERT(ready != NULL);
    SIM_ASSERT(what != NULL);
    while (!ready(arg)) {
        if (!sim_run_next_events()) {
            static char reason[160];
            sim_stats.deadlock = true;
            snprintf(reason, sizeof reason,
                     "deadlock: %s blocks and no future event exists (nothing in flight can "
                     "complete, no timer armed)",
                     what);
            sim_stop(reason);
        }
    }
}

/* ---- POSIX time and randomness ---- */

int ringer_sim_clock_gettime(clockid_t clock, struct timespec *ts) {
    sim_enter_call();
    uint64_t t;
    switch (clock) {
    case CLOCK_MONOTONIC:
    case CLOCK_MONOTONIC_RAW:
    case CLOCK_MONOTONIC_COARSE:
    case CLOCK_BOOTTIME:
        t = sim_node_time(sim_now);
        break;
    case CLOCK_REALTIME:
    case CLOCK_REALTIME_COARSE:
        t = REALTIME_EPOCH_NS + sim_node_time(sim_now);
        break;
    default:
        return sim_errno_ret(-EINVAL);
    }
    if (ts == NULL) return sim_errno_ret(-EFAULT);
    ts->tv_sec = (time_t)(t / SIM_NS_PER_S);
    ts->tv_nsec = (long)(t % SIM_NS_PER_S);
    sim_trace(TRACE_POSIX, 1, (uint64_t)clock, t, 0);
    return 0;
}

static bool time_reached(void *arg) {
    return sim_now >= *(const uint64_t *)arg;
}

int ringer_sim_clock_nanosleep(clockid_t clock, int flags, const struct timespec *request,
                               struct timespec *remain) {
    sim_enter_call();
    (void)remain;
    if (clock != CLOCK_MONOTONIC && clock != CLOCK_REALTIME && clock != CLOCK_BOOTTIME)
        return EINVAL;
    if (request == NULL) return EFAULT;
    if (request->tv_nsec < 0 || request->tv_nsec >= (long)SIM_NS_PER_S || request->tv_sec < 0)
        return EINVAL;
    uint64_t t = (uint64_t)request->tv_sec * SIM_NS_PER_S + (uint64_t)request->tv_nsec;
    uint64_t base = clock == CLOCK_REALTIME ? REALTIME_EPOCH_NS : 0;
    uint64_t target = (flags & TIMER_ABSTIME) ? (t > base ? t - base : 0) : sim_now + t;
    sim_trace(TRACE_POSIX, 2, (uint64_t)clock, target, (uint64_t)flags);
    if (target > sim_now) {
        sim_schedule(target, EV_NOTHING, 0, 0);
        sim_block_until(time_reached, &target, "clock_nanosleep");
    }
    return 0;
}

/* The other sleeps and clocks, on the virtual clock. */
int ringer_sim_nanosleep(const struct timespec *request, struct timespec *remain) {
    int err = ringer_sim_clock_nanosleep(CLOCK_MONOTONIC, 0, request, remain);
    return err ? sim_errno_ret(-err) : 0;
}

int ringer_sim_usleep(useconds_t usec) {
    struct timespec ts = {(time_t)(usec / 1000000), (long)(usec % 1000000) * 1000};
    return ringer_sim_nanosleep(&ts, NULL);
}

unsigned int ringer_sim_sleep(unsigned int seconds) {
    struct timespec ts = {(time_t)seconds, 0};
    ringer_sim_nanosleep(&ts, NULL);
    return 0;
}

int ringer_sim_gettimeofday(struct timeval *tv, void *tz) {
    (void)tz;
    struct timespec ts;
    if (tv == NULL) return 0;
    ringer_sim_clock_gettime(CLOCK_REALTIME, &ts);
    tv->tv_sec = ts.tv_sec;
    tv->tv_usec = ts.tv_nsec / 1000;
    return 0;
}

/* alarm(2) on the virtual clock: SIGALRM is raised, for real, when virtual time reaches it. */
unsigned int ringer_sim_alarm(unsigned int seconds) {
    sim_enter_call();
    uint64_t left = alarm_at > sim_now ? alarm_at - sim_now : 0;
    alarm_gen++;
    alarm_at = seconds ? sim_now + (uint64_t)seconds * SIM_NS_PER_S : 0;
    if (alarm_at) sim_schedule(alarm_at, EV_ALARM, 0, alarm_gen);
    sim_trace(TRACE_POSIX, 4, seconds, left, 0);
    return (unsigned int)((left + SIM_NS_PER_S - 1) / SIM_NS_PER_S);
}

ssize_t ringer_sim_getrandom(void *buffer, size_t size, unsigned int flags) {
    sim_enter_call();
    if (flags & ~(unsigned)(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE))
        return sim_errno_ret(-EINVAL);
    if (size > 33554431) size = 33554431;
    sim_draw_bytes(buffer, size);
    sim_trace(TRACE_POSIX, 3, size, flags, 0);
    return (ssize_t)size;
}
