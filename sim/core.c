/* The world: options, init and deinit, statistics, the trace hash, and stopping a run. */
#include "sim_internal.h"
#include "sim_log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

struct sim_config sim_cfg;
bool sim_initialised;
uint32_t sim_generation;
struct ringer_sim_stats sim_stats;
bool ringer_sim_liburing_prep_keeps_flags;

static uint64_t trace_hash = 0xcbf29ce484222325ull;
static ringer_sim_stop_handler stop_handler;
static bool crashed_ring[RINGER_SIM_MAX_FDS]; /* ring fds that a crash closed */

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
    sim_log_event(kind, a, b, c, d); /* after the hash: the log never changes a run */
}

uint64_t ringer_sim_trace_hash(void) {
    return trace_hash;
}

void sim_assert_fail(const char *what, const char *file, int line) {
    fflush(stdout); /* the program's own output first, as it happened */
    char message[512];
    snprintf(message, sizeof message, "sim assertion failed: %s (%s:%d)", what, file, line);
    fprintf(stderr, "ringer-sim: assertion failed: %s (%s:%d)\n", what, file, line);
    sim_env_report(message);
    ringer_sim_print_repro();
    abort();
}

void sim_oracle_fail(const char *format, ...) {
    fflush(stdout); /* the program's own output first, as it happened */
    char message[512];
    va_list args;
    va_start(args, format);
    vsnprintf(message, sizeof message, format, args);
    va_end(args);
    fprintf(stderr, "ringer-sim ORACLE: %s\n", message);
    sim_env_report(message);
    ringer_sim_print_repro();
    abort();
}

void sim_stop(const char *reason) {
    fflush(stdout); /* the program's own output first, as it happened */
    char message[512];
    snprintf(message, sizeof message, "%s at t=%llu ns after %llu steps", reason,
             (unsigned long long)sim_now, (unsigned long long)sim_stats.steps);
    fprintf(stderr, "ringer-sim STOP: %s\n", message);
    sim_env_report(message);
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
    const char *profile = ringer_sim_profile_name(o->profile);
    int n = snprintf(
        buffer, size,
        "seed=%llu profile=%s swarm=%d kernel=%s order=%s slack=%llu "
        "storage_lat=%llu+%llu net_lat=%llu+%llu sockbuf=%u faults=",
        (unsigned long long)o->seed, profile ? profile : "?", o->swarm,
        sim_cfg.kernel == RINGER_SIM_KERNEL_5_8    ? "5.8"
        : sim_cfg.kernel == RINGER_SIM_KERNEL_5_19 ? "5.19"
                                                   : "6.1",
        sim_cfg.reorder ? "reorder" : "faithful", (unsigned long long)o->timer_slack_ns,
        (unsigned long long)o->storage_latency_min_ns,
        (unsigned long long)o->storage_latency_mean_ns, (unsigned long long)o->net_latency_min_ns,
        (unsigned long long)o->net_latency_mean_ns, o->socket_buffer_size);
    for (uint32_t c = 0; c < RINGER_SIM_FAULT_CLASS_COUNT && n > 0 && (size_t)n < size; c++) {
        if (o->faults[c].ppm)
            n += snprintf(buffer + n, size - (size_t)n, "%s%s:%u",
                          n > 0 && buffer[n - 1] == '=' ? "" : ",", ringer_sim_fault_name(c),
                          o->faults[c].ppm);
    }
}

void ringer_sim_print_repro(void) {
    char line[1024];
    ringer_sim_describe(line, sizeof line);
    fprintf(stderr, "ringer-sim seed=%llu build=%s hash=%016llx at %llu.%03llu ms\n  %s\n",
            (unsigned long long)sim_cfg.o.seed, __DATE__, (unsigned long long)trace_hash,
            (unsigned long long)(sim_now / 1000000u), (unsigned long long)(sim_now / 1000u % 1000u),
            line);
    sim_log_print_tail();
}

uint64_t ringer_sim_seed(void) {
    return sim_cfg.o.seed;
}

static uint64_t default_u64(uint64_t value, uint64_t fallback) {
    return value ? value : fallback;
}

static bool latency_ok(uint64_t ns) {
    return ns <= RINGER_SIM_MAX_LATENCY_NS;
}

static const char *fault_problem(const struct ringer_sim_options *o) {
    uint32_t allowed = ringer_sim_profile_faults(o->profile);
    for (uint32_t c = 0; c < RINGER_SIM_FAULT_CLASS_COUNT; c++) {
        if (o->faults[c].ppm > RINGER_SIM_PPM_MAX) return "a fault rate is above 1000000 ppm";
        if (o->faults[c].ppm && !((allowed >> c) & 1u))
            return "a fault rate is set for a class outside the profile";
    }
    if (o->fail_class >= RINGER_SIM_FAULT_CLASS_COUNT && o->fail_class != RINGER_SIM_FAULT_ANY)
        return "fail_class is not a fault class";
    if (o->faults_off >> RINGER_SIM_FAULT_CLASS_COUNT) return "faults_off names no fault class";
    return NULL;
}

static const char *mount_problem(const struct ringer_sim_mount_options *m) {
    if (m->block_size != 0 && m->block_size != 512 && m->block_size != 4096)
        return "a mount's block_size is not 512 or 4096";
    return NULL;
}

/* Why `o` cannot make a world (NULL: it can): each limit of ringer_sim.h. */
static const char *options_problem(const struct ringer_sim_options *o) {
    if (o->profile >= RINGER_SIM_PROFILE_COUNT) return "unknown profile";
    if (o->kernel > RINGER_SIM_KERNEL_5_19) return "unknown kernel";
    if (o->order > RINGER_SIM_ORDER_REORDER) return "unknown order";
    const char *faults = fault_problem(o);
    if (faults != NULL) return faults;
    if (!latency_ok(o->storage_latency_min_ns) || !latency_ok(o->storage_latency_mean_ns) ||
        !latency_ok(o->net_latency_min_ns) || !latency_ok(o->net_latency_mean_ns) ||
        !latency_ok(o->timer_slack_ns))
        return "a latency or the timer slack is above RINGER_SIM_MAX_LATENCY_NS";
    if (o->syscall_cost_ns > RINGER_SIM_MAX_SYSCALL_NS)
        return "syscall_cost_ns is above RINGER_SIM_MAX_SYSCALL_NS";
    if (o->socket_buffer_size > RINGER_SIM_MAX_BUFFER_SIZE ||
        o->pipe_buffer_size > RINGER_SIM_MAX_BUFFER_SIZE)
        return "a socket or pipe buffer is above RINGER_SIM_MAX_BUFFER_SIZE";
    if (o->fs_pages > RINGER_SIM_MAX_FS_PAGES) return "fs_pages is above RINGER_SIM_MAX_FS_PAGES";
    uint32_t aw = o->atomic_write_size;
    if (aw != 0 && aw != 512 && aw != 1024 && aw != 2048 && aw != 4096)
        return "atomic_write_size is not 512, 1024, 2048 or 4096";
    for (uint32_t m = 0; m < RINGER_SIM_MOUNT_COUNT; m++) {
        const char *mount = mount_problem(&o->mounts[m]);
        if (mount != NULL) return mount;
    }
    return NULL;
}

static void fill_defaults(struct ringer_sim_options *o) {
    SIM_ASSERT(options_problem(o) == NULL);
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
        bool allowed = (ringer_sim_profile_faults(o->profile) >> c) & 1u; /* drawn within */
        o->faults[c].ppm = on && allowed ? ppm : 0;
        /* What power loss does is decided once per dirty page or directory at a crash, a
         * few times a run: a named profile draws it at 25% to 100% so a crash tests it. */
        bool power_loss = c == RINGER_SIM_FAULT_TORN || c == RINGER_SIM_FAULT_LOST_UNSYNCED;
        if (power_loss && o->profile >= RINGER_SIM_PROFILE_TRANSPARENT && o->faults[c].ppm)
            o->faults[c].ppm = 250000 + (uint32_t)((uint64_t)ppm * 750000 / 200000);
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

static void start_world(void) {
    memset(&sim_stats, 0, sizeof sim_stats);
    memset(crashed_ring, 0, sizeof crashed_ring);
    trace_hash = 0xcbf29ce484222325ull;
    sim_log_reset();
    sim_entropy_seed(sim_cfg.o.seed);
    if (sim_cfg.o.swarm) swarm_draw(&sim_cfg.o);
    for (uint32_t c = 0; c < RINGER_SIM_FAULT_CLASS_COUNT; c++) {
        if ((sim_cfg.o.faults_off >> c) & 1u) sim_cfg.o.faults[c].ppm = 0;
    }
    fill_defaults(&sim_cfg.o);
    sim_cfg.hostile = sim_cfg.o.profile == RINGER_SIM_PROFILE_HOSTILE;
    sim_cfg.reorder = sim_cfg.o.order == RINGER_SIM_ORDER_REORDER;
    sim_cfg.kernel = sim_cfg.o.kernel;
    ringer_sim_liburing_prep_keeps_flags = sim_cfg.o.liburing_clears_sqe;
    sim_generation++;
}

int ringer_sim_init(const struct ringer_sim_options *options) {
    SIM_ASSERT(options != NULL);
    if (sim_initialised && !sim_env_world_replaceable()) return -EBUSY;
    struct ringer_sim_options o = *options;
    if (o.seed == 0 && sim_env_apply(&o) != 0) return -EINVAL;
    const char *problem = options_problem(&o);
    if (problem != NULL) {
        if (!o.quiet) fprintf(stderr, "ringer-sim: ringer_sim_init: -EINVAL: %s\n", problem);
        return -EINVAL;
    }
    if (sim_initialised) sim_env_world_end(); /* the untouched world from the environment */
    sim_cfg.o = o;
    start_world();
    sim_clock_reset();
    sim_reqs_reset();
    sim_rings_reset();
    sim_fds_reset();
    sim_fs_reset();
    sim_net_reset();
    sim_nodes_reset();
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

static void report_leaks(void) {
    int fds[16];
    uint32_t open = sim_fds_open(fds, 16);
    if (open == 0 || sim_cfg.o.no_leak_check) return;
    char message[512];
    int used = snprintf(message, sizeof message, "%u fd(s) leaked at the end of the world:", open);
    for (uint32_t i = 0; i < open && i < 16 && used > 0 && (size_t)used < sizeof message; i++) {
        char fd[RINGER_SIM_MAX_PATH + 48];
        sim_log_describe_fd(fds[i], fd, sizeof fd);
        used += snprintf(message + used, sizeof message - (size_t)used, "%s %s", i ? "," : "", fd);
    }
    sim_oracle_fail("%s", message);
}

void ringer_sim_deinit(void) {
    SIM_ASSERT(sim_initialised);
    report_leaks();
    sim_env_report(NULL);
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
        if (!sim_rings[r].used) continue;
        if (sim_rings[r].fd < RINGER_SIM_MAX_FDS) crashed_ring[sim_rings[r].fd] = true;
        sim_ring_exit(r);
    }
    sim_fds_close_all();
    sim_fs_crash();
    sim_generation++; /* every ring handle from before is now from an ended boot */
}

bool sim_crashed_ring_fd(int fd) {
    if (fd < 0 || fd >= (int)RINGER_SIM_MAX_FDS || !crashed_ring[fd]) return false;
    uint32_t f = sim_fd_file(fd);
    return f == SIM_NONE || sim_files[f].kind != FK_RING;
}
