/* Progress, failures and the summary (stdio only). */
#include "report.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "jobs.h"
#include "swarm.h"
#include "workload.h"

#define PLAIN_PROGRESS_NS 10000000000ull /* a plain line every 10 s off a terminal */

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

void report_failure(const struct report *report, const struct run_config *config,
                    const struct seed_result *result) {
    char flags[512], mix[64];
    cli_config_flags(report->cli, config, flags, sizeof(flags));
    mix_names(result->mix, mix, sizeof(mix));
    printf("FAIL seed %" PRIu64 " (%s): %s\n", result->seed, mix[0] ? mix : "?", result->message);
    printf("  at virtual time %" PRIu64 ".%06" PRIu64 " ms, after %" PRIu64 " ops and %" PRIu64
           " crashes; trace hash %016" PRIx64 "\n",
           result->virtual_ns / 1000000u, result->virtual_ns % 1000000u, result->ops,
           result->crashes, result->hash);
    printf("  reproduce: ringer-sim --seed %" PRIu64 " %s\n", result->seed, flags);
    printf("  (add --log for the event log, --trace FILE for a timeline, --minimize to "
           "shrink it)\n");
    fflush(stdout);
}

void report_result(const struct seed_result *result, void *arg) {
    struct report *report = arg;
    assert(report != NULL && result != NULL);
    assert(result->message[RESULT_MESSAGE_SIZE - 1] == '\0');
    report->done += 1;
    report->ops += result->ops;
    report->virtual_ns += result->virtual_ns;
    report->crashes += result->crashes;
    for (uint32_t c = 0; c < RINGER_SIM_FAULT_CLASS_COUNT; c++) {
        report->faults[c] += result->faults[c];
    }
    report->last = *result;
    if (report->quiet) {
        report->failed += result->failed;
        return;
    }
    if (result->failed) {
        report->failed += 1;
        clear_line(report);
        report_failure(report, &report->cli->config, result);
    } else if (report->cli->single_seed) {
        char mix[64];
        mix_names(result->mix, mix, sizeof(mix));
        printf("seed %" PRIu64 " (%s): ok, %" PRIu64 " ops, %" PRIu64 " crashes, "
               "virtual time %" PRIu64 ".%06" PRIu64 " ms, trace hash %016" PRIx64 "\n",
               result->seed, mix, result->ops, result->crashes, result->virtual_ns / 1000000u,
               result->virtual_ns % 1000000u, result->hash);
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
                                   fault_class_name((uint32_t)best), report->faults[best]);
    }
}

void report_progress(uint64_t real_ns, void *arg) {
    struct report *report = arg;
    assert(report != NULL && report->cli != NULL);
    if (report->quiet || report->cli->single_seed) return;
    const double seconds = (double)real_ns / 1e9;
    const double rate = seconds > 0 ? (double)report->done / seconds : 0.0;
    char faults[256];
    top_faults(report, 4, faults, sizeof(faults));
    if (report->terminal) {
        fprintf(stderr,
                "\r\033[Kseeds %" PRIu64 "/%" PRIu64 "  %.0f seeds/s  failed %" PRIu64
                "  faults %" PRIu64 ":%s",
                report->done, report->cli->seed_count, rate, report->failed, total_faults(report),
                faults);
        report->line_open = true;
    } else if (real_ns - report->last_plain_ns >= PLAIN_PROGRESS_NS) {
        fprintf(stderr,
                "ringer-sim: %" PRIu64 "/%" PRIu64 " seeds, %.0f seeds/s, %" PRIu64
                " failed, %" PRIu64 " faults\n",
                report->done, report->cli->seed_count, rate, report->failed, total_faults(report));
        report->last_plain_ns = real_ns;
    }
    fflush(stderr);
}

void report_summary(struct report *report, uint64_t real_ns) {
    clear_line(report);
    const double seconds = (double)real_ns / 1e9;
    const double virtual_s = (double)report->virtual_ns / 1e9;
    printf("ringer-sim: %" PRIu64 " seeds (%" PRIu64 " failed), %" PRIu64 " ops, %" PRIu64
           " crashes, %.1f s of virtual time in %.1f s (virtual/real %.2f, %.0f seeds/s)\n",
           report->done, report->failed, report->ops, report->crashes, virtual_s, seconds,
           seconds > 0 ? virtual_s / seconds : 0.0,
           seconds > 0 ? (double)report->done / seconds : 0.0);
    printf("faults injected: %" PRIu64 "\n", total_faults(report));
    unsigned column = 0;
    for (uint32_t c = 0; c < RINGER_SIM_FAULT_CLASS_COUNT; c++) {
        if (report->faults[c] == 0) continue;
        printf("  %-14s %10" PRIu64 "%s", fault_class_name(c), report->faults[c],
               ++column % 3 == 0 ? "\n" : "");
    }
    if (column % 3 != 0) printf("\n");
    fflush(stdout);
}
