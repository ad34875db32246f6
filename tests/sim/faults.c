/*
 * Each fault class shown happening: with the class switched on, the mixed workload makes
 * the sim inject it (ringer_sim_stats().faults[class] > 0) and the run ends cleanly.
 */
#include "simtest.h"
#include "workload.h"

struct fault_case {
    const char *name;
    enum ringer_sim_fault_class fault;
    bool hostile;
    bool crash;
};

static const struct fault_case cases[] = {
    {"enter_eintr", RINGER_SIM_FAULT_ENTER_EINTR, false, false},
    {"enter_eagain", RINGER_SIM_FAULT_ENTER_EAGAIN, false, false},
    {"enter_ebusy", RINGER_SIM_FAULT_ENTER_EBUSY, true, false},
    {"enter_partial", RINGER_SIM_FAULT_ENTER_PARTIAL, false, false},
    {"cqe_drop", RINGER_SIM_FAULT_CQE_DROP, false, false},
    {"order", RINGER_SIM_FAULT_ORDER, false, false},
    {"cqe_eintr", RINGER_SIM_FAULT_CQE_EINTR, false, false},
    {"cqe_eagain", RINGER_SIM_FAULT_CQE_EAGAIN, false, false},
    {"short", RINGER_SIM_FAULT_SHORT, true, false},
    {"cqe_ecanceled", RINGER_SIM_FAULT_CQE_ECANCELED, true, false},
    {"errno", RINGER_SIM_FAULT_ERRNO, false, false},
    {"cancel_race", RINGER_SIM_FAULT_CANCEL_RACE, false, false},
    {"cqe_flags", RINGER_SIM_FAULT_CQE_FLAGS, true, false},
    {"sqe_stale", RINGER_SIM_FAULT_SQE_STALE, true, false},
    {"read_eio", RINGER_SIM_FAULT_READ_EIO, false, false},
    {"latent_sector", RINGER_SIM_FAULT_LATENT_SECTOR, false, false},
    {"corrupt", RINGER_SIM_FAULT_CORRUPT, false, false},
    {"write_eio", RINGER_SIM_FAULT_WRITE_EIO, false, false},
    {"misdirect", RINGER_SIM_FAULT_MISDIRECT, false, false},
    {"enospc", RINGER_SIM_FAULT_ENOSPC, false, false},
    {"fsync_fail", RINGER_SIM_FAULT_FSYNC_FAIL, false, false},
    {"torn", RINGER_SIM_FAULT_TORN, false, true},
    {"lost_unsynced", RINGER_SIM_FAULT_LOST_UNSYNCED, false, true},
    {"latency", RINGER_SIM_FAULT_LATENCY, false, false},
    {"partial", RINGER_SIM_FAULT_PARTIAL, false, false},
    {"reset", RINGER_SIM_FAULT_RESET, false, false},
    {"refuse", RINGER_SIM_FAULT_REFUSE, false, false},
    {"accept_abort", RINGER_SIM_FAULT_ACCEPT_ABORT, false, false},
    {"partition", RINGER_SIM_FAULT_PARTITION, false, false},
};

static int current;

static void run_case(void) {
    const struct fault_case *c = &cases[current];
    struct ringer_sim_options o;
    memset(&o, 0, sizeof o);
    o.seed = 7;
    o.quiet = true;
    o.no_real_sigpipe = true;
    o.profile = c->hostile ? RINGER_SIM_PROFILE_HOSTILE : RINGER_SIM_PROFILE_FAITHFUL;
    o.faults[c->fault].ppm = c->crash ? 1000000 : 300000;
    o.allow_cqe_drop = c->fault == RINGER_SIM_FAULT_CQE_DROP;
    o.no_leak_check = o.allow_cqe_drop; /* a dropped openat CQE loses its fd, as on Linux */
    o.atomic_write_size = c->fault == RINGER_SIM_FAULT_TORN ? 512 : 0;
    CHECK_EQ(ringer_sim_init(&o), 0);
    struct workload_result r = workload_run(600, c->crash);
    struct ringer_sim_stats s = ringer_sim_stats();
    if (s.faults[c->fault] == 0)
        simtest_fail("no %s fault injected (%llu opportunities)", c->name,
                     (unsigned long long)s.opportunities[c->fault]);
    CHECK(r.completions > 0);
    ringer_sim_deinit();
}

/* Fail the Nth: exactly one injection at the Nth legal opportunity, for N = 1, 2, ... */
static void test_fail_nth(void) {
    for (uint64_t n = 1; n <= 60; n++) {
        struct ringer_sim_options o;
        memset(&o, 0, sizeof o);
        o.seed = 11;
        o.quiet = true;
        o.no_real_sigpipe = true;
        o.no_leak_check = true;
        o.fail_nth = n;
        o.fail_class = RINGER_SIM_FAULT_ANY;
        o.faults[RINGER_SIM_FAULT_READ_EIO].ppm = 1000000; /* ignored in this mode */
        CHECK_EQ(ringer_sim_init(&o), 0);
        workload_run(120, false);
        struct ringer_sim_stats st = ringer_sim_stats();
        uint64_t total = 0;
        for (int c = 0; c < RINGER_SIM_FAULT_CLASS_COUNT; c++) total += st.faults[c];
        CHECK_EQ(total, 1);
        CHECK(st.fail_nth_reached);
        ringer_sim_deinit();
    }
}

/* Hostile swarm seeds: the sim itself never trips an assertion or an oracle. */
static void test_hostile_swarm_soak(void) {
    for (uint64_t seed = 100; seed < 220; seed++) {
        struct ringer_sim_options o;
        memset(&o, 0, sizeof o);
        o.seed = seed;
        o.quiet = true;
        o.no_real_sigpipe = true;
        o.swarm = true;
        o.profile = RINGER_SIM_PROFILE_HOSTILE;
        CHECK_EQ(ringer_sim_init(&o), 0);
        workload_run(300, seed % 3 == 0);
        ringer_sim_deinit();
    }
}

int main(int argc, char **argv) {
    static const struct simtest extra[] = {
        {"sim_fail_nth_injects_exactly_once", test_fail_nth, 0},
        {"sim_hostile_swarm_soak", test_hostile_swarm_soak, 0},
    };
    simtest_main(extra, 2, argc, argv);
    enum { N = sizeof cases / sizeof cases[0] };
    static struct simtest tests[N];
    static char names[N][64];
    for (int i = 0; i < N; i++) {
        snprintf(names[i], sizeof names[i], "sim_fault_%s", cases[i].name);
        tests[i] = (struct simtest){names[i], run_case, 0};
    }
    /* each test runs in its own child: pick the case by position */
    const char *filter = argc > 1 ? argv[1] : NULL;
    for (current = 0; current < N; current++) {
        if (filter && !strstr(names[current], filter)) continue;
        simtest_main(&tests[current], 1, 1, argv);
    }
    return 0;
}
