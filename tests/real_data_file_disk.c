/* ringer_open_data_file on the disk: O_DIRECT exactly as direct_io and the probe decide,
 * no probe file left, mode 0600, and two processes formatting in one directory at once. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "data_file_util.h"
#include "scenario.h"

static struct fixture fixture;

static int disk_dir_or_skip(void) {
    int dir = world_disk_dir_fd();
    if (dir < 0) SKIP("no directory on a disk (set RINGER_TEST_DISK_DIR)");
    if (file_system_type(dir) == TMPFS_MAGIC_VALUE) SKIP("the disk directory is on tmpfs");
    return dir;
}

TEST(data_file_disk_direct_io_per_setting) {
    int dir = disk_dir_or_skip();
    umask(0);
    fixture_begin(&fixture, 8, 0);
    static const char *const names[] = {"required", "optional", "disabled"};
    for (int direct_io = RINGER_DIRECT_IO_REQUIRED; direct_io <= RINGER_DIRECT_IO_DISABLED;
         direct_io++) {
        bool direct = direct_io != RINGER_DIRECT_IO_DISABLED;
        int fd;
        CHECK_EQ(data_file_call(&fixture.io, dir, names[direct_io], 8 * KIB,
                                RINGER_DATA_FILE_FORMAT, (enum ringer_direct_io)direct_io, &fd),
                 0);
        CHECK(!ringer_stats(&fixture.io).data_file_tmpfs);
        CHECK_EQ(ringer_stats(&fixture.io).data_file_direct_io, direct);
        check_data_fd_flags(fd, direct, false);
        struct stat st;
        CHECK_EQ(fstat(fd, &st), 0);
        CHECK_EQ(st.st_mode & 07777, 0600);
        close(fd);
        for (int purpose = RINGER_DATA_FILE_OPEN; purpose <= RINGER_DATA_FILE_INSPECT; purpose++) {
            CHECK_EQ(data_file_call(&fixture.io, dir, names[direct_io], 8 * KIB,
                                    (enum ringer_data_file_purpose)purpose,
                                    (enum ringer_direct_io)direct_io, &fd),
                     0);
            check_data_fd_flags(fd, direct, purpose == RINGER_DATA_FILE_INSPECT);
            close(fd);
        }
    }
    CHECK(no_probe_left(dir));
    fixture_end(&fixture);
}

/* Two processes format 10 files each in one directory at the same time: the random probe
 * names never collide, and every call gets O_DIRECT. */
static int format_many(int dir, char tag) {
    static struct ringer_io io;
    if (ringer_init(&io, 8, 0) != 0) return 2;
    for (int i = 0; i < 10; i++) {
        char name[32];
        snprintf(name, sizeof name, "file-%c-%d", tag, i);
        int fd = -1;
        int result = ringer_open_data_file(&io, dir, name, 4 * KIB, RINGER_DATA_FILE_FORMAT,
                                           RINGER_DIRECT_IO_REQUIRED, &fd);
        if (result != 0 || !(fcntl(fd, F_GETFL) & O_DIRECT)) return 1;
        close(fd);
    }
    ringer_deinit(&io);
    return 0;
}

TEST(data_file_parallel_probes_never_collide) {
    int dir = disk_dir_or_skip();
    fflush(NULL);
    pid_t child = fork();
    CHECK_GE(child, 0);
    if (child == 0) _exit(format_many(dir, 'c'));
    CHECK_EQ(format_many(dir, 'p'), 0);
    int status;
    CHECK_EQ(waitpid(child, &status, 0), child);
    CHECK(WIFEXITED(status));
    CHECK_EQ(WEXITSTATUS(status), 0);
    CHECK(no_probe_left(dir));
}
