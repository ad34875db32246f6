/*
 * The liburing 2.3 registration calls (its src/register.c), written for the sim over its
 * io_uring_register: the same arguments, the same results (0 for the calls liburing maps to
 * 0, otherwise the kernel's). The RLIMIT_NOFILE retry of liburing is unnecessary here: the
 * sim's file table limits are its own (RINGER_SIM_MAX_FIXED_FILES).
 */
#include "sim_internal.h"

#define INT_FLAG_REG_RING 1

static int reg(struct io_uring *ring, unsigned opcode, const void *arg, unsigned nr) {
    return io_uring_register((unsigned)ring->ring_fd, opcode, arg, nr);
}

static int zero_or_error(int ret) {
    return ret < 0 ? ret : 0;
}

int io_uring_register_buffers_update_tag(struct io_uring *ring, unsigned off,
                                         const struct iovec *iovecs, const __u64 *tags,
                                         unsigned nr) {
    struct io_uring_rsrc_update2 up = {
        .offset = off, .data = (unsigned long)iovecs, .tags = (unsigned long)tags, .nr = nr};
    return reg(ring, IORING_REGISTER_BUFFERS_UPDATE, &up, sizeof up);
}

int io_uring_register_buffers_tags(struct io_uring *ring, const struct iovec *iovecs,
                                   const __u64 *tags, unsigned nr) {
    struct io_uring_rsrc_register rr = {
        .nr = nr, .data = (unsigned long)iovecs, .tags = (unsigned long)tags};
    return reg(ring, IORING_REGISTER_BUFFERS2, &rr, sizeof rr);
}

int io_uring_register_buffers_sparse(struct io_uring *ring, unsigned nr) {
    struct io_uring_rsrc_register rr = {.flags = IORING_RSRC_REGISTER_SPARSE, .nr = nr};
    return reg(ring, IORING_REGISTER_BUFFERS2, &rr, sizeof rr);
}

int io_uring_register_buffers(struct io_uring *ring, const struct iovec *iovecs,
                              unsigned nr_iovecs) {
    return zero_or_error(reg(ring, IORING_REGISTER_BUFFERS, iovecs, nr_iovecs));
}

int io_uring_unregister_buffers(struct io_uring *ring) {
    return zero_or_error(reg(ring, IORING_UNREGISTER_BUFFERS, NULL, 0));
}

int io_uring_register_files_update_tag(struct io_uring *ring, unsigned off, const int *files,
                                       const __u64 *tags, unsigned nr_files) {
    struct io_uring_rsrc_update2 up = {
        .offset = off, .data = (unsigned long)files, .tags = (unsigned long)tags, .nr = nr_files};
    return reg(ring, IORING_REGISTER_FILES_UPDATE2, &up, sizeof up);
}

int io_uring_register_files_update(struct io_uring *ring, unsigned off, const int *files,
                                   unsigned nr_files) {
    struct io_uring_files_update up = {.offset = off, .fds = (unsigned long)files};
    return reg(ring, IORING_REGISTER_FILES_UPDATE, &up, nr_files);
}

int io_uring_register_files_sparse(struct io_uring *ring, unsigned nr) {
    struct io_uring_rsrc_register rr = {.flags = IORING_RSRC_REGISTER_SPARSE, .nr = nr};
    return reg(ring, IORING_REGISTER_FILES2, &rr, sizeof rr);
}

int io_uring_register_files_tags(struct io_uring *ring, const int *files, const __u64 *tags,
                                 unsigned nr) {
    struct io_uring_rsrc_register rr = {
        .nr = nr, .data = (unsigned long)files, .tags = (unsigned long)tags};
    return reg(ring, IORING_REGISTER_FILES2, &rr, sizeof rr);
}

int io_uring_register_files(struct io_uring *ring, const int *files, unsigned nr_files) {
    return reg(ring, IORING_REGISTER_FILES, files, nr_files);
}

int io_uring_unregister_files(struct io_uring *ring) {
    return zero_or_error(reg(ring, IORING_UNREGISTER_FILES, NULL, 0));
}

int io_uring_register_eventfd(struct io_uring *ring, int event_fd) {
    return zero_or_error(reg(ring, IORING_REGISTER_EVENTFD, &event_fd, 1));
}

int io_uring_unregister_eventfd(struct io_uring *ring) {
    return zero_or_error(reg(ring, IORING_UNREGISTER_EVENTFD, NULL, 0));
}

int io_uring_register_eventfd_async(struct io_uring *ring, int event_fd) {
    return zero_or_error(reg(ring, IORING_REGISTER_EVENTFD_ASYNC, &event_fd, 1));
}

int io_uring_register_probe(struct io_uring *ring, struct io_uring_probe *p, unsigned int nr_ops) {
    return zero_or_error(reg(ring, IORING_REGISTER_PROBE, p, nr_ops));
}

int io_uring_register_personality(struct io_uring *ring) {
    return reg(ring, IORING_REGISTER_PERSONALITY, NULL, 0);
}

int io_uring_unregister_personality(struct io_uring *ring, int id) {
    return reg(ring, IORING_UNREGISTER_PERSONALITY, NULL, (unsigned)id);
}

int io_uring_register_restrictions(struct io_uring *ring, struct io_uring_restriction *res,
                                   unsigned int nr_res) {
    return zero_or_error(reg(ring, IORING_REGISTER_RESTRICTIONS, res, nr_res));
}

int io_uring_enable_rings(struct io_uring *ring) {
    return reg(ring, IORING_REGISTER_ENABLE_RINGS, NULL, 0);
}

int io_uring_register_iowq_aff(struct io_uring *ring, size_t cpusz, const cpu_set_t *mask) {
    if (cpusz >= (1U << 31)) return -EINVAL;
    return reg(ring, IORING_REGISTER_IOWQ_AFF, mask, (unsigned)cpusz);
}

int io_uring_unregister_iowq_aff(struct io_uring *ring) {
    return reg(ring, IORING_UNREGISTER_IOWQ_AFF, NULL, 0);
}

int io_uring_register_iowq_max_workers(struct io_uring *ring, unsigned int *values) {
    return reg(ring, IORING_REGISTER_IOWQ_MAX_WORKERS, values, 2);
}

int io_uring_register_ring_fd(struct io_uring *ring) {
    struct io_uring_rsrc_update up = {.data = (__u64)ring->ring_fd, .offset = UINT32_MAX};
    int ret = reg(ring, IORING_REGISTER_RING_FDS, &up, 1);
    if (ret == 1) {
        ring->enter_ring_fd = (int)up.offset;
        ring->int_flags |= INT_FLAG_REG_RING;
    }
    return ret;
}

int io_uring_unregister_ring_fd(struct io_uring *ring) {
    struct io_uring_rsrc_update up = {.offset = (unsigned)ring->enter_ring_fd};
    int ret = reg(ring, IORING_UNREGISTER_RING_FDS, &up, 1);
    if (ret == 1) {
        ring->enter_ring_fd = ring->ring_fd;
        ring->int_flags &= (__u8)~INT_FLAG_REG_RING;
    }
    return ret;
}

int io_uring_register_buf_ring(struct io_uring *ring, struct io_uring_buf_reg *reg_arg,
                               unsigned int flags) {
    (void)flags;
    return reg(ring, IORING_REGISTER_PBUF_RING, reg_arg, 1);
}

int io_uring_unregister_buf_ring(struct io_uring *ring, int bgid) {
    struct io_uring_buf_reg reg_arg = {.bgid = (__u16)bgid};
    return reg(ring, IORING_UNREGISTER_PBUF_RING, &reg_arg, 1);
}

int io_uring_register_sync_cancel(struct io_uring *ring, struct io_uring_sync_cancel_reg *reg_arg) {
    return reg(ring, IORING_REGISTER_SYNC_CANCEL, reg_arg, 1);
}

int io_uring_register_file_alloc_range(struct io_uring *ring, unsigned off, unsigned len) {
    struct io_uring_file_index_range range = {.off = off, .len = len};
    return reg(ring, IORING_REGISTER_FILE_ALLOC_RANGE, &range, 0);
}
