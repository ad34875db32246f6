/* The world: options, init and deinit, statistics, the trace hash, and stopping a run. */
#include "sim_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

struct sim_config sim_cfg;
bool sim_initialised;
uint32_t sim_generation;
struct ringer_sim_stats sim_stats;
bool ringer_sim_liburing_prep_keeps_flags;

static uint64_t trace_hash = 0xcbf29ce484222325ull;

/* The tail of the event log, printed with the reproduction line. */
#define TRACE_TAIL 48
static struct {
    uint32_t kind;
    uint64_t a, b, c, d, now;
} tail_log[TRACE_TAIL];
static uint64_t tail_count;
static ringer_sim_stop_handler stop_handler;

#define FNV_PRIME 0x100000001b3ull

void sim_trace(uint32_t kind, uint64_t a, uint64_t b, uint64_t c, uint64_t d) {
    /* canonical encoding: the kind as one byte, then four little-endian u64 */
    uint64_t words[4] = {a, b, c, d};
    uint64_t h = (trace_hash ^ (kind & 0xff)) * FNV_PRIME;
    for (int w = 0; w < 4; w++) {
        uint64_t v = words[w];
        for (int i = 0; i < 8; i++, v >>= 8) {
            h ^= v & 0xff;
            h *= FNV_PRIME;
        }
    }
    trace_hash = h;
    uint64_t slot = tail_count++ % TRACE_TAIL;
    tail_log[slot].kind = kind;
    tail_log[slot].a = a;
    tail_log[slot].b = b;
    tail_log[slot].c = c;
    tail_log[slot].d = d;
    tail_log[slot].now = sim_now;
}

uint64_t ringer_sim_trace_hash(void) {
    return trace_hash;
}

void sim_assert_fail(const char *what, const char *file, int line) {
    fprintf(stderr, "ringer-sim: assertion failed: %s (%s:%d)\n", what, file, line);
    ringer_sim_print_repro();
    abort();
}

void sim_oracle_fail(const char *format, ...) {
    va_list args;
    va_start(args, format);
    fprintf(stderr, "ringer-sim ORACLE: ");
    vfprintf(stderr, format, args);
    fprintf(stderr, "\n");
    va_end(args);
    ringer_sim_print_repro();
    abort();
}

void sim_stop(const char *reason) {
    fprintf(stderr, "ringer-sim STOP: %s at t=%llu ns after %llu steps\n", reason,
            (unsigned long long)sim_now, (unsigned long long)sim_stats.steps);
    ringer_sim_print_repro();
    if (stop_handler) stop_handler(reason);
    abort();
}

void ringer_sim_on_stop(ringer_sim_stop_handler handler) {
    stop_handler = handler;
}

void ringer_sim_describe(char *buffer, size_t size) {
    SIM_ASSERT(buffer != NULL);
    SIM_ASSERT(size > 0);
    const struct ringer_sim_options *o = &sim_cfg.o;
    int n = snprintf(
        buffer, size,
        "seed=%llu profile=%s swarm=%d kernel=%s order=%s slack=%llu "
        "storage_lat=%llu+%llu net_lat=%llu+%llu sockbuf=%u faults=",
        (unsigned long long)o->seed, sim_cfg.hostile ? "hostile" : "faithful", o->swarm,
        sim_cfg.kernel == RINGER_SIM_KERNEL_5_8    ? "5.8"
        : sim_cfg.kernel == RINGER_SIM_KERNEL_5_19 ? "5.19"
                                                   : "6.1",
        sim_cfg.reorder ? "reorder" : "faithful", (unsigned long long)o->timer_slack_ns,
        (unsigned long long)o->storage_latency_min_ns,
        (unsigned long long)o->storage_latency_mean_ns, (unsigned long long)o->net_latency_min_ns,
        (unsigned long long)o->net_latency_mean_ns, o->socket_buffer_size);
    for (int c = 0; c < RINGER_SIM_FAULT_CLASS_COUNT && n > 0 && (size_t)n < size; c++) {
        if (o->faults[c].ppm)
            n += snprintf(buffer + n, size - (size_t)n, "%d:%u,", c, o->faults[c].ppm);
    }
}

static void print_tail(void) {
    static const char *names[] = {"?", "enter", "sqe", "cqe", "posix", "fault", "crash", "config"};
    uint64_t first = tail_count > TRACE_TAIL ? tail_count - TRACE_TAIL : 0;
    fprintf(stderr, "  last %llu kernel events (kind: fields, virtual ns):\n",
            (unsigned long long)(tail_count - first));
    for (uint64_t i = first; i < tail_count; i++) {
        const __typeof__(tail_log[0]) *e = &tail_log[i % TRACE_TAIL];
        fprintf(stderr, "    %-6s %llx %llx %llx %llx @%llu\n", names[e->kind < 8 ? e->kind : 0],
                (unsigned long long)e->a, (unsigned long long)e->b, (unsigned long long)e->c,
                (unsigned long long)e->d, (unsigned long long)e->now);
    }
}

void ringer_sim_print_repro(void) {
    char line[1024];
    ringer_sim_describe(line, sizeof line);
    fprintf(stderr, "ringer-sim seed=%llu profile=%s swarm=%d build=%s hash=%016llx\n  %s\n",
            (unsigned long long)sim_cfg.o.seed, sim_cfg.hostile ? "hostile" : "faithful",
            sim_cfg.o.swarm, __DATE__, (unsigned long long)trace_hash, line);
    print_tail();
}

static uint64_t default_u64(uint64_t value, uint64_t fallback) {
    return value ? value : fallback;
}

static void fill_defaults(struct ringer_sim_options *o) {
    SIM_ASSERT(o->profile <= RINGER_SIM_PROFILE_HOSTILE);
    SIM_ASSERT(o->kernel <= RINGER_SIM_KERNEL_5_19);
    o->storage_latency_min_ns = default_u64(o->storage_latency_min_ns, 20000);
    if (o->order == RINGER_SIM_ORDER_REORDER)
        o->storage_latency_mean_ns = default_u64(o->storage_latency_mean_ns, 50000);
    o->timer_slack_ns = o->no_timer_slack ? 0 : default_u64(o->timer_slack_ns, 50000);
    o->syscall_cost_ns = default_u64(o->syscall_cost_ns, 1000);
    o->transient_streak_max = (uint32_t)default_u64(o->transient_streak_max, 3);
    o->socket_buffer_size = (uint32_t)default_u64(o->socket_buffer_size, 65536);
    o->pipe_buffer_size = (uint32_t)default_u64(o->pipe_buffer_size, 65536);
    o->atomic_write_size = (uint32_t)default_u64(o->atomic_write_size, 4096);
    o->fs_pages = (uint32_t)default_u64(o->fs_pages, 16384);
    if (!o->allow_cqe_drop) o->faults[RINGER_SIM_FAULT_CQE_DROP].ppm = 0;
}

/* Log-uniform in [1, 200000] ppm from one draw. */
static uint32_t swarm_ppm(void) {
    uint32_t exponent = sim_draw_below(18); /* 2^0 .. 2^17 */
    uint32_t base = 1u << exponent;
    uint32_t ppm = base + sim_draw_below(base);
    return ppm > 200000 ? 200000 : ppm;
}

static void swarm_draw(struct ringer_sim_options *o) {
    for (int c = 0; c < RINGER_SIM_FAULT_CLASS_COUNT; c++) {
        bool on = sim_draw_below(2) == 1;
        uint32_t ppm = swarm_ppm();
        if (c == RINGER_SIM_FAULT_CQE_DROP) continue;
        o->faults[c].ppm = on ? ppm : 0;
    }
    o->order = (uint8_t)sim_draw_below(2);
    o->kernel = (uint8_t)sim_draw_below(3);
    o->timer_slack_ns = sim_draw_below(100001);
    o->storage_latency_mean_ns = sim_draw_below(200001);
    o->net_latency_mean_ns = sim_draw_below(100001);
    o->socket_buffer_size = 1024u << sim_draw_below(8);
    o->mounts[RINGER_SIM_MOUNT_DATA].no_direct_io = sim_draw_below(8) == 0;
    o->mounts[RINGER_SIM_MOUNT_DATA].no_fallocate = sim_draw_below(8) == 0;
    o->mounts[RINGER_SIM_MOUNT_DATA].tmpfs = sim_draw_below(8) == 0;
}

static void trace_config(void) {
    const struct ringer_sim_options *o = &sim_cfg.o;
    sim_trace(TRACE_CONFIG, o->seed, o->profile, o->kernel, o->order);
    for (int c = 0; c < RINGER_SIM_FAULT_CLASS_COUNT; c++)
        sim_trace(TRACE_CONFIG, (uint64_t)c, o->faults[c].ppm, 0, 0);
    sim_trace(TRACE_CONFIG, o->timer_slack_ns, o->storage_latency_mean_ns, o->net_latency_mean_ns,
              o->socket_buffer_size);
}

int ringer_sim_init(const struct ringer_sim_options *options) {
    SIM_ASSERT(options != NULL);
    if (sim_initialised) return -EBUSY;
    memset(&sim_stats, 0, sizeof sim_stats);
    trace_hash = 0xcbf29ce484222325ull;
    tail_count = 0;
    sim_cfg.o = *options;
    sim_entropy_seed(options->seed);
    if (options->swarm) swarm_draw(&sim_cfg.o);
    fill_defaults(&sim_cfg.o);
    sim_cfg.hostile = sim_cfg.o.profile == RINGER_SIM_PROFILE_HOSTILE;
    sim_cfg.reorder = sim_cfg.o.order == RINGER_SIM_ORDER_REORDER;
    sim_cfg.kernel = sim_cfg.o.kernel;
    ringer_sim_liburing_prep_keeps_flags = sim_cfg.o.liburing_clears_sqe;
    sim_generation++;
    sim_clock_reset();
    sim_reqs_reset();
    sim_rings_reset();
    sim_fds_reset();
    sim_fs_reset();
    sim_net_reset();
    sim_cancel_script_reset();
    sim_timeout_reset();
    sim_initialised = true;
    trace_config();
    if (sim_cfg.o.swarm && !sim_cfg.o.quiet) {
        char line[1024];
        ringer_sim_describe(line, sizeof line);
        fprintf(stderr, "ringer-sim swarm: %s\n", line);
    }
    return 0;
}

void ringer_sim_deinit(void) {
    SIM_ASSERT(sim_initialised);
    int fds[16];
    uint32_t open = sim_fds_open(fds, 16);
    if (open > 0 && !sim_cfg.o.no_leak_check) {
        fprintf(stderr, "ringer-sim ORACLE: %u fd(s) leaked at ringer_sim_deinit:", open);
        static const char *kinds[] = {"?",       "file",   "dir",    "blockdev", "socket",
                                      "eventfd", "pipe-r", "pipe-w", "ring"};
        for (uint32_t i = 0; i < open && i < 16; i++)
            fprintf(stderr, " %d(%s)", fds[i], kinds[sim_files[sim_fd_file(fds[i])].kind]);
        fprintf(stderr, "\n");
        ringer_sim_print_repro();
        abort();
    }
    sim_fds_close_all();
    for (uint32_t r = 0; r < RINGER_SIM_MAX_RINGS; r++) {
        if (sim_rings[r].used) sim_ring_exit(r);
    }
    for (uint32_t r = 0; r < sim_reqs_used; r++) SIM_ASSERT(sim_reqs[r].state == REQ_FREE);
    sim_wq_check_empty();
    sim_net_free();
    sim_fs_free();
    sim_initialised = false;
}

struct ringer_sim_stats ringer_sim_stats(void) {
    struct ringer_sim_stats s = sim_stats;
    s.fds_open = sim_fds_open(NULL, 0);
    s.requests_in_flight = ringer_sim_in_flight();
    s.timers_user_data_0 = ringer_sim_timers_with_user_data(0);
    return s;
}

uint64_t ringer_sim_peek_now_ns(void) {
    return sim_now;
}

uint64_t ringer_sim_now_ns(void) {
    if (sim_initialised)
        sim_enter_call(); /* like clock_gettime: a loop that only reads the clock advances */
    return sim_now;
}

uint32_t ringer_sim_open_fds(int *fds, uint32_t max) {
    SIM_ASSERT(max == 0 || fds != NULL);
    return sim_fds_open(fds, max);
}

void ringer_sim_crash(void) {
    SIM_ASSERT(sim_initialised);
    sim_stats.crashes++;
    sim_trace(TRACE_CRASH, sim_now, 0, 0, 0);
    /* every in-flight op disappears without a CQE */
    for (uint32_t r = 0; r < sim_reqs_used; r++) {
        if (sim_reqs[r].state != REQ_FREE) sim_req_release(r);
    }
    for (uint32_t r = 0; r < RINGER_SIM_MAX_RINGS; r++) {
        if (sim_rings[r].used) sim_ring_exit(r);
    }
    sim_fds_close_all();
    sim_fs_crash();
}
