/*
 * Data calls on regular files and block devices (shared by POSIX calls and io_uring ops),
 * flock, fallocate, ftruncate, ioctl, lseek, and the file-system test hooks.
 */
#include "sim_internal.h"
#include "sim_log.h"

#include <linux/fs.h>
#include <stdarg.h>

static bool is_fs_file(uint32_t f) {
    uint8_t k = sim_files[f].kind;
    return k == FK_REG || k == FK_BLK || k == FK_DIR;
}

static int direct_check(uint32_t f, const void *buffer, uint64_t size, uint64_t off) {
    const struct sim_file *file = &sim_files[f];
    if (!(file->flags & O_DIRECT)) return 0;
    uint64_t block = sim_mounts[sim_inodes[file->obj].mount].block_size;
    if (((uint64_t)(uintptr_t)buffer | size | off) % block != 0) return -EINVAL;
    return 0;
}

int sim_file_read(uint32_t f, void *buffer, uint64_t size, int64_t off, bool use_pos,
                  uint32_t req) {
    struct sim_file *file = &sim_files[f];
    SIM_ASSERT(is_fs_file(f));
    if (file->kind == FK_DIR) return -EISDIR;
    if ((file->flags & O_ACCMODE) == O_WRONLY) return -EBADF;
    uint64_t at = use_pos ? file->pos : (uint64_t)off;
    int err = direct_check(f, buffer, size, at);
    if (err) return err;
    if (size > 0x7ffff000u) size = 0x7ffff000u;
    int64_t n = sim_fs_read(file->obj, buffer, size, at, req);
    if (n > 0 && use_pos) file->pos += (uint64_t)n;
    return (int)n;
}

static int write_faults(uint32_t f, uint64_t *size) {
    bool eio = sim_fault(RINGER_SIM_FAULT_WRITE_EIO, true);
    bool nospc = sim_fault(RINGER_SIM_FAULT_ENOSPC, true);
    uint32_t cut = sim_draw_u32();
    if (eio) return -EIO;
    if (nospc) {
        uint32_t unit = sim_short_unit(f); /* O_DIRECT: whole logical blocks */
        if (*size >= 2 * unit && (cut & 1)) {
            *size = sim_short_length((uint32_t)*size, unit, cut >> 1); /* short first */
            return 0;
        }
        return -ENOSPC;
    }
    return 0;
}

int sim_file_write(uint32_t f, const void *buffer, uint64_t size, int64_t off, bool use_pos) {
    struct sim_file *file = &sim_files[f];
    SIM_ASSERT(is_fs_file(f));
    if (file->kind == FK_DIR) return -EISDIR;
    if ((file->flags & O_ACCMODE) == O_RDONLY) return -EBADF;
    struct sim_inode *ino = &sim_inodes[file->obj];
    uint64_t at = (file->flags & O_APPEND) ? ino->size : use_pos ? file->pos : (uint64_t)off;
    int err = direct_check(f, buffer, size, at);
    if (err) return err;
    if (size > 0x7ffff000u) size = 0x7ffff000u;
    if ((err = write_faults(f, &size)) != 0) return err;
    /* MISDIRECT: a sector-aligned write lands at another aligned offset inside the file; the
     * intended sectors keep their old data */
    uint32_t victim = sim_draw_u32();
    uint64_t sectors = ino->size / 4096;
    if (sim_fault(RINGER_SIM_FAULT_MISDIRECT,
                  at % 4096 == 0 && size % 4096 == 0 && sectors > size / 4096)) {
        uint64_t to = (victim % (sectors - size / 4096 + 1)) * 4096;
        int64_t moved = sim_fs_write(file->obj, buffer, size, to);
        return moved < 0 ? (int)moved : (int)size;
    }
    int64_t n = sim_fs_write(file->obj, buffer, size, at);
    if (n > 0 && use_pos) file->pos = at + (uint64_t)n;
    if (n > 0 && (file->flags & O_DSYNC)) sim_fs_sync(file->obj, true);
    return (int)n;
}

int sim_file_fsync(uint32_t f, bool datasync) {
    struct sim_file *file = &sim_files[f];
    if (!is_fs_file(f)) return -EINVAL;
    if (file->kind == FK_DIR) {
        sim_fs_sync_dir(file->obj);
        return 0;
    }
    const struct sim_inode *ino = &sim_inodes[file->obj];
    bool dirty = ino->dirty_head != SIM_NONE || ino->size_dirty;
    if (sim_fault(RINGER_SIM_FAULT_FSYNC_FAIL, dirty)) { /* writeback fails only with data */
        sim_fs_sync_fail(file->obj);
        return -EIO;
    }
    if (sim_fault(RINGER_SIM_FAULT_ENOSPC, true)) return -ENOSPC;
    sim_fs_sync(file->obj, datasync);
    return 0;
}

ssize_t ringer_sim_pread(int fd, void *buffer, size_t size, off_t offset) {
    sim_enter_call();
    uint32_t f = sim_fd_file(fd);
    int res;
    if (f == SIM_NONE) res = -EBADF;
    else if (!is_fs_file(f)) res = -ESPIPE;
    else if (offset < 0) res = -EINVAL;
    else res = sim_file_read(f, buffer, size, offset, false, SIM_NONE);
    sim_trace(TRACE_POSIX, 30, (uint64_t)fd, size, (uint64_t)res);
    return res < 0 ? sim_errno_ret(res) : res;
}

ssize_t ringer_sim_pwrite(int fd, const void *buffer, size_t size, off_t offset) {
    sim_enter_call();
    uint32_t f = sim_fd_file(fd);
    int res;
    if (f == SIM_NONE) res = -EBADF;
    else if (!is_fs_file(f)) res = -ESPIPE;
    else if (offset < 0) res = -EINVAL;
    else res = sim_file_write(f, buffer, size, offset, false);
    sim_trace(TRACE_POSIX, 31, (uint64_t)fd, size, (uint64_t)res);
    return res < 0 ? sim_errno_ret(res) : res;
}

static int fsync_call(int fd, bool datasync) {
    sim_enter_call();
    if (fd >= 0 && fd < 3) return 0;
    uint32_t f = sim_fd_file(fd);
    int res = f == SIM_NONE ? -EBADF : sim_file_fsync(f, datasync);
    sim_trace(TRACE_POSIX, 32, (uint64_t)fd, datasync, (uint64_t)res);
    return sim_errno_ret(res);
}

int ringer_sim_fsync(int fd) {
    return fsync_call(fd, false);
}

int ringer_sim_fdatasync(int fd) {
    return fsync_call(fd, true);
}

static int flock_op(uint32_t f, int operation) {
    struct sim_file *file = &sim_files[f];
    struct sim_inode *ino = &sim_inodes[file->obj];
    int kind = operation & ~LOCK_NB;
    if (kind == LOCK_UN) {
        if (file->lock == LOCK_EX) ino->lock_ex_file = SIM_NONE;
        if (file->lock == LOCK_SH) ino->lock_sh_count--;
        file->lock = 0;
        return 0;
    }
    if (kind != LOCK_SH && kind != LOCK_EX) return -EINVAL;
    if (ino->other_lock_attempts > 0) {
        ino->other_lock_attempts--;
        return -EWOULDBLOCK;
    }
    bool ex_other = ino->lock_ex_file != SIM_NONE && ino->lock_ex_file != f;
    uint32_t sh_other = ino->lock_sh_count - (file->lock == LOCK_SH ? 1 : 0);
    if (ex_other || (kind == LOCK_EX && sh_other > 0)) return -EWOULDBLOCK;
    flock_op(f, LOCK_UN);
    file->lock = (uint8_t)kind;
    if (kind == LOCK_EX) ino->lock_ex_file = f;
    else ino->lock_sh_count++;
    return 0;
}

int ringer_sim_flock(int fd, int operation) {
    sim_enter_call();
    uint32_t f = sim_fd_file(fd);
    int res = f == SIM_NONE ? -EBADF : !is_fs_file(f) ? -EINVAL : flock_op(f, operation);
    while (res == -EWOULDBLOCK && !(operation & LOCK_NB)) {
        if (sim_inodes[sim_files[f].obj].other_lock_attempts == 0)
            sim_stop("deadlock: blocking flock on a lock this process holds elsewhere");
        sim_now += 1000000; /* the other process holds it a little longer */
        res = flock_op(f, operation);
    }
    sim_trace(TRACE_POSIX, 33, (uint64_t)fd, (uint64_t)operation, (uint64_t)res);
    return sim_errno_ret(res);
}

int sim_file_fallocate(uint32_t f, int mode, int64_t offset, int64_t length) {
    if (!is_fs_file(f) || sim_files[f].kind == FK_DIR)
        return sim_files[f].kind == FK_DIR ? -EISDIR : -ESPIPE;
    if ((sim_files[f].flags & O_ACCMODE) == O_RDONLY) return -EBADF;
    if (offset < 0 || length <= 0) return -EINVAL;
    if (sim_fault(RINGER_SIM_FAULT_ENOSPC, true)) return -ENOSPC;
    return sim_fs_fallocate(sim_files[f].obj, mode, (uint64_t)offset, (uint64_t)length);
}

int ringer_sim_fallocate(int fd, int mode, off_t offset, off_t length) {
    sim_enter_call();
    uint32_t f = sim_fd_file(fd);
    int res = f == SIM_NONE ? -EBADF : sim_file_fallocate(f, mode, offset, length);
    sim_trace(TRACE_POSIX, 34, (uint64_t)fd, (uint64_t)length, (uint64_t)res);
    return sim_errno_ret(res);
}

int ringer_sim_ftruncate(int fd, off_t length) {
    sim_enter_call();
    uint32_t f = sim_fd_file(fd);
    int res;
    if (f == SIM_NONE) res = -EBADF;
    else if (sim_files[f].kind != FK_REG || (sim_files[f].flags & O_ACCMODE) == O_RDONLY)
        res = -EINVAL;
    else if (length < 0) res = -EINVAL;
    else res = sim_fs_truncate(sim_files[f].obj, (uint64_t)length);
    sim_trace(TRACE_POSIX, 35, (uint64_t)fd, (uint64_t)length, (uint64_t)res);
    return sim_errno_ret(res);
}

static int ioctl_op(uint32_t f, unsigned long request, void *arg) {
    const struct sim_file *file = &sim_files[f];
    if (request == FIONBIO) {
        if (arg == NULL) return -EFAULT;
        sim_files[f].flags = *(int *)arg ? (file->flags | O_NONBLOCK) : (file->flags & ~O_NONBLOCK);
        return 0;
    }
    if (file->kind != FK_BLK) return -ENOTTY;
    if (arg == NULL) return -EFAULT;
    const struct sim_inode *ino = &sim_inodes[file->obj];
    switch (request) {
    case BLKGETSIZE64:
        *(uint64_t *)arg = ino->blk_size;
        return 0;
    case BLKSSZGET:
        *(int *)arg = (int)sim_mounts[ino->mount].block_size;
        return 0;
    case BLKBSZGET:
        *(int *)arg = 4096;
        return 0;
    default:
        return -ENOTTY;
    }
}

int ringer_sim_ioctl(int fd, unsigned long request, ...) {
    sim_enter_call();
    va_list args;
    va_start(args, request);
    void *arg = va_arg(args, void *);
    va_end(args);
    uint32_t f = sim_fd_file(fd);
    int res = f == SIM_NONE ? -EBADF : ioctl_op(f, request, arg);
    sim_trace(TRACE_POSIX, 36, (uint64_t)fd, request, (uint64_t)res);
    return sim_errno_ret(res);
}

off_t ringer_sim_lseek(int fd, off_t offset, int whence) {
    sim_enter_call();
    uint32_t f = sim_fd_file(fd);
    int64_t res;
    if (f == SIM_NONE) {
        res = -EBADF;
    } else if (!is_fs_file(f)) {
        res = -ESPIPE;
    } else {
        const struct sim_inode *ino = &sim_inodes[sim_files[f].obj];
        int64_t base = whence == SEEK_SET   ? 0
                       : whence == SEEK_CUR ? (int64_t)sim_files[f].pos
                       : whence == SEEK_END
                           ? (int64_t)(ino->type == IT_BLK ? ino->blk_size : ino->size)
                           : -1;
        res = base < 0 || base + offset < 0 ? -EINVAL : base + offset;
        if (res >= 0) sim_files[f].pos = (uint64_t)res;
    }
    sim_trace(TRACE_POSIX, 37, (uint64_t)fd, (uint64_t)offset, (uint64_t)res);
    return res < 0 ? sim_errno_ret((int)res) : (off_t)res;
}

/* ---- hooks ---- */

int ringer_sim_hold_lock(const char *path, uint32_t attempts) {
    uint32_t parent;
    char leaf[RINGER_SIM_MAX_PATH];
    int err;
    uint32_t ino = sim_fs_lookup(AT_FDCWD, path, &parent, leaf, &err);
    if (ino == SIM_NONE) return err;
    sim_inodes[ino].other_lock_attempts = attempts;
    return 0;
}

int ringer_sim_add_block_device(const char *path, uint64_t size, bool garbage) {
    uint32_t parent;
    char leaf[RINGER_SIM_MAX_PATH];
    int err;
    SIM_ASSERT(sim_initialised);
    if (sim_fs_lookup(AT_FDCWD, path, &parent, leaf, &err) != SIM_NONE) return -EEXIST;
    if (parent == SIM_NONE) return err;
    uint32_t ino = sim_fs_create(parent, leaf, IT_BLK, 0660);
    if (ino == SIM_NONE) return -ENOSPC;
    sim_inodes[ino].blk_size = size;
    if (garbage) sim_fs_fill_garbage(ino, size < (1u << 20) ? size : (1u << 20));
    sim_fs_sync_dir(parent);
    return 0;
}

int ringer_sim_make_dir(const char *path) {
    uint32_t parent;
    char leaf[RINGER_SIM_MAX_PATH];
    int err;
    if (sim_fs_lookup(AT_FDCWD, path, &parent, leaf, &err) != SIM_NONE) return -EEXIST;
    if (parent == SIM_NONE) return err;
    return sim_fs_create(parent, leaf, IT_DIR, 0755) == SIM_NONE ? -ENOSPC : 0;
}

int64_t ringer_sim_read_file(const char *path, void *buffer, uint64_t size, uint64_t offset) {
    SIM_ASSERT(buffer != NULL || size == 0); /* a programmer error, as for read(2)'s EFAULT */
    uint32_t parent;
    char leaf[RINGER_SIM_MAX_PATH];
    int err;
    uint32_t ino = sim_fs_lookup(AT_FDCWD, path, &parent, leaf, &err);
    if (ino == SIM_NONE) return err;
    if (sim_inodes[ino].type == IT_DIR) return -EISDIR;
    const struct sim_inode *i = &sim_inodes[ino];
    uint64_t limit = i->type == IT_BLK ? i->blk_size : i->size;
    if (offset >= limit) return 0;
    uint64_t n = size < limit - offset ? size : limit - offset;
    /* read without fault decisions: a test's look is not a kernel event */
    struct ringer_sim_options saved = sim_cfg.o;
    memset(sim_cfg.o.faults, 0, sizeof sim_cfg.o.faults);
    sim_cfg.o.fail_nth = 0;
    int64_t res = sim_fs_read(ino, buffer, n, offset, SIM_NONE);
    sim_cfg.o = saved;
    return res;
}
