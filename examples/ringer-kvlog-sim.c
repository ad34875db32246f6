/*
 * ringer-kvlog-sim: a small key-value log on ringer, with its crash test, for the simulated
 * kernel. Run it under ringer-sim, one seed per run:
 *
 *   ringer-sim --profile crash --seeds 1000 --exec build/default/examples/ringer-kvlog-sim
 *
 * The log keeps one copy of its data: fixed-size records appended to /data/kv/log. A put
 * returns (is acknowledged) only once its record is durable: the write completes in full
 * (a short write goes on from where it stopped), then an fsync; when the put created the
 * file, the directory is fsynced too, and /data after the directory was made. Recovery
 * reads the log from the start and stops at the first record whose checksum fails (a torn
 * tail); the next put overwrites from there.
 *
 * The test: a sequence of puts over 16 keys drawn from the seed (ringer_sim_seed), power
 * loss (ringer_sim_crash) at drawn moments, often while a write or an fsync is in flight,
 * then the next boot: a fresh ringer_io, recovery, and the check that every acknowledged put
 * is there, intact. Exit 0 passes. `--bug NAME` plants a bug the sim must find:
 *   ack-before-fsync    acknowledge after the write, fsync only every eighth put
 *   no-dir-fsync        never fsync a directory after creating an entry in it
 *   ignore-short-write  take a short write for a whole one
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ringer.h>
#include <ringer_sim.h>

#define KEYS         16u
#define VALUE_SIZE   40u
#define RECORD_MAGIC 0x6b766c67u /* "kvlg" */
#define CHUNK        4096u

struct record {
    uint32_t magic;
    uint32_t key;
    uint64_t version;
    uint8_t value[VALUE_SIZE];
    uint64_t checksum; /* of everything above */
};
_Static_assert(sizeof(struct record) == 64, "records are 64 bytes");

enum bug { BUG_NONE, BUG_ACK_BEFORE_FSYNC, BUG_NO_DIR_FSYNC, BUG_IGNORE_SHORT_WRITE };

/* One boot of the machine: everything a crash takes away. */
struct boot {
    struct ringer_io io;
    struct ringer_completion completion;
    int32_t result;
    bool done;
    int dir_fd, log_fd;
    uint64_t end;      /* where the next record goes */
    uint32_t unsynced; /* records written but not fsynced (the planted bug only) */
};

static struct boot boot;
static enum bug bug;
static uint64_t rng;
static uint64_t crash_in; /* loop calls until the next power loss; 0: none due */
static bool crashed;      /* the current boot has ended */
static uint64_t acked[KEYS], issued[KEYS];

/* ---- the store ---- */

static uint64_t fnv(const void *data, size_t size) {
    const uint8_t *p = data;
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < size; i++) h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

/* A value derived from its key and version, so recovery can tell a right one. */
static void make_record(struct record *r, uint32_t key, uint64_t version) {
    memset(r, 0, sizeof(*r));
    r->magic = RECORD_MAGIC;
    r->key = key;
    r->version = version;
    for (uint32_t i = 0; i < VALUE_SIZE; i++) r->value[i] = (uint8_t)(key * 31u + version * 7u + i);
    r->checksum = fnv(r, offsetof(struct record, checksum));
}

static bool record_valid(const struct record *r) {
    return r->magic == RECORD_MAGIC && r->key < KEYS &&
           r->checksum == fnv(r, offsetof(struct record, checksum));
}

static void on_done(void *context, struct ringer_completion *completion, int32_t result) {
    (void)context;
    (void)completion;
    boot.result = result;
    boot.done = true;
}

/* Runs the loop until the one operation in flight calls back, or the power goes. */
static int32_t wait_for_it(void) {
    boot.done = false;
    while (!boot.done) {
        if (crash_in > 0 && --crash_in == 0) {
            ringer_sim_log("power loss");
            ringer_sim_crash();
            crashed = true;
            return -ECANCELED;
        }
        int rc = ringer_run_for_ns(&boot.io, 100000);
        if (rc < 0) return rc;
    }
    return boot.result;
}

static int32_t fsync_fd(int fd) {
    ringer_fsync(&boot.io, &boot.completion, fd, 0, NULL, on_done);
    return wait_for_it();
}

/* Writes all of `size` bytes at `offset`: a short write goes on from where it stopped. */
static int32_t write_all(int fd, const void *data, uint32_t size, uint64_t offset) {
    uint32_t written = 0;
    while (written < size) {
        ringer_write(&boot.io, &boot.completion, fd, (const uint8_t *)data + written,
                     size - written, offset + written, NULL, on_done);
        int32_t n = wait_for_it();
        if (n <= 0) return n < 0 ? n : -EIO;
        if (bug == BUG_IGNORE_SHORT_WRITE) return (int32_t)size;
        written += (uint32_t)n;
    }
    return (int32_t)size;
}

/* Opens /data/kv/log, making the directory and the file durable when it creates them. */
static int32_t open_log(void) {
    bool made_dir = mkdir("/data/kv", 0755) == 0;
    if (!made_dir && errno != EEXIST) return -errno;
    if (made_dir && bug != BUG_NO_DIR_FSYNC) {
        int data = open("/data", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        int32_t rc = data < 0 ? -errno : fsync_fd(data);
        if (data >= 0 && !crashed) close(data);
        if (rc < 0) return rc;
    }
    boot.dir_fd = open("/data/kv", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (boot.dir_fd < 0) return -errno;
    int existing = openat(boot.dir_fd, "log", O_RDWR | O_CLOEXEC);
    if (existing >= 0) {
        boot.log_fd = existing;
        return 0;
    }
    ringer_openat(&boot.io, &boot.completion, boot.dir_fd, "log", O_RDWR | O_CREAT | O_CLOEXEC,
                  0600, NULL, on_done);
    int32_t fd = wait_for_it();
    if (fd < 0) return fd;
    boot.log_fd = fd;
    return bug == BUG_NO_DIR_FSYNC ? 0 : fsync_fd(boot.dir_fd); /* the new entry */
}

/* Reads the log from the start; every valid record is applied to `found`. */
static int32_t recover(uint64_t found[KEYS]) {
    static uint8_t chunk[CHUNK];
    memset(found, 0, KEYS * sizeof(found[0]));
    for (uint64_t offset = 0;;) {
        ringer_read(&boot.io, &boot.completion, boot.log_fd, chunk, CHUNK, offset, NULL, on_done);
        int32_t n = wait_for_it();
        if (n < 0) return n;
        uint32_t whole = (uint32_t)n / sizeof(struct record) * sizeof(struct record);
        for (uint32_t at = 0; at < whole; at += sizeof(struct record)) {
            struct record r;
            memcpy(&r, chunk + at, sizeof(r));
            if (!record_valid(&r)) { /* a torn tail: the log ends here */
                boot.end = offset + at;
                return 0;
            }
            if (r.version > found[r.key]) found[r.key] = r.version;
        }
        offset += whole;
        if (whole == 0) {
            boot.end = offset;
            return 0;
        }
    }
}

/* A put: acknowledged (true) once the record is durable. */
static int32_t put(uint32_t key, uint64_t version) {
    struct record r;
    make_record(&r, key, version);
    ringer_sim_log("put key %u version %" PRIu64 " at %" PRIu64, key, version, boot.end);
    int32_t rc = write_all(boot.log_fd, &r, sizeof(r), boot.end);
    if (rc < 0) return rc;
    boot.end += sizeof(r);
    if (bug == BUG_ACK_BEFORE_FSYNC && ++boot.unsynced % 8 != 0) return 0;
    return fsync_fd(boot.log_fd);
}

/* ---- the test ---- */

static uint64_t next_random(void) { /* splitmix64 */
    uint64_t z = (rng += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Every acknowledged put must be there, and nothing that was never written. */
static bool check(const uint64_t found[KEYS]) {
    for (uint32_t key = 0; key < KEYS; key++) {
        if (found[key] < acked[key] || found[key] > issued[key]) {
            fprintf(stderr,
                    "ringer-kvlog-sim: key %u recovered at version %" PRIu64
                    ", but version %" PRIu64 " was acknowledged (%" PRIu64 " issued)\n",
                    key, found[key], acked[key], issued[key]);
            return false;
        }
    }
    return true;
}

static int fail(const char *what, int32_t rc) {
    fprintf(stderr, "ringer-kvlog-sim: %s failed: %s\n", what, strerror(-rc));
    return 1;
}

/* One boot: start, recover, check; then puts until the last or the next power loss.
 * Returns 1 on a failure, 0 when the power went, -1 when every put is done. */
static int run_boot(uint32_t *next_put, uint32_t puts) {
    memset(&boot, 0, sizeof(boot)); /* a crash ended the last boot: nothing of it is kept */
    boot.dir_fd = boot.log_fd = -1;
    crashed = false;
    int32_t rc = ringer_init(&boot.io, 16, 0);
    if (rc < 0) return fail("ringer_init", rc);
    uint64_t found[KEYS];
    if ((rc = open_log()) < 0 || (rc = recover(found)) < 0)
        return crashed ? 0 : fail("recovery", rc);
    if (!check(found)) return 1;
    ringer_sim_log("boot: the log ends at %" PRIu64 ", every acknowledged put is there", boot.end);
    for (; *next_put < puts; (*next_put)++) {
        uint32_t key = (uint32_t)(next_random() % KEYS);
        uint64_t version = ++issued[key];
        rc = put(key, version);
        if (crashed) return 0;
        if (rc < 0) return fail("put", rc);
        acked[key] = version;
    }
    return -1; /* every put done */
}

int main(int argc, char **argv) {
    const char *names[] = {"none", "ack-before-fsync", "no-dir-fsync", "ignore-short-write"};
    for (int b = 0; argc == 3 && strcmp(argv[1], "--bug") == 0 && b < 4; b++) {
        if (strcmp(argv[2], names[b]) == 0) bug = (enum bug)b;
    }
    if (argc != 1 && !(argc == 3 && bug != BUG_NONE)) {
        fprintf(stderr, "usage: ringer-kvlog-sim [--bug ack-before-fsync|no-dir-fsync|"
                        "ignore-short-write] (run by ringer-sim --exec)\n");
        return 2;
    }
    rng = ringer_sim_seed(); /* the world comes from RINGER_SIM_SEED, before main */
    const uint32_t puts = 20 + (uint32_t)(next_random() % 180);
    uint32_t crashes = (uint32_t)(next_random() % 4), next_put = 0;
    int status;
    do {
        crash_in = crashes-- > 0 ? 1 + next_random() % 400 : 0;
        status = run_boot(&next_put, puts);
        if (status > 0) return status;
    } while (status == 0); /* the power went: the next boot */
    /* Every put is acknowledged: the power goes once more, and the next boot must find
     * every one of them. */
    ringer_sim_crash();
    crash_in = 0;
    status = run_boot(&next_put, puts);
    if (status > 0) return status;
    close(boot.log_fd);
    close(boot.dir_fd);
    ringer_deinit(&boot.io);
    printf("ringer-kvlog-sim: %u puts, every acknowledged one recovered\n", puts);
    return 0;
}
