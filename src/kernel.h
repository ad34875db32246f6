/*
 * THE SEAM: everything src/ asks of the kernel, and nothing else.
 *
 * The library reaches the operating system only through the declarations this header
 * pulls in, and only through the names listed here. A sim build compiles src/ unchanged
 * with sim/include first on the include path (so <liburing.h> is the simulated ring) and
 * a forced-include header that maps each POSIX name below to the simulated kernel. No file
 * in src/ knows which kernel it runs on.
 *
 * liburing (never touching struct io_uring's fields):
 *   setup:  io_uring_queue_init_params, io_uring_queue_exit, io_uring_get_probe_ring,
 *           io_uring_opcode_supported, io_uring_free_probe
 *   SQ:     io_uring_get_sqe, io_uring_sq_ready, io_uring_sq_space_left,
 *           io_uring_sqe_set_data64, io_uring_sqe_set_flags, io_uring_prep_{accept,
 *           cancel64, close, connect, fsync, nop, openat, read, recv, send, statx, timeout,
 *           write}
 *   enter:  io_uring_submit, io_uring_submit_and_wait, io_uring_wait_cqe_nr,
 *           io_uring_get_events
 *   CQ:     io_uring_peek_batch_cqe, io_uring_cq_advance, io_uring_cqe_get_data64,
 *           io_uring_cq_has_overflow
 *
 * POSIX:
 *   time:        clock_gettime(CLOCK_MONOTONIC), clock_nanosleep(CLOCK_MONOTONIC)
 *   descriptors: eventfd, write, close
 *   sockets:     socket, setsockopt, bind, listen, getsockname, shutdown
 *   files:       open, openat, fstatat, fstat, fstatfs, unlinkat, flock, fallocate,
 *                pread, pwrite, fsync, ioctl(BLKGETSIZE64)
 *   randomness:  getrandom
 */
#ifndef RINGER_KERNEL_H
#define RINGER_KERNEL_H

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include <liburing.h>

#endif /* RINGER_KERNEL_H */
