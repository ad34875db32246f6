/*
 * eventfds (8-byte counters), pipes, and the synchronous POSIX calls on sockets, pipes and
 * eventfds. A blocking call on an fd without O_NONBLOCK jumps virtual time until it can
 * proceed, or stops the run with a deadlock report.
 */
#include "sim_internal.h"

#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>

#define MAX_EVENTS 1024
#define MAX_PIPES  8192

struct sim_eventfd {
    bool used;
    bool semaphore;
    uint64_t count;
};

struct sim_pipe {
    bool used;
    uint32_t readers, writers;
    uint32_t head, len;
    uint8_t *buf;
};

static struct sim_eventfd events[MAX_EVENTS];
static struct sim_pipe pipes[MAX_PIPES];
static uint8_t *pipe_pool;
static uint32_t pipe_pool_cap;
static uint32_t events_hw, pipes_hw; /* what the world used */

void sim_stream_reset(void) {
    memset(events, 0, events_hw * sizeof events[0]);
    memset(pipes, 0, pipes_hw * sizeof pipes[0]);
    events_hw = pipes_hw = 0;
    if (sim_cfg.o.pipe_buffer_size > pipe_pool_cap) {
        free(pipe_pool);
        pipe_pool = malloc((size_t)MAX_PIPES * sim_cfg.o.pipe_buffer_size);
        SIM_ASSERT(pipe_pool != NULL);
        pipe_pool_cap = sim_cfg.o.pipe_buffer_size;
    }
}

void sim_stream_free(void) {}

/* ---- eventfd ---- */

int sim_event_read(uint32_t e, void *buffer, uint32_t size) {
    struct sim_eventfd *ev = &events[e];
    SIM_ASSERT(ev->used);
    if (size < 8) return -EINVAL;
    if (ev->count == 0) return -EAGAIN;
    uint64_t value = ev->semaphore ? 1 : ev->count;
    ev->count -= value;
    memcpy(buffer, &value, 8);
    return 8;
}

int sim_event_write(uint32_t e, const void *buffer, uint32_t size, bool nonblock) {
    struct sim_eventfd *ev = &events[e];
    SIM_ASSERT(ev->used);
    (void)nonblock;
    if (size < 8) return -EINVAL;
    uint64_t value;
    memcpy(&value, buffer, 8);
    if (value == UINT64_MAX) return -EINVAL;
    if (value > 0xfffffffffffffffeull - ev->count) return -EAGAIN;
    ev->count += value;
    if (value > 0) sim_wq_wake(WQ_EVENT, e);
    return 8;
}

uint32_t sim_event_poll(uint32_t e) {
    const struct sim_eventfd *ev = &events[e];
    uint32_t mask = ev->count > 0 ? POLLIN | POLLRDNORM : 0;
    if (ev->count < 0xfffffffffffffffeull) mask |= POLLOUT | POLLWRNORM;
    return mask;
}

void sim_event_close(uint32_t e) {
    SIM_ASSERT(events[e].used);
    events[e].used = false;
}

int ringer_sim_eventfd(unsigned int count, int flags) {
    sim_enter_call();
    int res = -ENFILE;
    if (flags & ~(EFD_CLOEXEC | EFD_NONBLOCK | EFD_SEMAPHORE)) {
        res = -EINVAL;
    } else {
        for (uint32_t e = 0; e < MAX_EVENTS; e++) {
            if (events[e].used) continue;
            uint32_t f =
                sim_file_alloc(FK_EVENT, e, O_RDWR | ((flags & EFD_NONBLOCK) ? O_NONBLOCK : 0));
            if (f == SIM_NONE) break;
            events[e] = (struct sim_eventfd){
                .used = true, .count = count, .semaphore = (flags & EFD_SEMAPHORE) != 0};
            if (e >= events_hw) events_hw = e + 1;
            res = sim_fd_install(f, (flags & EFD_CLOEXEC) != 0);
            if (res < 0) sim_file_unref(f);
            break;
        }
    }
    sim_trace(TRACE_POSIX, 40, count, (uint64_t)flags, (uint64_t)res);
    return res < 0 ? sim_errno_ret(res) : res;
}

/* ---- pipes ---- */

int sim_pipe_read(uint32_t p, void *buffer, uint32_t size) {
    struct sim_pipe *pi = &pipes[p];
    uint32_t cap = sim_cfg.o.pipe_buffer_size;
    if (pi->len == 0) return pi->writers == 0 ? 0 : -EAGAIN;
    uint32_t n = size < pi->len ? size : pi->len;
    for (uint32_t done = 0; done < n;) {
        uint32_t chunk = cap - pi->head < n - done ? cap - pi->head : n - done;
        memcpy((uint8_t *)buffer + done, pi->buf + pi->head, chunk);
        pi->head = (pi->head + chunk) % cap;
        done += chunk;
    }
    pi->len -= n;
    sim_wq_wake(WQ_PIPE_W, p);
    return (int)n;
}

int sim_pipe_write(uint32_t p, const void *buffer, uint32_t size) {
    struct sim_pipe *pi = &pipes[p];
    uint32_t cap = sim_cfg.o.pipe_buffer_size;
    if (pi->readers == 0) return -EPIPE;
    if (size == 0) return 0;
    if (pi->len == cap) return -EAGAIN;
    uint32_t n = size < cap - pi->len ? size : cap - pi->len;
    for (uint32_t done = 0; done < n;) {
        uint32_t at = (pi->head + pi->len) % cap;
        uint32_t chunk = cap - at < n - done ? cap - at : n - done;
        memcpy(pi->buf + at, (const uint8_t *)buffer + done, chunk);
        pi->len += chunk;
        done += chunk;
    }
    sim_wq_wake(WQ_PIPE_R, p);
    return (int)n;
}

uint32_t sim_pipe_poll(uint32_t p, bool write_end) {
    const struct sim_pipe *pi = &pipes[p];
    if (!write_end)
        return (pi->len > 0 ? POLLIN | POLLRDNORM : 0) | (pi->writers == 0 ? POLLHUP : 0);
    if (pi->readers == 0) return POLLERR | POLLOUT | POLLWRNORM;
    return pi->len < sim_cfg.o.pipe_buffer_size ? POLLOUT | POLLWRNORM : 0;
}

void sim_pipe_close(uint32_t p, bool write_end) {
    struct sim_pipe *pi = &pipes[p];
    SIM_ASSERT(pi->used);
    if (write_end) {
        SIM_ASSERT(pi->writers > 0);
        pi->writers--;
        sim_wq_wake(WQ_PIPE_R, p);
    } else {
        SIM_ASSERT(pi->readers > 0);
        pi->readers--;
        sim_wq_wake(WQ_PIPE_W, p);
    }
    if (pi->readers == 0 && pi->writers == 0) pi->used = false;
}

static int pipe_make(int fds[2], int flags) {
    if (flags & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT)) return -EINVAL;
    uint32_t p;
    for (p = 0; p < MAX_PIPES && pipes[p].used; p++) {
    }
    if (p == MAX_PIPES) return -ENFILE;
    if (p >= pipes_hw) pipes_hw = p + 1;
    pipes[p] = (struct sim_pipe){.used = true,
                                 .readers = 1,
                                 .writers = 1,
                                 .buf = pipe_pool + (size_t)p * sim_cfg.o.pipe_buffer_size};
    int nb = flags & O_NONBLOCK;
    uint32_t fr = sim_file_alloc(FK_PIPE_R, p, O_RDONLY | nb);
    uint32_t fw = fr == SIM_NONE ? SIM_NONE : sim_file_alloc(FK_PIPE_W, p, O_WRONLY | nb);
    if (fw == SIM_NONE) {
        pipes[p].used = false;
        if (fr != SIM_NONE) sim_files[fr].refs = 0, sim_files[fr].kind = FK_NONE;
        return -ENFILE;
    }
    fds[0] = sim_fd_install(fr, (flags & O_CLOEXEC) != 0);
    fds[1] = fds[0] < 0 ? -EMFILE : sim_fd_install(fw, (flags & O_CLOEXEC) != 0);
    if (fds[1] < 0) {
        if (fds[0] >= 0) sim_fd_close(fds[0]);
        else sim_file_unref(fr);
        sim_file_unref(fw);
        return -EMFILE;
    }
    return 0;
}

int ringer_sim_pipe2(int fds[2], int flags) {
    sim_enter_call();
    int res = pipe_make(fds, flags);
    sim_trace(TRACE_POSIX, 41, (uint64_t)flags, (uint64_t)res, 0);
    return sim_errno_ret(res);
}

int ringer_sim_pipe(int fds[2]) {
    return ringer_sim_pipe2(fds, 0);
}

/* ---- character devices ---- */

int sim_chr_open(const char *path, int flags) {
    static const char *const names[] = {"/dev/null", "/dev/zero", "/dev/urandom"};
    uint32_t dev = 0;
    while (dev < 3 && strcmp(path, names[dev]) != 0) dev++;
    if (dev == 3)
        return strcmp(path, "/dev/random") == 0 ? sim_chr_open("/dev/urandom", flags) : -ENOENT;
    uint32_t f = sim_file_alloc(FK_CHR, dev, flags & (O_ACCMODE | O_NONBLOCK | O_APPEND));
    if (f == SIM_NONE) return -ENFILE;
    int fd = sim_fd_install(f, (flags & O_CLOEXEC) != 0);
    if (fd < 0) sim_file_unref(f);
    return fd;
}

/* /dev/null is empty, /dev/zero all zeros; /dev/urandom's bytes come from the seed. */
int sim_chr_read(uint32_t dev, void *buffer, uint32_t size) {
    if (dev == CHR_NULL) return 0;
    if (dev == CHR_ZERO) memset(buffer, 0, size);
    else sim_draw_bytes(buffer, size);
    return (int)size;
}

/* ---- readiness for blocking calls ---- */

struct ready_arg {
    uint8_t kind;
    uint32_t obj;
    bool write;
};

static bool obj_ready(void *arg) {
    const struct ready_arg *a = arg;
    switch (a->kind) {
    case FK_SOCK:
        if (a->write) return sim_sock_writable(a->obj);
        return sim_sock_is_listener(a->obj) ? sim_sock_acceptable(a->obj)
                                            : sim_sock_readable(a->obj);
    case FK_EVENT:
        return a->write || events[a->obj].count > 0;
    case FK_PIPE_R:
        return pipes[a->obj].len > 0 || pipes[a->obj].writers == 0;
    case FK_PIPE_W:
        return pipes[a->obj].readers == 0 || pipes[a->obj].len < sim_cfg.o.pipe_buffer_size;
    default:
        return true;
    }
}

static void block_on(uint32_t f, bool write, const char *what) {
    struct ready_arg a = {sim_files[f].kind, sim_files[f].obj, write};
    sim_block_until(obj_ready, &a, what);
}

static void raise_sigpipe(void) {
    sim_stats.sigpipes++;
    if (!sim_cfg.o.no_real_sigpipe) raise(SIGPIPE);
}

static int stream_read_once(uint32_t f, void *buffer, size_t size) {
    const struct sim_file *file = &sim_files[f];
    uint32_t n = size > 0x7ffff000u ? 0x7ffff000u : (uint32_t)size;
    switch (file->kind) {
    case FK_SOCK:
        return sim_sock_recv(file->obj, buffer, n, 0, NULL);
    case FK_EVENT:
        return sim_event_read(file->obj, buffer, n);
    case FK_PIPE_R:
        return sim_pipe_read(file->obj, buffer, n);
    case FK_PIPE_W:
        return -EBADF;
    case FK_CHR:
        return sim_chr_read(file->obj, buffer, n);
    default:
        return -EINVAL;
    }
}

static int stream_write_once(uint32_t f, const void *buffer, size_t size, bool is_send) {
    const struct sim_file *file = &sim_files[f];
    uint32_t n = size > 0x7ffff000u ? 0x7ffff000u : (uint32_t)size;
    switch (file->kind) {
    case FK_SOCK:
        return sim_sock_send(file->obj, buffer, n, 0);
    case FK_EVENT:
        return sim_event_write(file->obj, buffer, n, (file->flags & O_NONBLOCK) != 0);
    case FK_PIPE_W:
        return sim_pipe_write(file->obj, buffer, n);
    case FK_PIPE_R:
        return -EBADF;
    case FK_CHR:
        return is_send ? -ENOTSOCK : (int)n; /* the data is discarded */
    default:
        return is_send ? -ENOTSOCK : -EINVAL;
    }
}

ssize_t ringer_sim_read(int fd, void *buffer, size_t size) {
    if (fd >= 0 && fd < 3) return read(fd, buffer, size);
    sim_enter_call();
    uint32_t f = sim_fd_file(fd);
    int res;
    if (f == SIM_NONE) {
        res = -EBADF;
    } else if (sim_files[f].kind == FK_REG || sim_files[f].kind == FK_BLK ||
               sim_files[f].kind == FK_DIR) {
        res = sim_file_read(f, buffer, size, 0, true, SIM_NONE);
    } else {
        while ((res = stream_read_once(f, buffer, size)) == -EAGAIN &&
               !(sim_files[f].flags & O_NONBLOCK))
            block_on(f, false, "read");
    }
    sim_trace(TRACE_POSIX, 42, (uint64_t)fd, size, (uint64_t)res);
    return res < 0 ? sim_errno_ret(res) : res;
}

static ssize_t write_common(int fd, const void *buffer, size_t size, int flags, bool is_send) {
    sim_enter_call();
    uint32_t f = sim_fd_file(fd);
    int res;
    bool nonblock = f != SIM_NONE && ((sim_files[f].flags & O_NONBLOCK) || (flags & MSG_DONTWAIT));
    if (f == SIM_NONE) {
        res = -EBADF;
    } else if (is_send && sim_files[f].kind != FK_SOCK) {
        res = -ENOTSOCK;
    } else if (sim_files[f].kind == FK_REG || sim_files[f].kind == FK_BLK ||
               sim_files[f].kind == FK_DIR) {
        res = sim_file_write(f, buffer, size, 0, true);
    } else {
        while ((res = stream_write_once(f, buffer, size, is_send)) == -EAGAIN && !nonblock)
            block_on(f, true, is_send ? "send" : "write");
    }
    if (res == -EPIPE && !(flags & MSG_NOSIGNAL)) raise_sigpipe();
    sim_trace(TRACE_POSIX, 43, (uint64_t)fd, size, (uint64_t)res);
    return res < 0 ? sim_errno_ret(res) : res;
}

ssize_t ringer_sim_write(int fd, const void *buffer, size_t size) {
    if (fd >= 0 && fd < 3) return write(fd, buffer, size);
    return write_common(fd, buffer, size, 0, false);
}

ssize_t ringer_sim_send(int fd, const void *buffer, size_t size, int flags) {
    return write_common(fd, buffer, size, flags, true);
}

ssize_t ringer_sim_sendto(int fd, const void *buffer, size_t size, int flags,
                          __CONST_SOCKADDR_ARG address, socklen_t address_size) {
    (void)address_size;
    if (SIM_SA(address) != NULL) {
        uint32_t f = sim_fd_file(fd);
        if (f != SIM_NONE && sim_files[f].kind == FK_SOCK) return sim_errno_ret(-EISCONN);
    }
    return write_common(fd, buffer, size, flags, true);
}

ssize_t ringer_sim_recv(int fd, void *buffer, size_t size, int flags) {
    sim_enter_call();
    uint32_t f = sim_fd_file(fd);
    int res;
    if (f == SIM_NONE) {
        res = -EBADF;
    } else if (sim_files[f].kind != FK_SOCK) {
        res = -ENOTSOCK;
    } else {
        bool nonblock = (sim_files[f].flags & O_NONBLOCK) || (flags & MSG_DONTWAIT);
        while ((res = stream_read_once(f, buffer, size)) == -EAGAIN && !nonblock)
            block_on(f, false, "recv");
    }
    sim_trace(TRACE_POSIX, 44, (uint64_t)fd, size, (uint64_t)res);
    return res < 0 ? sim_errno_ret(res) : res;
}

/* ---- socket calls ---- */

static int sock_of(int fd, uint32_t *s) {
    uint32_t f = sim_fd_file(fd);
    if (f == SIM_NONE) return -EBADF;
    if (sim_files[f].kind != FK_SOCK) return -ENOTSOCK;
    *s = sim_files[f].obj;
    return 0;
}

int ringer_sim_socket(int domain, int type, int protocol) {
    sim_enter_call();
    int res;
    int base = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (domain != AF_INET && domain != AF_INET6) res = -EAFNOSUPPORT;
    else if (base != SOCK_STREAM) res = -ESOCKTNOSUPPORT;
    else if (protocol != 0 && protocol != IPPROTO_TCP) res = -EPROTONOSUPPORT;
    else {
        uint32_t s = sim_sock_new(domain);
        uint32_t f =
            s == SIM_NONE
                ? SIM_NONE
                : sim_file_alloc(FK_SOCK, s, O_RDWR | ((type & SOCK_NONBLOCK) ? O_NONBLOCK : 0));
        if (f == SIM_NONE) {
            res = -ENFILE;
        } else {
            res = sim_fd_install(f, (type & SOCK_CLOEXEC) != 0);
            if (res < 0) sim_file_unref(f);
        }
    }
    sim_trace(TRACE_POSIX, 50, (uint64_t)domain, (uint64_t)type, (uint64_t)res);
    return res < 0 ? sim_errno_ret(res) : res;
}

static int sockopt(uint32_t s, int level, int name, const void *value, socklen_t size) {
    if (value == NULL) return -EFAULT;
    if (size < (socklen_t)sizeof(int)) return -EINVAL;
    int v;
    memcpy(&v, value, sizeof v);
    if (level == SOL_SOCKET) {
        switch (name) {
        case SO_REUSEADDR:
            sim_sock_set_reuse(s, v != 0);
            return 0;
        case SO_RCVBUF:
        case SO_RCVBUFFORCE:
            sim_sock_set_rcvbuf(s, v);
            return 0;
        case SO_REUSEPORT:
        case SO_KEEPALIVE:
        case SO_SNDBUF:
        case SO_SNDBUFFORCE:
        case SO_LINGER:
        case SO_OOBINLINE:
            return 0;
        default:
            return -ENOPROTOOPT;
        }
    }
    if (level == IPPROTO_TCP) {
        switch (name) {
        case TCP_NODELAY:
        case TCP_KEEPIDLE:
        case TCP_KEEPINTVL:
        case TCP_KEEPCNT:
        case TCP_USER_TIMEOUT:
            return (name != TCP_NODELAY && v < (name == TCP_USER_TIMEOUT ? 0 : 1)) ? -EINVAL : 0;
        default:
            return -ENOPROTOOPT;
        }
    }
    if (level == IPPROTO_IPV6 && name == IPV6_V6ONLY) return 0;
    return -ENOPROTOOPT;
}

int ringer_sim_setsockopt(int fd, int level, int name, const void *value, socklen_t size) {
    sim_enter_call();
    uint32_t s;
    int res = sock_of(fd, &s);
    if (res == 0) res = sockopt(s, level, name, value, size);
    sim_trace(TRACE_POSIX, 51, (uint64_t)fd, (uint64_t)name, (uint64_t)res);
    return sim_errno_ret(res);
}

int ringer_sim_getsockopt(int fd, int level, int name, void *value, socklen_t *size) {
    sim_enter_call();
    uint32_t s;
    int res = sock_of(fd, &s);
    if (res == 0 && (value == NULL || size == NULL || *size < (socklen_t)sizeof(int)))
        res = value == NULL || size == NULL ? -EFAULT : -EINVAL;
    if (res == 0) {
        int v = 0;
        if (level == SOL_SOCKET && name == SO_TYPE) v = SOCK_STREAM;
        else if (level == SOL_SOCKET && name == SO_RCVBUF) v = sim_sock_get_rcvbuf(s);
        else if (level == SOL_SOCKET && name == SO_SNDBUF) v = (int)sim_cfg.o.socket_buffer_size;
        else if (!(level == SOL_SOCKET && name == SO_ERROR)) v = 0;
        memcpy(value, &v, sizeof v);
        *size = sizeof v;
    }
    return sim_errno_ret(res);
}

int ringer_sim_bind(int fd, __CONST_SOCKADDR_ARG address, socklen_t size) {
    sim_enter_call();
    uint32_t s;
    int res = sock_of(fd, &s);
    if (res == 0) res = sim_sock_bind(s, SIM_SA(address), size);
    sim_trace(TRACE_POSIX, 52, (uint64_t)fd, (uint64_t)res, 0);
    return sim_errno_ret(res);
}

int ringer_sim_listen(int fd, int backlog) {
    sim_enter_call();
    uint32_t s;
    int res = sock_of(fd, &s);
    if (res == 0) res = sim_sock_listen(s, backlog);
    sim_trace(TRACE_POSIX, 53, (uint64_t)fd, (uint64_t)backlog, (uint64_t)res);
    return sim_errno_ret(res);
}

int ringer_sim_getsockname(int fd, __SOCKADDR_ARG address, socklen_t *size) {
    sim_enter_call();
    uint32_t s;
    int res = sock_of(fd, &s);
    if (res == 0) res = sim_sock_name(s, SIM_SA(address), size, false);
    sim_trace(TRACE_POSIX, 54, (uint64_t)fd, (uint64_t)res, 0);
    return sim_errno_ret(res);
}

int ringer_sim_getpeername(int fd, __SOCKADDR_ARG address, socklen_t *size) {
    sim_enter_call();
    uint32_t s;
    int res = sock_of(fd, &s);
    if (res == 0) res = sim_sock_name(s, SIM_SA(address), size, true);
    return sim_errno_ret(res);
}

int ringer_sim_shutdown(int fd, int how) {
    sim_enter_call();
    uint32_t s;
    int res = sock_of(fd, &s);
    if (res == 0) res = sim_sock_shutdown(s, how);
    sim_trace(TRACE_POSIX, 55, (uint64_t)fd, (uint64_t)how, (uint64_t)res);
    return sim_errno_ret(res);
}

int ringer_sim_accept4(int fd, __SOCKADDR_ARG address, socklen_t *size, int flags) {
    sim_enter_call();
    uint32_t s;
    int res = sock_of(fd, &s);
    if (res == 0) {
        uint32_t f = sim_fd_file(fd);
        bool wait;
        while ((res = sim_sock_accept(s, SIM_SA(address), size, flags, &wait)) == -EAGAIN && wait &&
               !(sim_files[f].flags & O_NONBLOCK)) {
            block_on(f, false, "accept");
        }
    }
    sim_trace(TRACE_POSIX, 56, (uint64_t)fd, (uint64_t)flags, (uint64_t)res);
    return res < 0 ? sim_errno_ret(res) : res;
}

int ringer_sim_accept(int fd, __SOCKADDR_ARG address, socklen_t *size) {
    return ringer_sim_accept4(fd, address, size, 0);
}

int ringer_sim_connect(int fd, __CONST_SOCKADDR_ARG address, socklen_t size) {
    sim_enter_call();
    uint32_t s;
    int res = sock_of(fd, &s);
    if (res == 0) {
        uint32_t f = sim_fd_file(fd);
        bool nonblock = (sim_files[f].flags & O_NONBLOCK) != 0;
        res = sim_sock_connect(s, SIM_SA(address), size);
        if (res == 0 && nonblock) res = -EINPROGRESS;
        else if (res == -EAGAIN) res = nonblock ? -EINPROGRESS : -ETIMEDOUT;
    }
    sim_trace(TRACE_POSIX, 57, (uint64_t)fd, (uint64_t)res, 0);
    return sim_errno_ret(res);
}
