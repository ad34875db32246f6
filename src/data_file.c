/*
 * ringer_open_data_file: open or create a data file or block device for durable,
 * sector-aligned I/O (open_data_file.md). Model: TigerBeetle src/io/linux.zig,
 * open_data_file. Where TigerBeetle asserts or panics, ringer returns a negated errno
 * (open_data_file.md §3) and cleans up (§2): it never aborts on anything the kernel or
 * the environment controls.
 *
 * The steps run in the order of open_data_file.md §1. Each step is a helper that returns 0
 * or a negated errno. Until step 7 opens the target, the only resources are the probe's,
 * and the probe cleans those up itself; from step 7 on, data_file_cleanup() undoes the
 * open (and, for FORMAT on a file, the create).
 */
#include <string.h>

#include "internal.h"

/* statfs.f_type of tmpfs (TMPFS_MAGIC). */
#define DATA_FILE_TMPFS_MAGIC     0x01021994
/* Bounds every EINTR retry loop, so that a persistent EINTR ends in -EINTR, not a hang. */
#define DATA_FILE_EINTR_MAX       16u
/* Lock attempts and the sleep between them: about 200 ms in all (step 9). */
#define DATA_FILE_LOCK_ATTEMPTS   5u
#define DATA_FILE_LOCK_SLEEP_NS   (50u * 1000u * 1000u)
/* The zone a block-device FORMAT requires to be zero (step 13). */
#define DATA_FILE_ZERO_ZONE       (1024u * 1024u)
/* Probe names drawn before giving up on EEXIST (step 5b). */
#define DATA_FILE_PROBE_NAMES     4u
#define DATA_FILE_PROBE_PREFIX    ".ringer-direct-io-"
#define DATA_FILE_PROBE_RANDOM    8u
/* The prefix, two hex digits per random byte, and the terminating NUL. */
#define DATA_FILE_PROBE_NAME_SIZE (sizeof(DATA_FILE_PROBE_PREFIX) + 2u * DATA_FILE_PROBE_RANDOM)

enum data_file_kind {
    DATA_FILE_KIND_FILE,
    DATA_FILE_KIND_BLOCK,
};

/* The outcome of the Direct I/O probe (step 5b). */
enum data_file_probe {
    DATA_FILE_PROBE_SUPPORTED,
    DATA_FILE_PROBE_UNSUPPORTED,
    DATA_FILE_PROBE_SKIPPED, /* the directory is not writable: step 7 tries the target */
};

/* One call's arguments and the state its steps build up. */
struct data_file {
    struct ringer_io *io;
    int dir_fd;
    const char *path;
    uint64_t size;
    enum ringer_data_file_purpose purpose;
    enum ringer_direct_io direct_io;
    enum data_file_kind kind;
    int flags;
    mode_t mode;
    int fd;       /* -1 until step 7 succeeds */
    bool created; /* FORMAT created the file at `path` (O_CREAT | O_EXCL proves it) */
};

/*
 * Returns true when the failed call that just set errno should be retried because of
 * EINTR, counting the retry; false when errno is something else or the bound is used up.
 * Leaves errno untouched either way.
 */
static bool data_file_eintr_again(uint32_t *interrupted) {
    RINGER_ASSERT(interrupted != NULL);
    if (errno != EINTR || *interrupted >= DATA_FILE_EINTR_MAX) {
        return false;
    }
    *interrupted += 1;
    return true;
}

/* The 4096-byte-aligned sector inside io->scratch (O_DIRECT needs an aligned buffer). */
static uint8_t *data_file_sector(struct ringer_io *io) {
    uintptr_t misalignment = (uintptr_t)io->scratch % RINGER_SECTOR_SIZE;
    uint8_t *sector = io->scratch + (RINGER_SECTOR_SIZE - misalignment) % RINGER_SECTOR_SIZE;
    RINGER_ASSERT((uintptr_t)sector % RINGER_SECTOR_SIZE == 0);
    RINGER_ASSERT(sector + RINGER_SECTOR_SIZE <= io->scratch + sizeof(io->scratch));
    return sector;
}

/* ---- step 1: arguments ---- */

/*
 * TigerBeetle asserts these; ringer returns -EINVAL (or -EBADF for AT_FDCWD). The path must
 * be relative because openat would ignore dir_fd for an absolute one, and dir_fd must be a
 * real directory because step 11 fsyncs it.
 */
static int data_file_check_arguments(const struct data_file *file) {
    RINGER_ASSERT(file->fd == -1);
    RINGER_ASSERT(file->path != NULL);
    if (file->path[0] == '\0' || file->path[0] == '/') {
        return -EINVAL;
    }
    if (file->size == 0 || file->size % RINGER_SECTOR_SIZE != 0) {
        return -EINVAL;
    }
    /* Casts to unsigned so that a negative value counts as unknown too. */
    if ((unsigned int)file->purpose > (unsigned int)RINGER_DATA_FILE_INSPECT ||
        (unsigned int)file->direct_io > (unsigned int)RINGER_DIRECT_IO_DISABLED) {
        return -EINVAL;
    }
    if (file->dir_fd == AT_FDCWD || file->dir_fd < 0) {
        return -EBADF;
    }
    struct stat st;
    if (fstat(file->dir_fd, &st) != 0) {
        return negated_errno();
    }
    /* The kernel's own answer for a relative path under a non-directory dir_fd. */
    return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

/* ---- step 3: kind ---- */

static int data_file_detect_kind(struct data_file *file) {
    struct stat st;
    if (fstatat(file->dir_fd, file->path, &st, 0) != 0) {
        /* A new block device cannot be told apart from a file not yet created. */
        if (errno == ENOENT && file->purpose == RINGER_DATA_FILE_FORMAT) {
            file->kind = DATA_FILE_KIND_FILE;
            return 0;
        }
        return negated_errno();
    }
    if (S_ISBLK(st.st_mode)) {
        file->kind = DATA_FILE_KIND_BLOCK;
        return 0;
    }
    if (S_ISREG(st.st_mode)) {
        file->kind = DATA_FILE_KIND_FILE;
        return 0;
    }
    return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
}

/* ---- step 4: block device ---- */

static void data_file_block_flags(struct data_file *file) {
    RINGER_ASSERT(file->kind == DATA_FILE_KIND_BLOCK);
    if (file->direct_io != RINGER_DIRECT_IO_DISABLED) {
        file->flags |= O_DIRECT;
    }
    /* On a block device O_EXCL is an exclusive open (EBUSY while mounted or held).
     * INSPECT skips it so that it can look at a device in use (ours). */
    if (file->purpose != RINGER_DATA_FILE_INSPECT) {
        file->flags |= O_EXCL;
    }
}

/* ---- step 5a: tmpfs ---- */

static int data_file_is_tmpfs(const struct data_file *file, bool *tmpfs) {
    struct statfs st;
    uint32_t interrupted = 0;
    int rc;
    do {
        rc = fstatfs(file->dir_fd, &st);
    } while (rc != 0 && data_file_eintr_again(&interrupted));
    if (rc != 0) {
        return negated_errno();
    }
    *tmpfs = st.f_type == DATA_FILE_TMPFS_MAGIC;
    return 0;
}

/* ---- step 5b: the Direct I/O probe ---- */

/* `.ringer-direct-io-<16 hex digits>`: random so that processes sharing the directory never
 * race on one name (TigerBeetle commit 799a1131a). */
static int data_file_probe_name(char name[DATA_FILE_PROBE_NAME_SIZE]) {
    static const char hex[] = "0123456789abcdef";
    uint8_t random[DATA_FILE_PROBE_RANDOM];
    size_t filled = 0;
    uint32_t interrupted = 0;
    while (filled < sizeof(random)) {
        ssize_t n = getrandom(random + filled, sizeof(random) - filled, 0);
        if (n < 0) {
            if (data_file_eintr_again(&interrupted)) {
                continue;
            }
            return negated_errno();
        }
        RINGER_ASSERT((size_t)n <= sizeof(random) - filled);
        filled += (size_t)n;
    }
    memcpy(name, DATA_FILE_PROBE_PREFIX, sizeof(DATA_FILE_PROBE_PREFIX) - 1);
    char *digits = name + sizeof(DATA_FILE_PROBE_PREFIX) - 1;
    for (size_t i = 0; i < sizeof(random); i++) {
        digits[2 * i] = hex[random[i] >> 4];
        digits[2 * i + 1] = hex[random[i] & 0xf];
    }
    digits[2 * sizeof(random)] = '\0';
    return 0;
}

/* Creates a fresh probe file; EEXIST draws a new name (ours: TigerBeetle used O_TRUNC on a
 * fixed name). Returns the fd or a negated errno (-EEXIST once every name collided), and
 * sets *unwritable only when the create itself says the directory is not writable: a
 * getrandom failure must not pass for that. */
static int data_file_probe_create(int dir_fd, char name[DATA_FILE_PROBE_NAME_SIZE],
                                  bool *unwritable) {
    *unwritable = false;
    int fd = -EEXIST;
    for (uint32_t attempt = 0; attempt < DATA_FILE_PROBE_NAMES; attempt++) {
        int rc = data_file_probe_name(name);
        if (rc != 0) {
            return rc;
        }
        uint32_t interrupted = 0;
        do {
            fd = openat(dir_fd, name, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600);
        } while (fd < 0 && data_file_eintr_again(&interrupted));
        if (fd >= 0) {
            return fd;
        }
        fd = negated_errno();
        if (fd != -EEXIST) {
            *unwritable = fd == -EACCES || fd == -EPERM || fd == -EROFS;
            return fd;
        }
    }
    RINGER_ASSERT(fd == -EEXIST);
    return fd;
}

/* Reopens the probe with O_DIRECT: success means supported, EINVAL means not. */
static int data_file_probe_reopen(int dir_fd, const char *name) {
    uint32_t interrupted = 0;
    int fd;
    do {
        fd = openat(dir_fd, name, O_RDONLY | O_DIRECT | O_CLOEXEC);
    } while (fd < 0 && data_file_eintr_again(&interrupted));
    if (fd >= 0) {
        (void)close(fd);
        return DATA_FILE_PROBE_SUPPORTED;
    }
    return errno == EINVAL ? DATA_FILE_PROBE_UNSUPPORTED : negated_errno();
}

/* Returns an enum data_file_probe, or a negated errno. Leaves no fd and no probe file. */
static int data_file_probe_direct_io(const struct data_file *file) {
    char name[DATA_FILE_PROBE_NAME_SIZE];
    bool unwritable = false;
    int created = data_file_probe_create(file->dir_fd, name, &unwritable);
    if (created < 0) {
        /* A read-only directory need not stop OPEN or INSPECT (ours): step 7 tries O_DIRECT
         * on the target itself, which is safe because nothing is created there. */
        if (unwritable && file->purpose != RINGER_DATA_FILE_FORMAT) {
            return DATA_FILE_PROBE_SKIPPED;
        }
        return created;
    }
    int result = data_file_probe_reopen(file->dir_fd, name);
    (void)close(created);
    (void)unlinkat(file->dir_fd, name, 0); /* a failed unlink is ignored (spec) */
    RINGER_ASSERT(result < 0 || result == DATA_FILE_PROBE_SUPPORTED ||
                  result == DATA_FILE_PROBE_UNSUPPORTED);
    return result;
}

/* ---- step 5: file ---- */

static int data_file_file_flags(struct data_file *file) {
    RINGER_ASSERT(file->kind == DATA_FILE_KIND_FILE);
    bool tmpfs = false;
    int rc = data_file_is_tmpfs(file, &tmpfs);
    if (rc != 0) {
        return rc;
    }
    /* TigerBeetle skips O_DIRECT on tmpfs even when REQUIRED, for tests and benchmarks;
     * tmpfs is never durable, and the stats flag says so. */
    file->io->stats.data_file_tmpfs = tmpfs;
    if (file->direct_io != RINGER_DIRECT_IO_DISABLED && !tmpfs) {
        int probe = data_file_probe_direct_io(file);
        if (probe < 0) {
            return probe;
        }
        if (probe != DATA_FILE_PROBE_UNSUPPORTED) {
            file->flags |= O_DIRECT;
        } else if (file->direct_io == RINGER_DIRECT_IO_REQUIRED) {
            return -EOPNOTSUPP;
        }
    }
    if (file->purpose == RINGER_DATA_FILE_FORMAT) {
        /* O_EXCL: an existing file gives EEXIST, and proves later that this call created
         * the file. 0600, as TigerBeetle since commit d65daf486. */
        file->flags |= O_CREAT | O_EXCL;
        file->mode = 0600;
    }
    return 0;
}

/* Steps 2 to 6: the flags and mode for the target's open. */
static int data_file_prepare(struct data_file *file) {
    /* TigerBeetle's flags. O_DSYNC makes each write durable when it completes, so the
     * design needs no fsync per write. */
    file->flags = O_CLOEXEC | O_DSYNC | O_LARGEFILE;
    file->flags |= file->purpose == RINGER_DATA_FILE_INSPECT ? O_RDONLY : O_RDWR;
    file->mode = 0;
    int rc = data_file_detect_kind(file);
    if (rc != 0) {
        return rc;
    }
    if (file->kind == DATA_FILE_KIND_BLOCK) {
        data_file_block_flags(file);
    } else {
        rc = data_file_file_flags(file);
        if (rc != 0) {
            return rc;
        }
    }
    /* Step 6: a library invariant, not an input check. */
    RINGER_ASSERT((file->flags & O_DSYNC) == O_DSYNC);
    return 0;
}

/* ---- step 7: open ---- */

static int data_file_openat(const struct data_file *file) {
    uint32_t interrupted = 0;
    int fd;
    do {
        fd = openat(file->dir_fd, file->path, file->flags, file->mode);
    } while (fd < 0 && data_file_eintr_again(&interrupted));
    return fd >= 0 ? fd : negated_errno();
}

/* Linux creates the file before it refuses O_DIRECT; O_EXCL proves this call created it,
 * so it goes, and a retry without O_DIRECT can create it again. */
static int data_file_unlink_refused(const struct data_file *file) {
    RINGER_ASSERT(file->purpose == RINGER_DATA_FILE_FORMAT);
    RINGER_ASSERT(file->kind == DATA_FILE_KIND_FILE && (file->flags & O_CREAT) != 0);
    if (unlinkat(file->dir_fd, file->path, 0) != 0 && errno != ENOENT) {
        return negated_errno(); /* it cannot be removed: report why, not EOPNOTSUPP */
    }
    return 0;
}

static int data_file_open(struct data_file *file) {
    RINGER_ASSERT(file->fd == -1);
    int fd = data_file_openat(file);
    /* EINVAL with O_DIRECT: the target's file system refuses Direct I/O. */
    if (fd == -EINVAL && (file->flags & O_DIRECT) != 0) {
        if (file->purpose == RINGER_DATA_FILE_FORMAT && file->kind == DATA_FILE_KIND_FILE) {
            int rc = data_file_unlink_refused(file);
            if (rc != 0) {
                return rc;
            }
        }
        if (file->direct_io == RINGER_DIRECT_IO_REQUIRED) {
            return -EOPNOTSUPP;
        }
        RINGER_ASSERT(file->direct_io == RINGER_DIRECT_IO_OPTIONAL);
        file->flags &= ~O_DIRECT;
        fd = data_file_openat(file);
    }
    if (fd < 0) {
        return fd;
    }
    file->fd = fd;
    file->created = file->purpose == RINGER_DATA_FILE_FORMAT && file->kind == DATA_FILE_KIND_FILE;
    return 0;
}

/* ---- step 8: kind again ---- */

/* A different kind means the path was swapped between fstatat and openat (TigerBeetle
 * asserts). */
static int data_file_recheck_kind(const struct data_file *file) {
    RINGER_ASSERT(file->fd >= 0);
    struct stat st;
    if (fstat(file->fd, &st) != 0) {
        return negated_errno();
    }
    bool same = file->kind == DATA_FILE_KIND_BLOCK ? S_ISBLK(st.st_mode) : S_ISREG(st.st_mode);
    return same ? 0 : -ESTALE;
}

/* ---- step 9: lock ---- */

/*
 * io_uring keeps a dead process's files, and so its lock, alive until that process's
 * in-flight requests drain (TigerBeetle commits 1928cf6c4, 9e708b88c, 5be75f890): retry
 * for about 200 ms before deciding that someone else really holds the lock.
 */
static int data_file_lock(const struct data_file *file) {
    RINGER_ASSERT(file->fd >= 0);
    uint32_t interrupted = 0;
    uint32_t attempts = 0;
    for (;;) {
        if (flock(file->fd, LOCK_EX | LOCK_NB) == 0) {
            return 0;
        }
        if (data_file_eintr_again(&interrupted)) {
            continue; /* does not use up an attempt */
        }
        if (errno != EWOULDBLOCK) {
            return negated_errno();
        }
        attempts += 1;
        if (attempts == DATA_FILE_LOCK_ATTEMPTS) {
            break;
        }
        time_sleep_ns(DATA_FILE_LOCK_SLEEP_NS);
    }
    RINGER_ASSERT(attempts == DATA_FILE_LOCK_ATTEMPTS);
    if (file->purpose == RINGER_DATA_FILE_INSPECT) {
        /* INSPECT goes on unlocked; its results may be inconsistent (TigerBeetle commit
         * 8b34c21f7). */
        file->io->stats.data_file_unlocked = true;
        return 0;
    }
    return -EWOULDBLOCK;
}

/* ---- step 10: allocate ---- */

/* The fallback sets the size by writing one zeroed, aligned sector at the end; the file
 * stays sparse. A write of 0 bytes gives -EIO (ours: TigerBeetle loops for ever). */
static int data_file_write_last_sector(const struct data_file *file) {
    uint8_t *sector = data_file_sector(file->io);
    memset(sector, 0, RINGER_SECTOR_SIZE);
    uint64_t offset = file->size - RINGER_SECTOR_SIZE;
    uint32_t done = 0;
    while (done < RINGER_SECTOR_SIZE) {
        uint32_t interrupted = 0;
        ssize_t n;
        do {
            n = pwrite(file->fd, sector + done, RINGER_SECTOR_SIZE - done, (off_t)(offset + done));
        } while (n < 0 && data_file_eintr_again(&interrupted));
        if (n < 0) {
            return negated_errno();
        }
        if (n == 0) {
            return -EIO;
        }
        RINGER_ASSERT((size_t)n <= RINGER_SECTOR_SIZE - done);
        done += (uint32_t)n;
    }
    return 0;
}

static int data_file_allocate(const struct data_file *file) {
    if (file->purpose != RINGER_DATA_FILE_FORMAT || file->kind != DATA_FILE_KIND_FILE) {
        return 0;
    }
    RINGER_ASSERT(file->fd >= 0 && file->created);
    if (file->size > (uint64_t)INT64_MAX) {
        return -EFBIG; /* no file can be that large, and off_t cannot say it */
    }
    uint32_t interrupted = 0;
    int rc;
    do {
        rc = fallocate(file->fd, 0, 0, (off_t)file->size);
    } while (rc != 0 && data_file_eintr_again(&interrupted));
    if (rc == 0) {
        return 0;
    }
    if (errno != EOPNOTSUPP) {
        return negated_errno();
    }
    file->io->stats.data_file_allocate_fallback = true;
    return data_file_write_last_sector(file);
}

/* ---- step 11: sync ---- */

static int data_file_fsync(int fd) {
    uint32_t interrupted = 0;
    int rc;
    do {
        rc = fsync(fd);
    } while (rc != 0 && data_file_eintr_again(&interrupted));
    return rc == 0 ? 0 : negated_errno();
}

/* No decision is based on data a crashed process never made durable, and the directory
 * fsync makes a new entry durable (dir_fd's own entry is the caller's job). */
static int data_file_sync(const struct data_file *file) {
    RINGER_ASSERT(file->fd >= 0);
    int rc = data_file_fsync(file->fd);
    if (rc != 0) {
        return rc;
    }
    return data_file_fsync(file->dir_fd);
}

/* ---- step 12: size ---- */

/* Too small gives -EFBIG: "the requested size is too big for this file". A larger file is
 * accepted (TigerBeetle commit cff7717c9). */
static int data_file_check_size(const struct data_file *file) {
    RINGER_ASSERT(file->fd >= 0);
    uint64_t bytes = 0;
    if (file->kind == DATA_FILE_KIND_FILE) {
        struct stat st;
        if (fstat(file->fd, &st) != 0) {
            return negated_errno();
        }
        RINGER_ASSERT(st.st_size >= 0);
        bytes = (uint64_t)st.st_size;
    } else if (ioctl(file->fd, BLKGETSIZE64, &bytes) != 0) {
        return negated_errno();
    }
    return bytes < file->size ? -EFBIG : 0;
}

/* ---- step 13: a block device to format must start with zeros ---- */

/* Reads one whole sector at `offset` with pread, so the file offset stays 0 (ours). */
static int data_file_read_sector(const struct data_file *file, uint8_t *sector, uint64_t offset) {
    uint32_t done = 0;
    while (done < RINGER_SECTOR_SIZE) {
        uint32_t interrupted = 0;
        ssize_t n;
        do {
            n = pread(file->fd, sector + done, RINGER_SECTOR_SIZE - done, (off_t)(offset + done));
        } while (n < 0 && data_file_eintr_again(&interrupted));
        if (n < 0) {
            return negated_errno();
        }
        if (n == 0) {
            return -EIO; /* the device ended before the size it reported */
        }
        RINGER_ASSERT((size_t)n <= RINGER_SECTOR_SIZE - done);
        done += (uint32_t)n;
    }
    return 0;
}

/*
 * Anything non-zero in the first MiB (a file system, a partition table, an earlier format)
 * gives -EEXIST: the device must be zeroed by hand first (TigerBeetle panics). BLKDISCARD
 * is not issued.
 */
static int data_file_check_zero(const struct data_file *file) {
    if (file->purpose != RINGER_DATA_FILE_FORMAT || file->kind != DATA_FILE_KIND_BLOCK) {
        return 0;
    }
    RINGER_ASSERT(file->size % RINGER_SECTOR_SIZE == 0);
    uint8_t *sector = data_file_sector(file->io);
    uint64_t zone = file->size < DATA_FILE_ZERO_ZONE ? file->size : DATA_FILE_ZERO_ZONE;
    for (uint64_t offset = 0; offset < zone; offset += RINGER_SECTOR_SIZE) {
        int rc = data_file_read_sector(file, sector, offset);
        if (rc != 0) {
            return rc;
        }
        for (uint32_t i = 0; i < RINGER_SECTOR_SIZE; i++) {
            if (sector[i] != 0) {
                return -EEXIST;
            }
        }
    }
    return 0;
}

/* ---- steps 8 to 13, and cleanup ---- */

static int data_file_finish(const struct data_file *file) {
    RINGER_ASSERT(file->fd >= 0);
    int rc = data_file_recheck_kind(file);
    if (rc == 0) {
        rc = data_file_lock(file);
    }
    if (rc == 0) {
        rc = data_file_allocate(file);
    }
    if (rc == 0) {
        rc = data_file_sync(file);
    }
    if (rc == 0) {
        rc = data_file_check_size(file);
    }
    if (rc == 0) {
        rc = data_file_check_zero(file);
    }
    RINGER_ASSERT(rc <= 0);
    return rc;
}

/* §2: close the fd and, for FORMAT on a file, remove the file this call created, so that a
 * failed format leaves nothing behind and can be retried (ours). */
static void data_file_cleanup(struct data_file *file) {
    RINGER_ASSERT(file->fd >= 0);
    (void)close(file->fd); /* Linux frees the fd even when close reports an error */
    file->fd = -1;
    if (file->created) {
        (void)unlinkat(file->dir_fd, file->path, 0); /* nothing more can be done */
        file->created = false;
    }
}

static void data_file_reset_stats(struct ringer_io *io) {
    io->stats.data_file_direct_io = false;
    io->stats.data_file_tmpfs = false;
    io->stats.data_file_unlocked = false;
    io->stats.data_file_allocate_fallback = false;
}

int ringer_open_data_file(struct ringer_io *io, int dir_fd, const char *relative_path,
                          uint64_t size, enum ringer_data_file_purpose purpose,
                          enum ringer_direct_io direct_io, int *fd) {
    /* NULL pointers are programmer errors, as in ringer_openat; bad values give -EINVAL. */
    RINGER_ASSERT(fd != NULL && relative_path != NULL);
    *fd = -1;
    if (io == NULL) {
        return -EINVAL;
    }
    data_file_reset_stats(io);
    struct data_file file = {
        .io = io,
        .dir_fd = dir_fd,
        .path = relative_path,
        .size = size,
        .purpose = purpose,
        .direct_io = direct_io,
        .fd = -1,
    };
    int rc = data_file_check_arguments(&file);
    if (rc == 0) {
        rc = data_file_prepare(&file);
    }
    if (rc == 0) {
        rc = data_file_open(&file);
    }
    if (rc == 0) {
        rc = data_file_finish(&file);
        if (rc != 0) {
            data_file_cleanup(&file);
        }
    }
    if (rc != 0) {
        RINGER_ASSERT(rc < 0 && file.fd == -1);
        return rc;
    }
    io->stats.data_file_direct_io = (file.flags & O_DIRECT) != 0;
    *fd = file.fd;
    return 0;
}
