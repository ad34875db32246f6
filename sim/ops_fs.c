/*
 * File ops (kernel-semantics.md §8): NOP, FSYNC, SYNC_FILE_RANGE, FALLOCATE, FADVISE,
 * MADVISE, OPENAT (also straight into the fixed file table), STATX, CLOSE (also of a fixed
 * file slot) and FILES_UPDATE, with Linux's prep checks.
 */
#include "sim_internal.h"

#include <sys/mman.h>

int sim_prep_nop(struct sim_req *q, const struct io_uring_sqe *sqe) {
    (void)q;
    (void)sqe;
    return 0;
}

int32_t sim_exec_nop(struct sim_req *q, struct sim_op_out *out) {
    (void)q;
    (void)out;
    return 0;
}

int sim_prep_fsync(struct sim_req *q, const struct io_uring_sqe *sqe) {
    if (sqe->addr || sqe->buf_index || sqe->splice_fd_in) return -EINVAL;
    q->op_flags = sqe->fsync_flags;
    return (sqe->fsync_flags & ~IORING_FSYNC_DATASYNC) ? -EINVAL : 0;
}

int32_t sim_exec_fsync(struct sim_req *q, struct sim_op_out *out) {
    (void)out;
    return sim_file_fsync(q->file, (q->op_flags & IORING_FSYNC_DATASYNC) != 0);
}

int sim_prep_sync_range(struct sim_req *q, const struct io_uring_sqe *sqe) {
    if (sqe->addr || sqe->buf_index || sqe->splice_fd_in) return -EINVAL;
    q->op_flags = sqe->sync_range_flags;
    return 0;
}

/* sync_file_range starts and waits for writeback without a cache flush: it promises no
 * durability, so the sim's crash model keeps nothing more for it. */
int32_t sim_exec_sync_range(struct sim_req *q, struct sim_op_out *out) {
    (void)out;
    const uint32_t valid =
        SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER;
    if (q->op_flags & ~valid) return -EINVAL;
    if ((int64_t)q->off < 0 || (int64_t)(q->off + q->len) < 0) return -EINVAL;
    uint8_t kind = sim_files[q->file].kind;
    if (kind != FK_REG && kind != FK_DIR && kind != FK_BLK) return -ESPIPE;
    return 0;
}

int sim_prep_fallocate(struct sim_req *q, const struct io_uring_sqe *sqe) {
    if (sqe->buf_index || sqe->rw_flags || sqe->splice_fd_in) return -EINVAL;
    q->addr3 = sqe->addr; /* the length */
    return 0;
}

int32_t sim_exec_fallocate(struct sim_req *q, struct sim_op_out *out) {
    (void)out;
    return sim_file_fallocate(q->file, (int)q->len, (int64_t)q->off, (int64_t)q->addr3);
}

int sim_prep_fadvise(struct sim_req *q, const struct io_uring_sqe *sqe) {
    if (sqe->buf_index || sqe->addr || sqe->splice_fd_in) return -EINVAL;
    q->op_flags = sqe->fadvise_advice;
    return 0;
}

/* The page cache is not modelled: valid advice changes nothing observable. */
int32_t sim_exec_fadvise(struct sim_req *q, struct sim_op_out *out) {
    (void)out;
    uint8_t kind = sim_files[q->file].kind;
    if (kind == FK_PIPE_R || kind == FK_PIPE_W) return -ESPIPE;
    if ((int64_t)q->off < 0) return -EINVAL;
    return q->op_flags <= POSIX_FADV_NOREUSE ? 0 : -EINVAL;
}

int sim_prep_madvise(struct sim_req *q, const struct io_uring_sqe *sqe) {
    if (sqe->buf_index || sqe->off || sqe->splice_fd_in) return -EINVAL;
    q->op_flags = sqe->fadvise_advice;
    return 0;
}

/* The program's own memory: the host's madvise decides, as Linux's does. */
int32_t sim_exec_madvise(struct sim_req *q, struct sim_op_out *out) {
    (void)out;
    int res = madvise((void *)(uintptr_t)q->addr, q->len, (int)q->op_flags);
    return res < 0 ? -errno : 0;
}

/* OPENAT and STATX: the path is copied at consumption. */
int sim_prep_path(struct sim_req *q, const struct io_uring_sqe *sqe) {
    if (sqe->buf_index) return -EINVAL;
    if (q->fixed_file) return -EBADF;
    if (q->opcode == IORING_OP_STATX) {
        if (sqe->splice_fd_in) return -EINVAL;
    } else {
        q->addr3 = sqe->file_index; /* a fixed file slot + 1, or 0 */
        if (q->addr3 && (sqe->open_flags & O_CLOEXEC)) return -EINVAL;
    }
    return sim_copy_path(q, (const char *)(uintptr_t)sqe->addr);
}

int32_t sim_exec_openat(struct sim_req *q, struct sim_op_out *out) {
    (void)out;
    int fd = sim_fs_open(q->fd, q->copy.path, (int)q->op_flags, (mode_t)q->len);
    if (fd < 0 || q->addr3 == 0) return fd;
    /* straight into the fixed file table: the fd never stays installed */
    uint32_t f = sim_fd_file(fd);
    sim_file_ref(f);
    sim_fd_close(fd);
    int res = sim_fixed_install(q->ring, (uint32_t)q->addr3 - 1, f);
    sim_file_unref(f);
    return res;
}

int32_t sim_exec_statx(struct sim_req *q, struct sim_op_out *out) {
    (void)out;
    if (!sim_user_ok((void *)(uintptr_t)q->off, sizeof(struct statx))) return -EFAULT;
    return sim_fs_statx(q->fd, q->copy.path, (int)q->op_flags, q->len,
                        (struct statx *)(uintptr_t)q->off);
}

int sim_prep_close(struct sim_req *q, const struct io_uring_sqe *sqe) {
    if (sqe->off || sqe->addr || sqe->len || sqe->rw_flags || sqe->buf_index) return -EINVAL;
    if (q->fixed_file) return -EBADF;
    q->addr3 = sqe->file_index;
    if (q->addr3 && sqe->fd) return -EINVAL;
    return 0;
}

int32_t sim_exec_close(struct sim_req *q, struct sim_op_out *out) {
    (void)out;
    if (q->addr3) return sim_fixed_remove(q->ring, (uint32_t)q->addr3 - 1);
    uint32_t f = sim_fd_file(q->fd);
    if (f != SIM_NONE && sim_files[f].kind == FK_RING) return -EBADF;
    return sim_fd_close(q->fd);
}

/* UNLINKAT, MKDIRAT, RENAMEAT and LINKAT: names copied at consumption, io-wq work. */
int sim_prep_fs_name(struct sim_req *q, const struct io_uring_sqe *sqe) {
    if (q->fixed_file) return -EBADF;
    if (sqe->buf_index || sqe->splice_fd_in) return -EINVAL;
    switch (q->opcode) {
    case IORING_OP_UNLINKAT:
        if (sqe->off || sqe->len) return -EINVAL;
        if (sqe->unlink_flags & ~AT_REMOVEDIR) return -EINVAL;
        break;
    case IORING_OP_MKDIRAT:
        if (sqe->off || sqe->rw_flags) return -EINVAL;
        break;
    case IORING_OP_LINKAT:
        if (sqe->rw_flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH)) return -EINVAL;
        break;
    default:
        break;
    }
    int err = sim_copy_path(q, (const char *)(uintptr_t)sqe->addr);
    if (err || (q->opcode != IORING_OP_RENAMEAT && q->opcode != IORING_OP_LINKAT)) return err;
    const char *second = (const char *)(uintptr_t)sqe->addr2;
    if (second == NULL) return -EFAULT;
    size_t n = strnlen(second, RINGER_SIM_MAX_PATH);
    if (n >= RINGER_SIM_MAX_PATH) return -ENAMETOOLONG;
    memcpy(q->copy.paths[1], second, n + 1);
    return 0;
}

int32_t sim_exec_fs_name(struct sim_req *q, struct sim_op_out *out) {
    (void)out;
    switch (q->opcode) {
    case IORING_OP_UNLINKAT:
        return sim_fs_unlinkat(q->fd, q->copy.path, (int)q->op_flags);
    case IORING_OP_MKDIRAT:
        return sim_fs_mkdirat(q->fd, q->copy.path, (mode_t)q->len);
    case IORING_OP_LINKAT:
        return sim_fs_linkat(q->fd, q->copy.paths[0], (int)q->len, q->copy.paths[1],
                             (int)q->op_flags);
    default:
        return sim_fs_renameat(q->fd, q->copy.paths[0], (int)q->len, q->copy.paths[1], q->op_flags);
    }
}

int sim_prep_files_update(struct sim_req *q, const struct io_uring_sqe *sqe) {
    if (q->fixed_file || (sqe->flags & IOSQE_BUFFER_SELECT)) return -EINVAL;
    if (sqe->rw_flags || sqe->splice_fd_in) return -EINVAL;
    return sqe->len == 0 ? -EINVAL : 0;
}

/* The fd array is read when the op runs, as Linux reads it. */
int32_t sim_exec_files_update(struct sim_req *q, struct sim_op_out *out) {
    (void)out;
    return sim_files_update(q->ring, (uint32_t)q->off, (int *)(uintptr_t)q->addr, NULL, q->len);
}
