/* The plain system calls of tests/world.h. The same source is compiled for each world: as
 * is for the real kernel, and with the sim's forced include for the simulated one, where
 * each call reaches the simulated kernel. */
#include "world.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

void world_sleep_ns(uint64_t nanoseconds) {
    struct timespec duration = {(time_t)(nanoseconds / 1000000000u),
                                (long)(nanoseconds % 1000000000u)};
    while (clock_nanosleep(CLOCK_MONOTONIC, 0, &duration, &duration) == EINTR) {
    }
}

int world_create_file(int dir, const char *name, const void *data, uint32_t size) {
    int fd = openat(dir, name, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) harness_fail(__FILE__, __LINE__, "create %s: %s", name, strerror(errno));
    uint32_t done = 0;
    while (done < size) {
        ssize_t n = pwrite(fd, (const char *)data + done, size - done, done);
        if (n <= 0) harness_fail(__FILE__, __LINE__, "pwrite %s: %s", name, strerror(errno));
        done += (uint32_t)n;
    }
    return fd;
}

int world_open_file(int dir, const char *name, int flags) {
    int fd = openat(dir, name, flags | O_CLOEXEC);
    return fd < 0 ? -errno : fd;
}

void world_close(int fd) {
    close(fd);
}

int world_fd_flags(int fd) {
    int flags = fcntl(fd, F_GETFD);
    return flags < 0 ? -errno : flags;
}

int world_status_flags(int fd) {
    int flags = fcntl(fd, F_GETFL);
    return flags < 0 ? -errno : flags;
}

int64_t world_pread(int fd, void *buffer, uint32_t size, uint64_t offset) {
    ssize_t n = pread(fd, buffer, size, (off_t)offset);
    return n < 0 ? -errno : n;
}

int64_t world_send(int socket, const void *buffer, uint32_t size) {
    ssize_t n = send(socket, buffer, size, MSG_NOSIGNAL);
    return n < 0 ? -errno : n;
}
