/* B7 on tmpfs, and the same sequence on the disk (with Direct I/O): mode 0600 under
 * umask(0), O_DSYNC, O_DIRECT as support dictates, -EEXIST, the lock, -EFBIG, -ENOENT,
 * -EINVAL. */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "data_file_util.h"
#include "scenario.h"

static struct fixture fixture;

static void check_format_result(int dir, int fd, bool on_tmpfs) {
    struct ringer_stats stats = ringer_stats(&fixture.io);
    CHECK_EQ(stats.data_file_tmpfs, on_tmpfs);
    CHECK_EQ(stats.data_file_direct_io, !on_tmpfs);
    CHECK(!stats.data_file_unlocked);
    check_data_fd_flags(fd, !on_tmpfs, false);
    struct stat st;
    CHECK_EQ(fstat(fd, &st), 0);
    CHECK_EQ(st.st_mode & 07777, 0600);
    CHECK_GE(st.st_size, (off_t)MIB);
    CHECK(no_probe_left(dir));
    CHECK(data_file_is_locked(dir, "data"));
}

static void run_b7(int dir, bool on_tmpfs) {
    CHECK_EQ(file_system_type(dir) == TMPFS_MAGIC_VALUE, on_tmpfs);
    umask(0);
    fixture_begin(&fixture, 8, 0);
    int fd, other;
    CHECK_EQ(data_file_call(&fixture.io, dir, "data", MIB, RINGER_DATA_FILE_FORMAT,
                            RINGER_DIRECT_IO_OPTIONAL, &fd),
             0);
    check_format_result(dir, fd, on_tmpfs);
    CHECK_EQ(data_file_call(&fixture.io, dir, "data", MIB, RINGER_DATA_FILE_FORMAT,
                            RINGER_DIRECT_IO_OPTIONAL, &other),
             -EEXIST);
    uint64_t start = world_now_ns();
    CHECK_EQ(data_file_call(&fixture.io, dir, "data", MIB, RINGER_DATA_FILE_OPEN,
                            RINGER_DIRECT_IO_OPTIONAL, &other),
             -EWOULDBLOCK);
    CHECK_GE(world_now_ns() - start, 200 * MS);
    CHECK_EQ(data_file_call(&fixture.io, dir, "data", MIB, RINGER_DATA_FILE_INSPECT,
                            RINGER_DIRECT_IO_OPTIONAL, &other),
             0);
    CHECK(ringer_stats(&fixture.io).data_file_unlocked);
    check_data_fd_flags(other, !on_tmpfs, true);
    close(other);
    close(fd);
    CHECK_EQ(data_file_call(&fixture.io, dir, "data", 2 * MIB, RINGER_DATA_FILE_OPEN,
                            RINGER_DIRECT_IO_OPTIONAL, &other),
             -EFBIG);
    CHECK_EQ(data_file_call(&fixture.io, dir, "missing", MIB, RINGER_DATA_FILE_OPEN,
                            RINGER_DIRECT_IO_OPTIONAL, &other),
             -ENOENT);
    CHECK_EQ(data_file_call(&fixture.io, dir, "data", 1000, RINGER_DATA_FILE_OPEN,
                            RINGER_DIRECT_IO_OPTIONAL, &other),
             -EINVAL);
    CHECK_EQ(data_file_call(&fixture.io, dir, "/tmp/data", MIB, RINGER_DATA_FILE_OPEN,
                            RINGER_DIRECT_IO_OPTIONAL, &other),
             -EINVAL);
    CHECK_EQ(data_file_call(&fixture.io, dir, "data", MIB, RINGER_DATA_FILE_OPEN,
                            RINGER_DIRECT_IO_OPTIONAL, &fd),
             0);
    CHECK(!ringer_stats(&fixture.io).data_file_unlocked);
    check_data_fd_flags(fd, !on_tmpfs, false);
    close(fd);
    CHECK(no_probe_left(dir));
    fixture_end(&fixture);
}

TEST(b7_data_file_tmpfs) {
    run_b7(world_temp_dir_fd(), true);
}

TEST(b7_data_file_disk) {
    int dir = world_disk_dir_fd();
    if (dir < 0) SKIP("no directory on a disk (set RINGER_TEST_DISK_DIR)");
    if (file_system_type(dir) == TMPFS_MAGIC_VALUE) SKIP("the disk directory is on tmpfs");
    run_b7(dir, false);
}
