/* --minimize: shrinks a failing seed's run while it keeps failing. First the workloads of
 * the mix are dropped one at a time, then every fault class that was on is switched off in
 * turn (the mask never shifts other decisions, see swarm.h), then crashes and half-closes,
 * then the op budget is bisected; for --exec only the fault classes. Each trial is a fresh
 * worker whose output is thrown away: what is printed is the result, the failure block of
 * the shrunk case and its replay command. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "jobs.h"
#include "report.h"
#include "runner.h"
#include "workload.h"

/* The most recent failing trial: what the next step shrinks from. */
static struct seed_result last_failure;
/* What the shrunk case runs without, as a list for the result line. */
static char removed[1024];
static unsigned trials;

static void note_removed(const char *what) {
    const size_t used = strlen(removed);
    snprintf(removed + used, sizeof(removed) - used, "%s%s", used ? ", " : "", what);
}

static bool still_fails(const struct cli *cli, const struct run_config *config) {
    static struct seed_result result;
    trials += 1;
    if (jobs_is_terminal(2)) fprintf(stderr, "\r\033[Kminimizing: trial %u", trials);
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
        char what[64];
        snprintf(what, sizeof(what), "the %s workload", workload_name(id));
        if (still_fails(cli, config)) note_removed(what);
        else config->workloads |= 1u << id;
    }
}

static void shrink_faults(const struct cli *cli, struct run_config *config, uint32_t on) {
    for (uint32_t c = 0; c < RINGER_SIM_FAULT_CLASS_COUNT; c++) {
        if (!((on >> c) & 1u)) continue;
        config->faults_off |= 1u << c;
        if (still_fails(cli, config)) note_removed(ringer_sim_fault_name(c));
        else config->faults_off &= ~(1u << c);
    }
}

static void shrink_crashes(const struct cli *cli, struct run_config *config) {
    if (!config->no_crash) {
        config->no_crash = true;
        if (still_fails(cli, config)) note_removed("crashes");
        else config->no_crash = false;
    }
    if (config->half_close) {
        config->half_close = false;
        if (still_fails(cli, config)) note_removed("half-closes");
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
    char what[96];
    snprintf(what, sizeof(what), "all but %" PRIu64 " of its %" PRIu64 " ops", high, used);
    note_removed(what);
}

int minimize_seed(const struct cli *cli) {
    struct run_config config = runner_effective_config(&cli->config);
    config.seed = cli->first_seed;
    removed[0] = '\0';
    const bool whole_runs = cli->exec_argv == NULL;
    const bool failed = still_fails(cli, &config);
    if (failed && whole_runs) shrink_workloads(cli, &config);
    if (failed) shrink_faults(cli, &config, last_failure.faults_on & ~config.faults_off);
    if (failed && whole_runs) shrink_crashes(cli, &config);
    if (failed && whole_runs) shrink_ops(cli, &config);
    const bool shrunk_fails = failed && still_fails(cli, &config);
    if (jobs_is_terminal(2)) fputs("\r\033[K", stderr);
    if (!failed) {
        printf("seed %" PRIu64 " does not fail with these flags; nothing to minimize\n",
               config.seed);
        return 0;
    }
    if (!shrunk_fails) {
        printf("the shrunk case stopped failing; the original seed stands\n");
        return 1;
    }
    printf("minimized seed %" PRIu64 " in %u trials: it still fails without %s\n", config.seed,
           trials, removed[0] ? removed : "nothing that could go (it is already minimal)");
    struct report report;
    report_init(&report, cli);
    report_failure(&report, &config, &last_failure);
    return 1;
}
