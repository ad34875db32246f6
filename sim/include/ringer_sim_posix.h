/*
 * ringer_sim_posix.h: force-included (`-include sim/include/ringer_sim_posix.h`) into
 * every file compiled for the simulated kernel.
 *
 * It first includes the system headers that declare the seam's POSIX calls, so that
 * glibc's own declarations keep their names, then maps each call to `ringer_sim_<name>`
 * with a function-like macro. Only calls are renamed: `struct stat`, `struct flock`,
 * `struct statx` and `struct statfs` are untouched. Every ringer_sim_* call returns -1
 * and sets errno as glibc would (clock_nanosleep returns the error number, as glibc's
 * does). fds 0, 1 and 2 pass through to the host for read, write and fsync.
 *
 * Define RINGER_SIM_NO_REDIRECT before including it to get the prototypes only.
 */
#ifndef RINGER_SIM_POSIX_H
#define RINGER_SIM_POSIX_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/time.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#ifdef __cplusplus
extern "C" {
#endif

struct statx;

/* time */
int ringer_sim_clock_gettime(clockid_t clock, struct timespec *ts);
int ringer_sim_clock_nanosleep(clockid_t clock, int flags, const struct timespec *request,
                               struct timespec *remain);
int ringer_sim_nanosleep(const struct timespec *request, struct timespec *remain);
int ringer_sim_usleep(useconds_t usec);
unsigned int ringer_sim_sleep(unsigned int seconds);
int ringer_sim_gettimeofday(struct timeval *tv, void *tz);
unsigned int ringer_sim_alarm(unsigned int seconds);
/* descriptors */
int ringer_sim_eventfd(unsigned int count, int flags);
ssize_t ringer_sim_write(int fd, const void *buffer, size_t size);
ssize_t ringer_sim_read(int fd, void *buffer, size_t size);
int ringer_sim_close(int fd);
int ringer_sim_pipe(int fds[2]);
int ringer_sim_pipe2(int fds[2], int flags);
int ringer_sim_fcntl(int fd, int command, ...);
int ringer_sim_ioctl(int fd, unsigned long request, ...);
off_t ringer_sim_lseek(int fd, off_t offset, int whence);
/* sockets */
int ringer_sim_socket(int domain, int type, int protocol);
int ringer_sim_setsockopt(int fd, int level, int name, const void *value, socklen_t size);
int ringer_sim_getsockopt(int fd, int level, int name, void *value, socklen_t *size);
int ringer_sim_bind(int fd, __CONST_SOCKADDR_ARG address, socklen_t size);
int ringer_sim_listen(int fd, int backlog);
int ringer_sim_getsockname(int fd, __SOCKADDR_ARG address, socklen_t *size);
int ringer_sim_getpeername(int fd, __SOCKADDR_ARG address, socklen_t *size);
int ringer_sim_shutdown(int fd, int how);
int ringer_sim_accept(int fd, __SOCKADDR_ARG address, socklen_t *size);
int ringer_sim_accept4(int fd, __SOCKADDR_ARG address, socklen_t *size, int flags);
int ringer_sim_connect(int fd, __CONST_SOCKADDR_ARG address, socklen_t size);
ssize_t ringer_sim_send(int fd, const void *buffer, size_t size, int flags);
ssize_t ringer_sim_sendto(int fd, const void *buffer, size_t size, int flags,
                          __CONST_SOCKADDR_ARG address, socklen_t address_size);
ssize_t ringer_sim_recv(int fd, void *buffer, size_t size, int flags);
/* files */
int ringer_sim_open(const char *path, int flags, ...);
int ringer_sim_openat(int dir_fd, const char *path, int flags, ...);
int ringer_sim_fstatat(int dir_fd, const char *path, struct stat *st, int flags);
int ringer_sim_stat(const char *path, struct stat *st);
int ringer_sim_fstat(int fd, struct stat *st);
int ringer_sim_fstatfs(int fd, struct statfs *st);
int ringer_sim_statfs(const char *path, struct statfs *st);
int ringer_sim_statx(int dir_fd, const char *path, int flags, unsigned int mask, struct statx *st);
int ringer_sim_unlinkat(int dir_fd, const char *path, int flags);
int ringer_sim_unlink(const char *path);
int ringer_sim_mkdir(const char *path, mode_t mode);
int ringer_sim_mkdirat(int dir_fd, const char *path, mode_t mode);
int ringer_sim_flock(int fd, int operation);
int ringer_sim_fallocate(int fd, int mode, off_t offset, off_t length);
int ringer_sim_ftruncate(int fd, off_t length);
ssize_t ringer_sim_pread(int fd, void *buffer, size_t size, off_t offset);
ssize_t ringer_sim_pwrite(int fd, const void *buffer, size_t size, off_t offset);
int ringer_sim_fsync(int fd);
int ringer_sim_fdatasync(int fd);
mode_t ringer_sim_umask(mode_t mask);
/* randomness */
ssize_t ringer_sim_getrandom(void *buffer, size_t size, unsigned int flags);
/* memory: the rings of a simulated io_uring fd; anything else goes to the host */
void *ringer_sim_mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset);
int ringer_sim_munmap(void *addr, size_t length);
int ringer_sim_madvise(void *addr, size_t length, int advice);
/* temporary files: created on the simulated file system */
int ringer_sim_mkstemp(char *name_template);
int ringer_sim_mkostemp(char *name_template, int flags);

#ifdef __cplusplus
}
#endif

#ifndef RINGER_SIM_NO_REDIRECT
#define clock_gettime(...)   ringer_sim_clock_gettime(__VA_ARGS__)
#define clock_nanosleep(...) ringer_sim_clock_nanosleep(__VA_ARGS__)
#define nanosleep(...)       ringer_sim_nanosleep(__VA_ARGS__)
#define usleep(...)          ringer_sim_usleep(__VA_ARGS__)
#define sleep(...)           ringer_sim_sleep(__VA_ARGS__)
#define gettimeofday(...)    ringer_sim_gettimeofday(__VA_ARGS__)
#define alarm(...)           ringer_sim_alarm(__VA_ARGS__)
#define eventfd(...)         ringer_sim_eventfd(__VA_ARGS__)
#define write(...)           ringer_sim_write(__VA_ARGS__)
#define read(...)            ringer_sim_read(__VA_ARGS__)
#define close(...)           ringer_sim_close(__VA_ARGS__)
#define pipe(...)            ringer_sim_pipe(__VA_ARGS__)
#define pipe2(...)           ringer_sim_pipe2(__VA_ARGS__)
#define fcntl(...)           ringer_sim_fcntl(__VA_ARGS__)
#define ioctl(...)           ringer_sim_ioctl(__VA_ARGS__)
#define lseek(...)           ringer_sim_lseek(__VA_ARGS__)
#define socket(...)          ringer_sim_socket(__VA_ARGS__)
#define setsockopt(...)      ringer_sim_setsockopt(__VA_ARGS__)
#define getsockopt(...)      ringer_sim_getsockopt(__VA_ARGS__)
#define bind(...)            ringer_sim_bind(__VA_ARGS__)
#define listen(...)          ringer_sim_listen(__VA_ARGS__)
#define getsockname(...)     ringer_sim_getsockname(__VA_ARGS__)
#define getpeername(...)     ringer_sim_getpeername(__VA_ARGS__)
#define shutdown(...)        ringer_sim_shutdown(__VA_ARGS__)
#define accept(...)          ringer_sim_accept(__VA_ARGS__)
#define accept4(...)         ringer_sim_accept4(__VA_ARGS__)
#define connect(...)         ringer_sim_connect(__VA_ARGS__)
#define send(...)            ringer_sim_send(__VA_ARGS__)
#define sendto(...)          ringer_sim_sendto(__VA_ARGS__)
#define recv(...)            ringer_sim_recv(__VA_ARGS__)
#define open(...)            ringer_sim_open(__VA_ARGS__)
#define openat(...)          ringer_sim_openat(__VA_ARGS__)
#define fstatat(...)         ringer_sim_fstatat(__VA_ARGS__)
#define stat(...)            ringer_sim_stat(__VA_ARGS__)
#define fstat(...)           ringer_sim_fstat(__VA_ARGS__)
#define fstatfs(...)         ringer_sim_fstatfs(__VA_ARGS__)
#define statfs(...)          ringer_sim_statfs(__VA_ARGS__)
#define statx(...)           ringer_sim_statx(__VA_ARGS__)
#define unlinkat(...)        ringer_sim_unlinkat(__VA_ARGS__)
#define unlink(...)          ringer_sim_unlink(__VA_ARGS__)
#define mkdir(...)           ringer_sim_mkdir(__VA_ARGS__)
#define mkdirat(...)         ringer_sim_mkdirat(__VA_ARGS__)
#define flock(...)           ringer_sim_flock(__VA_ARGS__)
#define fallocate(...)       ringer_sim_fallocate(__VA_ARGS__)
#define ftruncate(...)       ringer_sim_ftruncate(__VA_ARGS__)
#define pread(...)           ringer_sim_pread(__VA_ARGS__)
#define pwrite(...)          ringer_sim_pwrite(__VA_ARGS__)
#define fsync(...)           ringer_sim_fsync(__VA_ARGS__)
#define fdatasync(...)       ringer_sim_fdatasync(__VA_ARGS__)
#define umask(...)           ringer_sim_umask(__VA_ARGS__)
#define getrandom(...)       ringer_sim_getrandom(__VA_ARGS__)
#define mmap(...)            ringer_sim_mmap(__VA_ARGS__)
#define munmap(...)          ringer_sim_munmap(__VA_ARGS__)
#define madvise(...)         ringer_sim_madvise(__VA_ARGS__)
#define mkstemp(...)         ringer_sim_mkstemp(__VA_ARGS__)
#define mkostemp(...)        ringer_sim_mkostemp(__VA_ARGS__)
#endif

#endif /* RINGER_SIM_POSIX_H */
