/*
 * Open file descriptions and the fd table. fds are allocated lowest-free, as on Linux;
 * 0, 1 and 2 stay the host's stdio. A request holds its own reference to the description,
 * so closing an fd cancels nothing.
 */
#include "sim_internal.h"

#include <stdarg.h>

#define FD_FIRST 3

struct sim_file sim_files[RINGER_SIM_MAX_FILES];
static uint32_t fd_file[RINGER_SIM_MAX_FDS]; /* file index + 1, 0 = free */
static bool fd_cloexec[RINGER_SIM_MAX_FDS];
static uint32_t fds_open_count;
static int fd_hw = FD_FIRST; /* fds [FD_FIRST, fd_hw) were ever used in this world */
static uint32_t host_stdio[FD_FIRST];
static uint32_t files_hw; /* descriptions [0, files_hw) were ever used in this world */

int sim_errno_ret(int negative_errno) {
    SIM_ASSERT(negative_errno <= 0);
    if (negative_errno == 0) return 0;
    errno = -negative_errno;
    return -1;
}

/* fds 0, 1 and 2 are the host's stdio: io_uring ops and registrations see them as files
 * of their own kind (FK_HOST), which POSIX calls on them never reach. */
void sim_fds_reset(void) {
    memset(sim_files, 0, files_hw * sizeof sim_files[0]);
    files_hw = 0;
    memset(fd_file, 0, (size_t)fd_hw * sizeof fd_file[0]);
    memset(fd_cloexec, 0, (size_t)fd_hw * sizeof fd_cloexec[0]);
    fd_hw = FD_FIRST;
    fds_open_count = 0;
    for (uint32_t fd = 0; fd < FD_FIRST; fd++) host_stdio[fd] = sim_file_alloc(FK_HOST, fd, O_RDWR);
}

uint32_t sim_fd_file_any(int fd) {
    if (fd >= 0 && fd < FD_FIRST) return host_stdio[fd];
    return sim_fd_file(fd);
}

static void fd_take(int fd, uint32_t f, bool cloexec) {
    fd_file[fd] = f + 1;
    fd_cloexec[fd] = cloexec;
    fds_open_count++;
    if (fd >= fd_hw) fd_hw = fd + 1;
}

uint32_t sim_file_alloc(uint8_t kind, uint32_t obj, int flags) {
    SIM_ASSERT(kind != FK_NONE);
    for (uint32_t f = 0; f < RINGER_SIM_MAX_FILES; f++) {
        if (sim_files[f].refs == 0) {
            sim_files[f] = (struct sim_file){.refs = 1, .kind = kind, .obj = obj, .flags = flags};
            if (f >= files_hw) files_hw = f + 1;
            return f;
        }
    }
    return SIM_NONE;
}

void sim_file_ref(uint32_t f) {
    SIM_ASSERT(f < RINGER_SIM_MAX_FILES);
    SIM_ASSERT(sim_files[f].refs > 0);
    sim_files[f].refs++;
}

static void file_release(uint32_t f) {
    struct sim_file *file = &sim_files[f];
    SIM_ASSERT(file->refs == 0);
    switch (file->kind) {
    case FK_REG:
    case FK_DIR:
    case FK_BLK: {
        struct sim_inode *ino = &sim_inodes[file->obj];
        if (file->lock == LOCK_EX && ino->lock_ex_file == f) ino->lock_ex_file = SIM_NONE;
        if (file->lock == LOCK_SH && ino->lock_sh_count > 0) ino->lock_sh_count--;
        SIM_ASSERT(ino->open > 0);
        ino->open--;
        sim_inode_unref_check(file->obj);
        break;
    }
    case FK_SOCK:
        sim_sock_close(file->obj);
        break;
    case FK_EVENT:
        sim_event_close(file->obj);
        break;
    case FK_PIPE_R:
    case FK_PIPE_W:
        sim_pipe_close(file->obj, file->kind == FK_PIPE_W);
        break;
    case FK_RING:
        sim_ring_file_released(file->obj, f);
        break;
    case FK_HOST:
    case FK_CHR:
        break;
    default:
        SIM_ASSERT(!"bad file kind");
    }
    file->kind = FK_NONE;
}

void sim_file_unref(uint32_t f) {
    SIM_ASSERT(f < RINGER_SIM_MAX_FILES);
    SIM_ASSERT(sim_files[f].refs > 0);
    if (--sim_files[f].refs == 0) file_release(f);
}

int sim_fd_install(uint32_t f, bool cloexec) {
    SIM_ASSERT(f < RINGER_SIM_MAX_FILES);
    int lo, hi;
    sim_node_fd_range(&lo, &hi);
    for (int fd = lo; fd < hi; fd++) {
        if (fd_file[fd] == 0) {
            fd_take(fd, f, cloexec);
            return fd;
        }
    }
    return -EMFILE;
}

uint32_t sim_fd_file(int fd) {
    int lo, hi;
    sim_node_fd_range(&lo, &hi);
    if (fd < lo || fd >= hi || fd_file[fd] == 0) return SIM_NONE;
    uint32_t f = fd_file[fd] - 1;
    SIM_ASSERT(sim_files[f].refs > 0);
    return f;
}

int sim_fd_close(int fd) {
    uint32_t f = sim_fd_file(fd);
    if (f == SIM_NONE) return -EBADF;
    fd_file[fd] = 0;
    fd_cloexec[fd] = false;
    SIM_ASSERT(fds_open_count > 0);
    fds_open_count--;
    sim_file_unref(f);
    return 0;
}

uint32_t sim_fds_open(int *fds, uint32_t max) {
    uint32_t n = 0;
    for (int fd = FD_FIRST; fd < fd_hw; fd++) {
        if (fd_file[fd] == 0) continue;
        if (n < max) fds[n] = fd;
        n++;
    }
    SIM_ASSERT(n == fds_open_count);
    return n;
}

void sim_fds_close_all(void) {
    for (int fd = FD_FIRST; fd < fd_hw; fd++) {
        if (fd_file[fd] == 0) continue;
        uint32_t back = sim_node_enter(sim_node_of_fd(fd)); /* the fd's own node closes it */
        sim_fd_close(fd);
        sim_node_cur = back;
    }
    SIM_ASSERT(fds_open_count == 0);
}

int ringer_sim_close(int fd) {
    sim_enter_call();
    if (fd >= 0 && fd < FD_FIRST) return 0;
    int res = sim_fd_close(fd);
    sim_trace(TRACE_POSIX, 10, (uint64_t)fd, (uint64_t)res, 0);
    return sim_errno_ret(res);
}

static int fcntl_dup(int fd, int min_fd, bool cloexec) {
    uint32_t f = sim_fd_file(fd);
    if (f == SIM_NONE) return -EBADF;
    if (min_fd < 0 || min_fd >= (int)RINGER_SIM_MAX_FDS) return -EINVAL;
    for (int n = min_fd < FD_FIRST ? FD_FIRST : min_fd; n < (int)RINGER_SIM_MAX_FDS; n++) {
        if (fd_file[n] == 0) {
            sim_file_ref(f);
            fd_take(n, f, cloexec);
            return n;
        }
    }
    return -EMFILE;
}

static int fcntl_op(int fd, int command, long arg) {
    uint32_t f = sim_fd_file(fd);
    if (f == SIM_NONE) return -EBADF;
    struct sim_file *file = &sim_files[f];
    switch (command) {
    case F_GETFD:
        return fd_cloexec[fd] ? FD_CLOEXEC : 0;
    case F_SETFD:
        fd_cloexec[fd] = (arg & FD_CLOEXEC) != 0;
        return 0;
    case F_GETFL: {
        int extra = (file->kind == FK_REG || file->kind == FK_DIR || file->kind == FK_BLK)
                        ? 0100000 /* O_LARGEFILE, forced on 64-bit */
                        : 0;
        return file->flags | extra;
    }
    case F_SETFL: {
        int settable = O_NONBLOCK | O_APPEND | O_DIRECT | O_NOATIME | O_ASYNC;
        if ((arg & O_DIRECT) && !(file->flags & O_DIRECT) && file->kind == FK_REG &&
            !sim_mounts[sim_inodes[file->obj].mount].direct_io)
            return -EINVAL;
        file->flags = (file->flags & ~settable) | ((int)arg & settable);
        return 0;
    }
    case F_DUPFD:
    case F_DUPFD_CLOEXEC:
        return fcntl_dup(fd, (int)arg, command == F_DUPFD_CLOEXEC);
    default:
        return -EINVAL;
    }
}

int ringer_sim_fcntl(int fd, int command, ...) {
    sim_enter_call();
    va_list args;
    va_start(args, command);
    long arg = 0;
    if (command != F_GETFD && command != F_GETFL) arg = va_arg(args, long);
    va_end(args);
    int res = fcntl_op(fd, command, arg);
    sim_trace(TRACE_POSIX, 11, (uint64_t)fd, (uint64_t)command, (uint64_t)res);
    return res < 0 ? sim_errno_ret(res) : res;
}
