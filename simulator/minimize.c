/* --minimize: shrinks a failing seed's run while it keeps failing. First the workloads of
 * the mix are dropped one at a time, then every fault
 * class that was on is switched off in turn (the mask never shifts other decisions, see
 * swarm.h), then crashes, then the op budget is bisected. Each trial is a fresh worker. */
#include <inttypes.h>
#include <stdio.h>

#include "report.h"
#include "runner.h"
#include "swarm.h"
#include "workload.h"

/* The most recent failing trial: what the next step shrinks from. */
static struct seed_result last_failure;

static bool still_fails(const struct cli *cli, const struct run_config *config) {
    static struct seed_result result;
    if (!runner_trial(cli, config, &result)) return false;
    last_failure = result;
    return true;
}

/* Fewer workloads first: each one dropped removes a whole class of ops. */
static void shrink_workloads(const struct cli *cli, struct run_config *config) {
    const uint32_t mix = last_failure.mix;
    /* Workloads outside the mix lost their coin toss: dropping them changes nothing. */
    config->workloads = mix;
    for (uint32_t id = 0; id < WORKLOAD_COUNT; id++) {
        if (!((mix >> id) & 1u) || (config->workloads & ~(1u << id) & mix) == 0) continue;
        config->workloads &= ~(1u << id);
        if (still_fails(cli, config))
            printf("  still fails without the %s workload\n", workload_name(id));
        else config->workloads |= 1u << id;
    }
}

static void shrink_faults(const struct cli *cli, struct run_config *config, uint32_t on) {
    for (uint32_t c = 0; c < RINGER_SIM_FAULT_CLASS_COUNT; c++) {
        if (!((on >> c) & 1u)) continue;
        config->faults_off |= 1u << c;
        if (still_fails(cli, config)) {
            printf("  still fails without %s\n", fault_class_name(c));
        } else {
            config->faults_off &= ~(1u << c);
        }
    }
    if (!config->no_crash) {
        config->no_crash = true;
        if (still_fails(cli, config)) printf("  still fails without crashes\n");
        else config->no_crash = false;
    }
    if (config->half_close) {
        config->half_close = false;
        if (still_fails(cli, config)) printf("  still fails without half-closes\n");
        else config->half_close = true;
    }
}

/* The smallest op budget that still fails, by bisection (failures need not be monotonic
 * in the budget, so this finds a small one, not always the smallest). */
static void shrink_ops(const struct cli *cli, struct run_config *config) {
    const uint64_t used = last_failure.ops;
    uint64_t low = 1, high = used;
    config->op_budget = high;
    if (!still_fails(cli, config)) {
        config->op_budget = 0; /* the budget changes the run; keep the original */
        return;
    }
    while (low < high) {
        const uint64_t middle = low + (high - low) / 2;
        config->op_budget = middle;
        if (still_fails(cli, config)) high = middle;
        else low = middle + 1;
    }
    config->op_budget = high;
    printf("  still fails with %" PRIu64 " ops (of %" PRIu64 ")\n", high, used);
}

int minimize_seed(const struct cli *cli) {
    struct run_config config = cli->config;
    config.seed = cli->first_seed;
    if (!still_fails(cli, &config)) {
        printf("seed %" PRIu64 " does not fail with these flags; nothing to minimize\n",
               config.seed);
        return 0;
    }
    printf("minimizing seed %" PRIu64 ": %s\n", config.seed, last_failure.message);
    shrink_workloads(cli, &config);
    shrink_faults(cli, &config, last_failure.faults_on & ~config.faults_off);
    shrink_ops(cli, &config);
    if (!still_fails(cli, &config)) {
        printf("the shrunk case stopped failing; the original seed stands\n");
        return 1;
    }
    struct report report;
    report_init(&report, cli);
    printf("minimized:\n");
    report_failure(&report, &config, &last_failure);
    return 1;
}
