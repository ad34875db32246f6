/* The real kernel's world: tmpfs directories under /dev/shm, /proc/self/fd, CLOCK_MONOTONIC. */
#include "world.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness.h"

static char base_path[256];
static char dir_path[300];
static int dir_fd = -1;
static char disk_base_path[256];
static char disk_path[300];
static int disk_fd = -1;

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw) {
    (void)st;
    (void)type;
    (void)ftw;
    remove(path);
    return 0;
}

static void remove_tree(const char *path) {
    nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

void world_process_setup(void) {
    snprintf(base_path, sizeof base_path, "/dev/shm/ringer-tests-XXXXXX");
    if (!mkdtemp(base_path)) {
        fprintf(stderr, "world: cannot create %s: %s\n", base_path, strerror(errno));
        exit(2);
    }
    /* /var/tmp is on the disk on Debian; RINGER_TEST_DISK_DIR overrides it. */
    const char *disk_parent = getenv("RINGER_TEST_DISK_DIR");
    snprintf(disk_base_path, sizeof disk_base_path, "%s/ringer-tests-XXXXXX",
             disk_parent ? disk_parent : "/var/tmp");
    if (!mkdtemp(disk_base_path)) disk_base_path[0] = '\0';
}

void world_process_teardown(void) {
    remove_tree(base_path);
    if (disk_base_path[0]) remove_tree(disk_base_path);
}

void world_setup(void) {
    dir_fd = -1;
    dir_path[0] = '\0';
    disk_fd = -1;
    disk_path[0] = '\0';
}

void world_teardown(void) {
    if (dir_fd >= 0) close(dir_fd);
    dir_fd = -1;
    if (dir_path[0]) remove_tree(dir_path);
    dir_path[0] = '\0';
    if (disk_fd >= 0) close(disk_fd);
    disk_fd = -1;
    if (disk_path[0]) remove_tree(disk_path);
    disk_path[0] = '\0';
}

const char *world_name(void) {
    return "real";
}

bool world_is_real(void) {
    return true;
}

bool world_has_transparent_faults(void) {
    return false;
}

int world_temp_dir_fd(void) {
    if (dir_fd >= 0) return dir_fd;
    snprintf(dir_path, sizeof dir_path, "%s/test-%d", base_path, (int)getpid());
    if (mkdir(dir_path, 0700) != 0)
        harness_fail(__FILE__, __LINE__, "mkdir %s: %s", dir_path, strerror(errno));
    dir_fd = open(dir_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd < 0) harness_fail(__FILE__, __LINE__, "open %s: %s", dir_path, strerror(errno));
    return dir_fd;
}

const char *world_temp_dir_path(void) {
    world_temp_dir_fd();
    return dir_path;
}

int world_open_fd_count(void) {
    DIR *dir = opendir("/proc/self/fd");
    if (!dir) harness_fail(__FILE__, __LINE__, "opendir /proc/self/fd: %s", strerror(errno));
    int count = 0;
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) {
        if (entry->d_name[0] != '.') count++;
    }
    closedir(dir);
    return count - 1; /* the directory stream's own fd */
}

uint64_t world_open_fd_set_hash(void) {
    DIR *dir = opendir("/proc/self/fd");
    if (!dir) harness_fail(__FILE__, __LINE__, "opendir /proc/self/fd: %s", strerror(errno));
    int own = dirfd(dir);
    uint64_t hash = 0;
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) {
        if (entry->d_name[0] == '.') continue;
        int fd = atoi(entry->d_name);
        if (fd != own) hash += world_fd_hash_term(fd);
    }
    closedir(dir);
    return hash;
}

uint64_t world_now_ns(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
}

int world_disk_dir_fd(void) {
    if (disk_fd >= 0) return disk_fd;
    if (!disk_base_path[0]) return -1;
    snprintf(disk_path, sizeof disk_path, "%s/test-%d", disk_base_path, (int)getpid());
    if (mkdir(disk_path, 0700) != 0) {
        disk_path[0] = '\0';
        return -1;
    }
    disk_fd = open(disk_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    return disk_fd;
}

const char *world_disk_dir_path(void) {
    return world_disk_dir_fd() >= 0 ? disk_path : NULL;
}
