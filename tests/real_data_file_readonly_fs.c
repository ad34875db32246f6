/* ringer_open_data_file on a read-only file system with Direct I/O (ext4 on a loop device,
 * mounted ro; root only, skipped with the reason otherwise). The probe cannot be created
 * there (EROFS): FORMAT fails with -EROFS, OPEN (read-write) with -EROFS, and INSPECT skips
 * the probe and tries O_DIRECT on the target itself (open_data_file.md §1, 5b, ours). The
 * mount is made and removed by this process and the checks run in a child, so a failed
 * check never leaves the mount behind. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "data_file_util.h"
#include "scenario.h"

static char mount_point[600];

static bool run_quietly(const char *command) {
    char line[1500];
    snprintf(line, sizeof line, "%s >/dev/null 2>&1", command);
    return system(line) == 0;
}

static bool make_read_only_mount(char *reason, size_t reason_size) {
    const char *disk = world_disk_dir_path();
    char image[600], command[1400];
    snprintf(image, sizeof image, "%s/ro.img", disk);
    snprintf(mount_point, sizeof mount_point, "%s/mnt", disk);
    static const char *const steps[] = {
        "truncate -s 16M '%1$s'",
        "mkfs.ext4 -q -F '%1$s'",
        "mkdir -p '%2$s'",
        "mount -o loop '%1$s' '%2$s'",
    };
    for (unsigned i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        snprintf(command, sizeof command, steps[i], image, mount_point);
        if (!run_quietly(command))
            return snprintf(reason, reason_size, "cannot prepare a mount: %s failed", command),
                   false;
    }
    static struct ringer_io io;
    int dir = open(mount_point, O_RDONLY | O_DIRECTORY | O_CLOEXEC), fd = -1;
    bool made = dir >= 0 && ringer_init(&io, 8, 0) == 0 &&
                ringer_open_data_file(&io, dir, "data", 64 * KIB, RINGER_DATA_FILE_FORMAT,
                                      RINGER_DIRECT_IO_REQUIRED, &fd) == 0;
    if (fd >= 0) close(fd);
    if (dir >= 0) close(dir);
    if (made) ringer_deinit(&io);
    snprintf(command, sizeof command, "mount -o remount,ro '%s'", mount_point);
    if (!made || !run_quietly(command))
        return snprintf(reason, reason_size, "cannot format a data file and remount read-only"),
               false;
    return true;
}

static void checks_on_read_only_fs(void *argument) {
    (void)argument;
    static struct fixture fixture;
    int dir = open(mount_point, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    CHECK_GE(dir, 0);
    fixture_begin(&fixture, 8, 0);
    int fd;
    CHECK_EQ(data_file_call(&fixture.io, dir, "new", 64 * KIB, RINGER_DATA_FILE_FORMAT,
                            RINGER_DIRECT_IO_OPTIONAL, &fd),
             -EROFS);
    CHECK_EQ(data_file_call(&fixture.io, dir, "data", 64 * KIB, RINGER_DATA_FILE_OPEN,
                            RINGER_DIRECT_IO_REQUIRED, &fd),
             -EROFS);
    CHECK_EQ(data_file_call(&fixture.io, dir, "data", 64 * KIB, RINGER_DATA_FILE_INSPECT,
                            RINGER_DIRECT_IO_REQUIRED, &fd),
             0);
    check_data_fd_flags(fd, true, true);
    CHECK(ringer_stats(&fixture.io).data_file_direct_io);
    close(fd);
    CHECK_EQ(data_file_call(&fixture.io, dir, "data", 64 * KIB, RINGER_DATA_FILE_INSPECT,
                            RINGER_DIRECT_IO_DISABLED, &fd),
             0);
    check_data_fd_flags(fd, false, true);
    close(fd);
    fixture_end(&fixture);
    close(dir);
}

TEST(data_file_read_only_file_system) {
    if (geteuid() != 0) SKIP("not root: cannot mount a file system");
    if (world_disk_dir_fd() < 0) SKIP("no directory on a disk for the image");
    char reason[1600];
    bool mounted = make_read_only_mount(reason, sizeof reason);
    char output[2048] = "";
    int status =
        mounted ? harness_run_in_child(checks_on_read_only_fs, NULL, output, sizeof output) : 0;
    char command[700];
    snprintf(command, sizeof command, "umount '%s'", mount_point);
    run_quietly(command);
    if (!mounted) SKIP("%s", reason);
    output[strcspn(output, "\n")] = '\0';
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        harness_fail(__FILE__, __LINE__, "%s", output);
}
