/* ringer_open_dir: open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC); errors as -errno. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "scenario.h"

TEST(open_dir_results) {
    world_temp_dir_fd(); /* part of the baseline */
    int fds_before = world_open_fd_count();
    int dir = ringer_open_dir(world_temp_dir_path());
    CHECK_GE(dir, 0);
    CHECK(fcntl(dir, F_GETFD) & FD_CLOEXEC);
    CHECK_EQ(fcntl(dir, F_GETFL) & (O_ACCMODE | O_DIRECTORY), O_RDONLY | O_DIRECTORY);
    close(dir);
    close(make_test_file(world_temp_dir_fd(), "plain", 1));
    char path[512];
    snprintf(path, sizeof path, "%s/plain", world_temp_dir_path());
    CHECK_EQ(ringer_open_dir(path), -ENOTDIR);
    snprintf(path, sizeof path, "%s/missing", world_temp_dir_path());
    CHECK_EQ(ringer_open_dir(path), -ENOENT);
    CHECK_EQ(ringer_open_dir(""), -ENOENT);
    CHECK_EQ(world_open_fd_count(), fds_before);
}
