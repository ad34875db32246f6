/* open_data_file.md step 11: fsync(fd) for every purpose, then fsync(dir_fd), so that a new
 * file's directory entry is durable. Observed on the real kernel by interposing fsync(2):
 * this executable's fsync wins symbol resolution over libc's for the statically linked
 * library, records the fd, and makes the system call itself. Real-only (the sim maps
 * fsync to its own kernel). */
#include <errno.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "data_file_util.h"
#include "scenario.h"

#define FSYNC_LOG_MAX 16

static int fsync_log[FSYNC_LOG_MAX];
static unsigned fsync_count;

int fsync(int fd);
int fsync(int fd) {
    if (fsync_count < FSYNC_LOG_MAX) fsync_log[fsync_count] = fd;
    fsync_count++;
    return (int)syscall(SYS_fsync, fd);
}

static struct fixture fixture;

/* The call fsynced exactly its fd, then the directory. */
static void check_synced(int dir, enum ringer_data_file_purpose purpose) {
    int fd;
    fsync_count = 0;
    CHECK_EQ(
        data_file_call(&fixture.io, dir, "data", 64 * KIB, purpose, RINGER_DIRECT_IO_OPTIONAL, &fd),
        0);
    CHECK_EQ(fsync_count, 2);
    CHECK_EQ(fsync_log[0], fd);
    CHECK_EQ(fsync_log[1], dir);
    close(fd);
}

TEST(data_file_fsyncs_file_then_directory) {
    int disk = world_disk_dir_fd(); /* opened before the fixture counts fds */
    fixture_begin(&fixture, 8, 0);
    int dirs[2] = {world_temp_dir_fd(), disk};
    for (unsigned i = 0; i < 2; i++) {
        if (dirs[i] < 0) continue;
        check_synced(dirs[i], RINGER_DATA_FILE_FORMAT);
        check_synced(dirs[i], RINGER_DATA_FILE_OPEN);
        check_synced(dirs[i], RINGER_DATA_FILE_INSPECT);
    }
    fixture_end(&fixture);
}
