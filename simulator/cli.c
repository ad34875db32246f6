/* Parsing and printing ringer-sim's flags. */
#include "cli.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "swarm.h"
#include "workload.h"

static const char usage[] =
    "usage: ringer-sim [options]\n"
    "\n"
    "Runs realistic workloads (storage, network, cancel, timers) on the ringer event loop\n"
    "over the deterministic simulated kernel, seed after seed, with independent checkers.\n"
    "A failure prints the seed, the checker's message, the virtual time and the exact\n"
    "command that replays it bit for bit; the exit status is then 1.\n"
    "\n"
    "Seeds (default: --seed-range 1..%u, about a minute on one core):\n"
    "  --seed S            run (replay) one seed and print its trace hash\n"
    "  --seeds N           run seeds 1..N\n"
    "  --seed-range A..B   run seeds A to B inclusive (shard a campaign across machines)\n"
    "What runs:\n"
    "  --workload W        storage, network, cancel, timers, all (default), or a comma list;\n"
    "                      each seed picks a mix from these\n"
    "  --profile P         faithful (default): only faults Linux can produce, outcomes\n"
    "                      checked; hostile: beyond Linux, only loop invariants checked\n"
    "  --swarm             each seed draws its own fault probabilities, with some classes\n"
    "                      off, latencies and environment knobs (default)\n"
    "  --no-swarm          every fault class at a fixed moderate rate\n"
    "  --ops N             at most N operations per seed (default: drawn per seed)\n"
    "  --faults-off LIST   force these fault classes off (comma list of class names)\n"
    "  --no-crash          no simulated power loss in the storage workload\n"
    "  --no-half-close     network clients never shut down their sending side after\n"
    "                      the last byte (by default half of their sessions do)\n"
    "  --half-close        the default\n"
    "How:\n"
    "  --jobs N            run seeds in N worker processes (default 1)\n"
    "  --keep-going        do not stop at the first failing seed\n"
    "  --twice             run every seed twice and require the same trace hash\n"
    "Output:\n"
    "  --trace FILE        write the run as Chrome Trace Event JSON (one seed only); open\n"
    "                      it in Perfetto (ui.perfetto.dev) or chrome://tracing\n"
    "  --log               print a readable event log (one seed only)\n"
    "  --minimize          shrink a failing seed (fewer faults, fewer ops) and print the\n"
    "                      shorter failing run as a replayable command (with --seed)\n"
    "  --help              this text\n"
    "\n"
    "Fault classes: ENTER_EINTR ENTER_EAGAIN ENTER_EBUSY ENTER_PARTIAL ORDER CQE_EINTR\n"
    "CQE_EAGAIN SHORT CQE_ECANCELED ERRNO CANCEL_RACE CQE_FLAGS SQE_STALE READ_EIO\n"
    "LATENT_SECTOR CORRUPT WRITE_EIO MISDIRECT ENOSPC FSYNC_FAIL TORN LOST_UNSYNCED LATENCY\n"
    "PARTIAL RESET REFUSE ACCEPT_ABORT PARTITION.\n";

static int error(const char *format, const char *value) {
    fprintf(stderr, "ringer-sim: ");
    fprintf(stderr, format, value);
    fprintf(stderr, " (see --help)\n");
    return 2;
}

static bool parse_u64(const char *text, uint64_t *value) {
    if (text == NULL || *text < '0' || *text > '9') return false;
    char *end = NULL;
    errno = 0;
    unsigned long long parsed = strtoull(text, &end, 10);
    if (errno != 0 || *end != '\0') return false;
    *value = parsed;
    return true;
}

static bool parse_range(const char *text, uint64_t *first, uint64_t *count) {
    const char *dots = text != NULL ? strstr(text, "..") : NULL;
    if (dots == NULL || dots == text || (size_t)(dots - text) >= 32) return false;
    char low[32];
    memcpy(low, text, (size_t)(dots - text));
    low[dots - text] = '\0';
    uint64_t a, b;
    if (!parse_u64(low, &a) || !parse_u64(dots + 2, &b) || b < a || b - a == UINT64_MAX) {
        return false;
    }
    *first = a;
    *count = b - a + 1;
    return true;
}

/* A comma list of names through `lookup`; returns the mask, or -1 on an unknown name. */
static int64_t parse_list(const char *text, int (*lookup)(const char *)) {
    if (text == NULL || *text == '\0') return -1;
    char copy[512];
    if (strlen(text) >= sizeof(copy)) return -1;
    strcpy(copy, text);
    int64_t mask = 0;
    for (char *save = NULL, *name = strtok_r(copy, ",", &save); name != NULL;
         name = strtok_r(NULL, ",", &save)) {
        int id = lookup(name);
        if (id < 0) return -1;
        mask |= (int64_t)1 << id;
    }
    return mask;
}

static void defaults(struct cli *cli) {
    memset(cli, 0, sizeof(*cli));
    cli->config.workloads = WORKLOAD_ALL;
    cli->config.profile = RINGER_SIM_PROFILE_FAITHFUL;
    cli->config.swarm = true;
    cli->config.half_close = true;
    cli->first_seed = 1;
    cli->seed_count = CLI_DEFAULT_SEEDS;
    cli->jobs = 1;
    cli->workload_arg = "all";
}

/* Flags that take a value. Returns 0, or 2 after printing the error. */
static int parse_valued(struct cli *cli, const char *flag, const char *value) {
    uint64_t number;
    int64_t mask;
    static const char *const valued[] = {"--seed",     "--seeds",      "--seed-range",
                                         "--workload", "--profile",    "--jobs",
                                         "--ops",      "--faults-off", "--trace"};
    bool known = false;
    for (size_t i = 0; i < sizeof(valued) / sizeof(valued[0]); i++) {
        known = known || strcmp(flag, valued[i]) == 0;
    }
    if (!known) return error("unknown option '%s'", flag);
    if (value == NULL) return error("%s needs a value", flag);
    if (strcmp(flag, "--seed") == 0) {
        if (!parse_u64(value, &cli->first_seed)) return error("bad seed '%s'", value);
        cli->seed_count = 1;
        cli->single_seed = true;
    } else if (strcmp(flag, "--seeds") == 0) {
        if (!parse_u64(value, &number) || number == 0) return error("bad --seeds '%s'", value);
        cli->first_seed = 1;
        cli->seed_count = number;
    } else if (strcmp(flag, "--seed-range") == 0) {
        if (!parse_range(value, &cli->first_seed, &cli->seed_count)) {
            return error("bad --seed-range '%s' (expected A..B with A <= B)", value);
        }
    } else if (strcmp(flag, "--workload") == 0) {
        mask =
            strcmp(value, "all") == 0 ? (int64_t)WORKLOAD_ALL : parse_list(value, workload_parse);
        if (mask <= 0) return error("unknown workload '%s'", value);
        cli->config.workloads = (uint32_t)mask;
        cli->workload_arg = value;
    } else if (strcmp(flag, "--profile") == 0) {
        if (strcmp(value, "faithful") == 0) cli->config.profile = RINGER_SIM_PROFILE_FAITHFUL;
        else if (strcmp(value, "hostile") == 0) cli->config.profile = RINGER_SIM_PROFILE_HOSTILE;
        else return error("unknown profile '%s' (faithful or hostile)", value);
    } else if (strcmp(flag, "--jobs") == 0) {
        if (!parse_u64(value, &number) || number == 0 || number > 256) {
            return error("bad --jobs '%s' (1..256)", value);
        }
        cli->jobs = (unsigned)number;
    } else if (strcmp(flag, "--ops") == 0) {
        if (!parse_u64(value, &number) || number == 0) return error("bad --ops '%s'", value);
        cli->config.op_budget = number;
    } else if (strcmp(flag, "--faults-off") == 0) {
        mask = parse_list(value, fault_class_parse);
        if (mask <= 0) return error("unknown fault class in '%s'", value);
        cli->config.faults_off = (uint32_t)mask;
    } else if (strcmp(flag, "--trace") == 0) {
        cli->trace_path = value;
    } else {
        return error("unknown option '%s'", flag);
    }
    return 0;
}

static int parse_switch(struct cli *cli, const char *flag) {
    if (strcmp(flag, "--swarm") == 0) cli->config.swarm = true;
    else if (strcmp(flag, "--no-swarm") == 0) cli->config.swarm = false;
    else if (strcmp(flag, "--log") == 0) cli->log = true;
    else if (strcmp(flag, "--minimize") == 0) cli->minimize = true;
    else if (strcmp(flag, "--keep-going") == 0) cli->keep_going = true;
    else if (strcmp(flag, "--twice") == 0) cli->twice = true;
    else if (strcmp(flag, "--no-crash") == 0) cli->config.no_crash = true;
    else if (strcmp(flag, "--half-close") == 0) cli->config.half_close = true;
    else if (strcmp(flag, "--no-half-close") == 0) cli->config.half_close = false;
    else return -1;
    return 0;
}

int cli_parse(int argc, char **argv, struct cli *cli) {
    assert(argc >= 1 && argv != NULL);
    defaults(cli);
    for (int i = 1; i < argc; i++) {
        const char *flag = argv[i];
        if (strcmp(flag, "--help") == 0 || strcmp(flag, "-h") == 0) {
            printf(usage, CLI_DEFAULT_SEEDS);
            return 1;
        }
        if (parse_switch(cli, flag) == 0) continue;
        if (strncmp(flag, "--", 2) != 0) return error("unexpected argument '%s'", flag);
        /* --flag=value and --flag value */
        char name[64];
        const char *value = NULL;
        const char *equals = strchr(flag, '=');
        if (equals != NULL && (size_t)(equals - flag) < sizeof(name)) {
            memcpy(name, flag, (size_t)(equals - flag));
            name[equals - flag] = '\0';
            value = equals + 1;
        } else {
            snprintf(name, sizeof(name), "%s", flag);
            value = i + 1 < argc ? argv[++i] : NULL;
        }
        int rc = parse_valued(cli, name, value);
        if (rc != 0) return rc;
    }
    const bool one = cli->seed_count == 1;
    if ((cli->trace_path != NULL || cli->log) && !one) {
        return error("%s needs a single seed (--seed S)", cli->log ? "--log" : "--trace");
    }
    if (cli->minimize && !cli->single_seed) return error("%s needs --seed S", "--minimize");
    return 0;
}

void cli_config_flags(const struct cli *cli, const struct run_config *config, char *out,
                      unsigned size) {
    assert(out != NULL && size > 0);
    char names[64] = "all";
    if (config->workloads != WORKLOAD_ALL) {
        size_t length = 0;
        for (uint32_t id = 0; id < WORKLOAD_COUNT; id++) {
            if (!((config->workloads >> id) & 1u)) continue;
            length += (size_t)snprintf(names + length, sizeof(names) - length, "%s%s",
                                       length ? "," : "", workload_name(id));
        }
    }
    (void)cli;
    int used = snprintf(out, size, "--workload %s --profile %s %s", names,
                        config->profile == RINGER_SIM_PROFILE_HOSTILE ? "hostile" : "faithful",
                        config->swarm ? "--swarm" : "--no-swarm");
    if (config->op_budget != 0 && used > 0 && (unsigned)used < size) {
        used += snprintf(out + used, size - (unsigned)used, " --ops %" PRIu64, config->op_budget);
    }
    if (config->no_crash && used > 0 && (unsigned)used < size) {
        used += snprintf(out + used, size - (unsigned)used, " --no-crash");
    }
    if (!config->half_close && used > 0 && (unsigned)used < size) {
        used += snprintf(out + used, size - (unsigned)used, " --no-half-close");
    }
    for (uint32_t c = 0; c < RINGER_SIM_FAULT_CLASS_COUNT; c++) {
        if (!((config->faults_off >> c) & 1u) || used <= 0 || (unsigned)used >= size) continue;
        const bool first = (config->faults_off & ((1u << c) - 1u)) == 0;
        used += snprintf(out + used, size - (unsigned)used, "%s%s", first ? " --faults-off " : ",",
                         fault_class_name(c));
    }
}
