/*
 * The in-memory file system: inodes, directory entries, mounts, path resolution, and the
 * durability of directory entries and sizes (fault-model.md §4).
 */
#include "sim_internal.h"
#include "sim_log.h"

#include <stdio.h>
#include <stdlib.h>

#define NAME_MAX_SIM 100

struct sim_dirent {
    bool used;
    bool live;  /* present now */
    bool dlive; /* present after a crash (durable) */
    uint32_t parent;
    uint32_t ino;
    uint32_t change; /* the operation that last changed it: a rename's halves share one */
    char name[NAME_MAX_SIM + 1];
};

struct sim_inode sim_inodes[RINGER_SIM_MAX_INODES];
struct sim_mount sim_mounts[RINGER_SIM_MOUNT_COUNT];
static struct sim_dirent dirents[RINGER_SIM_MAX_DIRENTS];
static uint32_t dir_parent[RINGER_SIM_MAX_INODES];
mode_t sim_umask = 022;
static uint32_t inode_hw, dirent_hw; /* high-water marks: only [0, hw) was ever used */
static uint32_t change_last;         /* the id of the latest entry change */
static bool change_held;             /* a rename in progress: its changes share one id */

/* The id of an entry change: one per operation, so a crash keeps or loses it whole. */
static uint32_t change_id(void) {
    if (!change_held) change_last++;
    SIM_ASSERT(change_last != 0);
    return change_last;
}

static uint32_t inode_alloc(uint8_t type, uint8_t mount, uint16_t mode) {
    SIM_ASSERT(type != IT_NONE);
    for (uint32_t i = 0; i < RINGER_SIM_MAX_INODES; i++) {
        if (i >= inode_hw) inode_hw = i + 1;
        if (sim_inodes[i].type == IT_NONE) {
            sim_inodes[i] = (struct sim_inode){.type = type,
                                               .mount = mount,
                                               .mode = mode,
                                               .dirty_head = SIM_NONE,
                                               .lock_ex_file = SIM_NONE,
                                               .mtime_ns = sim_now,
                                               .ctime_ns = sim_now};
            dir_parent[i] = i;
            return i;
        }
    }
    return SIM_NONE;
}

static uint32_t dirent_find(uint32_t parent, const char *name, bool live_only) {
    SIM_ASSERT(parent < RINGER_SIM_MAX_INODES);
    for (uint32_t d = 0; d < dirent_hw; d++) {
        const struct sim_dirent *e = &dirents[d];
        if (e->used && e->parent == parent && (e->live || !live_only) && strcmp(e->name, name) == 0)
            return d;
    }
    return SIM_NONE;
}

static bool dirent_add(uint32_t parent, const char *name, uint32_t ino, bool durable) {
    SIM_ASSERT(dirent_find(parent, name, true) == SIM_NONE);
    uint32_t d;
    for (d = 0; d < RINGER_SIM_MAX_DIRENTS && dirents[d].used; d++) {
    }
    if (d == RINGER_SIM_MAX_DIRENTS) return false;
    if (d >= dirent_hw) dirent_hw = d + 1;
    dirents[d] = (struct sim_dirent){.used = true,
                                     .parent = parent,
                                     .ino = ino,
                                     .live = true,
                                     .dlive = durable,
                                     .change = change_id()};
    strcpy(dirents[d].name, name);
    sim_inodes[ino].nlink++;
    return true;
}

static void make_mount(uint32_t m, const char *name, const struct ringer_sim_mount_options *mo) {
    struct sim_mount *mount = &sim_mounts[m];
    bool tmpfs = m == RINGER_SIM_MOUNT_TMP ? !mo->not_tmpfs : mo->tmpfs;
    mount->tmpfs = tmpfs;
    mount->direct_io = !tmpfs && !mo->no_direct_io;
    mount->fallocate = !mo->no_fallocate;
    mount->block_size =
        mo->block_size ? mo->block_size : (m == RINGER_SIM_MOUNT_ROOT ? 512u : 4096u);
    SIM_ASSERT(mount->block_size == 512 || mount->block_size == 4096);
    mount->capacity_pages = (mo->capacity ? mo->capacity : (256ull << 20)) / RINGER_SIM_PAGE_SIZE;
    mount->used_pages = 0;
    if (m == RINGER_SIM_MOUNT_ROOT) {
        mount->root = inode_alloc(IT_DIR, (uint8_t)m, 0755);
        sim_inodes[mount->root].nlink = 1;
        return;
    }
    mount->root = inode_alloc(IT_DIR, (uint8_t)m, m == RINGER_SIM_MOUNT_TMP ? 01777 : 0755);
    dir_parent[mount->root] = sim_mounts[RINGER_SIM_MOUNT_ROOT].root;
    SIM_ASSERT(dirent_add(sim_mounts[RINGER_SIM_MOUNT_ROOT].root, name, mount->root, true));
}

void sim_fs_reset(void) {
    memset(sim_inodes, 0, inode_hw * sizeof sim_inodes[0]);
    memset(dirents, 0, dirent_hw * sizeof dirents[0]);
    inode_hw = dirent_hw = 0;
    change_last = 0;
    change_held = false;
    sim_umask = 022;
    sim_fs_pages_reset();
    make_mount(RINGER_SIM_MOUNT_ROOT, "", &sim_cfg.o.mounts[RINGER_SIM_MOUNT_ROOT]);
    make_mount(RINGER_SIM_MOUNT_TMP, "tmp", &sim_cfg.o.mounts[RINGER_SIM_MOUNT_TMP]);
    make_mount(RINGER_SIM_MOUNT_DATA, "data", &sim_cfg.o.mounts[RINGER_SIM_MOUNT_DATA]);
    SIM_ASSERT(sim_mounts[RINGER_SIM_MOUNT_ROOT].root == 0);
}

void sim_fs_free(void) {
    sim_fs_pages_free();
}

static int start_dir(int dir_fd, const char *path, uint32_t *dir) {
    if (path[0] == '/' || dir_fd == AT_FDCWD) {
        *dir = sim_node_root();
        return 0;
    }
    uint32_t f = sim_fd_file(dir_fd);
    if (f == SIM_NONE) return -EBADF;
    if (sim_files[f].kind != FK_DIR) return -ENOTDIR;
    *dir = sim_files[f].obj;
    return 0;
}

/* Copies the next component of *p into name; returns its length or -ENAMETOOLONG. */
static int next_component(const char **p, char *name) {
    while (**p == '/') (*p)++;
    size_t n = 0;
    while ((*p)[n] != '\0' && (*p)[n] != '/') n++;
    if (n > NAME_MAX_SIM) return -ENAMETOOLONG;
    memcpy(name, *p, n);
    name[n] = '\0';
    *p += n;
    return (int)n;
}

static uint32_t step(uint32_t dir, const char *name) {
    if (strcmp(name, ".") == 0) return dir;
    if (strcmp(name, "..") == 0) return dir_parent[dir];
    uint32_t d = dirent_find(dir, name, true);
    return d == SIM_NONE ? SIM_NONE : dirents[d].ino;
}

uint32_t sim_fs_lookup(int dir_fd, const char *path, uint32_t *parent, char *leaf, int *err) {
    SIM_ASSERT(parent != NULL && leaf != NULL && err != NULL);
    *parent = SIM_NONE;
    leaf[0] = '\0';
    if (path == NULL) return *err = -EFAULT, SIM_NONE;
    if (strnlen(path, RINGER_SIM_MAX_PATH) >= RINGER_SIM_MAX_PATH)
        return *err = -ENAMETOOLONG, SIM_NONE;
    if (path[0] == '\0') return *err = -ENOENT, SIM_NONE;
    uint32_t dir;
    if ((*err = start_dir(dir_fd, path, &dir)) != 0) return SIM_NONE;
    const char *p = path;
    uint32_t cur = dir;
    for (;;) {
        char name[NAME_MAX_SIM + 1];
        int n = next_component(&p, name);
        if (n < 0) return *err = n, SIM_NONE;
        if (n == 0) break; /* trailing slashes: cur itself */
        if (sim_inodes[cur].type != IT_DIR) return *err = -ENOTDIR, SIM_NONE;
        uint32_t next = step(cur, name);
        while (*p == '/') p++;
        bool last = *p == '\0';
        if (last) {
            *parent = cur;
            strcpy(leaf, name);
        }
        if (next == SIM_NONE) return *err = last ? -ENOENT : -ENOENT, SIM_NONE;
        cur = next;
    }
    *err = 0;
    return cur;
}

uint32_t sim_fs_create(uint32_t parent, const char *leaf, uint8_t type, uint16_t mode) {
    SIM_ASSERT(parent < RINGER_SIM_MAX_INODES && sim_inodes[parent].type == IT_DIR);
    SIM_ASSERT(leaf[0] != '\0');
    uint32_t ino = inode_alloc(type, sim_inodes[parent].mount, mode);
    if (ino == SIM_NONE) return SIM_NONE;
    if (type == IT_DIR) dir_parent[ino] = parent;
    if (!dirent_add(parent, leaf, ino, false)) {
        sim_inodes[ino].type = IT_NONE;
        return SIM_NONE;
    }
    sim_inodes[parent].mtime_ns = sim_now;
    return ino;
}

static bool dir_empty(uint32_t dir) {
    for (uint32_t d = 0; d < dirent_hw; d++) {
        if (dirents[d].used && dirents[d].live && dirents[d].parent == dir) return false;
    }
    return true;
}

int sim_fs_unlink(uint32_t parent, const char *leaf, bool dir) {
    uint32_t d = dirent_find(parent, leaf, true);
    if (d == SIM_NONE) return -ENOENT;
    uint32_t ino = dirents[d].ino;
    if (dir && sim_inodes[ino].type != IT_DIR) return -ENOTDIR;
    if (!dir && sim_inodes[ino].type == IT_DIR) return -EISDIR;
    if (dir && !dir_empty(ino)) return -ENOTEMPTY;
    for (uint32_t m = 0; m < RINGER_SIM_MOUNT_COUNT; m++) {
        if (sim_mounts[m].root == ino) return -EBUSY;
    }
    dirents[d].live = false;
    dirents[d].change = change_id();
    if (!dirents[d].dlive) dirents[d].used = false;
    SIM_ASSERT(sim_inodes[ino].nlink > 0);
    sim_inodes[ino].nlink--;
    sim_inode_unref_check(ino);
    return 0;
}

/* A new name for an existing inode (a hard link); never a directory. */
int sim_fs_link(uint32_t parent, const char *leaf, uint32_t ino) {
    if (sim_inodes[ino].type == IT_DIR) return -EPERM;
    if (sim_inodes[parent].mount != sim_inodes[ino].mount) return -EXDEV;
    if (dirent_find(parent, leaf, true) != SIM_NONE) return -EEXIST;
    if (!dirent_add(parent, leaf, ino, false)) return -ENOSPC;
    sim_inodes[parent].mtime_ns = sim_now;
    sim_inodes[ino].ctime_ns = sim_now;
    return 0;
}

static int rename_entries(uint32_t oparent, const char *oleaf, uint32_t nparent, const char *nleaf,
                          bool noreplace) {
    uint32_t d = dirent_find(oparent, oleaf, true);
    if (d == SIM_NONE) return -ENOENT;
    uint32_t ino = dirents[d].ino;
    if (sim_inodes[nparent].mount != sim_inodes[ino].mount) return -EXDEV;
    for (uint32_t a = nparent; sim_inodes[ino].type == IT_DIR; a = dir_parent[a]) {
        if (a == ino) return -EINVAL; /* into its own subtree */
        if (dir_parent[a] == a) break;
    }
    uint32_t t = dirent_find(nparent, nleaf, true);
    if (t == d) return 0;
    if (t != SIM_NONE) {
        if (noreplace) return -EEXIST;
        bool dir = sim_inodes[dirents[t].ino].type == IT_DIR;
        if (dir != (sim_inodes[ino].type == IT_DIR)) return dir ? -EISDIR : -ENOTDIR;
        int err = sim_fs_unlink(nparent, nleaf, dir);
        if (err) return err;
    }
    sim_inodes[ino].nlink++; /* held across the move */
    sim_fs_unlink(oparent, oleaf, sim_inodes[ino].type == IT_DIR);
    bool added = dirent_add(nparent, nleaf, ino, false);
    sim_inodes[ino].nlink--;
    if (!added) return -ENOSPC;
    if (sim_inodes[ino].type == IT_DIR) dir_parent[ino] = nparent;
    sim_inodes[oparent].mtime_ns = sim_inodes[nparent].mtime_ns = sim_now;
    return 0;
}

/* rename(2) within a mount: a target of the same kind is replaced (an empty directory only).
 * Its changes (old name gone, target gone, new name) share one change id: atomic at a crash,
 * the old name or the new one, never both nor neither, as a journal commits it. */
int sim_fs_rename(uint32_t oparent, const char *oleaf, uint32_t nparent, const char *nleaf,
                  bool noreplace) {
    SIM_ASSERT(!change_held);
    change_id();
    change_held = true;
    int err = rename_entries(oparent, oleaf, nparent, nleaf, noreplace);
    change_held = false;
    return err;
}

static bool durably_linked(uint32_t ino) {
    for (uint32_t d = 0; d < dirent_hw; d++) {
        if (dirents[d].used && dirents[d].dlive && dirents[d].ino == ino) return true;
    }
    return false;
}

void sim_inode_unref_check(uint32_t ino) {
    struct sim_inode *i = &sim_inodes[ino];
    SIM_ASSERT(i->type != IT_NONE);
    if (i->nlink > 0 || i->open > 0 || durably_linked(ino)) return;
    sim_fs_free_data(ino);
    i->type = IT_NONE;
}

static bool dir_changed(uint32_t dir) {
    for (uint32_t d = 0; d < dirent_hw; d++) {
        if (dirents[d].used && dirents[d].parent == dir && dirents[d].live != dirents[d].dlive)
            return true;
    }
    return false;
}

/* Makes dirent d's current state durable, and (a rename spanning two directories commits as
 * one) every other entry its change touched. */
static void settle_dirent(uint32_t d) {
    struct sim_dirent *e = &dirents[d];
    SIM_ASSERT(e->used);
    uint32_t ino = e->ino;
    bool changed = e->live != e->dlive;
    e->dlive = e->live;
    if (!e->live) {
        e->used = false;
        sim_inode_unref_check(ino);
    }
    if (!changed) return;
    for (uint32_t o = 0; o < dirent_hw; o++) {
        if (dirents[o].used && dirents[o].change == e->change &&
            dirents[o].live != dirents[o].dlive)
            settle_dirent(o);
    }
}

void sim_fs_sync_dir(uint32_t dir) {
    SIM_ASSERT(sim_inodes[dir].type == IT_DIR);
    for (uint32_t d = 0; d < dirent_hw; d++) {
        if (dirents[d].used && dirents[d].parent == dir) settle_dirent(d);
    }
    SIM_ASSERT(!dir_changed(dir));
}

/* Crash, for one change (a create, link, unlink, or a whole rename): all its entries go back
 * to their durable state or all stay as they are now. */
static void crash_change(uint32_t change, bool lose) {
    for (uint32_t d = 0; d < dirent_hw; d++) {
        struct sim_dirent *e = &dirents[d];
        if (!e->used || e->change != change || e->live == e->dlive) continue;
        if (lose) {
            if (e->live) sim_inodes[e->ino].nlink--;
            else sim_inodes[e->ino].nlink++;
            e->live = e->dlive;
        } else {
            e->dlive = e->live;
        }
        if (!e->live) e->used = false;
        SIM_ASSERT(!e->used || e->live == e->dlive);
    }
}

/* Crash: each entry change not made durable by a directory fsync is lost or kept on its own,
 * by the seed (ext4 may commit some and not others); a rename's halves share one decision. */
static void crash_dirents(void) {
    for (uint32_t d = 0; d < dirent_hw; d++) {
        const struct sim_dirent *e = &dirents[d];
        if (e->used && e->live != e->dlive)
            crash_change(e->change, sim_fault(RINGER_SIM_FAULT_LOST_UNSYNCED, true));
    }
    for (uint32_t i = 0; i < inode_hw; i++)
        SIM_ASSERT(sim_inodes[i].type != IT_DIR || !dir_changed(i));
}

void sim_fs_crash(void) {
    sim_fs_crash_stale();
    crash_dirents();
    for (uint32_t i = 0; i < inode_hw; i++) {
        struct sim_inode *ino = &sim_inodes[i];
        if (ino->type == IT_NONE) continue;
        ino->lock_ex_file = SIM_NONE;
        ino->lock_sh_count = 0;
        ino->other_lock_attempts = 0;
        SIM_ASSERT(ino->open == 0);
        sim_fs_crash_data(i);
    }
    for (uint32_t i = 0; i < inode_hw; i++) {
        if (sim_inodes[i].type != IT_NONE && sim_inodes[i].nlink == 0 &&
            sim_inodes[i].type != IT_DIR)
            sim_inode_unref_check(i);
    }
}

static uint64_t inode_size(const struct sim_inode *i) {
    return i->type == IT_BLK ? 0 : i->type == IT_DIR ? 4096 : i->size;
}

void sim_fs_fill_stat(uint32_t ino, struct stat *st) {
    const struct sim_inode *i = &sim_inodes[ino];
    SIM_ASSERT(i->type != IT_NONE);
    memset(st, 0, sizeof *st);
    st->st_dev = 0x800 + i->mount;
    st->st_ino = ino + 2;
    st->st_mode = i->mode | (i->type == IT_DIR ? S_IFDIR : i->type == IT_BLK ? S_IFBLK : S_IFREG);
    st->st_nlink = i->type == IT_DIR ? 2 : i->nlink;
    st->st_size = (off_t)inode_size(i);
    st->st_blksize = 4096;
    st->st_blocks = (blkcnt_t)((inode_size(i) + 511) / 512);
    st->st_rdev = i->type == IT_BLK ? 0x803 : 0;
    uint64_t t = 1700000000ull * SIM_NS_PER_S + i->mtime_ns;
    st->st_mtim.tv_sec = st->st_atim.tv_sec = (time_t)(t / SIM_NS_PER_S);
    st->st_mtim.tv_nsec = st->st_atim.tv_nsec = (long)(t % SIM_NS_PER_S);
    st->st_ctim = st->st_mtim;
}

void sim_fs_fill_statx(uint32_t ino, struct statx *st) {
    struct stat s;
    sim_fs_fill_stat(ino, &s);
    memset(st, 0, sizeof *st);
    st->stx_mask = STATX_BASIC_STATS;
    st->stx_blksize = (uint32_t)s.st_blksize;
    st->stx_nlink = (uint32_t)s.st_nlink;
    st->stx_mode = (uint16_t)s.st_mode;
    st->stx_ino = s.st_ino;
    st->stx_size = (uint64_t)s.st_size;
    st->stx_blocks = (uint64_t)s.st_blocks;
    st->stx_dev_major = (uint32_t)(s.st_dev >> 8);
    st->stx_dev_minor = (uint32_t)(s.st_dev & 0xff);
    st->stx_rdev_major = (uint32_t)(s.st_rdev >> 8);
    st->stx_rdev_minor = (uint32_t)(s.st_rdev & 0xff);
    st->stx_atime.tv_sec = st->stx_mtime.tv_sec = st->stx_ctime.tv_sec = s.st_mtim.tv_sec;
    st->stx_atime.tv_nsec = st->stx_mtime.tv_nsec = st->stx_ctime.tv_nsec =
        (uint32_t)s.st_mtim.tv_nsec;
}

/* The live name of ino in its parent, or SIM_NONE. */
static uint32_t name_of(uint32_t ino) {
    for (uint32_t d = 0; d < dirent_hw; d++) {
        if (dirents[d].used && dirents[d].live && dirents[d].ino == ino) return d;
    }
    return SIM_NONE;
}

/* For readable events: the path of ino from "/" by its live names ("" if it has none). */
void sim_fs_path_of(uint32_t ino, char *out, size_t size) {
    SIM_ASSERT(out != NULL && size > 0);
    out[0] = '\0';
    if (ino >= RINGER_SIM_MAX_INODES || sim_inodes[ino].type == IT_NONE) return;
    if (ino == sim_mounts[RINGER_SIM_MOUNT_ROOT].root) {
        snprintf(out, size, "/");
        return;
    }
    uint32_t chain[16], depth = 0;
    for (uint32_t at = ino; at != sim_mounts[RINGER_SIM_MOUNT_ROOT].root && depth < 16; depth++) {
        uint32_t d = name_of(at);
        if (d == SIM_NONE) return; /* unlinked: no name */
        chain[depth] = d;
        at = dirents[d].parent;
    }
    size_t used = 0;
    while (depth > 0 && used < size) {
        const char *name = dirents[chain[--depth]].name;
        used += (size_t)snprintf(out + used, size - used, "/%s", name);
    }
}
