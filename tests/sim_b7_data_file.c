/*
 * B7, the parts only the simulated kernel can set up (acceptance.md §3, open_data_file.md):
 *   - Direct I/O REQUIRED on a mount without it gives -EOPNOTSUPP (OPTIONAL opens without);
 *   - a fallocate that gives EOPNOTSUPP makes the library write the last sector instead,
 *     and the size is right;
 *   - FORMAT on a block device whose first MiB holds garbage gives -EEXIST; a zeroed one 0;
 *   - "fail the Nth" over the storage calls of open_data_file: each run ends in success or
 *     in a row of §3, with no fd leaked and nothing left behind (§2).
 * Every call works in a fresh sub-directory of the disk mount; removing it with
 * AT_REMOVEDIR afterwards proves that no probe file (and no failed format) remains, since
 * the sim has no readdir.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "scenario.h"
#include "world_sim.h"

#define MIB (1024ull * 1024)

static struct fixture fixture;
static int sub_dir = -1;
static char sub_name[32];
static unsigned subs_made;

static void configure(const struct ringer_sim_options *options) {
    world_sim_configure(options);
    umask(0);
    CHECK_GE(world_disk_dir_fd(), 0);
}

static void sub_dir_open(void) {
    snprintf(sub_name, sizeof sub_name, "b7-%u", ++subs_made);
    CHECK_EQ(mkdirat(world_disk_dir_fd(), sub_name, 0700), 0);
    sub_dir = openat(world_disk_dir_fd(), sub_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    CHECK_GE(sub_dir, 0);
}

static bool exists(const char *name) {
    struct stat st;
    return fstatat(sub_dir, name, &st, 0) == 0;
}

/* Removes `keep` (may be NULL), then the directory: it must be empty (no probe left). */
static void sub_dir_remove(const char *keep) {
    if (keep) CHECK_EQ(unlinkat(sub_dir, keep, 0), 0);
    close(sub_dir);
    sub_dir = -1;
    CHECK_EQ(unlinkat(world_disk_dir_fd(), sub_name, AT_REMOVEDIR), 0);
}

/* ringer_open_data_file with the contract of every result: *fd is -1 on failure. */
static int open_data(const char *path, uint64_t size, enum ringer_data_file_purpose purpose,
                     enum ringer_direct_io direct_io, int *fd) {
    *fd = 12345; /* must be overwritten */
    int result = ringer_open_data_file(&fixture.io, sub_dir, path, size, purpose, direct_io, fd);
    if (result < 0) CHECK_EQ(*fd, -1);
    if (result == 0) CHECK_GE(*fd, 0);
    return result;
}

static void check_data_fd(int fd, bool direct, uint64_t size) {
    int status = fcntl(fd, F_GETFL);
    CHECK_GE(status, 0);
    CHECK_EQ(status & O_DSYNC, O_DSYNC);
    CHECK_EQ((status & O_DIRECT) != 0, direct);
    CHECK(fcntl(fd, F_GETFD) & FD_CLOEXEC);
    struct stat st;
    CHECK_EQ(fstat(fd, &st), 0);
    if (S_ISREG(st.st_mode)) {
        CHECK_EQ(st.st_mode & 07777, 0600);
        CHECK_GE((uint64_t)st.st_size, size);
    }
}

static void options_with_data_mount(struct ringer_sim_options *options, bool no_direct_io,
                                    bool no_fallocate) {
    world_sim_default_options(options);
    options->mounts[RINGER_SIM_MOUNT_DATA].no_direct_io = no_direct_io;
    options->mounts[RINGER_SIM_MOUNT_DATA].no_fallocate = no_fallocate;
}

TEST(sim_b7_required_without_direct_io_is_eopnotsupp) {
    struct ringer_sim_options options;
    options_with_data_mount(&options, true, false);
    configure(&options);
    sub_dir_open();
    fixture_begin(&fixture, 8, 0);
    int fd;
    CHECK_EQ(open_data("data", MIB, RINGER_DATA_FILE_FORMAT, RINGER_DIRECT_IO_REQUIRED, &fd),
             -EOPNOTSUPP);
    CHECK(!exists("data"));
    CHECK_EQ(open_data("data", MIB, RINGER_DATA_FILE_FORMAT, RINGER_DIRECT_IO_OPTIONAL, &fd), 0);
    struct ringer_stats stats = ringer_stats(&fixture.io);
    CHECK(!stats.data_file_direct_io);
    CHECK(!stats.data_file_tmpfs);
    check_data_fd(fd, false, MIB);
    close(fd);
    CHECK_EQ(open_data("data", MIB, RINGER_DATA_FILE_OPEN, RINGER_DIRECT_IO_REQUIRED, &fd),
             -EOPNOTSUPP);
    fixture_end(&fixture);
    sub_dir_remove("data");
}

TEST(sim_b7_fallocate_eopnotsupp_falls_back) {
    struct ringer_sim_options options;
    options_with_data_mount(&options, false, true);
    configure(&options);
    sub_dir_open();
    fixture_begin(&fixture, 8, 0);
    int fd;
    CHECK_EQ(open_data("data", MIB, RINGER_DATA_FILE_FORMAT, RINGER_DIRECT_IO_REQUIRED, &fd), 0);
    struct ringer_stats stats = ringer_stats(&fixture.io);
    CHECK(stats.data_file_allocate_fallback);
    CHECK(stats.data_file_direct_io);
    check_data_fd(fd, true, MIB);
    struct stat st;
    CHECK_EQ(fstat(fd, &st), 0);
    CHECK_EQ((uint64_t)st.st_size, MIB);
    close(fd);
    fixture_end(&fixture);
    sub_dir_remove("data");
}

static void format_block_device(bool garbage, int expected) {
    struct ringer_sim_options options;
    options_with_data_mount(&options, false, false);
    configure(&options);
    sub_dir_open();
    char path[96];
    snprintf(path, sizeof path, "%s/%s/device", world_disk_dir_path(), sub_name);
    CHECK_EQ(ringer_sim_add_block_device(path, 4 * MIB, garbage), 0);
    fixture_begin(&fixture, 8, 0);
    int fd;
    CHECK_EQ(open_data("device", 2 * MIB, RINGER_DATA_FILE_FORMAT, RINGER_DIRECT_IO_OPTIONAL, &fd),
             expected);
    if (expected == 0) {
        check_data_fd(fd, true, 2 * MIB);
        CHECK_EQ(lseek(fd, 0, SEEK_CUR), 0); /* pread leaves the offset alone */
        close(fd);
    }
    fixture_end(&fixture);
    CHECK(exists("device")); /* a device is never unlinked by a failed format */
    sub_dir_remove("device");
}

TEST(sim_b7_block_device_with_garbage_is_eexist) {
    format_block_device(true, -EEXIST);
}

TEST(sim_b7_zeroed_block_device_formats) {
    format_block_device(false, 0);
}

/* ---- fail the Nth (fault-model.md §7) ---- */

/* Small, so that a block device's format reads 16 sectors, not 256: each read is three
 * opportunities (READ_EIO, LATENT_SECTOR, CORRUPT), and each N is a fresh world. */
#define NTH_SIZE (64u * 1024)

enum nth_case { NTH_FORMAT_FILE, NTH_FORMAT_FALLBACK, NTH_OPEN_FILE, NTH_FORMAT_DEVICE };

static void nth_options(enum nth_case which, uint64_t nth, struct ringer_sim_options *options) {
    options_with_data_mount(options, false, which == NTH_FORMAT_FALLBACK);
    options->fail_nth = nth;
    options->fail_class = RINGER_SIM_FAULT_ANY;
}

static uint64_t opportunities_so_far(void) {
    struct ringer_sim_stats sim = ringer_sim_stats();
    uint64_t total = 0;
    for (unsigned c = 0; c < RINGER_SIM_FAULT_CLASS_COUNT; c++) total += sim.opportunities[c];
    return total;
}

/* What exists before the call under test; its own storage calls count as opportunities. */
static void nth_setup(enum nth_case which) {
    sub_dir_open();
    if (which == NTH_FORMAT_DEVICE) {
        char path[96];
        snprintf(path, sizeof path, "%s/%s/data", world_disk_dir_path(), sub_name);
        CHECK_EQ(ringer_sim_add_block_device(path, 2 * NTH_SIZE, false), 0);
    }
    fixture_begin(&fixture, 8, 0);
    if (which == NTH_OPEN_FILE) {
        int fd;
        CHECK_EQ(
            open_data("data", NTH_SIZE, RINGER_DATA_FILE_FORMAT, RINGER_DIRECT_IO_REQUIRED, &fd),
            0);
        close(fd);
    }
}

/* One call with the Nth opportunity failing: success, or a row of open_data_file.md §3 that
 * a storage fault can produce; cleanup complete either way. */
static void nth_run(enum nth_case which) {
    bool format = which != NTH_OPEN_FILE;
    /* The fallback runs without O_DIRECT: the sim cuts an O_DIRECT write short at any byte,
     * which Linux never does (reported), and the rest would then be misaligned. */
    bool direct = which != NTH_FORMAT_FALLBACK;
    int fd;
    int result =
        open_data("data", NTH_SIZE, format ? RINGER_DATA_FILE_FORMAT : RINGER_DATA_FILE_OPEN,
                  direct ? RINGER_DIRECT_IO_REQUIRED : RINGER_DIRECT_IO_DISABLED, &fd);
    bool device_garbage = which == NTH_FORMAT_DEVICE && result == -EEXIST; /* CORRUPT read */
    if (result != 0 && !device_garbage) CHECK(result == -EIO || result == -ENOSPC);
    if (result == 0) {
        check_data_fd(fd, direct, NTH_SIZE);
        close(fd);
    }
    fixture_end(&fixture); /* no fd leaked, nothing allocated, loop quiescent */
    bool created_by_call = format && which != NTH_FORMAT_DEVICE;
    if (result != 0 && created_by_call) CHECK(!exists("data")); /* a failed format is undone */
    sub_dir_remove(exists("data") ? "data" : NULL);             /* and no probe file remains */
}

static void fail_every_nth(enum nth_case which) {
    struct ringer_sim_options options;
    nth_options(which, UINT64_MAX, &options); /* count the setup's opportunities only */
    configure(&options);
    nth_setup(which);
    uint64_t base = opportunities_so_far();
    fixture_end(&fixture);
    close(sub_dir);
    uint64_t n = 1;
    for (;; n++) {
        CHECK_LT(n, 1000);
        nth_options(which, base + n, &options);
        configure(&options);
        nth_setup(which);
        CHECK(!ringer_sim_stats().fail_nth_reached);
        nth_run(which);
        if (!ringer_sim_stats().fail_nth_reached) break;
    }
    CHECK_GT(n, 1); /* at least one call did meet its injected fault */
}

TEST(sim_b7_fail_nth_format_file) {
    fail_every_nth(NTH_FORMAT_FILE);
}

TEST(sim_b7_fail_nth_format_allocate_fallback) {
    fail_every_nth(NTH_FORMAT_FALLBACK);
}

TEST(sim_b7_fail_nth_open_file) {
    fail_every_nth(NTH_OPEN_FILE);
}

TEST(sim_b7_fail_nth_format_block_device) {
    fail_every_nth(NTH_FORMAT_DEVICE);
}
