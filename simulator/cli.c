/* Parsing and printing ringer-sim's flags. */
#include "cli.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workload.h"

static const char usage[] =
    "usage: ringer-sim [options]\n"
    "       ringer-sim [options] --exec PROGRAM [ARGS...]\n"
    "\n"
    "Runs realistic workloads (storage, network, cancel, timers) on the ringer event loop\n"
    "over the deterministic simulated kernel, seed after seed, with independent checkers;\n"
    "or, with --exec, a program of yours built against the sim, once per seed. A failure\n"
    "prints the seed, the checker's message, the last kernel events, the virtual time and\n"
    "the exact command that replays it bit for bit; the exit status is then 1. Bad usage\n"
    "and I/O errors of ringer-sim itself exit 2; an interrupt (SIGINT) stops the workers,\n"
    "prints the summary so far and the seeds not run, and exits 130.\n"
    "\n"
    "Seeds (default: --seed-range 1..%u, about a minute on one core; give one of these):\n"
    "  --seed S            run (replay) one seed and print its trace hash\n"
    "  --seeds N           run seeds 1..N\n"
    "  --seed-range A..B   run seeds A to B inclusive (shard a campaign across machines)\n"
    "What runs:\n"
    "  --workload W        storage, network, cancel, timers, all (default), or a comma list;\n"
    "                      each seed picks a mix from these\n"
    "  --exec PROGRAM ...  run PROGRAM (built against the sim) once per seed, with the seed\n"
    "                      and the fault options in RINGER_SIM_* environment variables (see\n"
    "                      ringer_sim.h); exit 0 passes. The rest of the line is its argv\n"
    "  --profile P         what a program must survive: faithful (default for workloads:\n"
    "                      every fault Linux can produce), transparent (default for --exec:\n"
    "                      faults a correct program hides), crash (and power loss),\n"
    "                      storage-errors (and lost or damaged data), network (and resets,\n"
    "                      partitions), hostile (beyond Linux: only loop invariants checked)\n"
    "  --swarm             each seed draws its own fault probabilities within the profile,\n"
    "                      with some classes off, latencies and environment knobs (default)\n"
    "  --no-swarm          every fault class of the profile at a fixed moderate rate\n"
    "  --ops N             at most N operations per seed (default: drawn per seed)\n"
    "  --faults-off LIST   force these fault classes off (comma list of class names, or\n"
    "                      all: the kernel with no faults at all)\n"
    "  --no-crash          no simulated power loss in the storage workload\n"
    "  --no-half-close     network clients never shut down their sending side after\n"
    "                      the last byte (by default half of their sessions do)\n"
    "  --half-close        the default\n"
    "How:\n"
    "  --jobs N            run seeds in N worker processes (default: the number of CPUs)\n"
    "  --keep-going        do not stop at the first failing seed\n"
    "  --twice             run every seed twice and require the same trace hash\n"
    "Output:\n"
    "  --trace FILE        write the run as Chrome Trace Event JSON (one seed only); open\n"
    "                      it in Perfetto (ui.perfetto.dev) or chrome://tracing\n"
    "  --log               print a readable event log (one seed only)\n"
    "  --minimize          shrink a failing seed (fewer faults, fewer ops) and print the\n"
    "                      shorter failing run as a replayable command (with --seed)\n"
    "  --junit FILE        write a JUnit XML report: a test case per seed, failed seeds\n"
    "                      as failures with their replay command\n"
    "  --help              this text\n"
    "On a terminal a progress line shows the rate and the time left; otherwise only\n"
    "failures and the summary are printed.\n"
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

/* A comma list of names through `lookup`; returns the mask, or -1 on an unknown or empty
 * name ("storage,,", ",storage" and "storage," are refused). */
static int64_t parse_list(const char *text, int (*lookup)(const char *)) {
    if (text == NULL || *text == '\0') return -1;
    char copy[512];
    if (strlen(text) >= sizeof(copy)) return -1;
    strcpy(copy, text);
    int64_t mask = 0;
    for (char *name = copy;;) {
        char *comma = strchr(name, ',');
        if (comma != NULL) *comma = '\0';
        const int id = *name == '\0' ? -1 : lookup(name);
        if (id < 0) return -1;
        mask |= (int64_t)1 << id;
        if (comma == NULL) return mask;
        name = comma + 1;
    }
}

/* What the flags given so far settle, to refuse a second, conflicting one. */
struct given {
    const char *seeds;          /* --seed, --seeds or --seed-range */
    const char *swarm;          /* --swarm or --no-swarm */
    const char *half_close;     /* --half-close or --no-half-close */
    const char *workloads_only; /* a flag that means nothing with --exec */
    bool profile;
};

static int once(const char **slot, const char *flag) {
    if (*slot != NULL && strcmp(*slot, flag) == 0) return error("%s is given twice", flag);
    if (*slot != NULL) {
        fprintf(stderr, "ringer-sim: %s conflicts with %s (see --help)\n", flag, *slot);
        return 2;
    }
    *slot = flag;
    return 0;
}

static void defaults(struct cli *cli, unsigned cpus) {
    memset(cli, 0, sizeof(*cli));
    cli->config.workloads = WORKLOAD_ALL;
    cli->config.profile = RINGER_SIM_PROFILE_FAITHFUL;
    cli->config.swarm = true;
    cli->config.half_close = true;
    cli->first_seed = 1;
    cli->seed_count = CLI_DEFAULT_SEEDS;
    cli->jobs = cpus < 1 ? 1 : cpus > 256 ? 256 : cpus;
    cli->workload_arg = "all";
}

static int parse_seeds(struct cli *cli, struct given *given, const char *flag, const char *value) {
    uint64_t number;
    /* `flag` lives in the parser's buffer: keep the name as a literal */
    const char *name = strcmp(flag, "--seed") == 0    ? "--seed"
                       : strcmp(flag, "--seeds") == 0 ? "--seeds"
                                                      : "--seed-range";
    int rc = once(&given->seeds, name);
    if (rc != 0) return rc;
    if (strcmp(flag, "--seed") == 0) {
        if (!parse_u64(value, &cli->first_seed)) return error("bad seed '%s'", value);
        cli->seed_count = 1;
        cli->single_seed = true;
    } else if (strcmp(flag, "--seeds") == 0) {
        if (!parse_u64(value, &number) || number == 0) return error("bad --seeds '%s'", value);
        cli->first_seed = 1;
        cli->seed_count = number;
    } else if (!parse_range(value, &cli->first_seed, &cli->seed_count)) {
        return error("bad --seed-range '%s' (expected A..B with A <= B)", value);
    }
    return 0;
}

static int parse_what(struct cli *cli, struct given *given, const char *flag, const char *value) {
    uint64_t number;
    int64_t mask;
    if (strcmp(flag, "--workload") == 0) {
        mask =
            strcmp(value, "all") == 0 ? (int64_t)WORKLOAD_ALL : parse_list(value, workload_parse);
        if (mask <= 0) return error("unknown workload in '%s'", value);
        cli->config.workloads = (uint32_t)mask;
        cli->workload_arg = value;
        given->workloads_only = "--workload";
    } else if (strcmp(flag, "--profile") == 0) {
        const int profile = ringer_sim_profile_parse(value);
        if (profile < 0)
            return error("unknown profile '%s' (transparent, crash, storage-errors, network, "
                         "hostile or faithful)",
                         value);
        cli->config.profile = (uint8_t)profile;
        given->profile = true;
    } else if (strcmp(flag, "--ops") == 0) {
        if (!parse_u64(value, &number) || number == 0) return error("bad --ops '%s'", value);
        cli->config.op_budget = number;
        given->workloads_only = "--ops";
    } else {
        const int64_t all = ((int64_t)1 << RINGER_SIM_FAULT_CLASS_COUNT) - 1;
        mask = strcmp(value, "all") == 0 ? all : parse_list(value, ringer_sim_fault_parse);
        if (mask <= 0) return error("unknown fault class in '%s'", value);
        cli->config.faults_off = (uint32_t)mask;
    }
    return 0;
}

/* Flags that take a value. Returns 0, or 2 after printing the error. */
static int parse_valued(struct cli *cli, struct given *given, const char *flag, const char *value) {
    uint64_t number;
    static const char *const valued[] = {"--seed",    "--seeds", "--seed-range", "--workload",
                                         "--profile", "--jobs",  "--ops",        "--faults-off",
                                         "--trace",   "--junit"};
    bool known = false;
    for (size_t i = 0; i < sizeof(valued) / sizeof(valued[0]); i++) {
        known = known || strcmp(flag, valued[i]) == 0;
    }
    if (!known) return error("unknown option '%s'", flag);
    if (value == NULL) return error("%s needs a value", flag);
    if (strncmp(flag, "--seed", 6) == 0) return parse_seeds(cli, given, flag, value);
    if (strcmp(flag, "--jobs") == 0) {
        if (!parse_u64(value, &number) || number == 0 || number > 256) {
            return error("bad --jobs '%s' (1..256)", value);
        }
        cli->jobs = (unsigned)number;
    } else if (strcmp(flag, "--trace") == 0) {
        cli->trace_path = value;
    } else if (strcmp(flag, "--junit") == 0) {
        cli->junit_path = value;
    } else {
        return parse_what(cli, given, flag, value);
    }
    return 0;
}

static int parse_switch(struct cli *cli, struct given *given, const char *flag) {
    if (strcmp(flag, "--swarm") == 0 || strcmp(flag, "--no-swarm") == 0) {
        cli->config.swarm = flag[2] == 's';
        return once(&given->swarm, flag);
    }
    if (strcmp(flag, "--half-close") == 0 || strcmp(flag, "--no-half-close") == 0) {
        cli->config.half_close = flag[2] == 'h';
        given->workloads_only = flag;
        return once(&given->half_close, flag);
    }
    if (strcmp(flag, "--no-crash") == 0) {
        cli->config.no_crash = true;
        given->workloads_only = flag;
    } else if (strcmp(flag, "--log") == 0) cli->log = true;
    else if (strcmp(flag, "--minimize") == 0) cli->minimize = true;
    else if (strcmp(flag, "--keep-going") == 0) cli->keep_going = true;
    else if (strcmp(flag, "--twice") == 0) cli->twice = true;
    else return -1;
    return 0;
}

/* One "--flag", "--flag value" or "--flag=value" at argv[*i]; returns 0 or 2. */
static int parse_one(int argc, char **argv, int *i, struct cli *cli, struct given *given) {
    const char *flag = argv[*i];
    const int switched = parse_switch(cli, given, flag);
    if (switched >= 0) return switched;
    if (strncmp(flag, "--", 2) != 0) return error("unexpected argument '%s'", flag);
    char name[64];
    const char *value = NULL;
    const char *equals = strchr(flag, '=');
    if (equals != NULL && (size_t)(equals - flag) < sizeof(name)) {
        memcpy(name, flag, (size_t)(equals - flag));
        name[equals - flag] = '\0';
        value = equals + 1;
    } else {
        snprintf(name, sizeof(name), "%s", flag);
        value = *i + 1 < argc ? argv[++*i] : NULL;
    }
    return parse_valued(cli, given, name, value);
}

/* Combinations that cannot run. Returns 0 or 2. */
static int check_combinations(struct cli *cli, const struct given *given) {
    if (cli->exec_argv != NULL && given->workloads_only != NULL)
        return error("%s is for the workloads and means nothing with --exec",
                     given->workloads_only);
    if (cli->exec_argv != NULL && !given->profile)
        cli->config.profile = RINGER_SIM_PROFILE_TRANSPARENT;
    const bool one = cli->seed_count == 1;
    if ((cli->trace_path != NULL || cli->log) && !one) {
        return error("%s needs a single seed (--seed S)", cli->log ? "--log" : "--trace");
    }
    if (cli->minimize && !cli->single_seed) return error("%s needs --seed S", "--minimize");
    if (cli->minimize && cli->twice) return error("%s conflicts with --twice", "--minimize");
    if (cli->minimize && cli->junit_path != NULL)
        return error("%s conflicts with --junit", "--minimize");
    return 0;
}

int cli_parse(int argc, char **argv, unsigned cpus, struct cli *cli) {
    assert(argc >= 1 && argv != NULL);
    defaults(cli, cpus);
    struct given given = {0};
    for (int i = 1; i < argc; i++) {
        const char *flag = argv[i];
        if (strcmp(flag, "--help") == 0 || strcmp(flag, "-h") == 0) {
            printf(usage, CLI_DEFAULT_SEEDS);
            return 1;
        }
        if (strcmp(flag, "--exec") == 0) {
            if (i + 1 >= argc) return error("%s needs a program", flag);
            cli->exec_argv = &argv[i + 1];
            break;
        }
        const int rc = parse_one(argc, argv, &i, cli, &given);
        if (rc != 0) return rc;
    }
    return check_combinations(cli, &given);
}

/* The fault classes forced off, as " --faults-off A,B" (or "" for none). */
static void faults_off_list(uint32_t faults_off, const char *prefix, char *out, size_t size) {
    size_t used = 0;
    out[0] = '\0';
    if (faults_off == (1u << RINGER_SIM_FAULT_CLASS_COUNT) - 1u) {
        snprintf(out, size, "%sall", prefix);
        return;
    }
    for (uint32_t c = 0; c < RINGER_SIM_FAULT_CLASS_COUNT && used < size; c++) {
        if (!((faults_off >> c) & 1u)) continue;
        used += (size_t)snprintf(out + used, size - used, "%s%s", used ? "," : prefix,
                                 ringer_sim_fault_name(c));
    }
}

/* The program and its arguments, as one line. */
static void exec_line(const struct cli *cli, char *out, size_t size) {
    size_t used = 0;
    out[0] = '\0';
    for (char **arg = cli->exec_argv; *arg != NULL && used < size; arg++) {
        used += (size_t)snprintf(out + used, size - used, "%s%s", used ? " " : "", *arg);
    }
}

void cli_config_flags(const struct cli *cli, const struct run_config *config, char *out,
                      unsigned size) {
    assert(out != NULL && size > 0);
    char names[64] = "all", off[400], program[512];
    faults_off_list(config->faults_off, " --faults-off ", off, sizeof(off));
    const char *profile = ringer_sim_profile_name(config->profile);
    if (cli->exec_argv != NULL) {
        exec_line(cli, program, sizeof(program));
        snprintf(out, size, "--profile %s %s%s --exec %s", profile,
                 config->swarm ? "--swarm" : "--no-swarm", off, program);
        return;
    }
    if (config->workloads != WORKLOAD_ALL) {
        size_t length = 0;
        for (uint32_t id = 0; id < WORKLOAD_COUNT; id++) {
            if (!((config->workloads >> id) & 1u)) continue;
            length += (size_t)snprintf(names + length, sizeof(names) - length, "%s%s",
                                       length ? "," : "", workload_name(id));
        }
    }
    int used = snprintf(out, size, "--workload %s --profile %s %s", names, profile,
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
    if (used > 0 && (unsigned)used < size) snprintf(out + used, size - (unsigned)used, "%s", off);
}

void cli_exec_environment(const struct cli *cli, const struct run_config *config, char *out,
                          unsigned size) {
    assert(cli->exec_argv != NULL && out != NULL && size > 0);
    char off[400], program[512];
    faults_off_list(config->faults_off, " RINGER_SIM_FAULTS_OFF=", off, sizeof(off));
    exec_line(cli, program, sizeof(program));
    snprintf(out, size,
             "RINGER_SIM_SEED=%" PRIu64 " RINGER_SIM_PROFILE=%s RINGER_SIM_SWARM=%d%s %s",
             config->seed, ringer_sim_profile_name(config->profile), config->swarm ? 1 : 0, off,
             program);
}
