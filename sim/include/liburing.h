/*
 * liburing.h for the simulated kernel: the liburing 2.3 API, written for the sim with the
 * same names, signatures, structure layouts and semantics, over the kernel's own structures
 * and constants from <linux/io_uring.h>.
 *
 * struct io_uring, io_uring_sq and io_uring_cq are laid out exactly as liburing 2.3's, and
 * point into the sim's ring memory (the SQ ring with its index array, the CQ ring, the SQE
 * array) the way they point into the kernel's mapping on Linux: every inline helper below
 * reads and writes that shared memory, and the simulated kernel reads the SQ ring and
 * writes the CQ ring through it. Prep helpers follow liburing 2.3 (they set opcode, fd,
 * addr, len and off, clear flags, ioprio, rw_flags, buf_index, personality, file_index and
 * addr3, and never set user_data); io_uring_get_sqe does not clear the SQE.
 * ringer_sim_options.liburing_clears_sqe selects later liburing behaviour instead (prep keeps
 * sqe->flags; the kernel clears an SQE once it has consumed it). Functions that enter the
 * kernel are functions of the sim and return -errno as liburing 2.3's do.
 */
#ifndef LIB_URING_H
#define LIB_URING_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>

#include <linux/io_uring.h>
#include <linux/openat2.h>
#include <linux/swab.h>
#include <linux/time_types.h>

#include "liburing/barrier.h"

#ifndef uring_unlikely
#define uring_unlikely(cond) __builtin_expect(!!(cond), 0)
#endif
#ifndef uring_likely
#define uring_likely(cond) __builtin_expect(!!(cond), 1)
#endif

#ifndef __NR_io_uring_setup
#define __NR_io_uring_setup 425
#endif
#ifndef __NR_io_uring_enter
#define __NR_io_uring_enter 426
#endif
#ifndef __NR_io_uring_register
#define __NR_io_uring_register 427
#endif

#ifdef __cplusplus
extern "C" {
#endif

#define LIBURING_SIM 1
#define LIBURING_HAVE_DATA64
#define LIBURING_UDATA_TIMEOUT ((__u64)-1)

/* ---- the library's view of a ring (liburing 2.3's layout) ---- */

struct io_uring_sq {
    unsigned *khead;
    unsigned *ktail;
    unsigned *kring_mask;    /* deprecated: use ring_mask */
    unsigned *kring_entries; /* deprecated: use ring_entries */
    unsigned *kflags;
    unsigned *kdropped;
    unsigned *array;
    struct io_uring_sqe *sqes;

    unsigned sqe_head;
    unsigned sqe_tail;

    size_t ring_sz;
    void *ring_ptr;

    unsigned ring_mask;
    unsigned ring_entries;

    unsigned pad[2];
};

struct io_uring_cq {
    unsigned *khead;
    unsigned *ktail;
    unsigned *kring_mask;    /* deprecated: use ring_mask */
    unsigned *kring_entries; /* deprecated: use ring_entries */
    unsigned *kflags;
    unsigned *koverflow;
    struct io_uring_cqe *cqes;

    size_t ring_sz;
    void *ring_ptr;

    unsigned ring_mask;
    unsigned ring_entries;

    unsigned pad[2];
};

struct io_uring {
    struct io_uring_sq sq;
    struct io_uring_cq cq;
    unsigned flags;
    int ring_fd;

    unsigned features;
    int enter_ring_fd;
    __u8 int_flags;
    __u8 pad[3];
    unsigned pad2;
};

/* ---- setup, probe, registration (functions of the sim) ---- */

struct io_uring_probe *io_uring_get_probe_ring(struct io_uring *ring);
struct io_uring_probe *io_uring_get_probe(void);
void io_uring_free_probe(struct io_uring_probe *probe);

static inline int io_uring_opcode_supported(const struct io_uring_probe *p, int op) {
    if (op > p->last_op) return 0;
    return (p->ops[op].flags & IO_URING_OP_SUPPORTED) != 0;
}

int io_uring_queue_init_params(unsigned entries, struct io_uring *ring, struct io_uring_params *p);
int io_uring_queue_init(unsigned entries, struct io_uring *ring, unsigned flags);
int io_uring_queue_mmap(int fd, struct io_uring_params *p, struct io_uring *ring);
int io_uring_ring_dontfork(struct io_uring *ring);
void io_uring_queue_exit(struct io_uring *ring);
unsigned io_uring_peek_batch_cqe(struct io_uring *ring, struct io_uring_cqe **cqes, unsigned count);
int io_uring_wait_cqes(struct io_uring *ring, struct io_uring_cqe **cqe_ptr, unsigned wait_nr,
                       struct __kernel_timespec *ts, sigset_t *sigmask);
int io_uring_wait_cqe_timeout(struct io_uring *ring, struct io_uring_cqe **cqe_ptr,
                              struct __kernel_timespec *ts);
int io_uring_submit(struct io_uring *ring);
int io_uring_submit_and_wait(struct io_uring *ring, unsigned wait_nr);
int io_uring_submit_and_wait_timeout(struct io_uring *ring, struct io_uring_cqe **cqe_ptr,
                                     unsigned wait_nr, struct __kernel_timespec *ts,
                                     sigset_t *sigmask);

int io_uring_register_buffers(struct io_uring *ring, const struct iovec *iovecs,
                              unsigned nr_iovecs);
int io_uring_register_buffers_tags(struct io_uring *ring, const struct iovec *iovecs,
                                   const __u64 *tags, unsigned nr);
int io_uring_register_buffers_sparse(struct io_uring *ring, unsigned nr);
int io_uring_register_buffers_update_tag(struct io_uring *ring, unsigned off,
                                         const struct iovec *iovecs, const __u64 *tags,
                                         unsigned nr);
int io_uring_unregister_buffers(struct io_uring *ring);
int io_uring_register_files(struct io_uring *ring, const int *files, unsigned nr_files);
int io_uring_register_files_tags(struct io_uring *ring, const int *files, const __u64 *tags,
                                 unsigned nr);
int io_uring_register_files_sparse(struct io_uring *ring, unsigned nr);
int io_uring_register_files_update_tag(struct io_uring *ring, unsigned off, const int *files,
                                       const __u64 *tags, unsigned nr_files);
int io_uring_unregister_files(struct io_uring *ring);
int io_uring_register_files_update(struct io_uring *ring, unsigned off, const int *files,
                                   unsigned nr_files);
int io_uring_register_eventfd(struct io_uring *ring, int fd);
int io_uring_register_eventfd_async(struct io_uring *ring, int fd);
int io_uring_unregister_eventfd(struct io_uring *ring);
int io_uring_register_probe(struct io_uring *ring, struct io_uring_probe *p, unsigned nr);
int io_uring_register_personality(struct io_uring *ring);
int io_uring_unregister_personality(struct io_uring *ring, int id);
int io_uring_register_restrictions(struct io_uring *ring, struct io_uring_restriction *res,
                                   unsigned int nr_res);
int io_uring_enable_rings(struct io_uring *ring);
int __io_uring_sqring_wait(struct io_uring *ring);
int io_uring_register_iowq_aff(struct io_uring *ring, size_t cpusz, const cpu_set_t *mask);
int io_uring_unregister_iowq_aff(struct io_uring *ring);
int io_uring_register_iowq_max_workers(struct io_uring *ring, unsigned int *values);
int io_uring_register_ring_fd(struct io_uring *ring);
int io_uring_unregister_ring_fd(struct io_uring *ring);
int io_uring_register_buf_ring(struct io_uring *ring, struct io_uring_buf_reg *reg,
                               unsigned int flags);
int io_uring_unregister_buf_ring(struct io_uring *ring, int bgid);
int io_uring_register_sync_cancel(struct io_uring *ring, struct io_uring_sync_cancel_reg *reg);
int io_uring_register_file_alloc_range(struct io_uring *ring, unsigned off, unsigned len);

int io_uring_get_events(struct io_uring *ring);
int io_uring_submit_and_get_events(struct io_uring *ring);

/* The io_uring system calls of the simulated kernel (-errno on failure, as liburing 2.3). */
int io_uring_enter(unsigned int fd, unsigned int to_submit, unsigned int min_complete,
                   unsigned int flags, sigset_t *sig);
int io_uring_enter2(unsigned int fd, unsigned int to_submit, unsigned int min_complete,
                    unsigned int flags, sigset_t *sig, size_t sz);
int io_uring_setup(unsigned int entries, struct io_uring_params *p);
int io_uring_register(unsigned int fd, unsigned int opcode, const void *arg, unsigned int nr_args);

/* The helper behind the peek and wait calls (exported by liburing 2.3 too). */
int __io_uring_get_cqe(struct io_uring *ring, struct io_uring_cqe **cqe_ptr, unsigned submit,
                       unsigned wait_nr, sigset_t *sigmask);

ssize_t io_uring_mlock_size(unsigned entries, unsigned flags);
ssize_t io_uring_mlock_size_params(unsigned entries, struct io_uring_params *p);

/* ---- the CQ ring ---- */

#define io_uring_cqe_shift(ring) (!!((ring)->flags & IORING_SETUP_CQE32))

#define io_uring_cqe_index(ring, ptr, mask) (((ptr) & (mask)) << io_uring_cqe_shift(ring))

/* Reading the tail with acquire orders it before the CQE reads. */
#define io_uring_for_each_cqe(ring, head, cqe)                                                \
    for (head = *(ring)->cq.khead;                                                            \
         (cqe = (head != io_uring_smp_load_acquire((ring)->cq.ktail)                          \
                     ? &(ring)->cq.cqes[io_uring_cqe_index(ring, head, (ring)->cq.ring_mask)] \
                     : NULL));                                                                \
         head++)

/* After io_uring_for_each_cqe. Like liburing, it does not check nr against what is ready. */
static inline void io_uring_cq_advance(struct io_uring *ring, unsigned nr) {
    if (nr) {
        struct io_uring_cq *cq = &ring->cq;
        /* the kernel sees the new head only after the CQEs were read */
        io_uring_smp_store_release(cq->khead, *cq->khead + nr);
    }
}

static inline void io_uring_cqe_seen(struct io_uring *ring, struct io_uring_cqe *cqe) {
    if (cqe) io_uring_cq_advance(ring, 1);
}

/* ---- SQE and CQE data ---- */

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

/* 0 means "no fixed file": a target slot is encoded as index + 1. */
static inline void __io_uring_set_target_fixed_file(struct io_uring_sqe *sqe,
                                                    unsigned int file_index) {
    sqe->file_index = file_index + 1;
}

/* Set by ringer_sim_init: later liburing behaviour (prep keeps sqe->flags). */
extern bool ringer_sim_liburing_prep_keeps_flags;

/* ---- prep helpers ---- */

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

/* One of fd_in and fd_out must be a pipe; an offset of -1 means "the file position" (and is
 * required for a pipe). */
static inline void io_uring_prep_splice(struct io_uring_sqe *sqe, int fd_in, int64_t off_in,
                                        int fd_out, int64_t off_out, unsigned int nbytes,
                                        unsigned int splice_flags) {
    io_uring_prep_rw(IORING_OP_SPLICE, sqe, fd_out, NULL, nbytes, (__u64)off_out);
    sqe->splice_off_in = (__u64)off_in;
    sqe->splice_fd_in = fd_in;
    sqe->splice_flags = splice_flags;
}

static inline void io_uring_prep_tee(struct io_uring_sqe *sqe, int fd_in, int fd_out,
                                     unsigned int nbytes, unsigned int splice_flags) {
    io_uring_prep_rw(IORING_OP_TEE, sqe, fd_out, NULL, nbytes, 0);
    sqe->splice_off_in = 0;
    sqe->splice_fd_in = fd_in;
    sqe->splice_flags = splice_flags;
}

static inline void io_uring_prep_readv(struct io_uring_sqe *sqe, int fd, const struct iovec *iovecs,
                                       unsigned nr_vecs, __u64 offset) {
    io_uring_prep_rw(IORING_OP_READV, sqe, fd, iovecs, nr_vecs, offset);
}

static inline void io_uring_prep_readv2(struct io_uring_sqe *sqe, int fd,
                                        const struct iovec *iovecs, unsigned nr_vecs, __u64 offset,
                                        int flags) {
    io_uring_prep_readv(sqe, fd, iovecs, nr_vecs, offset);
    sqe->rw_flags = flags;
}

static inline void io_uring_prep_read_fixed(struct io_uring_sqe *sqe, int fd, void *buf,
                                            unsigned nbytes, __u64 offset, int buf_index) {
    io_uring_prep_rw(IORING_OP_READ_FIXED, sqe, fd, buf, nbytes, offset);
    sqe->buf_index = (__u16)buf_index;
}

static inline void io_uring_prep_writev(struct io_uring_sqe *sqe, int fd,
                                        const struct iovec *iovecs, unsigned nr_vecs,
                                        __u64 offset) {
    io_uring_prep_rw(IORING_OP_WRITEV, sqe, fd, iovecs, nr_vecs, offset);
}

static inline void io_uring_prep_writev2(struct io_uring_sqe *sqe, int fd,
                                         const struct iovec *iovecs, unsigned nr_vecs, __u64 offset,
                                         int flags) {
    io_uring_prep_writev(sqe, fd, iovecs, nr_vecs, offset);
    sqe->rw_flags = flags;
}

static inline void io_uring_prep_write_fixed(struct io_uring_sqe *sqe, int fd, const void *buf,
                                             unsigned nbytes, __u64 offset, int buf_index) {
    io_uring_prep_rw(IORING_OP_WRITE_FIXED, sqe, fd, buf, nbytes, offset);
    sqe->buf_index = (__u16)buf_index;
}

static inline void io_uring_prep_recvmsg(struct io_uring_sqe *sqe, int fd, struct msghdr *msg,
                                         unsigned flags) {
    io_uring_prep_rw(IORING_OP_RECVMSG, sqe, fd, msg, 1, 0);
    sqe->msg_flags = flags;
}

static inline void io_uring_prep_recvmsg_multishot(struct io_uring_sqe *sqe, int fd,
                                                   struct msghdr *msg, unsigned flags) {
    io_uring_prep_recvmsg(sqe, fd, msg, flags);
    sqe->ioprio |= IORING_RECV_MULTISHOT;
}

static inline void io_uring_prep_sendmsg(struct io_uring_sqe *sqe, int fd, const struct msghdr *msg,
                                         unsigned flags) {
    io_uring_prep_rw(IORING_OP_SENDMSG, sqe, fd, msg, 1, 0);
    sqe->msg_flags = flags;
}

/* The kernel reads poll32_events as two 16-bit halves in little-endian order. */
static inline unsigned __io_uring_prep_poll_mask(unsigned poll_mask) {
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    poll_mask = __swahw32(poll_mask);
#endif
    return poll_mask;
}

static inline void io_uring_prep_poll_add(struct io_uring_sqe *sqe, int fd, unsigned poll_mask) {
    io_uring_prep_rw(IORING_OP_POLL_ADD, sqe, fd, NULL, 0, 0);
    sqe->poll32_events = __io_uring_prep_poll_mask(poll_mask);
}

static inline void io_uring_prep_poll_multishot(struct io_uring_sqe *sqe, int fd,
                                                unsigned poll_mask) {
    io_uring_prep_poll_add(sqe, fd, poll_mask);
    sqe->len = IORING_POLL_ADD_MULTI;
}

static inline void io_uring_prep_poll_remove(struct io_uring_sqe *sqe, __u64 user_data) {
    io_uring_prep_rw(IORING_OP_POLL_REMOVE, sqe, -1, NULL, 0, 0);
    sqe->addr = user_data;
}

static inline void io_uring_prep_poll_update(struct io_uring_sqe *sqe, __u64 old_user_data,
                                             __u64 new_user_data, unsigned poll_mask,
                                             unsigned flags) {
    io_uring_prep_rw(IORING_OP_POLL_REMOVE, sqe, -1, NULL, flags, new_user_data);
    sqe->addr = old_user_data;
    sqe->poll32_events = __io_uring_prep_poll_mask(poll_mask);
}

static inline void io_uring_prep_fsync(struct io_uring_sqe *sqe, int fd, unsigned fsync_flags) {
    io_uring_prep_rw(IORING_OP_FSYNC, sqe, fd, NULL, 0, 0);
    sqe->fsync_flags = fsync_flags;
}

static inline void io_uring_prep_nop(struct io_uring_sqe *sqe) {
    io_uring_prep_rw(IORING_OP_NOP, sqe, -1, NULL, 0, 0);
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

static inline void io_uring_prep_timeout_update(struct io_uring_sqe *sqe,
                                                struct __kernel_timespec *ts, __u64 user_data,
                                                unsigned flags) {
    io_uring_prep_rw(IORING_OP_TIMEOUT_REMOVE, sqe, -1, NULL, 0, (uintptr_t)ts);
    sqe->addr = user_data;
    sqe->timeout_flags = flags | IORING_TIMEOUT_UPDATE;
}

static inline void io_uring_prep_accept(struct io_uring_sqe *sqe, int fd, struct sockaddr *addr,
                                        socklen_t *addrlen, int flags) {
    io_uring_prep_rw(IORING_OP_ACCEPT, sqe, fd, addr, 0, (__u64)(unsigned long)addrlen);
    sqe->accept_flags = (__u32)flags;
}

/* accept straight into the fixed file table */
static inline void io_uring_prep_accept_direct(struct io_uring_sqe *sqe, int fd,
                                               struct sockaddr *addr, socklen_t *addrlen, int flags,
                                               unsigned int file_index) {
    io_uring_prep_accept(sqe, fd, addr, addrlen, flags);
    __io_uring_set_target_fixed_file(sqe, file_index);
}

static inline void io_uring_prep_multishot_accept(struct io_uring_sqe *sqe, int fd,
                                                  struct sockaddr *addr, socklen_t *addrlen,
                                                  int flags) {
    io_uring_prep_accept(sqe, fd, addr, addrlen, flags);
    sqe->ioprio |= IORING_ACCEPT_MULTISHOT;
}

static inline void io_uring_prep_multishot_accept_direct(struct io_uring_sqe *sqe, int fd,
                                                         struct sockaddr *addr, socklen_t *addrlen,
                                                         int flags) {
    io_uring_prep_multishot_accept(sqe, fd, addr, addrlen, flags);
    __io_uring_set_target_fixed_file(sqe, IORING_FILE_INDEX_ALLOC - 1);
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

static inline void io_uring_prep_link_timeout(struct io_uring_sqe *sqe,
                                              struct __kernel_timespec *ts, unsigned flags) {
    io_uring_prep_rw(IORING_OP_LINK_TIMEOUT, sqe, -1, ts, 1, 0);
    sqe->timeout_flags = flags;
}

static inline void io_uring_prep_connect(struct io_uring_sqe *sqe, int fd,
                                         const struct sockaddr *addr, socklen_t addrlen) {
    io_uring_prep_rw(IORING_OP_CONNECT, sqe, fd, addr, 0, addrlen);
}

static inline void io_uring_prep_files_update(struct io_uring_sqe *sqe, int *fds, unsigned nr_fds,
                                              int offset) {
    io_uring_prep_rw(IORING_OP_FILES_UPDATE, sqe, -1, fds, nr_fds, (__u64)offset);
}

static inline void io_uring_prep_fallocate(struct io_uring_sqe *sqe, int fd, int mode, off_t offset,
                                           off_t len) {
    io_uring_prep_rw(IORING_OP_FALLOCATE, sqe, fd, 0, (unsigned int)mode, (__u64)offset);
    sqe->addr = (__u64)len;
}

static inline void io_uring_prep_openat(struct io_uring_sqe *sqe, int dfd, const char *path,
                                        int flags, mode_t mode) {
    io_uring_prep_rw(IORING_OP_OPENAT, sqe, dfd, path, mode, 0);
    sqe->open_flags = (__u32)flags;
}

/* open straight into the fixed file table */
static inline void io_uring_prep_openat_direct(struct io_uring_sqe *sqe, int dfd, const char *path,
                                               int flags, mode_t mode, unsigned file_index) {
    io_uring_prep_openat(sqe, dfd, path, flags, mode);
    __io_uring_set_target_fixed_file(sqe, file_index);
}

static inline void io_uring_prep_close(struct io_uring_sqe *sqe, int fd) {
    io_uring_prep_rw(IORING_OP_CLOSE, sqe, fd, NULL, 0, 0);
}

static inline void io_uring_prep_close_direct(struct io_uring_sqe *sqe, unsigned file_index) {
    io_uring_prep_close(sqe, 0);
    __io_uring_set_target_fixed_file(sqe, file_index);
}

static inline void io_uring_prep_read(struct io_uring_sqe *sqe, int fd, void *buf, unsigned nbytes,
                                      __u64 offset) {
    io_uring_prep_rw(IORING_OP_READ, sqe, fd, buf, nbytes, offset);
}

static inline void io_uring_prep_write(struct io_uring_sqe *sqe, int fd, const void *buf,
                                       unsigned nbytes, __u64 offset) {
    io_uring_prep_rw(IORING_OP_WRITE, sqe, fd, buf, nbytes, offset);
}

struct statx;
static inline void io_uring_prep_statx(struct io_uring_sqe *sqe, int dfd, const char *path,
                                       int flags, unsigned mask, struct statx *statxbuf) {
    io_uring_prep_rw(IORING_OP_STATX, sqe, dfd, path, mask, (__u64)(unsigned long)statxbuf);
    sqe->statx_flags = (__u32)flags;
}

static inline void io_uring_prep_fadvise(struct io_uring_sqe *sqe, int fd, __u64 offset, off_t len,
                                         int advice) {
    io_uring_prep_rw(IORING_OP_FADVISE, sqe, fd, NULL, (__u32)len, offset);
    sqe->fadvise_advice = (__u32)advice;
}

static inline void io_uring_prep_madvise(struct io_uring_sqe *sqe, void *addr, off_t length,
                                         int advice) {
    io_uring_prep_rw(IORING_OP_MADVISE, sqe, -1, addr, (__u32)length, 0);
    sqe->fadvise_advice = (__u32)advice;
}

static inline void io_uring_prep_send(struct io_uring_sqe *sqe, int sockfd, const void *buf,
                                      size_t len, int flags) {
    io_uring_prep_rw(IORING_OP_SEND, sqe, sockfd, buf, (__u32)len, 0);
    sqe->msg_flags = (__u32)flags;
}

static inline void io_uring_prep_send_zc(struct io_uring_sqe *sqe, int sockfd, const void *buf,
                                         size_t len, int flags, unsigned zc_flags) {
    io_uring_prep_rw(IORING_OP_SEND_ZC, sqe, sockfd, buf, (__u32)len, 0);
    sqe->msg_flags = (__u32)flags;
    sqe->ioprio = (__u16)zc_flags;
}

static inline void io_uring_prep_send_zc_fixed(struct io_uring_sqe *sqe, int sockfd,
                                               const void *buf, size_t len, int flags,
                                               unsigned zc_flags, unsigned buf_index) {
    io_uring_prep_send_zc(sqe, sockfd, buf, len, flags, zc_flags);
    sqe->ioprio |= IORING_RECVSEND_FIXED_BUF;
    sqe->buf_index = (__u16)buf_index;
}

static inline void io_uring_prep_sendmsg_zc(struct io_uring_sqe *sqe, int fd,
                                            const struct msghdr *msg, unsigned flags) {
    io_uring_prep_sendmsg(sqe, fd, msg, flags);
    sqe->opcode = IORING_OP_SENDMSG_ZC;
}

static inline void io_uring_prep_send_set_addr(struct io_uring_sqe *sqe,
                                               const struct sockaddr *dest_addr, __u16 addr_len) {
    sqe->addr2 = (unsigned long)(const void *)dest_addr;
    sqe->addr_len = addr_len;
}

static inline void io_uring_prep_recv(struct io_uring_sqe *sqe, int sockfd, void *buf, size_t len,
                                      int flags) {
    io_uring_prep_rw(IORING_OP_RECV, sqe, sockfd, buf, (__u32)len, 0);
    sqe->msg_flags = (__u32)flags;
}

static inline void io_uring_prep_recv_multishot(struct io_uring_sqe *sqe, int sockfd, void *buf,
                                                size_t len, int flags) {
    io_uring_prep_recv(sqe, sockfd, buf, len, flags);
    sqe->ioprio |= IORING_RECV_MULTISHOT;
}

/* ---- multishot recvmsg output: header, name, control messages, payload ---- */

static inline struct io_uring_recvmsg_out *io_uring_recvmsg_validate(void *buf, int buf_len,
                                                                     struct msghdr *msgh) {
    unsigned long header =
        msgh->msg_controllen + msgh->msg_namelen + sizeof(struct io_uring_recvmsg_out);
    if (buf_len < 0 || (unsigned long)buf_len < header) return NULL;
    return (struct io_uring_recvmsg_out *)buf;
}

static inline void *io_uring_recvmsg_name(struct io_uring_recvmsg_out *o) {
    return (void *)&o[1];
}

static inline struct cmsghdr *io_uring_recvmsg_cmsg_firsthdr(struct io_uring_recvmsg_out *o,
                                                             struct msghdr *msgh) {
    if (o->controllen < sizeof(struct cmsghdr)) return NULL;
    return (struct cmsghdr *)((unsigned char *)io_uring_recvmsg_name(o) + msgh->msg_namelen);
}

static inline struct cmsghdr *io_uring_recvmsg_cmsg_nexthdr(struct io_uring_recvmsg_out *o,
                                                            struct msghdr *msgh,
                                                            struct cmsghdr *cmsg) {
    if (cmsg->cmsg_len < sizeof(struct cmsghdr)) return NULL;
    unsigned char *end = (unsigned char *)io_uring_recvmsg_cmsg_firsthdr(o, msgh) + o->controllen;
    cmsg = (struct cmsghdr *)((unsigned char *)cmsg + CMSG_ALIGN(cmsg->cmsg_len));
    if ((unsigned char *)(cmsg + 1) > end) return NULL;
    if (((unsigned char *)cmsg) + CMSG_ALIGN(cmsg->cmsg_len) > end) return NULL;
    return cmsg;
}

static inline void *io_uring_recvmsg_payload(struct io_uring_recvmsg_out *o, struct msghdr *msgh) {
    return (void *)((unsigned char *)io_uring_recvmsg_name(o) + msgh->msg_namelen +
                    msgh->msg_controllen);
}

static inline unsigned int io_uring_recvmsg_payload_length(struct io_uring_recvmsg_out *o,
                                                           int buf_len, struct msghdr *msgh) {
    unsigned long start = (unsigned long)io_uring_recvmsg_payload(o, msgh);
    unsigned long end = (unsigned long)o + buf_len;
    return (unsigned int)(end - start);
}

static inline void io_uring_prep_openat2(struct io_uring_sqe *sqe, int dfd, const char *path,
                                         struct open_how *how) {
    io_uring_prep_rw(IORING_OP_OPENAT2, sqe, dfd, path, sizeof(*how), (uint64_t)(uintptr_t)how);
}

static inline void io_uring_prep_openat2_direct(struct io_uring_sqe *sqe, int dfd, const char *path,
                                                struct open_how *how, unsigned file_index) {
    io_uring_prep_openat2(sqe, dfd, path, how);
    __io_uring_set_target_fixed_file(sqe, file_index);
}

struct epoll_event;
static inline void io_uring_prep_epoll_ctl(struct io_uring_sqe *sqe, int epfd, int fd, int op,
                                           struct epoll_event *ev) {
    io_uring_prep_rw(IORING_OP_EPOLL_CTL, sqe, epfd, ev, (__u32)op, (__u32)fd);
}

static inline void io_uring_prep_provide_buffers(struct io_uring_sqe *sqe, void *addr, int len,
                                                 int nr, int bgid, int bid) {
    io_uring_prep_rw(IORING_OP_PROVIDE_BUFFERS, sqe, nr, addr, (__u32)len, (__u64)bid);
    sqe->buf_group = (__u16)bgid;
}

static inline void io_uring_prep_remove_buffers(struct io_uring_sqe *sqe, int nr, int bgid) {
    io_uring_prep_rw(IORING_OP_REMOVE_BUFFERS, sqe, nr, NULL, 0, 0);
    sqe->buf_group = (__u16)bgid;
}

static inline void io_uring_prep_shutdown(struct io_uring_sqe *sqe, int fd, int how) {
    io_uring_prep_rw(IORING_OP_SHUTDOWN, sqe, fd, NULL, (__u32)how, 0);
}

static inline void io_uring_prep_unlinkat(struct io_uring_sqe *sqe, int dfd, const char *path,
                                          int flags) {
    io_uring_prep_rw(IORING_OP_UNLINKAT, sqe, dfd, path, 0, 0);
    sqe->unlink_flags = (__u32)flags;
}

static inline void io_uring_prep_unlink(struct io_uring_sqe *sqe, const char *path, int flags) {
    io_uring_prep_unlinkat(sqe, AT_FDCWD, path, flags);
}

static inline void io_uring_prep_renameat(struct io_uring_sqe *sqe, int olddfd, const char *oldpath,
                                          int newdfd, const char *newpath, unsigned int flags) {
    io_uring_prep_rw(IORING_OP_RENAMEAT, sqe, olddfd, oldpath, (__u32)newdfd,
                     (uint64_t)(uintptr_t)newpath);
    sqe->rename_flags = (__u32)flags;
}

static inline void io_uring_prep_rename(struct io_uring_sqe *sqe, const char *oldpath,
                                        const char *newpath) {
    io_uring_prep_renameat(sqe, AT_FDCWD, oldpath, AT_FDCWD, newpath, 0);
}

static inline void io_uring_prep_sync_file_range(struct io_uring_sqe *sqe, int fd, unsigned len,
                                                 __u64 offset, int flags) {
    io_uring_prep_rw(IORING_OP_SYNC_FILE_RANGE, sqe, fd, NULL, len, offset);
    sqe->sync_range_flags = (__u32)flags;
}

static inline void io_uring_prep_mkdirat(struct io_uring_sqe *sqe, int dfd, const char *path,
                                         mode_t mode) {
    io_uring_prep_rw(IORING_OP_MKDIRAT, sqe, dfd, path, mode, 0);
}

static inline void io_uring_prep_mkdir(struct io_uring_sqe *sqe, const char *path, mode_t mode) {
    io_uring_prep_mkdirat(sqe, AT_FDCWD, path, mode);
}

static inline void io_uring_prep_symlinkat(struct io_uring_sqe *sqe, const char *target,
                                           int newdirfd, const char *linkpath) {
    io_uring_prep_rw(IORING_OP_SYMLINKAT, sqe, newdirfd, target, 0, (uint64_t)(uintptr_t)linkpath);
}

static inline void io_uring_prep_symlink(struct io_uring_sqe *sqe, const char *target,
                                         const char *linkpath) {
    io_uring_prep_symlinkat(sqe, target, AT_FDCWD, linkpath);
}

static inline void io_uring_prep_linkat(struct io_uring_sqe *sqe, int olddfd, const char *oldpath,
                                        int newdfd, const char *newpath, int flags) {
    io_uring_prep_rw(IORING_OP_LINKAT, sqe, olddfd, oldpath, (__u32)newdfd,
                     (uint64_t)(uintptr_t)newpath);
    sqe->hardlink_flags = (__u32)flags;
}

static inline void io_uring_prep_link(struct io_uring_sqe *sqe, const char *oldpath,
                                      const char *newpath, int flags) {
    io_uring_prep_linkat(sqe, AT_FDCWD, oldpath, AT_FDCWD, newpath, flags);
}

static inline void io_uring_prep_msg_ring(struct io_uring_sqe *sqe, int fd, unsigned int len,
                                          __u64 data, unsigned int flags) {
    io_uring_prep_rw(IORING_OP_MSG_RING, sqe, fd, NULL, len, data);
    sqe->rw_flags = (int)flags;
}

static inline void io_uring_prep_getxattr(struct io_uring_sqe *sqe, const char *name, char *value,
                                          const char *path, unsigned int len) {
    io_uring_prep_rw(IORING_OP_GETXATTR, sqe, 0, name, len, (__u64)(uintptr_t)value);
    sqe->addr3 = (__u64)(uintptr_t)path;
    sqe->xattr_flags = 0;
}

static inline void io_uring_prep_setxattr(struct io_uring_sqe *sqe, const char *name,
                                          const char *value, const char *path, int flags,
                                          unsigned int len) {
    io_uring_prep_rw(IORING_OP_SETXATTR, sqe, 0, name, len, (__u64)(uintptr_t)value);
    sqe->addr3 = (__u64)(uintptr_t)path;
    sqe->xattr_flags = (__u32)flags;
}

static inline void io_uring_prep_fgetxattr(struct io_uring_sqe *sqe, int fd, const char *name,
                                           char *value, unsigned int len) {
    io_uring_prep_rw(IORING_OP_FGETXATTR, sqe, fd, name, len, (__u64)(uintptr_t)value);
    sqe->xattr_flags = 0;
}

static inline void io_uring_prep_fsetxattr(struct io_uring_sqe *sqe, int fd, const char *name,
                                           const char *value, int flags, unsigned int len) {
    io_uring_prep_rw(IORING_OP_FSETXATTR, sqe, fd, name, len, (__u64)(uintptr_t)value);
    sqe->xattr_flags = (__u32)flags;
}

static inline void io_uring_prep_socket(struct io_uring_sqe *sqe, int domain, int type,
                                        int protocol, unsigned int flags) {
    io_uring_prep_rw(IORING_OP_SOCKET, sqe, domain, NULL, (unsigned)protocol, (__u64)type);
    sqe->rw_flags = (int)flags;
}

static inline void io_uring_prep_socket_direct(struct io_uring_sqe *sqe, int domain, int type,
                                               int protocol, unsigned file_index,
                                               unsigned int flags) {
    io_uring_prep_socket(sqe, domain, type, protocol, flags);
    __io_uring_set_target_fixed_file(sqe, file_index);
}

static inline void io_uring_prep_socket_direct_alloc(struct io_uring_sqe *sqe, int domain, int type,
                                                     int protocol, unsigned int flags) {
    io_uring_prep_socket(sqe, domain, type, protocol, flags);
    __io_uring_set_target_fixed_file(sqe, IORING_FILE_INDEX_ALLOC - 1);
}

/* ---- the SQ ring ---- */

/* SQEs not yet consumed by the kernel (SQPOLL) or not yet submitted. */
static inline unsigned io_uring_sq_ready(const struct io_uring *ring) {
    unsigned khead = *ring->sq.khead;
    /* the SQ thread may move the head at any time: read it with acquire */
    if (ring->flags & IORING_SETUP_SQPOLL) khead = io_uring_smp_load_acquire(ring->sq.khead);
    /* the real head, so that a short submission is not lost */
    return ring->sq.sqe_tail - khead;
}

static inline unsigned io_uring_sq_space_left(const struct io_uring *ring) {
    return ring->sq.ring_entries - io_uring_sq_ready(ring);
}

/* SQPOLL only: waits until the SQ thread made room in a full SQ ring. */
static inline int io_uring_sqring_wait(struct io_uring *ring) {
    if (!(ring->flags & IORING_SETUP_SQPOLL)) return 0;
    if (io_uring_sq_space_left(ring)) return 0;
    return __io_uring_sqring_wait(ring);
}

static inline unsigned io_uring_cq_ready(const struct io_uring *ring) {
    return io_uring_smp_load_acquire(ring->cq.ktail) - *ring->cq.khead;
}

/* CQEs wait on the kernel's overflow list, to be flushed into the CQ ring. */
static inline bool io_uring_cq_has_overflow(const struct io_uring *ring) {
    return IO_URING_READ_ONCE(*ring->sq.kflags) & IORING_SQ_CQ_OVERFLOW;
}

static inline bool io_uring_cq_eventfd_enabled(const struct io_uring *ring) {
    if (!ring->cq.kflags) return true;
    return !(*ring->cq.kflags & IORING_CQ_EVENTFD_DISABLED);
}

static inline int io_uring_cq_eventfd_toggle(struct io_uring *ring, bool enabled) {
    if (!!enabled == io_uring_cq_eventfd_enabled(ring)) return 0;
    if (!ring->cq.kflags) return -EOPNOTSUPP;
    uint32_t flags = *ring->cq.kflags;
    if (enabled) flags &= ~IORING_CQ_EVENTFD_DISABLED;
    else flags |= IORING_CQ_EVENTFD_DISABLED;
    IO_URING_WRITE_ONCE(*ring->cq.kflags, flags);
    return 0;
}

static inline int io_uring_wait_cqe_nr(struct io_uring *ring, struct io_uring_cqe **cqe_ptr,
                                       unsigned wait_nr) {
    return __io_uring_get_cqe(ring, cqe_ptr, 0, wait_nr, NULL);
}

/* The internal timeout CQEs of kernels without IORING_FEAT_EXT_ARG are skipped (and their
 * error reported). */
static inline int __io_uring_peek_cqe(struct io_uring *ring, struct io_uring_cqe **cqe_ptr,
                                      unsigned *nr_available) {
    struct io_uring_cqe *cqe;
    int err = 0;
    unsigned available;
    unsigned mask = ring->cq.ring_mask;
    int shift = (ring->flags & IORING_SETUP_CQE32) ? 1 : 0;
    do {
        unsigned tail = io_uring_smp_load_acquire(ring->cq.ktail);
        unsigned head = *ring->cq.khead;
        cqe = NULL;
        available = tail - head;
        if (!available) break;
        cqe = &ring->cq.cqes[(head & mask) << shift];
        if (!(ring->features & IORING_FEAT_EXT_ARG) && cqe->user_data == LIBURING_UDATA_TIMEOUT) {
            if (cqe->res < 0) err = cqe->res;
            io_uring_cq_advance(ring, 1);
            if (!err) continue;
            cqe = NULL;
        }
        break;
    } while (1);
    *cqe_ptr = cqe;
    if (nr_available) *nr_available = available;
    return err;
}

static inline int io_uring_peek_cqe(struct io_uring *ring, struct io_uring_cqe **cqe_ptr) {
    if (!__io_uring_peek_cqe(ring, cqe_ptr, NULL) && *cqe_ptr) return 0;
    return io_uring_wait_cqe_nr(ring, cqe_ptr, 0);
}

static inline int io_uring_wait_cqe(struct io_uring *ring, struct io_uring_cqe **cqe_ptr) {
    if (!__io_uring_peek_cqe(ring, cqe_ptr, NULL) && *cqe_ptr) return 0;
    return io_uring_wait_cqe_nr(ring, cqe_ptr, 1);
}

/* A vacant SQE to fill, or NULL when the SQ ring is full; io_uring_submit hands it over. */
static inline struct io_uring_sqe *_io_uring_get_sqe(struct io_uring *ring) {
    struct io_uring_sq *sq = &ring->sq;
    unsigned int head, next = sq->sqe_tail + 1;
    int shift = (ring->flags & IORING_SETUP_SQE128) ? 1 : 0;
    if (!(ring->flags & IORING_SETUP_SQPOLL)) head = IO_URING_READ_ONCE(*sq->khead);
    else head = io_uring_smp_load_acquire(sq->khead);
    if (next - head <= sq->ring_entries) {
        struct io_uring_sqe *sqe = &sq->sqes[(sq->sqe_tail & sq->ring_mask) << shift];
        sq->sqe_tail = next;
        return sqe;
    }
    return NULL;
}

/* ---- provided-buffer rings ---- */

static inline int io_uring_buf_ring_mask(__u32 ring_entries) {
    return (int)(ring_entries - 1);
}

static inline void io_uring_buf_ring_init(struct io_uring_buf_ring *br) {
    br->tail = 0;
}

static inline void io_uring_buf_ring_add(struct io_uring_buf_ring *br, void *addr, unsigned int len,
                                         unsigned short bid, int mask, int buf_offset) {
    struct io_uring_buf *buf = &br->bufs[(br->tail + buf_offset) & mask];
    buf->addr = (unsigned long)(uintptr_t)addr;
    buf->len = len;
    buf->bid = bid;
}

/* Makes `count` buffers added with io_uring_buf_ring_add visible to the kernel. */
static inline void io_uring_buf_ring_advance(struct io_uring_buf_ring *br, int count) {
    unsigned short new_tail = (unsigned short)(br->tail + count);
    io_uring_smp_store_release(&br->tail, new_tail);
}

static inline void io_uring_buf_ring_cq_advance(struct io_uring *ring, struct io_uring_buf_ring *br,
                                                int count) {
    br->tail = (__u16)(br->tail + count);
    io_uring_cq_advance(ring, (unsigned)count);
}

#ifndef LIBURING_INTERNAL
static inline struct io_uring_sqe *io_uring_get_sqe(struct io_uring *ring) {
    return _io_uring_get_sqe(ring);
}
#else
struct io_uring_sqe *io_uring_get_sqe(struct io_uring *ring);
#endif

#ifdef __cplusplus
}
#endif

#endif /* LIB_URING_H */
