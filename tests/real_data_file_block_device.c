/* ringer_open_data_file on a block device: a loop device over a 4 MiB file on the disk
 * (root only; skipped with the reason otherwise). The device is attached and detached by
 * this process, and the checks run in a child, so a failed check never leaks the device. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "data_file_util.h"
#include "scenario.h"

#define DEVICE_SIZE (4 * MIB)

static char device_name[64]; /* "loopN", relative to /dev */

static bool attach_loop_device(const char *backing, char *reason, size_t reason_size) {
    char command[1024];
    if ((size_t)snprintf(command, sizeof command, "losetup -f --show '%s' 2>&1", backing) >=
        sizeof command)
        return snprintf(reason, reason_size, "backing path too long"), false;
    FILE *pipe = popen(command, "r");
    if (!pipe) return snprintf(reason, reason_size, "popen(losetup) failed"), false;
    char line[64] = "";
    if (!fgets(line, sizeof line, pipe)) line[0] = '\0';
    int status = pclose(pipe);
    line[strcspn(line, "\n")] = '\0';
    if (status != 0 || strncmp(line, "/dev/loop", 9) != 0) {
        snprintf(reason, reason_size, "losetup cannot attach a loop device: %s", line);
        return false;
    }
    memcpy(device_name, line + 5, strlen(line + 5) + 1); /* both fit in 64 bytes */
    return true;
}

static void detach_loop_device(void) {
    char command[128];
    snprintf(command, sizeof command, "losetup -d /dev/%s", device_name);
    if (system(command) != 0) fprintf(stderr, "could not detach /dev/%s\n", device_name);
}

static void write_device(int dev, uint64_t offset, uint8_t value, uint32_t size) {
    static uint8_t bytes[64 * 1024];
    memset(bytes, value, size);
    CHECK_EQ(pwrite(dev, bytes, size, (off_t)offset), (ssize_t)size);
    CHECK_EQ(fsync(dev), 0);
}

static int format(struct ringer_io *io, int dev_dir, enum ringer_direct_io direct_io, int *fd) {
    return data_file_call(io, dev_dir, device_name, MIB, RINGER_DATA_FILE_FORMAT, direct_io, fd);
}

static void checks_on_the_device(void *argument) {
    (void)argument;
    static struct fixture fixture;
    int dev_dir = open("/dev", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int raw = openat(dev_dir, device_name, O_RDWR | O_CLOEXEC);
    CHECK_GE(raw, 0);
    fixture_begin(&fixture, 8, 0);
    int fd, other;
    CHECK_EQ(format(&fixture.io, dev_dir, RINGER_DIRECT_IO_OPTIONAL, &fd), 0); /* zeroed */
    check_data_fd_flags(fd, true, false);
    CHECK(ringer_stats(&fixture.io).data_file_direct_io);
    CHECK_EQ(lseek(fd, 0, SEEK_CUR), 0);
    CHECK_EQ(format(&fixture.io, dev_dir, RINGER_DIRECT_IO_OPTIONAL, &other), -EBUSY); /* O_EXCL */
    CHECK_EQ(data_file_call(&fixture.io, dev_dir, device_name, MIB, RINGER_DATA_FILE_INSPECT,
                            RINGER_DIRECT_IO_OPTIONAL, &other),
             0); /* no O_EXCL */
    check_data_fd_flags(other, true, true);
    close(other);
    close(fd);
    CHECK_EQ(data_file_call(&fixture.io, dev_dir, device_name, 2 * DEVICE_SIZE,
                            RINGER_DATA_FILE_OPEN, RINGER_DIRECT_IO_OPTIONAL, &fd),
             -EFBIG);
    CHECK_EQ(format(&fixture.io, dev_dir, RINGER_DIRECT_IO_DISABLED, &fd), 0);
    check_data_fd_flags(fd, false, false);
    close(fd);
    write_device(raw, MIB + 4096, 0x5A, 4096); /* beyond the checked first MiB */
    CHECK_EQ(format(&fixture.io, dev_dir, RINGER_DIRECT_IO_REQUIRED, &fd), 0);
    close(fd);
    write_device(raw, 300 * KIB + 17, 0xA5, 1); /* garbage inside it */
    CHECK_EQ(format(&fixture.io, dev_dir, RINGER_DIRECT_IO_REQUIRED, &fd), -EEXIST);
    CHECK_EQ(format(&fixture.io, dev_dir, RINGER_DIRECT_IO_DISABLED, &fd), -EEXIST);
    /* The checked zone is min(size, 1 MiB): a 64 KiB format does not look at 300 KiB. */
    CHECK_EQ(data_file_call(&fixture.io, dev_dir, device_name, 64 * KIB, RINGER_DATA_FILE_FORMAT,
                            RINGER_DIRECT_IO_REQUIRED, &fd),
             0);
    close(fd);
    fixture_end(&fixture);
    close(raw);
    close(dev_dir);
}

TEST(data_file_block_device_loop) {
    if (geteuid() != 0) SKIP("not root: cannot set up a loop device");
    int dir = world_disk_dir_fd();
    if (dir < 0) SKIP("no directory on a disk for the loop device's backing file");
    static uint8_t zeros[DEVICE_SIZE];
    world_close(world_create_file(dir, "backing", zeros, sizeof zeros));
    char backing[512], reason[400];
    snprintf(backing, sizeof backing, "%s/backing", world_disk_dir_path());
    if (!attach_loop_device(backing, reason, sizeof reason)) SKIP("%s", reason);
    char output[2048];
    int status = harness_run_in_child(checks_on_the_device, NULL, output, sizeof output);
    detach_loop_device();
    output[strcspn(output, "\n")] = '\0';
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        harness_fail(__FILE__, __LINE__, "on /dev/%s: %s", device_name, output);
}
