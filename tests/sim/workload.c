/*
 * A mixed workload straight on the sim's liburing API (files with and without O_DIRECT,
 * fsync, TCP send/recv, accept, timeouts, cancels, an eventfd, openat/statx/close). It
 * tolerates every result, so it runs under any fault configuration; the determinism and
 * fault tests drive it.
 */
#include "workload.h"

#include <fcntl.h>
#include <string.h>
#include <liburing.h>
#include <netinet/in.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>

#define SLOTS 24
#define BLOCK 4096

struct slot {
    bool busy;
    uint8_t opcode;
};

static struct io_uring ring;
static struct slot slots[SLOTS];
static _Alignas(4096) uint8_t buffers[SLOTS][BLOCK];
static struct __kernel_timespec timespecs[SLOTS];
static struct statx statx_buffers[SLOTS];
static uint8_t sync_buffer[BLOCK]; /* never lent to the kernel */
static uint64_t event_values[SLOTS];
static int file_fd = -1, direct_fd = -1, event_fd = -1, listener = -1, client = -1, server = -1;
static struct sockaddr_in listen_addr;
static uint64_t completions;

static void close_fd(int *fd) {
    if (*fd >= 0) close(*fd);
    *fd = -1;
}

static void open_pair(void) {
    close_fd(&client);
    close_fd(&server);
    client = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (client < 0) return;
    int res = connect(client, (struct sockaddr *)&listen_addr, sizeof listen_addr);
    if (res != 0 && errno != EINPROGRESS) {
        close_fd(&client);
        return;
    }
    server = accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (server < 0) close_fd(&client);
}

static void setup(void) {
    file_fd = open("/data/workload", O_RDWR | O_CREAT | O_TRUNC, 0600);
    for (uint32_t i = 0; i < 16 && file_fd >= 0; i++)
        (void)pwrite(file_fd, sync_buffer, BLOCK, (off_t)i * BLOCK);
    if (file_fd >= 0) (void)fsync(file_fd);
    direct_fd = open("/data/workload", O_RDWR | O_DIRECT);
    event_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    listen_addr =
        (struct sockaddr_in){.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof listen_addr;
    if (bind(listener, (struct sockaddr *)&listen_addr, sizeof listen_addr) != 0 ||
        listen(listener, 8) != 0 ||
        getsockname(listener, (struct sockaddr *)&listen_addr, &len) != 0)
        close_fd(&listener);
    if (listener >= 0) open_pair();
}

static int free_slot(uint32_t start) {
    for (uint32_t i = 0; i < SLOTS; i++) {
        uint32_t s = (start + i) % SLOTS;
        if (!slots[s].busy) return (int)s;
    }
    return -1;
}

static int busy_slot(uint32_t start) {
    for (uint32_t i = 0; i < SLOTS; i++) {
        uint32_t s = (start + i) % SLOTS;
        if (slots[s].busy) return (int)s;
    }
    return -1;
}

/* Prepares one op of kind `kind` in slot s; false if it does not apply right now. */
static bool prep(struct io_uring_sqe *sqe, uint32_t kind, int s, uint32_t i) {
    uint64_t off = (uint64_t)(i % 16) * BLOCK;
    int fd = (i % 2 && direct_fd >= 0) ? direct_fd : file_fd;
    switch (kind) {
    case 0:
        if (fd < 0) return false;
        memset(buffers[s], (int)(i & 0xff), BLOCK);
        io_uring_prep_write(sqe, fd, buffers[s], BLOCK, off);
        return true;
    case 1:
        if (fd < 0) return false;
        io_uring_prep_read(sqe, fd, buffers[s], BLOCK, off);
        return true;
    case 2:
        if (file_fd < 0) return false;
        io_uring_prep_fsync(sqe, file_fd, i % 4 == 2 ? IORING_FSYNC_DATASYNC : 0);
        return true;
    case 3:
        if (client < 0) return false;
        io_uring_prep_send(sqe, client, buffers[s], 512 + i % 3000, MSG_NOSIGNAL);
        return true;
    case 4:
        if (server < 0) return false;
        io_uring_prep_recv(sqe, server, buffers[s], 1024, 0);
        return true;
    case 5:
        timespecs[s] = (struct __kernel_timespec){.tv_nsec = 100000 + (i % 10) * 100000};
        io_uring_prep_timeout(sqe, &timespecs[s], i % 7 == 0 ? 1 : 0, 0);
        return true;
    case 6: {
        int target = busy_slot(i * 7);
        if (target < 0) return false;
        io_uring_prep_cancel64(sqe, (uint64_t)target + 1, 0);
        return true;
    }
    case 7:
        if (event_fd < 0) return false;
        io_uring_prep_read(sqe, event_fd, &event_values[s], 8, 0);
        return true;
    case 8:
        io_uring_prep_openat(sqe, AT_FDCWD, i % 2 ? "/tmp/w" : "/data/workload",
                             O_RDONLY | (i % 4 == 1 ? O_CREAT : 0), 0600);
        return true;
    default:
        io_uring_prep_statx(sqe, AT_FDCWD, "/data/workload", 0, STATX_BASIC_STATS,
                            &statx_buffers[s]);
        return true;
    }
}

static void on_cqe(const struct io_uring_cqe *cqe) {
    uint64_t s = cqe->user_data - 1;
    if (s >= SLOTS || !slots[s].busy) return; /* a cancel's own CQE is slot-less */
    completions++;
    slots[s].busy = false;
    int res = cqe->res;
    if (slots[s].opcode == IORING_OP_OPENAT && res >= 0) close(res);
    if ((slots[s].opcode == IORING_OP_SEND || slots[s].opcode == IORING_OP_RECV) &&
        (res == -ECONNRESET || res == -EPIPE || res == 0 || res == -ETIMEDOUT))
        open_pair();
}

static void reap_all(void) {
    struct io_uring_cqe *cqes[32];
    unsigned n;
    while ((n = io_uring_peek_batch_cqe(&ring, cqes, 32)) > 0) {
        for (unsigned k = 0; k < n; k++) on_cqe(cqes[k]);
        io_uring_cq_advance(&ring, n);
    }
}

static void step(uint32_t i);

static void prep_one(uint32_t i) {
    static const uint8_t opcodes[] = {IORING_OP_WRITE,        IORING_OP_READ, IORING_OP_FSYNC,
                                      IORING_OP_SEND,         IORING_OP_RECV, IORING_OP_TIMEOUT,
                                      IORING_OP_ASYNC_CANCEL, IORING_OP_READ, IORING_OP_OPENAT,
                                      IORING_OP_STATX};
    uint32_t kind = (i * 2654435761u >> 16) % 10;
    int s = free_slot(i);
    struct io_uring_sqe *sqe = s < 0 ? NULL : io_uring_get_sqe(&ring);
    if (sqe != NULL) {
        if (prep(sqe, kind, s, i)) {
            bool is_cancel = kind == 6;
            io_uring_sqe_set_data64(sqe, is_cancel ? 1000 + i : (uint64_t)s + 1);
            io_uring_sqe_set_flags(sqe, 0);
            if (!is_cancel) {
                slots[s].busy = true;
                slots[s].opcode = opcodes[kind];
            }
        } else {
            io_uring_prep_nop(sqe);
            io_uring_sqe_set_data64(sqe, 2000 + i);
            io_uring_sqe_set_flags(sqe, 0);
        }
    }
}

static void step(uint32_t i) {
    prep_one(i);
    if (i % 3 == 1) prep_one(i * 31 + 7); /* batches of two or three SQEs */
    if (i % 9 == 2) prep_one(i * 17 + 3);
    if (i % 50 == 49 && listener >= 0)
        open_pair(); /* new connections: connect and accept decisions */
    if (i % 3 == 0 && event_fd >= 0) {
        uint64_t one = 1;
        (void)write(event_fd, &one, 8);
    }
    if (i % 5 == 0 && client >= 0 && server >= 0)
        (void)send(server, sync_buffer, 700, MSG_DONTWAIT | MSG_NOSIGNAL);
    int res = io_uring_submit(&ring);
    (void)res;
    reap_all();
    if (i % 4 == 3) {
        struct io_uring_cqe *cqe;
        /* Static: without EXT_ARG, liburing arms the wait with a TIMEOUT SQE that points at
         * ts, and a partial submit leaves that SQE for a later submit to consume. */
        static struct __kernel_timespec ts = {.tv_nsec = 200000};
        if (io_uring_wait_cqe_timeout(&ring, &cqe, &ts) == 0) reap_all();
    }
}

struct workload_result workload_run(uint32_t iterations, bool crash) {
    struct workload_result result = {0};
    memset(slots, 0, sizeof slots);
    completions = 0;
    if (io_uring_queue_init(16, &ring, 0) != 0) return result;
    setup();
    for (uint32_t i = 0; i < iterations; i++) step(i);
    result.completions = completions;
    if (crash) {
        static _Alignas(4096) uint8_t tail[8192];
        if (file_fd >= 0)
            (void)pwrite(file_fd, tail, sizeof tail, 4096); /* unsynced at the crash */
        ringer_sim_crash();                                 /* every fd and ring is gone */
        file_fd = direct_fd = event_fd = listener = client = server = -1;
        return result;
    }
    reap_all();
    io_uring_queue_exit(&ring); /* cancels whatever is left, without CQEs */
    close_fd(&client);
    close_fd(&server);
    close_fd(&listener);
    close_fd(&event_fd);
    close_fd(&direct_fd);
    close_fd(&file_fd);
    /* an openat that completed into the CQ after the last reap left its fd: close it, as a
     * program must when it abandons a ring with unreaped CQEs */
    int fds[64];
    uint32_t n = ringer_sim_open_fds(fds, 64);
    for (uint32_t k = 0; k < n && k < 64; k++) close(fds[k]);
    return result;
}
