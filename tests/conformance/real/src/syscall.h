/*
 * The raw io_uring system calls the suite's programs call by liburing's internal names
 * (reached as "../src/syscall.h" through -I .../include), for the real kernel: each returns
 * the result or a negated errno, as liburing 2.3's own wrappers do.
 */
#ifndef RINGER_CONFORMANCE_SYSCALL_H
#define RINGER_CONFORMANCE_SYSCALL_H

#include <errno.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <liburing.h>

static inline int conformance_result(long ret) {
    return ret < 0 ? -errno : (int)ret;
}

static inline int __sys_io_uring_setup(unsigned int entries, struct io_uring_params *p) {
    return conformance_result(syscall(__NR_io_uring_setup, entries, p));
}

static inline int __sys_io_uring_enter2(unsigned int fd, unsigned int to_submit,
                                        unsigned int min_complete, unsigned int flags,
                                        sigset_t *sig, size_t size) {
    return conformance_result(
        syscall(__NR_io_uring_enter, fd, to_submit, min_complete, flags, sig, size));
}

static inline int __sys_io_uring_enter(unsigned int fd, unsigned int to_submit,
                                       unsigned int min_complete, unsigned int flags,
                                       sigset_t *sig) {
    return __sys_io_uring_enter2(fd, to_submit, min_complete, flags, sig, _NSIG / 8);
}

static inline int __sys_io_uring_register(unsigned int fd, unsigned int opcode, const void *arg,
                                          unsigned int nr_args) {
    return conformance_result(syscall(__NR_io_uring_register, fd, opcode, arg, nr_args));
}

#endif
