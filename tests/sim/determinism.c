/*
 * Determinism: the same seed gives the same trace hash, run after run, in one process and
 * across processes, compilers and optimisation levels.
 *   determinism            the test: seeds 1..40 (faithful, hostile swarm, reorder) twice
 *   determinism hash SEED  prints "hash SEED <hex>" for tests/sim/determinism.sh
 */
#include <inttypes.h>

#include "simtest.h"
#include "workload.h"

static uint64_t run(uint64_t seed, int mode) {
    struct ringer_sim_options o;
    memset(&o, 0, sizeof o);
    o.seed = seed;
    o.quiet = true;
    o.no_real_sigpipe = true;
    if (mode == 1) {
        o.swarm = true;
        o.profile = RINGER_SIM_PROFILE_HOSTILE;
    } else if (mode == 2) {
        o.order = RINGER_SIM_ORDER_REORDER;
        o.swarm = true;
    }
    if (ringer_sim_init(&o) != 0) simtest_fail("ringer_sim_init");
    workload_run(400, seed % 5 == 0);
    uint64_t hash = ringer_sim_trace_hash();
    ringer_sim_deinit();
    return hash;
}

static void test_same_seed_same_hash(void) {
    for (int mode = 0; mode < 3; mode++) {
        for (uint64_t seed = 1; seed <= 40; seed++) {
            uint64_t a = run(seed, mode), b = run(seed, mode);
            if (a != b)
                simtest_fail("seed %" PRIu64 " mode %d: %016" PRIx64 " then %016" PRIx64, seed,
                             mode, a, b);
        }
    }
}

static void test_seeds_differ(void) {
    uint64_t a = run(1, 1), b = run(2, 1);
    CHECK(a != b);
}

static void test_fuzzer_bytes_replay(void) {
    static const uint8_t bytes[] = {1, 200, 3, 44, 5, 255, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    uint64_t hashes[2];
    for (int k = 0; k < 2; k++) {
        struct ringer_sim_options o;
        memset(&o, 0, sizeof o);
        o.quiet = true;
        o.no_real_sigpipe = true;
        o.faults[RINGER_SIM_FAULT_SHORT].ppm = 500000;
        o.faults[RINGER_SIM_FAULT_PARTIAL].ppm = 500000;
        CHECK_EQ(ringer_sim_init(&o), 0);
        ringer_sim_entropy_bytes(bytes, sizeof bytes);
        workload_run(200, false);
        hashes[k] = ringer_sim_trace_hash();
        ringer_sim_deinit();
    }
    CHECK(hashes[0] == hashes[1]);
}

static const struct simtest tests[] = {
    {"sim_determinism_same_seed_same_hash", test_same_seed_same_hash, 0},
    {"sim_determinism_seeds_differ", test_seeds_differ, 0},
    {"sim_determinism_fuzzer_bytes_replay", test_fuzzer_bytes_replay, 0},
};

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "hash") == 0) {
        uint64_t seed = strtoull(argv[2], NULL, 0);
        printf("hash %" PRIu64 " %016" PRIx64 " %016" PRIx64 " %016" PRIx64 "\n", seed,
               run(seed, 0), run(seed, 1), run(seed, 2));
        return 0;
    }
    return simtest_main(tests, (int)(sizeof tests / sizeof tests[0]), argc, argv);
}
