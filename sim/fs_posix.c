/* POSIX file-system calls of the seam, on the in-memory file system. */
#include "sim_internal.h"

#include <linux/fs.h>
#include <stdarg.h>

#define KEPT_FLAGS (O_ACCMODE | O_NONBLOCK | O_DIRECT | O_DSYNC | O_SYNC | O_APPEND | O_NOATIME)

static uint8_t kind_of(uint8_t type) {
    return type == IT_DIR ? FK_DIR : type == IT_BLK ? FK_BLK : FK_REG;
}

static int open_existing(uint32_t ino, int flags) {
    const struct sim_inode *i = &sim_inodes[ino];
    int acc = flags & O_ACCMODE;
    if ((flags & O_DIRECTORY) && i->type != IT_DIR) return -ENOTDIR;
    if (i->type == IT_DIR && (acc != O_RDONLY || (flags & O_TRUNC))) return -EISDIR;
    return 0;
}

int sim_fs_open(int dir_fd, const char *path, int flags, mode_t mode) {
    uint32_t parent;
    char leaf[RINGER_SIM_MAX_PATH];
    int err;
    if (path != NULL && strncmp(path, "/dev/", 5) == 0) {
        int fd = sim_chr_open(path, flags);
        if (fd != -ENOENT) return fd;
    }
    uint32_t ino = sim_fs_lookup(dir_fd, path, &parent, leaf, &err);
    if (ino != SIM_NONE) {
        if ((flags & O_CREAT) && (flags & O_EXCL)) return -EEXIST;
        if ((err = open_existing(ino, flags)) != 0) return err;
    } else {
        if (err != -ENOENT || !(flags & O_CREAT) || parent == SIM_NONE) return err;
        if (flags & O_DIRECTORY) return -EINVAL;
        ino = sim_fs_create(parent, leaf, IT_REG, (uint16_t)(mode & ~sim_umask & 07777));
        if (ino == SIM_NONE) return -ENOSPC;
    }
    struct sim_inode *i = &sim_inodes[ino];
    if ((flags & O_DIRECT) && i->type != IT_DIR && !sim_mounts[i->mount].direct_io) {
        sim_inode_unref_check(ino);
        return -EINVAL;
    }
    uint32_t f = sim_file_alloc(kind_of(i->type), ino, flags & KEPT_FLAGS);
    if (f == SIM_NONE) return -ENFILE;
    i->open++;
    int fd = sim_fd_install(f, (flags & O_CLOEXEC) != 0);
    if (fd < 0) {
        sim_file_unref(f);
        return fd;
    }
    if ((flags & O_TRUNC) && i->type == IT_REG && (flags & O_ACCMODE) != O_RDONLY)
        sim_fs_truncate(ino, 0);
    return fd;
}

int ringer_sim_openat(int dir_fd, const char *path, int flags, ...) {
    sim_enter_call();
    mode_t mode = 0;
    if (flags & (O_CREAT | __O_TMPFILE)) {
        va_list args;
        va_start(args, flags);
        mode = (mode_t)va_arg(args, int);
        va_end(args);
    }
    int res = sim_fs_open(dir_fd, path, flags, mode);
    sim_trace(TRACE_POSIX, 20, (uint64_t)dir_fd, (uint64_t)flags, (uint64_t)res);
    return res < 0 ? sim_errno_ret(res) : res;
}

int ringer_sim_open(const char *path, int flags, ...) {
    mode_t mode = 0;
    if (flags & (O_CREAT | __O_TMPFILE)) {
        va_list args;
        va_start(args, flags);
        mode = (mode_t)va_arg(args, int);
        va_end(args);
    }
    return ringer_sim_openat(AT_FDCWD, path, flags, mode);
}

/* Resolves (dir_fd, path, AT_EMPTY_PATH) to an inode. */
static int resolve(int dir_fd, const char *path, int flags, uint32_t *ino) {
    if (path != NULL && path[0] == '\0' && (flags & AT_EMPTY_PATH)) {
        uint32_t f = sim_fd_file(dir_fd);
        if (f == SIM_NONE) return dir_fd == AT_FDCWD ? (*ino = 0, 0) : -EBADF;
        if (sim_files[f].kind != FK_REG && sim_files[f].kind != FK_DIR &&
            sim_files[f].kind != FK_BLK)
            return -EOPNOTSUPP;
        *ino = sim_files[f].obj;
        return 0;
    }
    uint32_t parent;
    char leaf[RINGER_SIM_MAX_PATH];
    int err;
    *ino = sim_fs_lookup(dir_fd, path, &parent, leaf, &err);
    return err;
}

int sim_fs_statx(int dir_fd, const char *path, int flags, unsigned mask, struct statx *st) {
    (void)mask;
    if (flags & ~(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_STATX_SYNC_TYPE))
        return -EINVAL;
    if ((flags & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE) return -EINVAL;
    if (st == NULL) return -EFAULT;
    uint32_t ino;
    int err = resolve(dir_fd, path, flags, &ino);
    if (err) return err;
    sim_fs_fill_statx(ino, st);
    return 0;
}

int ringer_sim_statx(int dir_fd, const char *path, int flags, unsigned int mask, struct statx *st) {
    sim_enter_call();
    int res = sim_fs_statx(dir_fd, path, flags, mask, st);
    sim_trace(TRACE_POSIX, 21, (uint64_t)dir_fd, (uint64_t)flags, (uint64_t)res);
    return sim_errno_ret(res);
}

int ringer_sim_fstatat(int dir_fd, const char *path, struct stat *st, int flags) {
    sim_enter_call();
    uint32_t ino;
    int err = resolve(dir_fd, path, flags, &ino);
    if (err == 0) sim_fs_fill_stat(ino, st);
    sim_trace(TRACE_POSIX, 22, (uint64_t)dir_fd, (uint64_t)flags, (uint64_t)err);
    return sim_errno_ret(err);
}

int ringer_sim_stat(const char *path, struct stat *st) {
    return ringer_sim_fstatat(AT_FDCWD, path, st, 0);
}

int ringer_sim_fstat(int fd, struct stat *st) {
    sim_enter_call();
    uint32_t f = sim_fd_file(fd);
    int err = f == SIM_NONE ? -EBADF : 0;
    if (err == 0) {
        const struct sim_file *file = &sim_files[f];
        if (file->kind == FK_REG || file->kind == FK_DIR || file->kind == FK_BLK) {
            sim_fs_fill_stat(file->obj, st);
        } else {
            memset(st, 0, sizeof *st);
            st->st_mode = file->kind == FK_SOCK                                  ? (S_IFSOCK | 0777)
                          : (file->kind == FK_PIPE_R || file->kind == FK_PIPE_W) ? (S_IFIFO | 0600)
                          : file->kind == FK_CHR                                 ? (S_IFCHR | 0666)
                                                                                 : 0600;
            st->st_nlink = 1;
            st->st_blksize = 4096;
            st->st_ino = 100000 + f;
        }
    }
    sim_trace(TRACE_POSIX, 23, (uint64_t)fd, (uint64_t)err, 0);
    return sim_errno_ret(err);
}

static void fill_statfs(uint8_t mount, struct statfs *st) {
    const struct sim_mount *m = &sim_mounts[mount];
    memset(st, 0, sizeof *st);
    st->f_type = m->tmpfs ? 0x01021994 : 0xEF53;
    st->f_bsize = 4096;
    st->f_blocks = m->capacity_pages;
    st->f_bfree = st->f_bavail = m->capacity_pages - m->used_pages;
    st->f_files = RINGER_SIM_MAX_INODES;
    st->f_ffree = RINGER_SIM_MAX_INODES / 2;
    st->f_namelen = 100;
    st->f_frsize = 4096;
}

int ringer_sim_fstatfs(int fd, struct statfs *st) {
    sim_enter_call();
    uint32_t f = sim_fd_file(fd);
    int err = f == SIM_NONE ? -EBADF : 0;
    if (err == 0) {
        uint8_t kind = sim_files[f].kind;
        bool fs = kind == FK_REG || kind == FK_DIR || kind == FK_BLK;
        fill_statfs(fs ? sim_inodes[sim_files[f].obj].mount : 0, st);
        if (!fs) st->f_type = kind == FK_SOCK ? 0x534F434B : 0x50495045;
    }
    sim_trace(TRACE_POSIX, 24, (uint64_t)fd, (uint64_t)err, 0);
    return sim_errno_ret(err);
}

int ringer_sim_statfs(const char *path, struct statfs *st) {
    sim_enter_call();
    uint32_t ino;
    int err = resolve(AT_FDCWD, path, 0, &ino);
    if (err == 0) fill_statfs(sim_inodes[ino].mount, st);
    return sim_errno_ret(err);
}

int sim_fs_unlinkat(int dir_fd, const char *path, int flags) {
    uint32_t parent;
    char leaf[RINGER_SIM_MAX_PATH];
    int err = 0;
    if (flags & ~AT_REMOVEDIR) return -EINVAL;
    uint32_t ino = sim_fs_lookup(dir_fd, path, &parent, leaf, &err);
    if (ino != SIM_NONE && parent == SIM_NONE) err = -EBUSY; /* "/" or "." */
    else if (ino != SIM_NONE) err = sim_fs_unlink(parent, leaf, (flags & AT_REMOVEDIR) != 0);
    return err;
}

int ringer_sim_unlinkat(int dir_fd, const char *path, int flags) {
    sim_enter_call();
    int err = sim_fs_unlinkat(dir_fd, path, flags);
    sim_trace(TRACE_POSIX, 25, (uint64_t)dir_fd, (uint64_t)flags, (uint64_t)err);
    return sim_errno_ret(err);
}

int ringer_sim_unlink(const char *path) {
    return ringer_sim_unlinkat(AT_FDCWD, path, 0);
}

int sim_fs_mkdirat(int dir_fd, const char *path, mode_t mode) {
    uint32_t parent;
    char leaf[RINGER_SIM_MAX_PATH];
    int err;
    uint32_t ino = sim_fs_lookup(dir_fd, path, &parent, leaf, &err);
    if (ino != SIM_NONE) return -EEXIST;
    if (err == -ENOENT && parent != SIM_NONE)
        err = sim_fs_create(parent, leaf, IT_DIR, (uint16_t)(mode & ~sim_umask & 07777)) == SIM_NONE
                  ? -ENOSPC
                  : 0;
    return err;
}

int ringer_sim_mkdirat(int dir_fd, const char *path, mode_t mode) {
    sim_enter_call();
    int err = sim_fs_mkdirat(dir_fd, path, mode);
    sim_trace(TRACE_POSIX, 26, (uint64_t)dir_fd, (uint64_t)mode, (uint64_t)err);
    return sim_errno_ret(err);
}

/* The parent and leaf of a path that must not exist yet (for a new name). */
static int new_name(int dir_fd, const char *path, uint32_t *parent, char *leaf) {
    int err;
    if (sim_fs_lookup(dir_fd, path, parent, leaf, &err) != SIM_NONE) return -EEXIST;
    return err == -ENOENT && *parent != SIM_NONE ? 0 : err;
}

int sim_fs_linkat(int old_fd, const char *old_path, int new_fd, const char *new_path, int flags) {
    uint32_t parent;
    char leaf[RINGER_SIM_MAX_PATH];
    int err;
    if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH)) return -EINVAL;
    uint32_t ino = sim_fs_lookup(old_fd, old_path, &parent, leaf, &err);
    if (ino == SIM_NONE) return err;
    if ((err = new_name(new_fd, new_path, &parent, leaf)) != 0) return err;
    return sim_fs_link(parent, leaf, ino);
}

int sim_fs_renameat(int old_fd, const char *old_path, int new_fd, const char *new_path,
                    unsigned flags) {
    uint32_t oparent, nparent;
    char oleaf[RINGER_SIM_MAX_PATH], nleaf[RINGER_SIM_MAX_PATH];
    int err;
    if (flags & ~RENAME_NOREPLACE) return -EINVAL; /* exchange and whiteout: not modelled */
    uint32_t ino = sim_fs_lookup(old_fd, old_path, &oparent, oleaf, &err);
    if (ino == SIM_NONE) return err;
    if (oparent == SIM_NONE) return -EBUSY;
    if (sim_fs_lookup(new_fd, new_path, &nparent, nleaf, &err) == SIM_NONE && err != -ENOENT)
        return err;
    if (nparent == SIM_NONE) return err ? err : -EBUSY;
    return sim_fs_rename(oparent, oleaf, nparent, nleaf, (flags & RENAME_NOREPLACE) != 0);
}

int ringer_sim_mkdir(const char *path, mode_t mode) {
    return ringer_sim_mkdirat(AT_FDCWD, path, mode);
}

mode_t ringer_sim_umask(mode_t mask) {
    sim_enter_call();
    mode_t old = sim_umask;
    sim_umask = mask & 0777;
    return old;
}
