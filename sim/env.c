/*
 * The world from the environment: what `ringer-sim --exec` hands a user's program in
 * RINGER_SIM_* variables (ringer_sim.h), the world set up before main for a program that
 * never calls ringer_sim_init (and checked for leaks when it exits), and the one-line
 * results written back to ringer-sim on RINGER_SIM_REPORT_FD.
 */
#include "sim_internal.h"
#include "sim_log.h"

#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

/* A program that reads RINGER_SIM_SEED itself and must never get the automatic world
 * (ringer-sim) defines this symbol. */
extern const bool ringer_sim_no_environment_world __attribute__((weak));

static bool auto_world;      /* the world of before main is the live one */
static bool replacing;       /* the automatic world is giving way: no report for it */
static bool sidecars_set;    /* log, timeline and report fd taken from the environment */
static bool failure_written; /* a failure has been reported (the abort handler skips it) */
static int report_fd = -1;

int ringer_sim_parse_seed(const char *text, uint64_t *seed) {
    SIM_ASSERT(seed != NULL);
    if (text == NULL || text[0] < '0' || text[0] > '9') return -EINVAL;
    uint64_t value = 0;
    for (const char *p = text; *p != '\0'; p++) {
        if (*p < '0' || *p > '9') return -EINVAL;
        uint64_t digit = (uint64_t)(*p - '0');
        if (value > (UINT64_MAX - digit) / 10) return -EINVAL; /* beyond 2^64-1 */
        value = value * 10 + digit;
    }
    if (value == 0) return -EINVAL;
    *seed = value;
    return 0;
}

/* RINGER_SIM_FAULTS_OFF: NAME[,NAME...], no empty names. */
static int parse_faults_off(const char *text, uint32_t *mask, char *error, size_t size) {
    char name[32];
    *mask = 0;
    if (strcmp(text, "all") == 0) {
        *mask = (1u << RINGER_SIM_FAULT_CLASS_COUNT) - 1u;
        return 0;
    }
    for (const char *p = text;;) {
        size_t n = strcspn(p, ",");
        int c = -EINVAL;
        if (n > 0 && n < sizeof name) {
            memcpy(name, p, n);
            name[n] = '\0';
            c = ringer_sim_fault_parse(name);
        }
        if (c < 0) {
            snprintf(error, size, "RINGER_SIM_FAULTS_OFF='%s' names no fault class at '%.*s'", text,
                     (int)n, p);
            return -EINVAL;
        }
        *mask |= 1u << c;
        if (p[n] == '\0') return 0;
        p += n + 1;
    }
}

static int env_profile(const char *text, uint8_t *profile, char *error, size_t size) {
    int p = ringer_sim_profile_parse(text != NULL ? text : "transparent");
    if (p < 0) {
        snprintf(error, size,
                 "RINGER_SIM_PROFILE='%s' is not a profile (transparent, crash, storage-errors, "
                 "network, hostile or faithful)",
                 text);
        return -EINVAL;
    }
    *profile = (uint8_t)p;
    return 0;
}

int ringer_sim_options_from_env(struct ringer_sim_options *options, char *error, size_t size) {
    SIM_ASSERT(options != NULL);
    char scratch[2];
    if (error == NULL) error = scratch, size = sizeof scratch;
    const char *seed = getenv("RINGER_SIM_SEED"), *swarm = getenv("RINGER_SIM_SWARM");
    const char *off = getenv("RINGER_SIM_FAULTS_OFF");
    if (seed == NULL) return -ENOENT;
    uint64_t value;
    uint8_t profile;
    uint32_t mask = 0;
    if (ringer_sim_parse_seed(seed, &value) != 0) {
        snprintf(error, size,
                 "RINGER_SIM_SEED='%s' is not a seed (a decimal number from 1 to "
                 "18446744073709551615)",
                 seed);
        return -EINVAL;
    }
    if (env_profile(getenv("RINGER_SIM_PROFILE"), &profile, error, size) != 0) return -EINVAL;
    if (swarm != NULL && strcmp(swarm, "0") != 0 && strcmp(swarm, "1") != 0) {
        snprintf(error, size, "RINGER_SIM_SWARM='%s' is not 0 or 1", swarm);
        return -EINVAL;
    }
    if (off != NULL && parse_faults_off(off, &mask, error, size) != 0) return -EINVAL;
    options->seed = value;
    options->profile = profile;
    options->swarm = swarm == NULL || strcmp(swarm, "1") == 0;
    memset(options->faults, 0, sizeof options->faults);
    if (!options->swarm) ringer_sim_profile_rates(options);
    options->faults_off |= mask;
    return 0;
}

/* ---- what the sim writes back ---- */

static uint64_t sqes_consumed(void) {
    uint64_t total = 0;
    for (uint32_t op = 0; op < sizeof sim_stats.ops / sizeof sim_stats.ops[0]; op++)
        total += sim_stats.ops[op];
    return total;
}

void sim_env_report(const char *failure) {
    if (failure != NULL) failure_written = true;
    if (report_fd < 0 || replacing || !sim_initialised) return;
    char line[1024];
    uint32_t on = 0;
    for (uint32_t c = 0; c < RINGER_SIM_FAULT_CLASS_COUNT; c++) {
        if (sim_cfg.o.faults[c].ppm) on |= 1u << c;
    }
    int n = snprintf(line, sizeof line,
                     "ringer-sim-report hash=%016" PRIx64 " virtual_ns=%" PRIu64 " crashes=%" PRIu64
                     " ops=%" PRIu64 " faults_on=%x faults=",
                     ringer_sim_trace_hash(), sim_now, sim_stats.crashes, sqes_consumed(), on);
    for (uint32_t c = 0; c < RINGER_SIM_FAULT_CLASS_COUNT && n > 0 && (size_t)n < sizeof line; c++)
        n += snprintf(line + n, sizeof line - (size_t)n, "%s%" PRIu64, c ? "," : "",
                      sim_stats.faults[c]);
    if (n > 0 && (size_t)n < sizeof line)
        n += snprintf(line + n, sizeof line - (size_t)n, "%s%s\n", failure ? " failure=" : "",
                      failure ? failure : "");
    if (n <= 0) return;
    size_t length = (size_t)n < sizeof line ? (size_t)n : sizeof line - 1;
    line[length - 1] = '\n';
    ssize_t written = write(report_fd, line, length); /* the host's write: no redirection here */
    (void)written;
}

/* A library assertion or any abort outside the sim's own reports: the readable tail too. */
static void on_abort(int signal_number) {
    fflush(stdout);
    if (!failure_written && sim_initialised) {
        sim_env_report("the program aborted (its message is above)");
        fprintf(stderr, "ringer-sim: the program aborted at %" PRIu64 ".%03" PRIu64 " ms\n",
                sim_now / 1000000u, sim_now / 1000u % 1000u);
        sim_log_print_tail();
    }
    ringer_sim_timeline_close();
    signal(signal_number, SIG_DFL);
    raise(signal_number);
}

/* RINGER_SIM_LOG, RINGER_SIM_TRACE and RINGER_SIM_REPORT_FD: once per process. */
static int set_sidecars(char *error, size_t size) {
    if (sidecars_set) return 0;
    sidecars_set = true;
    const char *log = getenv("RINGER_SIM_LOG"), *trace = getenv("RINGER_SIM_TRACE");
    const char *fd = getenv("RINGER_SIM_REPORT_FD");
    if (log != NULL && strcmp(log, "0") != 0) {
        if (strcmp(log, "1") == 0) ringer_sim_log_to(stderr, RINGER_SIM_LOG_READABLE);
        else if (strcmp(log, "raw") == 0) ringer_sim_log_to(stderr, RINGER_SIM_LOG_RAW);
        else return snprintf(error, size, "RINGER_SIM_LOG='%s' is not 0, 1 or raw", log), -EINVAL;
    }
    uint64_t number = 0;
    if (fd != NULL && (ringer_sim_parse_seed(fd, &number) != 0 || number > INT32_MAX))
        return snprintf(error, size, "RINGER_SIM_REPORT_FD='%s' is not an fd", fd), -EINVAL;
    report_fd = fd != NULL ? (int)number : -1;
    int rc = trace != NULL ? ringer_sim_timeline_open(trace) : 0;
    if (rc != 0)
        return snprintf(error, size, "cannot write RINGER_SIM_TRACE='%s': %s", trace,
                        strerror(-rc)),
               -EINVAL;
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_abort;
    sigaction(SIGABRT, &action, NULL);
    return 0;
}

int sim_env_apply(struct ringer_sim_options *options) {
    char error[256];
    int rc = ringer_sim_options_from_env(options, error, sizeof error);
    if (rc == -ENOENT) return 0; /* no environment: a zero seed is seed 0 */
    if (rc == 0) rc = set_sidecars(error, sizeof error);
    if (rc != 0) {
        fprintf(stderr, "ringer-sim: %s\n", error);
        return -EINVAL;
    }
    options->quiet = true;
    return 0;
}

bool sim_env_world_replaceable(void) {
    return auto_world && sim_initialised && sim_stats.steps == 0;
}

void sim_env_world_end(void) {
    SIM_ASSERT(sim_env_world_replaceable());
    auto_world = false;
    replacing = true; /* an untouched world has nothing to report */
    ringer_sim_deinit();
    replacing = false;
}

/* After main (exit or return): the automatic world is checked for leaks and ended; a
 * failing exit shows the last events; a world still open reports its results. */
static void after_main(int status, void *arg) {
    (void)arg;
    if (!sim_initialised) return;
    fflush(stdout);
    if (status != 0 && !failure_written) {
        fprintf(stderr,
                "ringer-sim: the program exited with status %d at %" PRIu64 ".%03" PRIu64 " ms\n",
                status, sim_now / 1000000u, sim_now / 1000u % 1000u);
        sim_log_print_tail();
    }
    if (auto_world && status == 0) ringer_sim_deinit(); /* aborts on a leaked fd */
    else sim_env_report(NULL); /* a failing program's fds are the least of its problems */
    ringer_sim_timeline_close();
}

__attribute__((constructor)) static void before_main(void) {
    if (getenv("RINGER_SIM_SEED") == NULL || &ringer_sim_no_environment_world != NULL) return;
    struct ringer_sim_options options;
    memset(&options, 0, sizeof options);
    if (ringer_sim_init(&options) != 0) { /* sim_env_apply printed why */
        fflush(stderr);
        _exit(2);
    }
    auto_world = true;
    on_exit(after_main, NULL);
}
