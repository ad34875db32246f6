/*
 * The crash model of directory entries (fault-model.md §4, sim/README.md): a create, link,
 * unlink or rename is durable only once its directory is fsynced (a file's own fsync does
 * not make its new entry durable); at a crash each undurable change is kept or lost on its
 * own, by the seed, and a rename is atomic: the old name or the new one, never both nor
 * neither, even across two directories. Over many seeds: some undurable entries survive,
 * some go, some seeds keep one and lose another, and a durable entry never goes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <liburing.h>

#include "harness.h"
#include "scenario.h"
#include "world_sim.h"

#define SEEDS 64

struct outcome {
    bool a, b, durable, old_name, new_name, synced_old, synced_new;
};

static bool exists(const char *path) {
    struct stat st;
    return stat(path, &st) == 0;
}

static int create_file(const char *path) {
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    CHECK_GE(fd, 0);
    return fd;
}

/* rename(2) as the sim gives it: IORING_OP_RENAMEAT on a ring of its own. */
static int sim_rename(const char *from, const char *to) {
    struct io_uring ring;
    CHECK_EQ(io_uring_queue_init(2, &ring, 0), 0);
    struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
    CHECK(sqe != NULL);
    io_uring_prep_rename(sqe, from, to);
    CHECK_EQ(io_uring_submit(&ring), 1);
    struct io_uring_cqe *cqe;
    CHECK_EQ(io_uring_wait_cqe(&ring, &cqe), 0);
    int res = cqe->res;
    io_uring_cqe_seen(&ring, cqe);
    io_uring_queue_exit(&ring);
    return res;
}

/* Builds the durable state, makes undurable changes, crashes, and says what is left. */
static struct outcome crash_one(uint64_t seed) {
    struct ringer_sim_options options;
    world_sim_default_options(&options);
    options.seed = seed;
    options.faults[RINGER_SIM_FAULT_LOST_UNSYNCED].ppm = 500000;
    CHECK_EQ(ringer_sim_init(&options), 0);
    CHECK_EQ(mkdir("/data/sub", 0700), 0);
    int data = open("/data", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int sub = open("/data/sub", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    close(create_file("/data/durable"));
    close(create_file("/data/moved"));
    close(create_file("/data/synced"));
    CHECK_EQ(fsync(data), 0);
    CHECK_EQ(fsync(sub), 0);
    close(create_file("/data/sub/b"));
    CHECK_EQ(sim_rename("/data/synced", "/data/sub/synced"), 0);
    CHECK_EQ(fsync(sub), 0); /* commits b and this rename whole, its old directory's half too */
    int a = create_file("/data/a");
    CHECK_EQ(fsync(a), 0); /* the file's fsync: its entry is still not durable */
    close(a);
    CHECK_EQ(sim_rename("/data/moved", "/data/sub/moved"), 0); /* across two directories */
    close(data);
    close(sub);
    /* Undurable: a's create and the last rename. */
    ringer_sim_crash();
    struct outcome o = {.a = exists("/data/a"),
                        .b = exists("/data/sub/b"),
                        .durable = exists("/data/durable"),
                        .old_name = exists("/data/moved"),
                        .new_name = exists("/data/sub/moved"),
                        .synced_old = exists("/data/synced"),
                        .synced_new = exists("/data/sub/synced")};
    ringer_sim_deinit();
    return o;
}

TEST(sim_models_dirents_crash_loses_only_undurable_entries) {
    world_teardown();
    unsigned a_lost = 0, a_kept = 0, renamed = 0, not_renamed = 0;
    for (uint64_t seed = 1; seed <= SEEDS; seed++) {
        struct outcome o = crash_one(seed);
        CHECK(o.durable);                     /* durable entries never go */
        CHECK(o.b);                           /* fsynced directory: durable */
        CHECK(o.synced_new && !o.synced_old); /* a committed rename, whole */
        CHECK(o.old_name != o.new_name);      /* an undurable rename: atomic */
        if (o.a) a_kept++;
        else a_lost++;
        if (o.new_name) renamed++;
        else not_renamed++;
    }
    printf("dirents: a kept %u lost %u; rename kept %u lost %u of %u seeds\n", a_kept, a_lost,
           renamed, not_renamed, SEEDS);
    CHECK_GT(a_lost, 0u);
    CHECK_GT(a_kept, 0u);
    CHECK_GT(renamed, 0u);
    CHECK_GT(not_renamed, 0u);
    struct ringer_sim_options good;
    world_sim_default_options(&good);
    CHECK_EQ(ringer_sim_init(&good), 0); /* the harness ends it */
}

/* Changes in one directory are decided one by one: some seed keeps one create and loses
 * the other (a per-directory, all-or-nothing model would never). */
TEST(sim_models_dirents_changes_decided_one_by_one) {
    world_teardown();
    unsigned mixed = 0;
    for (uint64_t seed = 1; seed <= SEEDS; seed++) {
        struct ringer_sim_options options;
        world_sim_default_options(&options);
        options.seed = seed;
        options.faults[RINGER_SIM_FAULT_LOST_UNSYNCED].ppm = 500000;
        CHECK_EQ(ringer_sim_init(&options), 0);
        close(create_file("/data/x"));
        close(create_file("/data/y"));
        ringer_sim_crash();
        if (exists("/data/x") != exists("/data/y")) mixed++;
        ringer_sim_deinit();
    }
    CHECK_GT(mixed, 0u);
    struct ringer_sim_options good;
    world_sim_default_options(&good);
    CHECK_EQ(ringer_sim_init(&good), 0);
}
