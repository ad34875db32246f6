/* Progress, failures and the summary (stdio only). */
#include "report.h"

#include <assert.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "jobs.h"
#include "junit.h"
#include "workload.h"

void report_init(struct report *report, const struct cli *cli) {
    assert(report != NULL && cli != NULL);
    memset(report, 0, sizeof(*report));
    report->cli = cli;
    report->terminal = jobs_is_terminal(2);
}

static void clear_line(struct report *report) {
    if (!report->line_open) return;
    fputs("\r\033[K", stderr);
    report->line_open = false;
}

static void mix_names(uint32_t mix, char *out, size_t size) {
    size_t used = 0;
    out[0] = '\0';
    for (uint32_t id = 0; id < WORKLOAD_COUNT && used < size; id++) {
        if (!((mix >> id) & 1u)) continue;
        used +=
            (size_t)snprintf(out + used, size - used, "%s%s", used ? "+" : "", workload_name(id));
    }
}

const char *report_suite(const struct cli *cli) {
    static char suite[160];
    if (cli->exec_argv == NULL) return "ringer-sim";
    snprintf(suite, sizeof(suite), "ringer-sim --exec %s", cli->exec_argv[0]);
    return suite;
}

void report_replay(const struct cli *cli, const struct run_config *config, uint64_t seed, char *out,
                   unsigned size) {
    char flags[1024];
    cli_config_flags(cli, config, flags, sizeof(flags));
    snprintf(out, size, "ringer-sim --seed %" PRIu64 " %s", seed, flags);
}

void report_failure(const struct report *report, const struct run_config *config,
                    const struct seed_result *result) {
    char replay[1200], mix[64];
    report_replay(report->cli, config, result->seed, replay, sizeof(replay));
    mix_names(result->mix, mix, sizeof(mix));
    if (report->cli->exec_argv != NULL) snprintf(mix, sizeof(mix), "%s", report->cli->exec_argv[0]);
    printf("FAIL seed %" PRIu64 " (%s): %s\n", result->seed, mix[0] ? mix : "?", result->message);
    if (result->events[0] != '\0') {
        printf("%s", report->cli->exec_argv != NULL ? "  its output ended with:\n"
                                                    : "  the last kernel events (virtual time):\n");
        fputs(result->events, stdout);
    }
    printf("  at virtual time %" PRIu64 ".%06" PRIu64 " ms, after %" PRIu64 " ops and %" PRIu64
           " crashes; trace hash %016" PRIx64 "\n",
           result->virtual_ns / 1000000u, result->virtual_ns % 1000000u, result->ops,
           result->crashes, result->hash);
    printf("  reproduce: %s\n", replay);
    if (report->cli->exec_argv != NULL) {
        struct run_config seeded = *config;
        seeded.seed = result->seed;
        cli_exec_environment(report->cli, &seeded, replay, sizeof(replay));
        printf("  or alone (under a debugger): %s\n", replay);
    }
    printf("  (add --log for the event log, --trace FILE for a timeline, --minimize to "
           "shrink it)\n");
    fflush(stdout);
}

static void count(struct report *report, const struct seed_result *result) {
    report->done += 1;
    report->ops += result->ops;
    report->virtual_ns += result->virtual_ns;
    report->crashes += result->crashes;
    for (uint32_t c = 0; c < RINGER_SIM_FAULT_CLASS_COUNT; c++) {
        report->faults[c] += result->faults[c];
    }
    report->last = *result;
}

static void print_ok(const struct seed_result *result) {
    char mix[64];
    mix_names(result->mix, mix, sizeof(mix));
    printf("seed %" PRIu64 " (%s): ok, %" PRIu64 " ops, %" PRIu64 " crashes, "
           "virtual time %" PRIu64 ".%06" PRIu64 " ms, trace hash %016" PRIx64 "\n",
           result->seed, mix[0] ? mix : "program", result->ops, result->crashes,
           result->virtual_ns / 1000000u, result->virtual_ns % 1000000u, result->hash);
}

void report_result(const struct seed_result *result, void *arg) {
    struct report *report = arg;
    assert(report != NULL && result != NULL);
    assert(result->message[RESULT_MESSAGE_SIZE - 1] == '\0');
    if (result->io_error) { /* not a seed's outcome: ringer-sim could not do its job */
        clear_line(report);
        if (!report->io_error && !report->quiet)
            fprintf(stderr, "ringer-sim: %s\n", result->message);
        report->io_error = true;
        return;
    }
    count(report, result);
    report->failed += result->failed;
    if (report->junit) {
        char replay[1200];
        report_replay(report->cli, &report->cli->config, result->seed, replay, sizeof(replay));
        junit_case(result, report_suite(report->cli), replay);
    }
    if (report->quiet) return;
    if (result->failed) {
        clear_line(report);
        report_failure(report, &report->cli->config, result);
    } else if (report->cli->single_seed) {
        print_ok(result);
    }
}

static uint64_t total_faults(const struct report *report) {
    uint64_t total = 0;
    for (uint32_t c = 0; c < RINGER_SIM_FAULT_CLASS_COUNT; c++) total += report->faults[c];
    return total;
}

/* The classes with the most injections, as "NAME=count ..." (at most `shown`). */
static void top_faults(const struct report *report, unsigned shown, char *out, size_t size) {
    bool used[RINGER_SIM_FAULT_CLASS_COUNT] = {false};
    size_t length = 0;
    out[0] = '\0';
    for (unsigned n = 0; n < shown; n++) {
        int best = -1;
        for (uint32_t c = 0; c < RINGER_SIM_FAULT_CLASS_COUNT; c++) {
            if (used[c] || report->faults[c] == 0) continue;
            if (best < 0 || report->faults[c] > report->faults[best]) best = (int)c;
        }
        if (best < 0 || length >= size) break;
        used[best] = true;
        length += (size_t)snprintf(out + length, size - length, " %s=%" PRIu64,
                                   ringer_sim_fault_name((uint32_t)best), report->faults[best]);
    }
}

/* On a terminal only: done/total, rate, time left, failures, the commonest faults. */
void report_progress(uint64_t real_ns, void *arg) {
    struct report *report = arg;
    assert(report != NULL && report->cli != NULL);
    if (report->quiet || report->cli->single_seed || !report->terminal) return;
    const double seconds = (double)real_ns / 1e9;
    const double rate = seconds > 0 ? (double)report->done / seconds : 0.0;
    const uint64_t left = report->cli->seed_count - report->done;
    char faults[256], eta[32] = "?";
    top_faults(report, 3, faults, sizeof(faults));
    if (rate > 0) {
        const uint64_t eta_s = (uint64_t)((double)left / rate + 0.5);
        snprintf(eta, sizeof(eta), "%" PRIu64 ":%02" PRIu64, eta_s / 60u, eta_s % 60u);
    }
    fprintf(stderr,
            "\r\033[Kseeds %" PRIu64 "/%" PRIu64 "  %.0f seeds/s  %s left  failed %" PRIu64
            "  faults %" PRIu64 ":%s",
            report->done, report->cli->seed_count, rate, eta, report->failed, total_faults(report),
            faults);
    report->line_open = true;
    fflush(stderr);
}

/* A stopped campaign: which seeds have no result, and how to run just those. */
static void print_not_run(const struct report *report, const struct jobs_outcome *outcome) {
    printf("ringer-sim: stopped by %s after %" PRIu64 " of %" PRIu64 " seeds; not run:",
           outcome->signal == SIGINT ? "SIGINT" : "SIGTERM", outcome->done,
           report->cli->seed_count);
    uint64_t seeds[JOBS_MAX], lowest = outcome->next_seed;
    const unsigned count = outcome->in_progress_count;
    memcpy(seeds, outcome->in_progress, count * sizeof(seeds[0]));
    for (unsigned i = 1; i < count; i++) { /* ascending: a few, insertion is enough */
        for (unsigned j = i; j > 0 && seeds[j - 1] > seeds[j]; j--) {
            const uint64_t t = seeds[j];
            seeds[j] = seeds[j - 1];
            seeds[j - 1] = t;
        }
    }
    for (unsigned i = 0; i < count; i++) {
        printf(" %" PRIu64 "%s", seeds[i],
               i + 1 < count || outcome->next_seed <= outcome->last_seed ? "," : "");
        if (seeds[i] < lowest) lowest = seeds[i];
    }
    if (outcome->next_seed <= outcome->last_seed)
        printf(" %" PRIu64 "..%" PRIu64, outcome->next_seed, outcome->last_seed);
    printf("\n  resume: --seed-range %" PRIu64 "..%" PRIu64 "\n", lowest, outcome->last_seed);
}

void report_summary(struct report *report, const struct jobs_outcome *outcome) {
    clear_line(report);
    const double seconds = (double)outcome->real_ns / 1e9;
    const double virtual_s = (double)report->virtual_ns / 1e9;
    const uint64_t workers =
        report->cli->jobs < report->cli->seed_count ? report->cli->jobs : report->cli->seed_count;
    printf("ringer-sim: %" PRIu64 " seeds (%" PRIu64 " failed), %" PRIu64 " ops, %" PRIu64
           " crashes, %.1f s of virtual time in %.1f s (virtual/real %.2f, %.0f seeds/s, %" PRIu64
           " workers)\n",
           report->done, report->failed, report->ops, report->crashes, virtual_s, seconds,
           seconds > 0 ? virtual_s / seconds : 0.0,
           seconds > 0 ? (double)report->done / seconds : 0.0, workers);
    printf("faults injected: %" PRIu64 "\n", total_faults(report));
    unsigned column = 0;
    for (uint32_t c = 0; c < RINGER_SIM_FAULT_CLASS_COUNT; c++) {
        if (report->faults[c] == 0) continue;
        printf("  %-14s %10" PRIu64 "%s", ringer_sim_fault_name(c), report->faults[c],
               ++column % 3 == 0 ? "\n" : "");
    }
    if (column % 3 != 0) printf("\n");
    if (outcome->signal != 0) print_not_run(report, outcome);
    fflush(stdout);
}
