#include "data_file_util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "alloc_count.h"
#include "harness.h"

int data_file_call(struct ringer_io *io, int dir, const char *path, uint64_t size,
                   enum ringer_data_file_purpose purpose, enum ringer_direct_io direct_io,
                   int *fd) {
    *fd = 12345; /* must be overwritten */
    int result = ringer_open_data_file(io, dir, path, size, purpose, direct_io, fd);
    if (result < 0) CHECK_EQ(*fd, -1);
    if (result == 0) CHECK_GE(*fd, 0);
    return result;
}

void check_data_fd_flags(int fd, bool direct, bool read_only) {
    int status = fcntl(fd, F_GETFL);
    CHECK_GE(status, 0);
    CHECK_EQ(status & O_DSYNC, O_DSYNC);
    CHECK_EQ((status & O_DIRECT) != 0, direct);
    CHECK_EQ(status & O_ACCMODE, read_only ? O_RDONLY : O_RDWR);
    CHECK(fcntl(fd, F_GETFD) & FD_CLOEXEC);
}

bool data_file_is_locked(int dir, const char *path) {
    int fd = openat(dir, path, O_RDONLY | O_CLOEXEC);
    CHECK_GE(fd, 0);
    int result = flock(fd, LOCK_EX | LOCK_NB);
    int error = errno;
    close(fd);
    if (result == 0) return false;
    CHECK_EQ(error, EWOULDBLOCK);
    return true;
}

bool no_probe_left(int dir) {
    alloc_count_pause(); /* the directory stream allocates on the test's behalf */
    int copy = dup(dir);
    CHECK_GE(copy, 0);
    DIR *stream = fdopendir(copy);
    CHECK(stream != NULL);
    rewinddir(stream);
    bool clean = true;
    struct dirent *entry;
    while ((entry = readdir(stream)) != NULL)
        if (strncmp(entry->d_name, ".ringer-direct-io-", 18) == 0) clean = false;
    closedir(stream);
    alloc_count_resume();
    return clean;
}

long file_system_type(int fd) {
    struct statfs info;
    CHECK_EQ(fstatfs(fd, &info), 0);
    return (long)info.f_type;
}
