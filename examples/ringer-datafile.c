/*
 * ringer-datafile format|open|inspect DIR PATH SIZE [required|optional|disabled]
 *
 * Opens (or, with `format`, creates) the data file DIR/PATH of at least SIZE bytes with
 * ringer_open_data_file, the way a database opens its storage, and prints what it found:
 * whether Direct I/O is in use, whether DIR is on tmpfs, the file's size, whether the file
 * lock is held, and whether the space was allocated by the fallback. On failure it prints
 * the errno and what that errno means for this call.
 *
 * SIZE is in bytes, with an optional K, M or G suffix, and must be a multiple of 4096. The
 * last argument is the Direct I/O policy (default: optional).
 *
 *   ringer-datafile format /dev/shm demo.ringer 1M
 *   ringer-datafile open   /dev/shm demo.ringer 1M
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ringer.h>

/* What each errno means for ringer_open_data_file (the table of its documentation). */
static const char *meaning(int error) {
    switch (error) {
    case EINVAL:
        return "bad argument: empty or absolute path, size not a positive multiple "
               "of 4096, or the path is neither a file nor a block device";
    case EBADF:
        return "the directory is not open";
    case ENOENT:
        return "open/inspect: the file does not exist (format it first)";
    case EISDIR:
        return "the path is a directory";
    case EEXIST:
        return "format: the file already exists, or the block device is not zeroed";
    case EBUSY:
        return "the block device is held or mounted by someone else";
    case EOPNOTSUPP:
        return "Direct I/O is required but this file system refuses it";
    case EWOULDBLOCK:
        return "another process holds the file's lock";
    case ESTALE:
        return "the path was replaced while it was being opened";
    case EFBIG:
        return "the file or device is smaller than SIZE";
    case EIO:
        return "an I/O error while allocating, syncing or reading";
    default:
        return "from the underlying system call";
    }
}

/* Parses SIZE: digits with an optional K, M or G suffix. */
static bool parse_size(const char *text, uint64_t *size) {
    char *end = NULL;
    errno = 0;
    unsigned long long value = strtoull(text, &end, 10);
    if (errno != 0 || end == text || text[0] == '-') return false;
    unsigned shift = 0;
    if (*end == 'K') shift = 10;
    else if (*end == 'M') shift = 20;
    else if (*end == 'G') shift = 30;
    if (shift != 0) end++;
    if (*end != '\0' || value > (UINT64_MAX >> shift)) return false;
    *size = (uint64_t)value << shift;
    return true;
}

static bool parse_purpose(const char *text, enum ringer_data_file_purpose *purpose) {
    if (strcmp(text, "format") == 0) *purpose = RINGER_DATA_FILE_FORMAT;
    else if (strcmp(text, "open") == 0) *purpose = RINGER_DATA_FILE_OPEN;
    else if (strcmp(text, "inspect") == 0) *purpose = RINGER_DATA_FILE_INSPECT;
    else return false;
    return true;
}

static bool parse_direct_io(const char *text, enum ringer_direct_io *direct_io) {
    if (strcmp(text, "required") == 0) *direct_io = RINGER_DIRECT_IO_REQUIRED;
    else if (strcmp(text, "optional") == 0) *direct_io = RINGER_DIRECT_IO_OPTIONAL;
    else if (strcmp(text, "disabled") == 0) *direct_io = RINGER_DIRECT_IO_DISABLED;
    else return false;
    return true;
}

static void print_outcome(const struct ringer_io *io, int fd) {
    struct ringer_stats stats = ringer_stats(io);
    struct stat st;
    long long size = fstat(fd, &st) == 0 ? (long long)st.st_size : -1;
    /* fcntl confirms what the library says about O_DIRECT. */
    bool o_direct = (fcntl(fd, F_GETFL) & O_DIRECT) != 0;
    printf("ok\n");
    printf("direct_io: %s\n", o_direct ? "yes" : "no");
    printf("tmpfs: %s\n", stats.data_file_tmpfs ? "yes" : "no");
    printf("size: %lld\n", size);
    printf("lock: %s\n", stats.data_file_unlocked ? "not held (inspect)" : "held");
    printf("allocate_fallback: %s\n", stats.data_file_allocate_fallback ? "yes" : "no");
}

int main(int argc, char **argv) {
    enum ringer_data_file_purpose purpose;
    enum ringer_direct_io direct_io = RINGER_DIRECT_IO_OPTIONAL;
    uint64_t size = 0;
    if (argc < 5 || argc > 6 || !parse_purpose(argv[1], &purpose) || !parse_size(argv[4], &size) ||
        (argc == 6 && !parse_direct_io(argv[5], &direct_io))) {
        fprintf(stderr, "usage: ringer-datafile format|open|inspect DIR PATH SIZE "
                        "[required|optional|disabled]\n");
        return 2;
    }
    int dir_fd = ringer_open_dir(argv[2]);
    if (dir_fd < 0) {
        fprintf(stderr, "ringer-datafile: %s: %s\n", argv[2], strerror(-dir_fd));
        return 1;
    }
    struct ringer_io *io = calloc(1, sizeof(*io)); /* large (a sector buffer): on the heap */
    int rc = io == NULL ? -ENOMEM : ringer_init(io, 8, 0);
    if (rc < 0) {
        fprintf(stderr, "ringer-datafile: ringer_init: %s\n", strerror(-rc));
        return 1;
    }
    int fd = -1;
    rc = ringer_open_data_file(io, dir_fd, argv[3], size, purpose, direct_io, &fd);
    if (rc < 0) {
        printf("error: %s (%s): %s\n", strerrorname_np(-rc), strerror(-rc), meaning(-rc));
    } else {
        print_outcome(io, fd);
        close(fd); /* also releases the lock */
    }
    ringer_deinit(io);
    free(io);
    close(dir_fd);
    return rc < 0 ? 1 : 0;
}
