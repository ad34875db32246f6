/*
 * ASYNC_CANCEL (kernel-semantics.md §11): keys (user_data, ANY, FD, ALL), results
 * (0, -ENOENT, -EALREADY, counts), the target's CQE (-ECANCELED, -EINTR or its normal
 * result), the order of the two CQEs, and scripted outcomes for tests.
 */
#include "sim_internal.h"

static struct ringer_sim_cancel_script script;
static int32_t results_armed; /* slots with count > 0 */
static bool script_armed;

#define SCRIPT_SLOTS 16
static struct {
    uint8_t opcode;
    int32_t res;
    uint32_t count;
} results[SCRIPT_SLOTS];

void sim_cancel_script_reset(void) {
    script_armed = false;
    results_armed = 0;
    memset(results, 0, sizeof results);
}

void ringer_sim_script_cancel(const struct ringer_sim_cancel_script *s) {
    SIM_ASSERT(s != NULL);
    SIM_ASSERT(s->cancel_res == 0 || s->cancel_res == -EALREADY || s->cancel_res == -ENOENT);
    script = *s;
    script_armed = true;
}

void ringer_sim_script_result(uint8_t opcode, int32_t res, uint32_t count) {
    for (uint32_t i = 0; i < SCRIPT_SLOTS; i++) {
        if (results[i].count == 0 || results[i].opcode == opcode) {
            results_armed += (results[i].count == 0) - (count == 0);
            results[i].opcode = opcode;
            results[i].res = res;
            results[i].count = count;
            return;
        }
    }
    SIM_ASSERT(!"too many scripted results");
}

bool sim_script_take(uint8_t opcode, int32_t *res) {
    if (!results_armed) return false;
    for (uint32_t i = 0; i < SCRIPT_SLOTS; i++) {
        if (results[i].count > 0 && results[i].opcode == opcode) {
            results[i].count--;
            if (results[i].count == 0) results_armed--;
            *res = results[i].res;
            return true;
        }
    }
    return false;
}

int sim_prep_cancel(struct sim_req *q, const struct io_uring_sqe *sqe) {
    if (q->fixed_file) return -EINVAL;
    if (sqe->ioprio || sqe->off || sqe->len || sqe->splice_fd_in) return -EINVAL;
    uint32_t flags = sqe->cancel_flags;
    q->op_flags = flags;
    if (sim_cfg.kernel == RINGER_SIM_KERNEL_5_8) return flags ? -EINVAL : 0;
    if (flags & ~(IORING_ASYNC_CANCEL_ALL | IORING_ASYNC_CANCEL_FD | IORING_ASYNC_CANCEL_ANY))
        return -EINVAL;
    return 0;
}

void sim_cancel_issue_op(uint32_t r) {
    struct sim_req *q = &sim_reqs[r];
    /* hostile ORDER: the cancel runs after later SQEs instead of during submission */
    if (sim_fault2(RINGER_SIM_FAULT_ORDER, false, true)) {
        q->state = REQ_WORK;
        sim_schedule(sim_now + sim_latency(1000, 20000), EV_REQ, r, q->gen);
        return;
    }
    sim_cancel_issue(r);
}

/* Cancels one request as a LINK_TIMEOUT does: a waiting one completes with -ECANCELED (0),
 * one running in a worker keeps running (-EALREADY). */
int sim_cancel_target(uint32_t t) {
    struct sim_req *q = &sim_reqs[t];
    SIM_ASSERT(q->state != REQ_FREE);
    if ((q->state == REQ_WORK && q->worker) || q->state == REQ_POSTPONED) return -EALREADY;
    sim_req_detach(t);
    sim_req_complete(t, -ECANCELED, 0);
    return 0;
}

static bool matches(const struct sim_req *c, const struct sim_req *t) {
    uint32_t flags = c->op_flags;
    if (t->opcode == IORING_OP_LINK_TIMEOUT) return false; /* Linux's cancel never finds one */
    if (flags & IORING_ASYNC_CANCEL_ANY) return true;
    if (flags & IORING_ASYNC_CANCEL_FD) return t->fd == c->fd && t->opcode != IORING_OP_TIMEOUT;
    return t->user_data == c->addr;
}

/* Posts `second` at now + 1 us (a later batch) with a decided result. */
static void postpone(uint32_t r, int32_t res) {
    struct sim_req *q = &sim_reqs[r];
    sim_req_detach(r);
    q->res = res;
    sim_schedule(sim_now + 1000, EV_REQ, r, q->gen);
}

/* Takes a target out of its wait (queue or timer) and completes it now or later. A CLOSE
 * that reports -EINTR has released its descriptor, as on Linux (the library turns that
 * -EINTR into 0). */
static void finish_target(uint32_t t, int32_t res, bool later) {
    if (sim_reqs[t].opcode == IORING_OP_CLOSE && res == -EINTR) sim_fd_close(sim_reqs[t].fd);
    if (later) postpone(t, res);
    else sim_req_complete(t, res, 0);
}

struct outcome {
    int32_t cancel_res;
    int32_t target_res; /* RINGER_SIM_TARGET_NORMAL: leave it */
    bool target_first;
    bool separate;
};

static struct outcome model_outcome(const struct sim_req *t) {
    /* a worker-class op is running; an inline op delayed by the latency model is not */
    bool running = (t->state == REQ_WORK && t->worker) || t->state == REQ_POSTPONED;
    bool race = sim_fault(RINGER_SIM_FAULT_CANCEL_RACE, true);
    uint32_t pick = sim_draw_u32();
    struct outcome o = {running ? -EALREADY : 0, running ? RINGER_SIM_TARGET_NORMAL : -ECANCELED,
                        false, false};
    if (!race) return o;
    o.target_first = pick & 1;
    o.separate = (pick >> 1) & 1;
    if (running && t->state == REQ_WORK && ((pick >> 2) & 1)) o.target_res = -EINTR;
    if (sim_cfg.hostile) {
        static const int32_t cres[3] = {0, -EALREADY, -ENOENT};
        static const int32_t tres[3] = {-ECANCELED, -EINTR, RINGER_SIM_TARGET_NORMAL};
        o.cancel_res = cres[(pick >> 3) % 3];
        o.target_res = tres[(pick >> 5) % 3];
        if (o.target_res == RINGER_SIM_TARGET_NORMAL && !running)
            o.target_res = -EINTR; /* it might never complete normally: no hang by fiat */
    }
    return o;
}

static void apply_target(uint32_t t, const struct outcome *o, bool later) {
    struct sim_req *q = &sim_reqs[t];
    int32_t res = o->target_res;
    if (res == RINGER_SIM_TARGET_NORMAL) {
        if (q->state == REQ_WAIT || q->state == REQ_TIMER || q->state == REQ_HELD) {
            if (o->cancel_res != -ENOENT) return; /* keeps waiting: it completes normally later */
            res = -ECANCELED;
        } else {
            return; /* running: completes normally */
        }
    }
    if (q->state == REQ_WORK && q->worker && res == -EINTR && !later && !o->target_first) {
        q->cancelled_running = true; /* the interrupted worker posts -EINTR when it stops */
        return;
    }
    if (q->state == REQ_WORK || q->state == REQ_WAIT || q->state == REQ_TIMER)
        sim_req_detach(t); /* its pending event (worker, timer) no longer matches */
    finish_target(t, res, later);
}

static void cancel_one(uint32_t r, uint32_t t) {
    struct outcome o;
    if (script_armed) {
        script_armed = false;
        o = (struct outcome){script.cancel_res, script.target_res, script.target_first,
                             script.separate_batches};
    } else {
        o = model_outcome(&sim_reqs[t]);
    }
    if (o.cancel_res == -ENOENT) o.target_first = true;
    if (o.target_first) {
        uint32_t rgen = sim_reqs[r].gen;
        apply_target(t, &o, false);
        if (sim_reqs[r].gen != rgen || sim_reqs[r].state == REQ_FREE)
            return; /* defensive: nothing nested completes a cancel today */
        if (o.separate) postpone(r, o.cancel_res);
        else sim_req_complete(r, o.cancel_res, 0);
    } else {
        const struct sim_req *q = &sim_reqs[t];
        bool keeps_running =
            o.target_res == RINGER_SIM_TARGET_NORMAL ||
            (q->state == REQ_WORK && q->worker && o.target_res == -EINTR && !o.separate);
        if (!keeps_running)
            sim_req_detach(t); /* the cancel's CQE must not satisfy the target's count */
        uint32_t gen = sim_reqs[t].gen;
        sim_req_complete(r, o.cancel_res, 0);
        /* posting may have run nested completions (the drain FIFO releasing another cancel
         * of the same target): a target they decided is left alone */
        if (sim_reqs[t].gen != gen || sim_reqs[t].state == REQ_FREE) return;
        if (keeps_running) apply_target(t, &o, o.separate);
        else finish_target(t, o.target_res, o.separate);
    }
}

/* ALL: every match counts (running ones too); waiting ones complete with -ECANCELED
 * after the cancel's own CQE. */
static void cancel_all_matching(uint32_t r) {
    static uint32_t targets[RINGER_SIM_MAX_REQUESTS];
    struct sim_req *c = &sim_reqs[r];
    uint32_t n = 0;
    for (uint32_t t = sim_rings[c->ring].inflight_head; t != SIM_NONE; t = sim_reqs[t].ring_next) {
        const struct sim_req *q = &sim_reqs[t];
        if (t != r && q->opcode != IORING_OP_ASYNC_CANCEL && matches(c, q)) targets[n++] = t;
    }
    SIM_ASSERT(n <= RINGER_SIM_MAX_REQUESTS);
    static uint32_t gens[RINGER_SIM_MAX_REQUESTS];
    uint32_t detached = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint8_t state = sim_reqs[targets[i]].state;
        bool delayed = state == REQ_WORK && !sim_reqs[targets[i]].worker;
        if (state == REQ_WAIT || state == REQ_TIMER || state == REQ_HELD || delayed) {
            sim_req_detach(targets[i]);
            gens[detached] = sim_reqs[targets[i]].gen;
            targets[detached++] = targets[i];
        }
    }
    sim_req_complete(r, (int32_t)n, 0);
    for (uint32_t i = 0; i < detached; i++) {
        const struct sim_req *q = &sim_reqs[targets[i]];
        if (q->gen == gens[i] && q->state != REQ_FREE) /* not decided by a nested completion */
            sim_req_complete(targets[i], -ECANCELED, 0);
    }
}

void sim_cancel_issue(uint32_t r) {
    struct sim_req *c = &sim_reqs[r];
    struct sim_ring *ring = &sim_rings[c->ring];
    c->op_flags &= IORING_ASYNC_CANCEL_ALL | IORING_ASYNC_CANCEL_FD | IORING_ASYNC_CANCEL_ANY;
    if (c->op_flags & IORING_ASYNC_CANCEL_ALL) {
        cancel_all_matching(r);
        return;
    }
    for (uint32_t t = ring->inflight_head; t != SIM_NONE; t = sim_reqs[t].ring_next) {
        const struct sim_req *q = &sim_reqs[t];
        if (t != r && q->opcode != IORING_OP_ASYNC_CANCEL && matches(c, q)) {
            cancel_one(r, t);
            return;
        }
    }
    sim_req_complete(r, -ENOENT, 0);
}

/* ---- IORING_REGISTER_SYNC_CANCEL ---- */

struct sync_wait {
    uint32_t n;
    const uint32_t *targets, *gens;
    uint64_t deadline; /* UINT64_MAX: none */
};

static bool targets_done(void *arg) {
    const struct sync_wait *w = arg;
    if (sim_now >= w->deadline) return true;
    for (uint32_t i = 0; i < w->n; i++) {
        const struct sim_req *q = &sim_reqs[w->targets[i]];
        if (q->gen == w->gens[i] && q->state != REQ_FREE) return false;
    }
    return true;
}

/* Collects the requests the key matches (every one with ALL, else the first). */
static uint32_t sync_targets(uint32_t ring, const struct sim_req *key, uint32_t *targets,
                             uint32_t *gens) {
    uint32_t n = 0;
    for (uint32_t t = sim_rings[ring].inflight_head; t != SIM_NONE; t = sim_reqs[t].ring_next) {
        if (sim_reqs[t].opcode == IORING_OP_ASYNC_CANCEL || !matches(key, &sim_reqs[t])) continue;
        gens[n] = sim_reqs[t].gen;
        targets[n++] = t;
        if (!(key->op_flags & IORING_ASYNC_CANCEL_ALL)) break;
    }
    return n;
}

/* Cancels synchronously: waiting requests complete with -ECANCELED at once, running ones
 * are interrupted (-EINTR when they stop); the call returns when all have completed, or
 * with -ETIME at the timeout. */
int sim_sync_cancel(uint32_t ring, const struct io_uring_sync_cancel_reg *reg) {
    static uint32_t targets[RINGER_SIM_MAX_REQUESTS], gens[RINGER_SIM_MAX_REQUESTS];
    uint32_t known = IORING_ASYNC_CANCEL_ALL | IORING_ASYNC_CANCEL_FD | IORING_ASYNC_CANCEL_ANY;
    if (reg->pad[0] || reg->pad[1] || reg->pad[2] || reg->pad[3]) return -EINVAL;
    if (reg->flags & ~known) return -EINVAL;
    struct sim_req key = {.op_flags = reg->flags, .fd = reg->fd, .addr = reg->addr};
    uint32_t n = sync_targets(ring, &key, targets, gens);
    if (n == 0) return -ENOENT;
    for (uint32_t i = 0; i < n; i++) {
        struct sim_req *q = &sim_reqs[targets[i]];
        if (q->gen != gens[i] || q->state == REQ_FREE) continue; /* a nested completion */
        if (sim_cancel_target(targets[i]) == -EALREADY && q->worker) q->cancelled_running = true;
    }
    bool forever = reg->timeout.tv_sec == -1 && reg->timeout.tv_nsec == -1;
    uint64_t ns = (uint64_t)reg->timeout.tv_sec * SIM_NS_PER_S + (uint64_t)reg->timeout.tv_nsec;
    struct sync_wait w = {n, targets, gens, forever ? UINT64_MAX : sim_now + ns};
    if (!forever) sim_schedule(w.deadline, EV_NOTHING, 0, 0);
    sim_block_until(targets_done, &w, "IORING_REGISTER_SYNC_CANCEL");
    w.deadline = UINT64_MAX;
    if (!targets_done(&w)) return -ETIME;
    return (reg->flags & IORING_ASYNC_CANCEL_ALL) ? (int)n : 0;
}
