/* ringer_open_data_file's argument checks and error rows (open_data_file.md §1, §3): each
 * a negated errno with *fd == -1 and no fd leaked, never an abort. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "data_file_util.h"
#include "death.h"
#include "scenario.h"

static struct fixture fixture;

static int call(int dir, const char *path, uint64_t size, int purpose, int direct_io) {
    int fd;
    return data_file_call(&fixture.io, dir, path, size, (enum ringer_data_file_purpose)purpose,
                          (enum ringer_direct_io)direct_io, &fd);
}

TEST(data_file_invalid_arguments) {
    fixture_begin(&fixture, 8, 0);
    int dir = world_temp_dir_fd();
    const int format = RINGER_DATA_FILE_FORMAT, optional = RINGER_DIRECT_IO_OPTIONAL;
    CHECK_EQ(call(dir, "data", 0, format, optional), -EINVAL);
    CHECK_EQ(call(dir, "data", 1000, format, optional), -EINVAL);
    CHECK_EQ(call(dir, "data", 4096 + 512, format, optional), -EINVAL);
    CHECK_EQ(call(dir, "/dev/shm/data", MIB, format, optional), -EINVAL);
    CHECK_EQ(call(dir, "", MIB, format, optional), -EINVAL);
    CHECK_EQ(call(dir, "data", MIB, 3, optional), -EINVAL);
    CHECK_EQ(call(dir, "data", MIB, -1, optional), -EINVAL);
    CHECK_EQ(call(dir, "data", MIB, format, 3), -EINVAL);
    CHECK_EQ(call(dir, "data", MIB, format, -1), -EINVAL);
    CHECK_EQ(call(AT_FDCWD, "data", MIB, format, optional), -EBADF);
    CHECK_EQ(call(-7, "data", MIB, format, optional), -EBADF);
    int closed = dup(dir);
    close(closed);
    CHECK_EQ(call(closed, "data", MIB, format, optional), -EBADF);
    int file = make_test_file(dir, "plain", 16);
    CHECK_EQ(call(file, "data", MIB, format, optional), -ENOTDIR);
    close(file);
    CHECK_EQ(faccessat(dir, "data", F_OK, 0), -1); /* nothing was created */
    fixture_end(&fixture);
}

TEST(data_file_kind_errors) {
    fixture_begin(&fixture, 8, 0);
    int dir = world_temp_dir_fd();
    CHECK_EQ(mkdirat(dir, "a_directory", 0700), 0);
    CHECK_EQ(mkfifoat(dir, "a_fifo", 0600), 0);
    for (int purpose = RINGER_DATA_FILE_FORMAT; purpose <= RINGER_DATA_FILE_INSPECT; purpose++) {
        CHECK_EQ(call(dir, "a_directory", MIB, purpose, RINGER_DIRECT_IO_OPTIONAL), -EISDIR);
        CHECK_EQ(call(dir, "a_fifo", MIB, purpose, RINGER_DIRECT_IO_OPTIONAL), -EINVAL);
    }
    CHECK_EQ(call(dir, "missing", MIB, RINGER_DATA_FILE_OPEN, RINGER_DIRECT_IO_OPTIONAL), -ENOENT);
    CHECK_EQ(call(dir, "missing", MIB, RINGER_DATA_FILE_INSPECT, RINGER_DIRECT_IO_OPTIONAL),
             -ENOENT);
    CHECK_EQ(call(dir, "no_dir/data", MIB, RINGER_DATA_FILE_FORMAT, RINGER_DIRECT_IO_OPTIONAL),
             -ENOENT);
    fixture_end(&fixture);
}

/* A file that is too small for OPEN or INSPECT gives -EFBIG; a larger one is accepted. */
TEST(data_file_size_rules) {
    fixture_begin(&fixture, 8, 0);
    int dir = world_temp_dir_fd();
    int fd;
    CHECK_EQ(data_file_call(&fixture.io, dir, "data", 64 * KIB, RINGER_DATA_FILE_FORMAT,
                            RINGER_DIRECT_IO_OPTIONAL, &fd),
             0);
    struct stat st;
    CHECK_EQ(fstat(fd, &st), 0);
    CHECK_EQ(st.st_size, 64 * KIB);
    close(fd);
    CHECK_EQ(call(dir, "data", 68 * KIB, RINGER_DATA_FILE_OPEN, RINGER_DIRECT_IO_OPTIONAL), -EFBIG);
    CHECK_EQ(call(dir, "data", 68 * KIB, RINGER_DATA_FILE_INSPECT, RINGER_DIRECT_IO_OPTIONAL),
             -EFBIG);
    CHECK_EQ(data_file_call(&fixture.io, dir, "data", 4 * KIB, RINGER_DATA_FILE_OPEN,
                            RINGER_DIRECT_IO_OPTIONAL, &fd),
             0);
    close(fd);
    fixture_end(&fixture);
}

/* On tmpfs O_DIRECT is skipped for every direct_io value, REQUIRED included. */
TEST(data_file_tmpfs_never_direct) {
    fixture_begin(&fixture, 8, 0);
    int dir = world_temp_dir_fd();
    static const char *const names[] = {"required", "optional", "disabled"};
    for (int direct_io = RINGER_DIRECT_IO_REQUIRED; direct_io <= RINGER_DIRECT_IO_DISABLED;
         direct_io++) {
        int fd;
        CHECK_EQ(data_file_call(&fixture.io, dir, names[direct_io], 4 * KIB,
                                RINGER_DATA_FILE_FORMAT, (enum ringer_direct_io)direct_io, &fd),
                 0);
        CHECK(ringer_stats(&fixture.io).data_file_tmpfs);
        CHECK(!ringer_stats(&fixture.io).data_file_direct_io);
        check_data_fd_flags(fd, false, false);
        close(fd);
    }
    CHECK(no_probe_left(dir));
    fixture_end(&fixture);
}

/* Path errors from the kernel pass through as they are. */
TEST(data_file_path_errors_pass_through) {
    fixture_begin(&fixture, 8, 0);
    int dir = world_temp_dir_fd();
    CHECK_EQ(symlinkat("loop_b", dir, "loop_a"), 0);
    CHECK_EQ(symlinkat("loop_a", dir, "loop_b"), 0);
    CHECK_EQ(call(dir, "loop_a", MIB, RINGER_DATA_FILE_OPEN, RINGER_DIRECT_IO_OPTIONAL), -ELOOP);
    close(make_test_file(dir, "plain", 16));
    CHECK_EQ(call(dir, "plain/data", MIB, RINGER_DATA_FILE_FORMAT, RINGER_DIRECT_IO_OPTIONAL),
             -ENOTDIR);
    char long_name[300];
    memset(long_name, 'n', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    CHECK_EQ(call(dir, long_name, MIB, RINGER_DATA_FILE_FORMAT, RINGER_DIRECT_IO_OPTIONAL),
             -ENAMETOOLONG);
    CHECK_EQ(mkdirat(dir, "a_directory", 0700), 0);
    CHECK_EQ(symlinkat("a_directory", dir, "link_to_dir"), 0);
    CHECK_EQ(call(dir, "link_to_dir", MIB, RINGER_DATA_FILE_OPEN, RINGER_DIRECT_IO_OPTIONAL),
             -EISDIR);
    fixture_end(&fixture);
}

/* A FORMAT that fails after creating the file (fallocate refuses 1 PiB: -ENOSPC on tmpfs,
 * -EFBIG on ext4) removes the file again: a failed format leaves nothing behind (§2). */
static void check_failed_format_leaves_nothing(int dir) {
    int fd;
    int result = data_file_call(&fixture.io, dir, "huge", 1ull << 50, RINGER_DATA_FILE_FORMAT,
                                RINGER_DIRECT_IO_OPTIONAL, &fd);
    CHECK(result == -ENOSPC || result == -EFBIG);
    CHECK_EQ(faccessat(dir, "huge", F_OK, AT_SYMLINK_NOFOLLOW), -1);
    CHECK(no_probe_left(dir));
    CHECK_EQ(data_file_call(&fixture.io, dir, "huge", 4 * KIB, RINGER_DATA_FILE_FORMAT,
                            RINGER_DIRECT_IO_OPTIONAL, &fd),
             0); /* it can be retried */
    close(fd);
}

TEST(data_file_failed_format_removes_the_file) {
    int disk = world_disk_dir_fd(); /* opened before the fixture counts fds */
    fixture_begin(&fixture, 8, 0);
    check_failed_format_leaves_nothing(world_temp_dir_fd());
    if (disk >= 0) check_failed_format_leaves_nothing(disk);
    fixture_end(&fixture);
}

/* A failing call never harms an existing data file: -EEXIST (FORMAT again), -EWOULDBLOCK
 * (OPEN while locked) and -EFBIG (OPEN too large) leave its bytes as they were. */
static void check_errors_keep_data(int dir) {
    int fd, other;
    CHECK_EQ(data_file_call(&fixture.io, dir, "kept", 64 * KIB, RINGER_DATA_FILE_FORMAT,
                            RINGER_DIRECT_IO_DISABLED, &fd),
             0);
    static uint8_t sector[4096] __attribute__((aligned(4096)));
    for (unsigned i = 0; i < sizeof sector; i++) sector[i] = test_pattern(i);
    CHECK_EQ(pwrite(fd, sector, sizeof sector, 8192), (ssize_t)sizeof sector);
    CHECK_EQ(data_file_call(&fixture.io, dir, "kept", 64 * KIB, RINGER_DATA_FILE_FORMAT,
                            RINGER_DIRECT_IO_DISABLED, &other),
             -EEXIST);
    CHECK_EQ(data_file_call(&fixture.io, dir, "kept", 64 * KIB, RINGER_DATA_FILE_OPEN,
                            RINGER_DIRECT_IO_DISABLED, &other),
             -EWOULDBLOCK);
    close(fd);
    CHECK_EQ(data_file_call(&fixture.io, dir, "kept", 128 * KIB, RINGER_DATA_FILE_OPEN,
                            RINGER_DIRECT_IO_DISABLED, &other),
             -EFBIG);
    CHECK_EQ(data_file_call(&fixture.io, dir, "kept", 64 * KIB, RINGER_DATA_FILE_OPEN,
                            RINGER_DIRECT_IO_DISABLED, &fd),
             0);
    static uint8_t back[4096];
    CHECK_EQ(pread(fd, back, sizeof back, 8192), (ssize_t)sizeof back);
    CHECK(memcmp(back, sector, sizeof back) == 0);
    struct stat st;
    CHECK_EQ(fstat(fd, &st), 0);
    CHECK_EQ(st.st_size, 64 * KIB);
    close(fd);
}

TEST(data_file_errors_never_lose_data) {
    int disk = world_disk_dir_fd(); /* opened before the fixture counts fds */
    fixture_begin(&fixture, 8, 0);
    check_errors_keep_data(world_temp_dir_fd());
    if (disk >= 0) check_errors_keep_data(disk);
    fixture_end(&fixture);
}

/* A NULL path is a programmer error, as in ringer_openat and ringer_open_dir: both end in
 * the library's assertion (an empty or absolute path is a bad value: -EINVAL above). */
static void data_file_null_path(void *argument) {
    (void)argument;
    static struct ringer_io io;
    if (ringer_init(&io, 8, 0) != 0) return;
    int fd;
    ringer_open_data_file(&io, world_temp_dir_fd(), NULL, 4096, RINGER_DATA_FILE_FORMAT,
                          RINGER_DIRECT_IO_OPTIONAL, &fd);
}

static void openat_null_path(void *argument) {
    (void)argument;
    static struct ringer_io io;
    static struct ringer_completion completion;
    if (ringer_init(&io, 8, 0) != 0) return;
    ringer_openat(&io, &completion, world_temp_dir_fd(), NULL, O_RDONLY, 0, NULL, op_callback);
}

TEST(data_file_null_path_aborts_as_openat_does) {
    expect_assertion(data_file_null_path, NULL);
    expect_assertion(openat_null_path, NULL);
}
