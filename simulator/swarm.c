/* Draws the sim's options for one seed from the workload PRNG (never the sim's stream). */
#include "swarm.h"

#include <assert.h>
#include <string.h>

#include "prng.h"

#define SWARM_PPM_MAX    200000u /* fault-model.md §7: log-uniform in [1, 200 000] ppm */
#define FIXED_PPM        2000u   /* --no-swarm: every class at this rate */
#define VIRTUAL_LIMIT_NS (600ull * 1000000000ull) /* far beyond any workload */

static void draw_faults(struct prng *rng, const struct run_config *config,
                        struct ringer_sim_options *options) {
    for (uint32_t c = 0; c < RINGER_SIM_FAULT_CLASS_COUNT; c++) {
        /* Draw for every class, so that a mask never shifts the later draws. */
        const bool on = prng_chance(rng, 1, 2);
        const uint32_t ppm = (uint32_t)prng_log_uniform(rng, SWARM_PPM_MAX);
        uint32_t chosen = config->swarm ? (on ? ppm : 0) : FIXED_PPM;
        if (c == RINGER_SIM_FAULT_CQE_DROP) chosen = 0; /* excluded from swarm (§7) */
        if ((config->faults_off >> c) & 1u) chosen = 0;
        if (!((ringer_sim_profile_faults(config->profile) >> c) & 1u)) chosen = 0;
        options->faults[c].ppm = chosen;
    }
}

static uint64_t pick(struct prng *rng, const uint64_t *values, uint32_t count) {
    assert(count > 0);
    return values[prng_below(rng, count)];
}

static void draw_environment(struct prng *rng, struct ringer_sim_options *options) {
    static const uint64_t storage_mean[] = {0, 10000, 50000, 500000};
    static const uint64_t net_min[] = {0, 1000, 20000};
    static const uint64_t net_mean[] = {0, 5000, 100000, 2000000};
    static const uint64_t slack[] = {0, 1000, 50000, 1000000};
    static const uint64_t buffers[] = {4096, 16384, 65536};
    options->kernel = (uint8_t)prng_below(rng, 3);
    options->order =
        (uint8_t)(prng_chance(rng, 3, 4) ? RINGER_SIM_ORDER_REORDER : RINGER_SIM_ORDER_FAITHFUL);
    options->storage_latency_mean_ns = pick(rng, storage_mean, 4);
    options->net_latency_min_ns = pick(rng, net_min, 3);
    options->net_latency_mean_ns = pick(rng, net_mean, 4);
    options->timer_slack_ns = pick(rng, slack, 4);
    options->no_timer_slack = options->timer_slack_ns == 0;
    options->socket_buffer_size = (uint32_t)pick(rng, buffers, 3);
    struct ringer_sim_mount_options *data = &options->mounts[RINGER_SIM_MOUNT_DATA];
    data->no_fallocate = prng_chance(rng, 1, 4);
    data->no_direct_io = prng_chance(rng, 1, 8);
    data->block_size = prng_chance(rng, 1, 2) ? 4096u : 512u;
}

void swarm_options(const struct run_config *config, struct ringer_sim_options *options) {
    assert(config != NULL && options != NULL);
    memset(options, 0, sizeof(*options));
    struct prng rng;
    prng_seed(&rng, prng_mix(config->seed, 0x5357524du)); /* "SWRM" */
    options->seed = config->seed;
    options->profile = config->profile;
    options->swarm = false; /* drawn here instead, see swarm.h */
    draw_faults(&rng, config, options);
    draw_environment(&rng, options);
    if (!config->swarm) {
        options->kernel = RINGER_SIM_KERNEL_6_1;
        options->order = RINGER_SIM_ORDER_REORDER;
        options->mounts[RINGER_SIM_MOUNT_DATA].no_direct_io = false;
    }
    options->check_stack_pointers = true; /* I19: an SQE into a live stack frame aborts */
    options->no_real_sigpipe = true;
    options->no_leak_check = true; /* the driver checks the fd table itself and reports */
    options->quiet = true;
    options->max_virtual_ns = VIRTUAL_LIMIT_NS;
    assert(options->faults[RINGER_SIM_FAULT_CQE_DROP].ppm == 0);
}
