/* ops.md on files: openat, close, read, write, fsync, statx results. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "scenario.h"

static struct fixture fixture;
static struct op op;
static uint8_t buffer[256];

/* Starts nothing itself: runs the loop until `op` has been called back, returns its result. */
static int32_t finish(void) {
    RUN_UNTIL(&fixture.io, op.calls == 1);
    return op.result;
}

static int32_t do_openat(const char *path, int flags, mode_t mode) {
    STARTER(ringer_openat(&fixture.io, &op_prepare(&op)->completion, world_temp_dir_fd(), path,
                          flags, mode, &op, op_callback));
    return finish();
}

static int32_t do_read(int fd, uint32_t size, uint64_t offset) {
    STARTER(ringer_read(&fixture.io, &op_prepare(&op)->completion, fd, buffer, size, offset, &op,
                        op_callback));
    return finish();
}

static int32_t do_write(int fd, const void *data, uint32_t size, uint64_t offset) {
    STARTER(ringer_write(&fixture.io, &op_prepare(&op)->completion, fd, data, size, offset, &op,
                         op_callback));
    return finish();
}

static int32_t do_close(int fd) {
    STARTER(ringer_close(&fixture.io, &op_prepare(&op)->completion, fd, &op, op_callback));
    return finish();
}

static int32_t do_fsync(int fd, uint32_t flags) {
    STARTER(ringer_fsync(&fixture.io, &op_prepare(&op)->completion, fd, flags, &op, op_callback));
    return finish();
}

TEST(ops_openat_adds_cloexec) {
    fixture_begin(&fixture, 8, 0);
    int32_t fd = do_openat("created", O_RDWR | O_CREAT, 0640);
    CHECK_GE(fd, 0);
    CHECK(fd_is_cloexec(fd));
    CHECK_EQ(do_close(fd), 0);
    CHECK_EQ(do_openat("missing", O_RDONLY, 0), -ENOENT);
    CHECK_EQ(do_openat("created", O_RDWR | O_CREAT | O_EXCL, 0600), -EEXIST);
    fixture_end(&fixture);
}

TEST(ops_close_results) {
    fixture_begin(&fixture, 8, 0);
    int fd = make_test_file(world_temp_dir_fd(), "file", 16);
    CHECK_EQ(do_close(fd), 0);
    CHECK_EQ(do_close(fd), -EBADF);   /* closed */
    CHECK_EQ(do_close(4000), -EBADF); /* never opened */
    fixture_end(&fixture);
}

TEST(ops_read_write_results) {
    fixture_begin(&fixture, 8, 0);
    int fd = make_test_file(world_temp_dir_fd(), "file", 100);
    CHECK_EQ(do_read(fd, 50, 0), 50);
    for (unsigned i = 0; i < 50; i++) CHECK_EQ(buffer[i], test_pattern(i));
    CHECK_EQ(do_read(fd, 200, 60), 40);     /* short read at the end */
    CHECK_EQ(do_read(fd, 16, 100), 0);      /* EOF */
    CHECK_EQ(do_read(fd, 16, 1u << 30), 0); /* far past EOF */
    CHECK_EQ(do_read(fd, 0, 0), 0);
    static const char text[] = "hello, ring";
    CHECK_EQ(do_write(fd, text, sizeof text, 1000), sizeof text);
    CHECK_EQ(do_read(fd, sizeof text, 1000), sizeof text);
    CHECK(memcmp(buffer, text, sizeof text) == 0);
    CHECK_EQ(do_fsync(fd, 0), 0);
    CHECK_EQ(do_fsync(fd, IORING_FSYNC_DATASYNC), 0);
    world_close(fd);
    fixture_end(&fixture);
}

TEST(ops_read_write_wrong_kind_of_fd) {
    fixture_begin(&fixture, 8, 0);
    CHECK_EQ(do_read(world_temp_dir_fd(), 16, 0), -EISDIR);
    world_close(make_test_file(world_temp_dir_fd(), "file", 16));
    int read_only = world_open_file(world_temp_dir_fd(), "file", O_RDONLY);
    CHECK_GE(read_only, 0);
    CHECK_EQ(do_write(read_only, "x", 1, 0), -EBADF);
    world_close(read_only);
    fixture_end(&fixture);
}

TEST(ops_statx_results) {
    fixture_begin(&fixture, 8, 0);
    int fd = make_test_file(world_temp_dir_fd(), "file", 1234);
    world_close(fd);
    struct statx statx_buffer;
    memset(&statx_buffer, 0xAB, sizeof statx_buffer);
    STARTER(ringer_statx(&fixture.io, &op_prepare(&op)->completion, world_temp_dir_fd(), "file", 0,
                         STATX_BASIC_STATS, &statx_buffer, &op, op_callback));
    CHECK_EQ(finish(), 0);
    CHECK_EQ(statx_buffer.stx_size, 1234);
    CHECK(S_ISREG(statx_buffer.stx_mode));
    CHECK(statx_buffer.stx_mask & STATX_SIZE);
    STARTER(ringer_statx(&fixture.io, &op_prepare(&op)->completion, world_temp_dir_fd(), "missing",
                         0, STATX_BASIC_STATS, &statx_buffer, &op, op_callback));
    CHECK_EQ(finish(), -ENOENT);
    fixture_end(&fixture);
}
