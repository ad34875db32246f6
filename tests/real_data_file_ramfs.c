/* ringer_open_data_file on ramfs (root only): a file system without Direct I/O (open with
 * O_DIRECT gives EINVAL) and without fallocate (EOPNOTSUPP), and not tmpfs, so the probe
 * runs and says no. REQUIRED gives -EOPNOTSUPP and leaves nothing behind; OPTIONAL
 * continues without O_DIRECT; FORMAT sizes the file with the pwrite fallback and sets
 * data_file_allocate_fallback. Then, remounted read-only, INSPECT meets the final open's
 * refusal of O_DIRECT. The mount is made and removed by this process; the checks
 * run in a child. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "data_file_util.h"
#include "scenario.h"

#define RAMFS_MAGIC_VALUE 0x858458f6

static char mount_point[600];

static void checks_on_ramfs(void *argument) {
    (void)argument;
    static struct fixture fixture;
    int dir = open(mount_point, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    CHECK_GE(dir, 0);
    CHECK_EQ(file_system_type(dir), RAMFS_MAGIC_VALUE);
    umask(0);
    fixture_begin(&fixture, 8, 0);
    int fd;
    CHECK_EQ(data_file_call(&fixture.io, dir, "required", MIB, RINGER_DATA_FILE_FORMAT,
                            RINGER_DIRECT_IO_REQUIRED, &fd),
             -EOPNOTSUPP);
    CHECK_EQ(faccessat(dir, "required", F_OK, 0), -1);
    CHECK_EQ(data_file_call(&fixture.io, dir, "data", MIB, RINGER_DATA_FILE_FORMAT,
                            RINGER_DIRECT_IO_OPTIONAL, &fd),
             0);
    struct ringer_stats stats = ringer_stats(&fixture.io);
    CHECK(!stats.data_file_direct_io);
    CHECK(!stats.data_file_tmpfs);
    CHECK(stats.data_file_allocate_fallback);
    check_data_fd_flags(fd, false, false);
    struct stat st;
    CHECK_EQ(fstat(fd, &st), 0);
    CHECK_EQ(st.st_size, MIB);
    CHECK_EQ(st.st_mode & 07777, 0600);
    close(fd);
    CHECK_EQ(data_file_call(&fixture.io, dir, "data", MIB, RINGER_DATA_FILE_OPEN,
                            RINGER_DIRECT_IO_REQUIRED, &fd),
             -EOPNOTSUPP);
    CHECK_EQ(data_file_call(&fixture.io, dir, "data", MIB, RINGER_DATA_FILE_OPEN,
                            RINGER_DIRECT_IO_OPTIONAL, &fd),
             0);
    check_data_fd_flags(fd, false, false);
    CHECK(!ringer_stats(&fixture.io).data_file_allocate_fallback); /* OPEN allocates nothing */
    close(fd);
    CHECK(no_probe_left(dir));
    /* Read-only: no probe can be made, so INSPECT tries O_DIRECT on the target itself, and
     * the open's EINVAL means "no Direct I/O" (step 7): REQUIRED -EOPNOTSUPP, OPTIONAL
     * opens again without it. */
    CHECK_EQ(mount("none", mount_point, "ramfs", MS_REMOUNT | MS_RDONLY, NULL), 0);
    CHECK_EQ(data_file_call(&fixture.io, dir, "data", MIB, RINGER_DATA_FILE_INSPECT,
                            RINGER_DIRECT_IO_REQUIRED, &fd),
             -EOPNOTSUPP);
    CHECK_EQ(data_file_call(&fixture.io, dir, "data", MIB, RINGER_DATA_FILE_INSPECT,
                            RINGER_DIRECT_IO_OPTIONAL, &fd),
             0);
    check_data_fd_flags(fd, false, true);
    CHECK(!ringer_stats(&fixture.io).data_file_direct_io);
    close(fd);
    CHECK_EQ(data_file_call(&fixture.io, dir, "other", MIB, RINGER_DATA_FILE_FORMAT,
                            RINGER_DIRECT_IO_DISABLED, &fd),
             -EROFS);
    fixture_end(&fixture);
    close(dir);
}

TEST(data_file_ramfs_without_direct_io_or_fallocate) {
    if (geteuid() != 0) SKIP("not root: cannot mount ramfs");
    if (world_disk_dir_fd() < 0) SKIP("no directory for the mount point");
    snprintf(mount_point, sizeof mount_point, "%s/ram", world_disk_dir_path());
    CHECK_EQ(mkdir(mount_point, 0700), 0);
    if (mount("none", mount_point, "ramfs", 0, NULL) != 0)
        SKIP("cannot mount ramfs: %s", strerror(errno));
    char output[2048] = "";
    int status = harness_run_in_child(checks_on_ramfs, NULL, output, sizeof output);
    CHECK_EQ(umount(mount_point), 0);
    output[strcspn(output, "\n")] = '\0';
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        harness_fail(__FILE__, __LINE__, "%s", output);
}
