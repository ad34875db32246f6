/*
 * The world a scenario runs in: the real kernel (world_real.c) or the simulated one
 * (world_sim.c). Scenario sources use only these functions for anything that differs
 * between the two, so the same source runs on both without #ifdef.
 */
#ifndef RINGER_TESTS_WORLD_H
#define RINGER_TESTS_WORLD_H

#include <stdbool.h>
#include <stdint.h>

/* Once per test binary, around all tests (the harness calls these). */
void world_process_setup(void);
void world_process_teardown(void);

/* Once per test, inside the test's child process (the harness calls these). */
void world_setup(void);
void world_teardown(void);

/* True when the kernel injects the faults a correct library hides from its callers (enter
 * EINTR/EAGAIN/EBUSY, partial submissions, any CQE order Linux allows): tests of exact
 * syscall counts, or of the usual service order, skip then. */
bool world_has_transparent_faults(void);

/* "real" or "sim". */
const char *world_name(void);
bool world_is_real(void);

/* A fresh, empty directory for this test (tmpfs on the real kernel), opened O_DIRECTORY.
 * Created on first use, removed with its contents by world_teardown. */
int world_temp_dir_fd(void);
const char *world_temp_dir_path(void);

/* The number of open file descriptors of this process. */
int world_open_fd_count(void);
/* A hash of the set of open fd numbers: equal sets give equal hashes, so closing a
 * pre-existing fd while leaking a new one is caught, which a count alone would miss. */
uint64_t world_open_fd_set_hash(void);
/* The order-independent hash both worlds use for that set. */
static inline uint64_t world_fd_hash_term(int fd) {
    uint64_t x = (uint64_t)(int64_t)fd + 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

/* CLOCK_MONOTONIC (virtual time in the sim). */
uint64_t world_now_ns(void);
void world_sleep_ns(uint64_t nanoseconds);

/* Plain system calls on the world's kernel, for test set-up and checks outside the loop. */
/* Creates `name` in `dir` with `size` bytes of `data` and returns an O_RDWR fd. */
int world_create_file(int dir, const char *name, const void *data, uint32_t size);
/* Opens `name` in `dir` with `flags` (O_CLOEXEC added); returns fd or -errno. */
int world_open_file(int dir, const char *name, int flags);
void world_close(int fd);
/* fcntl(F_GETFD) and fcntl(F_GETFL); -errno on failure. */
int world_fd_flags(int fd);
int world_status_flags(int fd);
/* pread/send(2) with MSG_NOSIGNAL; the result or -errno. */
int64_t world_pread(int fd, void *buffer, uint32_t size, uint64_t offset);
int64_t world_send(int socket, const void *buffer, uint32_t size);
/* A fresh directory on a file system with Direct I/O (a disk), removed by world_teardown;
 * -1 when the world has none. */
int world_disk_dir_fd(void);
const char *world_disk_dir_path(void);

#endif /* RINGER_TESTS_WORLD_H */
