/*
 * The simulated kernel's world: every test gets a fresh simulated machine (ringer_sim_init
 * in world_setup, inside the test's child), directories under /tmp (tmpfs) and /data (a
 * disk with Direct I/O), and virtual time. Compiled with the sim's forced include, so the
 * POSIX calls below reach the simulated kernel.
 *
 * Environment (read once per test, so a run is reproducible from its command line):
 *   RINGER_SIM_SEED=<u64>      the world's seed (default 1)
 *   RINGER_SIM_FAULTS=transparent
 *       turns on, at high rates, every fault the library must hide completely: enter
 *       EINTR/EAGAIN/EBUSY and partial submissions, CQE reordering, -EAGAIN on file reads
 *       (retried), stale SQE bytes and unknown CQE flags. Every scenario must then still
 *       produce exactly its faithful results.
 */
#include "world.h"
#include "world_sim.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <ringer.h>
#include <ringer_sim.h>

#include "harness.h"

static char dir_path[64];
static int dir_fd = -1;
static char disk_path[64];
static int disk_fd = -1;
static unsigned directories_made;

static void set_fault(struct ringer_sim_options *options, enum ringer_sim_fault_class kind,
                      uint32_t ppm) {
    options->faults[kind].ppm = ppm;
}

/* Faults that never change what a correct library reports to its callers. */
static void enable_transparent_faults(struct ringer_sim_options *options) {
    options->order = RINGER_SIM_ORDER_REORDER;
    set_fault(options, RINGER_SIM_FAULT_ENTER_EINTR, 200000);
    set_fault(options, RINGER_SIM_FAULT_ENTER_EAGAIN, 100000);
    set_fault(options, RINGER_SIM_FAULT_ENTER_EBUSY, 100000);
    set_fault(options, RINGER_SIM_FAULT_ENTER_PARTIAL, 200000);
    set_fault(options, RINGER_SIM_FAULT_ORDER, 500000);
    set_fault(options, RINGER_SIM_FAULT_CQE_EAGAIN, 200000);
    set_fault(options, RINGER_SIM_FAULT_SQE_STALE, 500000);
    set_fault(options, RINGER_SIM_FAULT_CQE_FLAGS, 500000);
}

void world_process_setup(void) {}

void world_process_teardown(void) {}

static void start_world(const struct ringer_sim_options *options) {
    if (ringer_sim_init(options) != 0) harness_fail(__FILE__, __LINE__, "ringer_sim_init");
    dir_fd = -1;
    disk_fd = -1;
    dir_path[0] = '\0';
    disk_path[0] = '\0';
}

void world_setup(void) {
    struct ringer_sim_options options;
    world_sim_default_options(&options);
    const char *faults = getenv("RINGER_SIM_FAULTS");
    if (faults && strcmp(faults, "transparent") == 0) enable_transparent_faults(&options);
    start_world(&options);
}

void world_sim_default_options(struct ringer_sim_options *options) {
    memset(options, 0, sizeof *options);
    const char *seed = getenv("RINGER_SIM_SEED");
    options->seed = 1;
    if (seed != NULL && ringer_sim_parse_seed(seed, &options->seed) != 0)
        harness_fail(__FILE__, __LINE__, "RINGER_SIM_SEED='%s' is not a seed", seed);
    options->quiet = true;
}

void world_sim_configure(const struct ringer_sim_options *options) {
    world_teardown();
    start_world(options);
}

void world_teardown(void) {
    if (dir_fd >= 0) close(dir_fd);
    if (disk_fd >= 0) close(disk_fd);
    dir_fd = -1;
    disk_fd = -1;
    ringer_sim_deinit();
}

const char *world_name(void) {
    return "sim";
}

bool world_is_real(void) {
    return false;
}

bool world_has_transparent_faults(void) {
    const char *faults = getenv("RINGER_SIM_FAULTS");
    return faults != NULL && strcmp(faults, "transparent") == 0;
}

static int make_directory(char *path, size_t size, const char *parent) {
    directories_made += 1;
    snprintf(path, size, "%s/test-%u", parent, directories_made);
    if (mkdir(path, 0700) != 0) harness_fail(__FILE__, __LINE__, "mkdir %s: %d", path, errno);
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) harness_fail(__FILE__, __LINE__, "open %s: %d", path, errno);
    return fd;
}

int world_temp_dir_fd(void) {
    if (dir_fd < 0) dir_fd = make_directory(dir_path, sizeof dir_path, "/tmp");
    return dir_fd;
}

const char *world_temp_dir_path(void) {
    world_temp_dir_fd();
    return dir_path;
}

int world_disk_dir_fd(void) {
    if (disk_fd < 0) disk_fd = make_directory(disk_path, sizeof disk_path, "/data");
    return disk_fd;
}

const char *world_disk_dir_path(void) {
    world_disk_dir_fd();
    return disk_path;
}

/* The harness's own stdio descriptors (0-2) are the host's; the sim counts fds >= 3. */
int world_open_fd_count(void) {
    return (int)ringer_sim_open_fds(NULL, 0);
}

uint64_t world_open_fd_set_hash(void) {
    static int fds[4096];
    uint32_t count = ringer_sim_open_fds(fds, sizeof fds / sizeof fds[0]);
    uint64_t hash = 0;
    for (uint32_t i = 0; i < count && i < sizeof fds / sizeof fds[0]; i++)
        hash += world_fd_hash_term(fds[i]);
    return hash;
}

uint64_t world_now_ns(void) {
    return ringer_sim_now_ns();
}

static const struct ringer_io *stop_io;

static void stop_fails_the_test(const char *reason) {
    struct ringer_stats stats = ringer_stats(stop_io);
    harness_fail(__FILE__, __LINE__,
                 "the sim stopped the run: %s (cancel_all state %u, rounds %llu; started %llu, "
                 "callbacks %llu, awaiting %u)",
                 reason, stop_io->cancel_all_state, (unsigned long long)stats.cancel_all_rounds,
                 (unsigned long long)stats.started, (unsigned long long)stats.callbacks,
                 stats.awaiting);
}

void world_sim_fail_on_stop(const struct ringer_io *io) {
    stop_io = io;
    ringer_sim_on_stop(stop_fails_the_test);
}

void world_sim_configure_swarm(uint64_t seed, uint8_t profile, const struct ringer_io *io) {
    struct ringer_sim_options options;
    world_sim_default_options(&options);
    options.seed = options.seed * 1000003u + seed;
    options.swarm = true;
    options.profile = profile;
    options.max_virtual_ns = 60000000000ull;
    world_sim_configure(&options);
    world_sim_fail_on_stop(io);
}
