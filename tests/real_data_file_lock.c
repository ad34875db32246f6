/* The data-file lock held by another PROCESS: OPEN and FORMAT-style access give
 * -EWOULDBLOCK after about 200 ms; INSPECT proceeds unlocked; once the holder exits, OPEN
 * succeeds. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include "data_file_util.h"
#include "scenario.h"

static struct fixture fixture;

/* Forks a child that takes the lock on `path` and holds it until its pipe closes. */
static pid_t hold_lock_in_child(int dir, const char *path, int *release_fd) {
    int ready[2], release[2];
    CHECK_EQ(pipe2(ready, O_CLOEXEC), 0);
    CHECK_EQ(pipe2(release, O_CLOEXEC), 0);
    fflush(NULL);
    pid_t child = fork();
    CHECK_GE(child, 0);
    if (child == 0) {
        int fd = openat(dir, path, O_RDWR | O_CLOEXEC);
        char byte = (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0) ? 'y' : 'n';
        if (write(ready[1], &byte, 1) != 1) _exit(1);
        close(release[1]);
        if (read(release[0], &byte, 1) < 0) _exit(1); /* EOF when the parent closes it */
        _exit(0);
    }
    close(ready[1]);
    close(release[0]);
    char byte = 0;
    CHECK_EQ(read(ready[0], &byte, 1), 1);
    CHECK_EQ(byte, 'y');
    close(ready[0]);
    *release_fd = release[1];
    return child;
}

TEST(data_file_locked_by_another_process) {
    int dir = world_temp_dir_fd();
    int fd;
    static struct ringer_io setup;
    ringer_init_or_skip(&setup, 8, 0);
    CHECK_EQ(data_file_call(&setup, dir, "data", MIB, RINGER_DATA_FILE_FORMAT,
                            RINGER_DIRECT_IO_OPTIONAL, &fd),
             0);
    close(fd);
    ringer_deinit(&setup);
    fixture_begin(&fixture, 8, 0);
    int release_fd;
    alloc_count_pause(); /* fork is the test's, not the library's */
    pid_t child = hold_lock_in_child(dir, "data", &release_fd);
    alloc_count_resume();
    uint64_t start = world_now_ns();
    CHECK_EQ(data_file_call(&fixture.io, dir, "data", MIB, RINGER_DATA_FILE_OPEN,
                            RINGER_DIRECT_IO_OPTIONAL, &fd),
             -EWOULDBLOCK);
    CHECK_GE(world_now_ns() - start, 200 * MS);
    CHECK_EQ(data_file_call(&fixture.io, dir, "data", MIB, RINGER_DATA_FILE_INSPECT,
                            RINGER_DIRECT_IO_OPTIONAL, &fd),
             0);
    CHECK(ringer_stats(&fixture.io).data_file_unlocked);
    check_data_fd_flags(fd, false, true);
    close(fd);

    close(release_fd);
    int status;
    CHECK_EQ(waitpid(child, &status, 0), child);
    CHECK_EQ(data_file_call(&fixture.io, dir, "data", MIB, RINGER_DATA_FILE_OPEN,
                            RINGER_DIRECT_IO_OPTIONAL, &fd),
             0);
    CHECK(!ringer_stats(&fixture.io).data_file_unlocked);
    CHECK(data_file_is_locked(dir, "data"));
    close(fd);
    fixture_end(&fixture);
}
