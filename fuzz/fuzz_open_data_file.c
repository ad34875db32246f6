/*
 * fuzz_open_data_file: ringer_open_data_file against a file system the input shapes.
 *
 * The input picks the mounts' knobs (tmpfs or disk, Direct I/O or not, fallocate or not,
 * block size, a small capacity for ENOSPC), what already sits at the path (nothing, a
 * regular file of an odd size, a directory, a block device with zeros or garbage), a lock
 * held by another process for k attempts, storage faults (with the entropy bytes deciding
 * each opportunity), then a few calls with each purpose and Direct I/O mode, valid and
 * invalid arguments, and crashes between them.
 *
 * Checks (open_data_file.md §2, §3, §5; loop.md I10): the result is 0 with an fd, or a
 * documented errno with *fd == -1; on success O_DSYNC is set, O_DIRECT is set exactly when
 * the rules say so, the file is at least the requested size, created files have mode 0600,
 * and the fd holds the lock (or INSPECT reports data_file_unlocked); nothing is truncated
 * or overwritten by OPEN, INSPECT or a refused FORMAT; no fd is leaked and no file is left
 * behind (no probe, no half-made format); a formatted file on a durable mount survives a
 * crash at its full size.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <ringer.h>
#include <ringer_sim.h>

#include "check.h"
#include "input.h"
#include "sim_internal.h" /* read-only: the inode table, to find leftover files */
#include "world.h"

#define MAX_CALLS   6u
#define TARGET_NAME "data"
#define MiB         (1024u * 1024u)

enum existing { EXIST_NONE, EXIST_FILE, EXIST_DIR, EXIST_BLOCK, EXIST_COUNT };

struct durable {
    bool expected;
    char path[96];
    uint64_t size;
};

struct odf {
    struct fuzz_input program;
    struct ringer_io io;
    uint8_t mount;
    const char *dir_path;
    char target_path[64];
    int dir_fd, file_fd; /* file_fd: an open regular file, for ENOTDIR */
    bool mount_tmpfs, mount_direct_io;
    struct durable durable;
};

static struct odf odf;
#define CAPTURE_SIZE (2 * MiB)
static uint8_t scratch[2 * MiB];
static uint8_t captured_before[CAPTURE_SIZE], captured_after[CAPTURE_SIZE];

static const char *const mount_dirs[] = {"/data", "/tmp", "/r"};
static const uint8_t mount_ids[] = {RINGER_SIM_MOUNT_DATA, RINGER_SIM_MOUNT_TMP,
                                    RINGER_SIM_MOUNT_ROOT};
static const uint64_t capacities[] = {0, 64 * 1024, 1 * MiB, 8192, 16 * MiB};
static const uint64_t existing_sizes[] = {4096, 0, 1, 4095, 8192, 12295, 1 * MiB, 65536};
static const uint64_t device_sizes[] = {1 * MiB, 4096, 8192, 2 * MiB, 12288};
static const uint64_t lock_attempts[] = {0, 1, 4, 5, 6, 1000};
static const uint64_t request_sizes[] = {4096, 8192,    65536,    0,
                                         4097, 1 * MiB, 32 * MiB, UINT64_MAX - 4095};

/* Every errno open_data_file.md §3 documents. */
static bool documented_errno(int rc) {
    static const int documented[] = {
        EINVAL, EBADF,  ENOENT,       EISDIR, EEXIST,  EBUSY,  EOPNOTSUPP, EWOULDBLOCK,
        ESTALE, EFBIG,  EIO,          ENOSPC, EDQUOT,  EACCES, EPERM,      EROFS,
        EMFILE, ENFILE, ENAMETOOLONG, ELOOP,  ENOTDIR, ENOTTY, ENOLCK,
    };
    for (size_t i = 0; i < sizeof(documented) / sizeof(documented[0]); i++) {
        if (rc == -documented[i]) return true;
    }
    return false;
}

/* Regular files with a name, on every mount: a probe or a failed format left behind shows
 * up here. Unlinked files that are still open do not count. */
static uint32_t named_regular_files(void) {
    uint32_t count = 0;
    for (uint32_t i = 0; i < RINGER_SIM_MAX_INODES; i++) {
        count += sim_inodes[i].type == IT_REG && sim_inodes[i].nlink > 0;
    }
    FUZZ_ASSERT(count <= RINGER_SIM_MAX_INODES);
    return count;
}

static uint32_t open_fd_count(void) {
    int fds[RINGER_SIM_MAX_FDS];
    uint32_t count = ringer_sim_open_fds(fds, RINGER_SIM_MAX_FDS);
    FUZZ_ASSERT(count <= RINGER_SIM_MAX_FDS);
    return count;
}

/* ---- what sits at a path ---- */

struct snapshot {
    bool exists;
    uint32_t type; /* S_IFMT bits */
    uint64_t size;
    uint8_t *bytes; /* the first `captured` bytes of the contents */
    int64_t captured;
};

/* Contents are kept, not hashed: a memcmp is far cheaper than a byte loop under coverage
 * instrumentation. `bytes` is one of two static buffers (before and after). */
static struct snapshot snapshot_of(const char *path, uint8_t *bytes) {
    struct snapshot snap = {false, 0, 0, bytes, 0};
    struct stat st;
    if (ringer_sim_stat(path, &st) != 0) return snap;
    snap.exists = true;
    snap.type = st.st_mode & S_IFMT;
    snap.size = (uint64_t)st.st_size;
    if (snap.type != S_IFREG && snap.type != S_IFBLK) return snap;
    snap.captured = ringer_sim_read_file(path, bytes, CAPTURE_SIZE, 0);
    /* A latent bad sector (a fault the call's own reads may trigger) fails even the test
     * hook's read: only sizes are compared then. */
    FUZZ_CHECK(snap.captured >= 0 || snap.captured == -EIO, "ringer_sim_read_file(%s): %lld", path,
               (long long)snap.captured);
    return snap;
}

/* ---- the file system the input shapes ---- */

static void choose_mounts(struct fuzz_input *in, struct ringer_sim_options *options) {
    for (uint32_t m = 0; m < RINGER_SIM_MOUNT_COUNT; m++) {
        uint8_t knobs = fuzz_u8(in);
        struct ringer_sim_mount_options *mount = &options->mounts[m];
        mount->tmpfs = (knobs & 1) != 0;
        mount->not_tmpfs = (knobs & 2) != 0;
        mount->no_direct_io = (knobs & 4) != 0;
        mount->no_fallocate = (knobs & 8) != 0;
        mount->block_size = (knobs & 16) ? 4096 : 512;
        mount->capacity = capacities[(knobs >> 5) % (sizeof(capacities) / sizeof(capacities[0]))];
    }
}

static void write_existing_file(const char *path, uint64_t size, uint8_t pattern) {
    int fd = ringer_sim_open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0644);
    FUZZ_CHECK(fd >= 0, "open(%s): errno %d", path, errno);
    memset(scratch, pattern, sizeof(scratch));
    uint64_t done = 0;
    while (done < size) {
        uint64_t chunk = size - done < sizeof(scratch) ? size - done : sizeof(scratch);
        ssize_t n = ringer_sim_pwrite(fd, scratch, chunk, (off_t)done);
        if (n <= 0) break; /* a small capacity: the file is simply shorter */
        done += (uint64_t)n;
    }
    ringer_sim_fsync(fd); /* durable, so a crash cannot take it away */
    ringer_sim_close(fd);
}

/* A block device, zero or with one non-zero sector where the input says: inside the first
 * MiB a FORMAT must refuse it (-EEXIST), past it the device counts as blank. The sim's own
 * `garbage` draws from the entropy stream, which is still empty during setup. */
static void add_block_device(const char *path, uint64_t size, uint8_t garbage) {
    static const uint64_t garbage_offsets[] = {0, 4096, MiB - 4096, MiB, 8192};
    int rc = ringer_sim_add_block_device(path, size, false);
    FUZZ_CHECK(rc == 0, "ringer_sim_add_block_device(%s): %d", path, rc);
    if (garbage == 0) return;
    const uint64_t offset = garbage_offsets[garbage % 5];
    int fd = ringer_sim_open(path, O_RDWR | O_CLOEXEC);
    FUZZ_CHECK(fd >= 0, "open(%s): errno %d", path, errno);
    memset(scratch, 0xa5, RINGER_SECTOR_SIZE);
    if (offset < size) ringer_sim_pwrite(fd, scratch, RINGER_SECTOR_SIZE, (off_t)offset);
    ringer_sim_fsync(fd);
    ringer_sim_close(fd);
}

/* What already exists at the target, made durable, plus a lock another process holds. */
static void populate(struct odf *o) {
    struct fuzz_input *in = &o->program;
    switch (fuzz_below(in, EXIST_COUNT)) {
    case EXIST_FILE:
        write_existing_file(o->target_path, FUZZ_PICK(in, existing_sizes), fuzz_u8(in));
        break;
    case EXIST_DIR:
        ringer_sim_make_dir(o->target_path);
        break;
    case EXIST_BLOCK:
        add_block_device(o->target_path, FUZZ_PICK(in, device_sizes), fuzz_u8(in));
        break;
    default:
        break;
    }
    uint32_t attempts = (uint32_t)FUZZ_PICK(in, lock_attempts);
    if (attempts > 0) ringer_sim_hold_lock(o->target_path, attempts);
    int dir = ringer_sim_open(o->dir_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    FUZZ_CHECK(dir >= 0, "open(%s): errno %d", o->dir_path, errno);
    ringer_sim_fsync(dir); /* the entries above are durable too */
    ringer_sim_close(dir);
}

/* Opens the directory and a plain file (an fd that is not a directory) and a fresh ring. */
static void open_handles(struct odf *o) {
    o->dir_fd = ringer_open_dir(o->dir_path);
    FUZZ_CHECK(o->dir_fd >= 0, "ringer_open_dir(%s): %d", o->dir_path, o->dir_fd);
    FUZZ_CHECK(ringer_open_dir("/tmp/missing") == -ENOENT, "ringer_open_dir of nothing");
    o->file_fd = ringer_sim_open("/tmp/plain", O_CREAT | O_RDONLY | O_CLOEXEC, 0600);
    FUZZ_CHECK(o->file_fd >= 0, "open(/tmp/plain): errno %d", errno);
    int rc = ringer_init(&o->io, 1, 0);
    FUZZ_CHECK(rc == 0, "ringer_init: %d", rc);
}

static void setup(struct odf *o, const struct fuzz_split *split) {
    struct ringer_sim_options options;
    fuzz_world_options(&o->program, FUZZ_FAULTS_STORAGE, &options);
    choose_mounts(&o->program, &options);
    uint8_t mount_choice = (uint8_t)fuzz_below(&o->program, 3);
    o->mount = mount_ids[mount_choice];
    o->dir_path = mount_dirs[mount_choice];
    const struct ringer_sim_mount_options *mount = &options.mounts[o->mount];
    o->mount_tmpfs = o->mount == RINGER_SIM_MOUNT_TMP ? !mount->not_tmpfs : mount->tmpfs;
    o->mount_direct_io = !o->mount_tmpfs && !mount->no_direct_io;
    fuzz_world_start(&options, split);
    ringer_sim_umask(0); /* so a created file's mode is exactly what the library asked */
    if (o->mount == RINGER_SIM_MOUNT_ROOT) ringer_sim_make_dir("/r");
    snprintf(o->target_path, sizeof(o->target_path), "%s/%s", o->dir_path, TARGET_NAME);
    char sub[64];
    snprintf(sub, sizeof(sub), "%s/sub", o->dir_path);
    ringer_sim_make_dir(sub);
    write_existing_file("/tmp/plain", 0, 0);
    populate(o);
    open_handles(o);
}

/* ---- one call and its checks ---- */

struct call {
    int dir_fd;
    const char *path;
    char full_path[96];
    uint64_t size;
    int purpose, direct_io;
    bool arguments_valid, only_dir_invalid;
    bool keep; /* on success, keep the fd (and its lock) open for the next calls */
};

static struct call choose_call(struct odf *o) {
    static const char *const paths[] = {TARGET_NAME, TARGET_NAME,    "",
                                        "/abs",      "missing/data", "sub"};
    struct fuzz_input *in = &o->program;
    struct call call;
    const int dirs[] = {o->dir_fd, o->dir_fd, AT_FDCWD, 999, o->file_fd};
    call.dir_fd = dirs[fuzz_below(in, sizeof(dirs) / sizeof(dirs[0]))];
    call.path = paths[fuzz_below(in, sizeof(paths) / sizeof(paths[0]))];
    call.size = FUZZ_PICK(in, request_sizes);
    call.purpose = (int)fuzz_below(in, 4);   /* 3 is not a purpose */
    call.direct_io = (int)fuzz_below(in, 4); /* 3 is not a mode */
    call.keep = fuzz_bool(in); /* read whatever the outcome, so later calls stay aligned */
    snprintf(call.full_path, sizeof(call.full_path), "%s/%s", o->dir_path, call.path);
    const bool path_ok = call.path[0] != '\0' && call.path[0] != '/';
    const bool size_ok = call.size > 0 && call.size % RINGER_SECTOR_SIZE == 0;
    const bool enums_ok = call.purpose < 3 && call.direct_io < 3;
    call.arguments_valid = path_ok && size_ok && enums_ok && call.dir_fd != AT_FDCWD;
    call.only_dir_invalid = path_ok && size_ok && enums_ok && call.dir_fd == AT_FDCWD;
    return call;
}

/* §5: O_DSYNC always; O_DIRECT exactly when §1 says; the size; the mode; the lock. */
static void check_success(struct odf *o, const struct call *call, int fd, bool created) {
    const struct ringer_stats stats = ringer_stats(&o->io);
    int flags = ringer_sim_fcntl(fd, F_GETFL);
    FUZZ_CHECK(flags >= 0 && (flags & O_DSYNC) != 0, "the data file lacks O_DSYNC (I10)");
    const bool direct = (flags & O_DIRECT) != 0;
    FUZZ_CHECK(direct == stats.data_file_direct_io, "O_DIRECT %d, but data_file_direct_io %d",
               direct, stats.data_file_direct_io);
    struct stat st;
    FUZZ_CHECK(ringer_sim_fstat(fd, &st) == 0, "fstat of the data file: errno %d", errno);
    const bool block = S_ISBLK(st.st_mode);
    FUZZ_CHECK(call->direct_io != RINGER_DIRECT_IO_DISABLED || !direct, "O_DIRECT though DISABLED");
    if (!block) {
        FUZZ_CHECK(stats.data_file_tmpfs == o->mount_tmpfs,
                   "data_file_tmpfs %d on a mount "
                   "whose tmpfs is %d",
                   stats.data_file_tmpfs, o->mount_tmpfs);
        FUZZ_CHECK(!direct || o->mount_direct_io, "O_DIRECT on a mount without it");
        FUZZ_CHECK(direct || call->direct_io != RINGER_DIRECT_IO_REQUIRED || o->mount_tmpfs,
                   "Direct I/O REQUIRED, but the file was opened without it");
        FUZZ_CHECK((uint64_t)st.st_size >= call->size, "file of %lld bytes, %llu requested",
                   (long long)st.st_size, (unsigned long long)call->size);
    } else {
        /* OPTIONAL may fall back when the device refuses O_DIRECT (§1 step 7). */
        FUZZ_CHECK(direct || call->direct_io != RINGER_DIRECT_IO_REQUIRED,
                   "block device opened without O_DIRECT though it was REQUIRED");
    }
    if (created) FUZZ_CHECK((st.st_mode & 0777) == 0600, "created with mode %o", st.st_mode & 0777);
    if (stats.data_file_unlocked) {
        FUZZ_CHECK(call->purpose == RINGER_DATA_FILE_INSPECT, "unlocked, but not INSPECT");
        return;
    }
    int other = ringer_sim_open(call->full_path, O_RDONLY | O_CLOEXEC);
    FUZZ_CHECK(other >= 0, "second open of %s: errno %d", call->full_path, errno);
    int locked = ringer_sim_flock(other, LOCK_EX | LOCK_NB);
    const int lock_errno = errno;
    ringer_sim_close(other);
    FUZZ_CHECK(locked != 0 && lock_errno == EWOULDBLOCK,
               "the data file's fd holds no lock "
               "(flock from another description: %d, errno %d)",
               locked, lock_errno);
}

/* §3 and §2: a documented errno, *fd == -1, and the arguments' errors exactly. */
static void check_result(const struct call *call, int rc, int fd) {
    if (rc == 0) {
        FUZZ_CHECK(fd >= 0, "success with fd %d", fd);
        FUZZ_CHECK(call->arguments_valid, "success with invalid arguments");
        return;
    }
    FUZZ_CHECK(fd == -1, "failure %d left *fd = %d, not -1", rc, fd);
    FUZZ_CHECK(documented_errno(rc), "undocumented result %d (open_data_file.md §3)", rc);
    if (call->only_dir_invalid) FUZZ_CHECK(rc == -EBADF, "AT_FDCWD gave %d, not -EBADF", rc);
    if (!call->arguments_valid && !call->only_dir_invalid) {
        FUZZ_CHECK(rc == -EINVAL || rc == -EBADF, "invalid arguments gave %d", rc);
    }
}

#define MAX_KEPT_FDS MAX_CALLS
static int kept_fds[MAX_KEPT_FDS];
static uint32_t kept_count;

static void call_once(struct odf *o) {
    const struct call call = choose_call(o);
    const bool at_target = strcmp(call.path, TARGET_NAME) == 0;
    const struct snapshot before = snapshot_of(call.full_path, captured_before);
    const uint32_t fds_before = open_fd_count();
    const uint32_t files_before = named_regular_files();
    int fd = 12345;
    int rc = ringer_open_data_file(&o->io, call.dir_fd, call.path, call.size,
                                   (enum ringer_data_file_purpose)call.purpose,
                                   (enum ringer_direct_io)call.direct_io, &fd);
    if (getenv("FUZZ_TRACE") != NULL) {
        fprintf(stderr, "fuzz: open_data_file(%s, size %llu, purpose %d, direct %d) = %d\n",
                call.full_path, (unsigned long long)call.size, call.purpose, call.direct_io, rc);
    }
    check_result(&call, rc, fd);
    const bool created = rc == 0 && !before.exists;
    FUZZ_CHECK(!created || call.purpose == RINGER_DATA_FILE_FORMAT, "a file appeared without "
                                                                    "FORMAT");
    FUZZ_CHECK(open_fd_count() == fds_before + (rc == 0),
               "fd leak: %u open before, %u after, "
               "result %d (open_data_file.md §2)",
               fds_before, open_fd_count(), rc);
    FUZZ_CHECK(named_regular_files() == files_before + created,
               "files: %u before, %u after, "
               "result %d: a probe or a failed format was left behind (§2)",
               files_before, named_regular_files(), rc);
    const struct snapshot after = snapshot_of(call.full_path, captured_after);
    if (before.exists) {
        FUZZ_CHECK(after.exists && after.type == before.type && after.size == before.size &&
                       (before.captured < 0 || after.captured < 0 ||
                        (after.captured == before.captured &&
                         memcmp(after.bytes, before.bytes, (size_t)before.captured) == 0)),
                   "%s changed (exists %d, type %o -> %o, size %llu -> %llu, read %lld -> %lld) "
                   "under purpose %d, result %d: nothing is truncated or overwritten",
                   call.full_path, after.exists, before.type, after.type,
                   (unsigned long long)before.size, (unsigned long long)after.size,
                   (long long)before.captured, (long long)after.captured, call.purpose, rc);
    } else if (rc != 0) {
        FUZZ_CHECK(!after.exists, "a failed call (%d) left %s behind (§2)", rc, call.full_path);
    }
    if (rc != 0) return;
    check_success(o, &call, fd, created);
    if (at_target && call.purpose == RINGER_DATA_FILE_FORMAT && created && !o->mount_tmpfs) {
        o->durable.expected = true;
        snprintf(o->durable.path, sizeof(o->durable.path), "%s", call.full_path);
        o->durable.size = call.size;
    }
    if (call.keep && kept_count < MAX_KEPT_FDS) {
        kept_fds[kept_count++] = fd; /* still locked: the next call meets our own lock */
    } else {
        ringer_sim_close(fd);
    }
}

/* Power loss: everything not durable may go; what FORMAT made must survive in full. The
 * old ringer_io is abandoned, as after a real crash. */
static void crash(struct odf *o) {
    ringer_sim_crash();
    kept_count = 0;
    if (o->durable.expected) {
        struct stat st;
        int rc = ringer_sim_stat(o->durable.path, &st);
        FUZZ_CHECK(rc == 0, "%s, formatted on a durable mount, vanished in a crash",
                   o->durable.path);
        FUZZ_CHECK((uint64_t)st.st_size >= o->durable.size,
                   "%s shrank to %lld bytes in a "
                   "crash; %llu were formatted",
                   o->durable.path, (long long)st.st_size, (unsigned long long)o->durable.size);
    }
    open_handles(o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    struct odf *o = &odf;
    struct fuzz_split split = fuzz_input_split(data, size);
    memset(o, 0, sizeof(*o));
    kept_count = 0;
    o->program = split.program;
    setup(o, &split);
    fuzz_world_unleash(&split);
    for (uint32_t i = 0; i < MAX_CALLS && !fuzz_exhausted(&o->program); i++) {
        if (fuzz_below(&o->program, 4) == 0) {
            crash(o);
        } else {
            call_once(o);
        }
    }
    while (kept_count > 0) ringer_sim_close(kept_fds[--kept_count]);
    ringer_sim_close(o->dir_fd);
    ringer_sim_close(o->file_fd);
    ringer_deinit(&o->io);
    fuzz_world_stop();
    return 0;
}
