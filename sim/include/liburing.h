/*
 * liburing.h for the simulated kernel: the liburing 2.3 API subset of the seam, plus what a
 * small liburing program typically uses, with the same names, signatures, semantics and
 * the kernel's own structures and constants from <linux/io_uring.h>.
 *
 * struct io_uring is the sim's own small handle: the rings live in the sim's static pools.
 * Prep helpers follow liburing 2.3 (they set opcode, fd, addr, len and off, clear flags,
 * ioprio, rw_flags, buf_index, personality, file_index and addr3, and never set
 * user_data); io_uring_get_sqe does not clear the SQE. ringer_sim_options
 * .liburing_clears_sqe selects later liburing behaviour instead. Functions that enter the
 * kernel are real functions of the sim and return -errno as liburing does.
 */
#ifndef LIB_URING_H
#define LIB_URING_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>

#include <linux/io_uring.h>
#include <linux/time_types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LIBURING_SIM 1
#define LIBURING_HAVE_DATA64
#define LIBURING_UDATA_TIMEOUT ((__u64)-1)

/* The sim's handle. Fixed size; the fields are the sim's. */
struct io_uring {
    unsigned ring_id; /* index of the ring in the sim, plus 1; 0: not set up */
    unsigned flags;   /* setup flags */
    int ring_fd;
    unsigned features;
    unsigned sq_entries;
    unsigned cq_entries;
    unsigned generation; /* of the sim world the ring belongs to */
    unsigned pad;
};

/* setup */
struct io_uring_probe *io_uring_get_probe_ring(struct io_uring *ring);
struct io_uring_probe *io_uring_get_probe(void);
void io_uring_free_probe(struct io_uring_probe *probe);
int io_uring_queue_init_params(unsigned entries, struct io_uring *ring, struct io_uring_params *p);
int io_uring_queue_init(unsigned entries, struct io_uring *ring, unsigned flags);
void io_uring_queue_exit(struct io_uring *ring);

static inline int io_uring_opcode_supported(const struct io_uring_probe *p, int op) {
    if (op > p->last_op) return 0;
    return (p->ops[op].flags & IO_URING_OP_SUPPORTED) != 0;
}

/* SQ */
struct io_uring_sqe *io_uring_get_sqe(struct io_uring *ring);
unsigned io_uring_sq_ready(const struct io_uring *ring);
unsigned io_uring_sq_space_left(const struct io_uring *ring);

/* enter */
int io_uring_submit(struct io_uring *ring);
int io_uring_submit_and_wait(struct io_uring *ring, unsigned wait_nr);
int io_uring_submit_and_wait_timeout(struct io_uring *ring, struct io_uring_cqe **cqe_ptr,
                                     unsigned wait_nr, struct __kernel_timespec *ts,
                                     sigset_t *sigmask);
int io_uring_get_events(struct io_uring *ring);
int io_uring_submit_and_get_events(struct io_uring *ring);
int io_uring_wait_cqe_nr(struct io_uring *ring, struct io_uring_cqe **cqe_ptr, unsigned wait_nr);
int io_uring_wait_cqe(struct io_uring *ring, struct io_uring_cqe **cqe_ptr);
int io_uring_peek_cqe(struct io_uring *ring, struct io_uring_cqe **cqe_ptr);
int io_uring_wait_cqes(struct io_uring *ring, struct io_uring_cqe **cqe_ptr, unsigned wait_nr,
                       struct __kernel_timespec *ts, sigset_t *sigmask);
int io_uring_wait_cqe_timeout(struct io_uring *ring, struct io_uring_cqe **cqe_ptr,
                              struct __kernel_timespec *ts);

/* CQ */
unsigned io_uring_peek_batch_cqe(struct io_uring *ring, struct io_uring_cqe **cqes, unsigned count);
void io_uring_cq_advance(struct io_uring *ring, unsigned nr);
unsigned io_uring_cq_ready(const struct io_uring *ring);
bool io_uring_cq_has_overflow(const struct io_uring *ring);

static inline void io_uring_cqe_seen(struct io_uring *ring, struct io_uring_cqe *cqe) {
    if (cqe) io_uring_cq_advance(ring, 1);
}

/* SQE and CQE data */
static inline void io_uring_sqe_set_data(struct io_uring_sqe *sqe, void *data) {
    sqe->user_data = (unsigned long)data;
}

static inline void *io_uring_cqe_get_data(const struct io_uring_cqe *cqe) {
    return (void *)(uintptr_t)cqe->user_data;
}

static inline void io_uring_sqe_set_data64(struct io_uring_sqe *sqe, __u64 data) {
    sqe->user_data = data;
}

static inline __u64 io_uring_cqe_get_data64(const struct io_uring_cqe *cqe) {
    return cqe->user_data;
}

static inline void io_uring_sqe_set_flags(struct io_uring_sqe *sqe, unsigned flags) {
    sqe->flags = (__u8)flags;
}

/* Set by ringer_sim_init: later liburing behaviour (prep keeps sqe->flags). */
extern bool ringer_sim_liburing_prep_keeps_flags;

static inline void io_uring_prep_rw(int op, struct io_uring_sqe *sqe, int fd, const void *addr,
                                    unsigned len, __u64 offset) {
    sqe->opcode = (__u8)op;
    if (!ringer_sim_liburing_prep_keeps_flags) sqe->flags = 0;
    sqe->ioprio = 0;
    sqe->fd = fd;
    sqe->off = offset;
    sqe->addr = (unsigned long)addr;
    sqe->len = len;
    sqe->rw_flags = 0;
    sqe->buf_index = 0;
    sqe->personality = 0;
    sqe->file_index = 0;
    sqe->addr3 = 0;
    sqe->__pad2[0] = 0;
}

static inline void io_uring_prep_nop(struct io_uring_sqe *sqe) {
    io_uring_prep_rw(IORING_OP_NOP, sqe, -1, NULL, 0, 0);
}

static inline void io_uring_prep_readv(struct io_uring_sqe *sqe, int fd, const struct iovec *iovecs,
                                       unsigned nr_vecs, __u64 offset) {
    io_uring_prep_rw(IORING_OP_READV, sqe, fd, iovecs, nr_vecs, offset);
}

static inline void io_uring_prep_writev(struct io_uring_sqe *sqe, int fd,
                                        const struct iovec *iovecs, unsigned nr_vecs,
                                        __u64 offset) {
    io_uring_prep_rw(IORING_OP_WRITEV, sqe, fd, iovecs, nr_vecs, offset);
}

static inline void io_uring_prep_read(struct io_uring_sqe *sqe, int fd, void *buf, unsigned nbytes,
                                      __u64 offset) {
    io_uring_prep_rw(IORING_OP_READ, sqe, fd, buf, nbytes, offset);
}

static inline void io_uring_prep_write(struct io_uring_sqe *sqe, int fd, const void *buf,
                                       unsigned nbytes, __u64 offset) {
    io_uring_prep_rw(IORING_OP_WRITE, sqe, fd, buf, nbytes, offset);
}

static inline void io_uring_prep_fsync(struct io_uring_sqe *sqe, int fd, unsigned fsync_flags) {
    io_uring_prep_rw(IORING_OP_FSYNC, sqe, fd, NULL, 0, 0);
    sqe->fsync_flags = fsync_flags;
}

static inline void io_uring_prep_timeout(struct io_uring_sqe *sqe, struct __kernel_timespec *ts,
                                         unsigned count, unsigned flags) {
    io_uring_prep_rw(IORING_OP_TIMEOUT, sqe, -1, ts, 1, count);
    sqe->timeout_flags = flags;
}

static inline void io_uring_prep_timeout_remove(struct io_uring_sqe *sqe, __u64 user_data,
                                                unsigned flags) {
    io_uring_prep_rw(IORING_OP_TIMEOUT_REMOVE, sqe, -1, NULL, 0, 0);
    sqe->addr = user_data;
    sqe->timeout_flags = flags;
}

static inline void io_uring_prep_accept(struct io_uring_sqe *sqe, int fd, struct sockaddr *addr,
                                        socklen_t *addrlen, int flags) {
    io_uring_prep_rw(IORING_OP_ACCEPT, sqe, fd, addr, 0, (__u64)(unsigned long)addrlen);
    sqe->accept_flags = (__u32)flags;
}

static inline void io_uring_prep_cancel64(struct io_uring_sqe *sqe, __u64 user_data, int flags) {
    io_uring_prep_rw(IORING_OP_ASYNC_CANCEL, sqe, -1, NULL, 0, 0);
    sqe->addr = user_data;
    sqe->cancel_flags = (__u32)flags;
}

static inline void io_uring_prep_cancel(struct io_uring_sqe *sqe, void *user_data, int flags) {
    io_uring_prep_cancel64(sqe, (__u64)(uintptr_t)user_data, flags);
}

static inline void io_uring_prep_cancel_fd(struct io_uring_sqe *sqe, int fd, unsigned int flags) {
    io_uring_prep_rw(IORING_OP_ASYNC_CANCEL, sqe, fd, NULL, 0, 0);
    sqe->cancel_flags = (__u32)flags | IORING_ASYNC_CANCEL_FD;
}

static inline void io_uring_prep_connect(struct io_uring_sqe *sqe, int fd,
                                         const struct sockaddr *addr, socklen_t addrlen) {
    io_uring_prep_rw(IORING_OP_CONNECT, sqe, fd, addr, 0, addrlen);
}

static inline void io_uring_prep_openat(struct io_uring_sqe *sqe, int dfd, const char *path,
                                        int flags, mode_t mode) {
    io_uring_prep_rw(IORING_OP_OPENAT, sqe, dfd, path, mode, 0);
    sqe->open_flags = (__u32)flags;
}

static inline void io_uring_prep_close(struct io_uring_sqe *sqe, int fd) {
    io_uring_prep_rw(IORING_OP_CLOSE, sqe, fd, NULL, 0, 0);
}

struct statx;
static inline void io_uring_prep_statx(struct io_uring_sqe *sqe, int dfd, const char *path,
                                       int flags, unsigned mask, struct statx *statxbuf) {
    io_uring_prep_rw(IORING_OP_STATX, sqe, dfd, path, mask, (__u64)(unsigned long)statxbuf);
    sqe->statx_flags = (__u32)flags;
}

static inline void io_uring_prep_send(struct io_uring_sqe *sqe, int sockfd, const void *buf,
                                      size_t len, int flags) {
    io_uring_prep_rw(IORING_OP_SEND, sqe, sockfd, buf, (__u32)len, 0);
    sqe->msg_flags = (__u32)flags;
}

static inline void io_uring_prep_recv(struct io_uring_sqe *sqe, int sockfd, void *buf, size_t len,
                                      int flags) {
    io_uring_prep_rw(IORING_OP_RECV, sqe, sockfd, buf, (__u32)len, 0);
    sqe->msg_flags = (__u32)flags;
}

#ifdef __cplusplus
}
#endif

#endif /* LIB_URING_H */
