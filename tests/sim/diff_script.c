/*
 * Differential conformance: a generated op script, run unchanged on the real ring (files on
 * a tmpfs directory, loopback TCP) and on the faithful sim. Each batch's CQEs are printed
 * sorted by user_data (Linux orders independent completions in no way); fds print as "fd".
 * The ops: file reads and writes (plain, vectored, into registered buffers, through a
 * registered file), fsync, sync_file_range, fallocate, fadvise, madvise, statx, openat,
 * close, NOP, timeouts and their removal and update, cancels, eventfd reads, sends, recvs,
 * connects, shutdown, polls and their removal, links with link timeouts, drain, a full CQ.
 * tests/sim/diff.sh runs many seeds through both builds and compares the outputs.
 *   diff_script SEED DIR        DIR: a writable tmpfs directory
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <assert.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_BATCH 4

static struct io_uring ring;
static uint64_t rng;
static char dir[256], file_path[300], missing_path[300];
static int file_fd = -1, event_fd = -1, client = -1, server = -1, listener = -1;
static uint16_t dead_port;
static char bufs[MAX_BATCH][8192];
static char fixed[2][8192]; /* registered buffers */
static struct iovec iovs[MAX_BATCH][2];
static int pipe_fds[2] = {-1, -1}; /* blocking: a read waits (link timeouts, polls) */
static struct statx stx[MAX_BATCH];
static uint64_t event_value[MAX_BATCH];
static struct __kernel_timespec ts[MAX_BATCH];
static int opened[64], opened_count;

static uint32_t rnd(uint32_t n) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng % n);
}

struct result {
    uint64_t user_data;
    int res;
};

static int cmp(const void *a, const void *b) {
    const struct result *x = a, *y = b;
    return (x->user_data > y->user_data) - (x->user_data < y->user_data);
}

static void setup(void) {
    snprintf(file_path, sizeof file_path, "%s/diff_file", dir);
    snprintf(missing_path, sizeof missing_path, "%s/missing", dir);
    file_fd = open(file_path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    event_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    if (bind(listener, (struct sockaddr *)&a, sizeof a) || listen(listener, 4) ||
        getsockname(listener, (struct sockaddr *)&a, &len)) {
        printf("socket setup failed\n");
        exit(1);
    }
    client = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (connect(client, (struct sockaddr *)&a, sizeof a) != 0) {
        printf("connect failed\n");
        exit(1);
    }
    server = accept4(listener, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
    int probe = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in b = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    len = sizeof b;
    bind(probe, (struct sockaddr *)&b, sizeof b);
    getsockname(probe, (struct sockaddr *)&b, &len);
    dead_port = b.sin_port; /* bound, then closed: nobody listens there */
    close(probe);
    if (pipe(pipe_fds) != 0) {
        printf("pipe failed\n");
        exit(1);
    }
    struct iovec reg[2] = {{fixed[0], sizeof fixed[0]}, {fixed[1], sizeof fixed[1]}};
    int files[2] = {file_fd, pipe_fds[0]};
    int r1 = io_uring_register_buffers(&ring, reg, 2);
    int r2 = io_uring_register_files(&ring, files, 2);
    printf("registered buffers %d files %d\n", r1, r2);
}

static uint32_t queued_bytes; /* sent to server, not yet received */

#define KINDS 24

static bool file_kind(uint32_t kind) {
    return kind <= 4 || (kind >= 14 && kind <= 21);
}

/* The ops of the registered buffers and files, vectored I/O and the file hints. */
static unsigned prep_more(struct io_uring_sqe *s, int i, uint32_t kind, uint64_t off,
                          uint32_t len) {
    uint32_t a = 1 + rnd(4096), b = 1 + rnd(4096);
    iovs[i][0] = (struct iovec){bufs[i], a};
    iovs[i][1] = (struct iovec){bufs[i] + a, b};
    switch (kind) {
    case 14:
        io_uring_prep_readv(s, file_fd, iovs[i], 1 + rnd(2), off);
        return 0;
    case 15:
        memset(bufs[i], 'A' + rnd(26), a + b);
        io_uring_prep_writev(s, file_fd, iovs[i], 1 + rnd(2), off);
        return 0;
    case 16: { /* sometimes past the end of the registered buffer: -EFAULT */
        uint32_t at = rnd(4096), n = rnd(4) ? 1 + rnd(4096) : 8192;
        io_uring_prep_read_fixed(s, file_fd, fixed[0] + at, n, off, 0);
        return 0;
    }
    case 17:
        memset(fixed[1], 'F' + rnd(8), len);
        io_uring_prep_write_fixed(s, file_fd, fixed[1], len, off, 1);
        return 0;
    case 18: /* a registered file: slot 0 is the file, slot 7 does not exist (-EBADF) */
        io_uring_prep_read(s, rnd(4) ? 0 : 7, bufs[i], len, off);
        return IOSQE_FIXED_FILE;
    case 19:
        io_uring_prep_sync_file_range(s, file_fd, len, off, rnd(2) ? SYNC_FILE_RANGE_WRITE : 0);
        return 0;
    case 20:
        io_uring_prep_fallocate(s, file_fd, rnd(2) ? FALLOC_FL_KEEP_SIZE : 0, (off_t)off, len);
        return 0;
    case 21:
        io_uring_prep_fadvise(s, file_fd, off, len, (int)rnd(4)); /* NORMAL..WILLNEED */
        return 0;
    case 22:
        switch (rnd(4)) {
        case 0:
            io_uring_prep_poll_add(s, client, POLLOUT); /* writable now */
            break;
        case 1:
            io_uring_prep_poll_remove(s, 424242); /* -ENOENT */
            break;
        case 2:
            ts[i] = (struct __kernel_timespec){.tv_sec = 1};
            io_uring_prep_timeout_update(s, &ts[i], 434343, 0); /* -ENOENT */
            break;
        default:
            io_uring_prep_poll_add(s, file_fd, POLLIN | POLLOUT); /* files are always ready */
            break;
        }
        return 0;
    default:
        if (rnd(2)) {
            int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
            opened[opened_count++] = c;
            io_uring_prep_shutdown(s, c, SHUT_RDWR); /* -ENOTCONN */
        } else {
            io_uring_prep_madvise(s, bufs[i] + rnd(2) * 7, 4096, MADV_NORMAL);
        }
        return 0;
    }
}

/* Prepares op `kind` in SQE s of slot i; returns the SQE flags it needs. */
static unsigned prep(struct io_uring_sqe *s, int i, uint32_t kind) {
    uint64_t off = rnd(5) * 4096 + (rnd(2) ? rnd(4096) : 0);
    uint32_t len = 1 + rnd(8192);
    switch (kind) {
    case 0:
        memset(bufs[i], 'a' + rnd(26), len);
        io_uring_prep_write(s, file_fd, bufs[i], len, off);
        break;
    case 1:
        io_uring_prep_read(s, file_fd, bufs[i], len, off);
        break;
    case 2:
        io_uring_prep_fsync(s, file_fd, rnd(2) ? IORING_FSYNC_DATASYNC : 0);
        break;
    case 3:
        io_uring_prep_statx(s, AT_FDCWD, rnd(2) ? file_path : missing_path, 0, STATX_BASIC_STATS,
                            &stx[i]);
        break;
    case 4: {
        static const int flags[] = {O_RDONLY, O_RDWR | O_CREAT | O_EXCL, O_RDONLY | O_DIRECTORY,
                                    O_WRONLY | O_CREAT | O_TRUNC};
        io_uring_prep_openat(s, AT_FDCWD, rnd(2) ? file_path : missing_path, flags[rnd(4)], 0600);
        break;
    }
    case 5:
        io_uring_prep_nop(s);
        break;
    case 6:
        ts[i] = (struct __kernel_timespec){.tv_nsec = rnd(3) * 500000};
        io_uring_prep_timeout(s, &ts[i], 0, 0);
        break;
    case 7:
        if (rnd(2)) io_uring_prep_cancel64(s, 123456789, 0);
        else io_uring_prep_timeout_remove(s, 987654321, 0);
        break;
    case 8: {
        uint64_t v = 1 + rnd(5);
        (void)!write(event_fd, &v, 8);
        io_uring_prep_read(s, event_fd, &event_value[i], 8, 0);
        break;
    }
    case 9: {
        uint32_t n = 1 + rnd(1000);
        memset(bufs[i], 'k', n);
        io_uring_prep_send(s, client, bufs[i], n, MSG_NOSIGNAL);
        queued_bytes += n;
        break;
    }
    case 10: {
        struct sockaddr_in *a = (struct sockaddr_in *)bufs[i];
        *a = (struct sockaddr_in){.sin_family = AF_INET,
                                  .sin_port = dead_port,
                                  .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        opened[opened_count++] = c;
        io_uring_prep_connect(s, c, (struct sockaddr *)a, sizeof *a);
        break;
    }
    case 11:
        io_uring_prep_close(s, 1000 + (int)rnd(10));
        break;
    case 12:
        io_uring_prep_read(s, client, bufs[i], 16, 1 + rnd(100)); /* -ESPIPE */
        break;
    case 13: { /* a recv with data already there: a synchronous send first */
        uint32_t k = 1 + rnd(700);
        static char out[700];
        memset(out, 'r', k);
        (void)!send(client, out, k, MSG_NOSIGNAL);
        queued_bytes += k;
        io_uring_prep_recv(s, server, bufs[i], 16 + rnd(2000), 0);
        break;
    }
    default:
        return prep_more(s, i, kind, off, len);
    }
    return 0;
}

/* A linked batch: a chain of NOPs, failing reads (bad fd or -ESPIPE) and timeouts, with
 * IOSQE_IO_LINK or IOSQE_IO_HARDLINK; the last SQE of the submit may still carry a link. */
static void linked_batch(int number) {
    int n = 2 + (int)rnd(MAX_BATCH - 1);
    struct result r[MAX_BATCH];
    for (int i = 0; i < n; i++) {
        struct io_uring_sqe *s = io_uring_get_sqe(&ring);
        uint32_t kind = rnd(4);
        if (kind == 0) {
            io_uring_prep_nop(s);
        } else if (kind == 1) {
            io_uring_prep_read(s, 1000 + (int)rnd(10), bufs[i], 16, 0); /* -EBADF */
        } else if (kind == 2) {
            ts[i] = (struct __kernel_timespec){.tv_nsec = 100000};
            io_uring_prep_timeout(s, &ts[i], 0, rnd(2) ? IORING_TIMEOUT_ETIME_SUCCESS : 0);
        } else {
            io_uring_prep_read(s, client, bufs[i], 16, 3); /* -ESPIPE */
        }
        io_uring_sqe_set_data64(s, (uint64_t)(i + 1) * 100 + 50 + kind);
        io_uring_sqe_set_flags(s, rnd(3) == 0 ? IOSQE_IO_HARDLINK : IOSQE_IO_LINK);
    }
    int submitted = io_uring_submit(&ring);
    for (int i = 0; i < n; i++) {
        struct io_uring_cqe *cqe;
        if (io_uring_wait_cqe(&ring, &cqe) != 0) {
            printf("wait failed\n");
            exit(1);
        }
        r[i].user_data = cqe->user_data;
        r[i].res = cqe->res;
        io_uring_cqe_seen(&ring, cqe);
    }
    /* a chain's CQEs come in chain order: printed unsorted */
    printf("l%d %d:", number, submitted);
    for (int i = 0; i < n; i++) printf(" %llu=%d", (unsigned long long)r[i].user_data, r[i].res);
    printf("\n");
}

/* A drain: a short timeout, a NOP with IOSQE_IO_DRAIN, then NOPs that must wait for it. */
static void drain_batch(int number) {
    ts[0] = (struct __kernel_timespec){.tv_nsec = 200000};
    struct io_uring_sqe *s = io_uring_get_sqe(&ring);
    io_uring_prep_timeout(s, &ts[0], 0, 0);
    io_uring_sqe_set_data64(s, 1);
    io_uring_sqe_set_flags(s, 0);
    int n = 2 + (int)rnd(MAX_BATCH - 1);
    for (int i = 1; i < n; i++) {
        s = io_uring_get_sqe(&ring);
        io_uring_prep_nop(s);
        io_uring_sqe_set_data64(s, (uint64_t)i + 1);
        io_uring_sqe_set_flags(s, i == 1 ? IOSQE_IO_DRAIN : 0);
    }
    int submitted = io_uring_submit(&ring);
    printf("d%d %d:", number, submitted);
    for (int i = 0; i < n; i++) {
        struct io_uring_cqe *cqe;
        if (io_uring_wait_cqe(&ring, &cqe) != 0) exit(1);
        printf(" %llu=%d", (unsigned long long)cqe->user_data, cqe->res);
        io_uring_cqe_seen(&ring, cqe);
    }
    printf("\n");
}

/* Ops that wait on the blocking pipe (empty unless a scenario writes to it) or on a timer,
 * and the requests that end them: a link timeout firing or cancelled, a poll removed or
 * updated, a live timeout updated or removed. The CQEs are printed sorted by user_data. */
static bool wait_scenario(struct io_uring_sqe *s[3], int kind) {
    static char small[16];
    ts[0] = (struct __kernel_timespec){.tv_nsec = 100000};
    ts[1] = (struct __kernel_timespec){.tv_sec = 5};
    switch (kind) {
    case 0: /* nothing to read: the link timeout fires and cancels the read */
    case 1: /* data is there: the read completes and cancels its link timeout */
        if (kind == 1) (void)!write(pipe_fds[1], "hello", 5);
        io_uring_prep_read(s[0], pipe_fds[0], small, sizeof small, 0);
        io_uring_prep_link_timeout(s[1], &ts[kind], 0);
        io_uring_prep_nop(s[2]);
        return true;
    case 2: /* a waiting poll, then its removal */
        io_uring_prep_poll_add(s[0], pipe_fds[0], POLLIN);
        io_uring_prep_poll_remove(s[1], 1);
        io_uring_prep_nop(s[2]);
        return false;
    case 3: /* a waiting poll whose events and user_data an update changes, then removed */
        io_uring_prep_poll_add(s[0], pipe_fds[0], POLLIN);
        io_uring_prep_poll_update(s[1], 1, 7, POLLIN | POLLPRI,
                                  IORING_POLL_UPDATE_EVENTS | IORING_POLL_UPDATE_USER_DATA);
        io_uring_prep_poll_remove(s[2], 7);
        return false;
    case 4: /* a poll on the writable end completes at once; removing it finds nothing */
        io_uring_prep_poll_add(s[0], pipe_fds[1], POLLOUT);
        io_uring_prep_poll_remove(s[1], 1);
        io_uring_prep_nop(s[2]);
        return false;
    case 5: /* a long timeout shortened by an update fires */
        io_uring_prep_timeout(s[0], &ts[1], 0, 0);
        io_uring_prep_timeout_update(s[1], &ts[0], 1, 0);
        io_uring_prep_nop(s[2]);
        return false;
    default: /* a long timeout removed */
        io_uring_prep_timeout(s[0], &ts[1], 0, 0);
        io_uring_prep_timeout_remove(s[1], 1, 0);
        io_uring_prep_nop(s[2]);
        return false;
    }
}

/* A NOP waited for: it clears Linux's drain mode left by an earlier drained batch, in which
 * the next request is issued later through task work instead of inline at submit. */
static void settle_drain(void) {
    struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
    assert(sqe != NULL);
    io_uring_prep_nop(sqe);
    io_uring_sqe_set_data64(sqe, 0);
    struct io_uring_cqe *cqe;
    int res = io_uring_submit_and_wait(&ring, 1);
    if (res != 1 || io_uring_peek_cqe(&ring, &cqe) != 0 || cqe->user_data != 0 || cqe->res != 0) {
        printf("settle nop failed %d\n", res);
        exit(1);
    }
    io_uring_cqe_seen(&ring, cqe);
}

static void wait_batch(int number) {
    int kind = (int)rnd(7);
    struct io_uring_sqe prepared[3] = {0}, *s[3] = {&prepared[0], &prepared[1], &prepared[2]};
    bool linked = wait_scenario(s, kind); /* the first SQE links to its link timeout */
    for (int i = 0; i < 3; i++) {
        io_uring_sqe_set_data64(s[i], (uint64_t)i + 1);
        io_uring_sqe_set_flags(s[i], linked && i == 0 ? IOSQE_IO_LINK : 0);
    }
    /* Unlinked, the waiting op goes in its own submit before the requests that find it:
     * Linux may issue an SQE through task work (the first one after a drained request
     * does), so a remove or update in the same submit can miss it (-ENOENT). */
    settle_drain();
    int submitted = 0;
    for (int i = 0; i < 3; i++) {
        if (i == 1 && !linked) submitted += io_uring_submit(&ring);
        struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
        assert(sqe != NULL);
        *sqe = prepared[i];
    }
    submitted += io_uring_submit(&ring);
    struct result r[3];
    for (int i = 0; i < 3; i++) {
        struct io_uring_cqe *cqe;
        if (io_uring_wait_cqe(&ring, &cqe) != 0) {
            printf("wait failed\n");
            exit(1);
        }
        r[i] = (struct result){cqe->user_data, cqe->res};
        io_uring_cqe_seen(&ring, cqe);
    }
    qsort(r, 3, sizeof r[0], cmp);
    printf("w%d.%d %d:", number, kind, submitted);
    for (int i = 0; i < 3; i++) printf(" %llu=%d", (unsigned long long)r[i].user_data, r[i].res);
    printf("\n");
}

static void batch(int number) {
    if (rnd(12) == 0) {
        drain_batch(number);
        return;
    }
    if (rnd(8) == 0) {
        wait_batch(number);
        return;
    }
    if (rnd(5) == 0) {
        linked_batch(number);
        return;
    }
    int n = 1 + (int)rnd(MAX_BATCH);
    uint32_t kinds[MAX_BATCH];
    bool event_read = false, file_op = false, sends = false, recvs = false;
    for (int i = 0; i < n; i++) {
        struct io_uring_sqe *s = io_uring_get_sqe(&ring);
        kinds[i] = rnd(KINDS);
        if ((kinds[i] == 13 && (sends || recvs)) || (kinds[i] == 9 && recvs))
            kinds[i] = 5; /* one recv per batch, never with a send: either races on data */
        sends |= kinds[i] == 9;
        recvs |= kinds[i] == 13;
        if (kinds[i] == 8 && event_read)
            kinds[i] = 5; /* a second read would wait for ever: the first takes the counter */
        if (file_kind(kinds[i]) && file_op)
            kinds[i] = 5; /* two file ops in one batch race on Linux (io-wq): one per batch */
        event_read |= kinds[i] == 8;
        file_op |= file_kind(kinds[i]);
        unsigned flags = prep(s, i, kinds[i]);
        io_uring_sqe_set_data64(s, (uint64_t)(i + 1) * 100 + kinds[i]);
        io_uring_sqe_set_flags(s, flags);
    }
    int submitted = io_uring_submit(&ring);
    struct result r[MAX_BATCH];
    for (int i = 0; i < n; i++) {
        struct io_uring_cqe *cqe;
        if (io_uring_wait_cqe(&ring, &cqe) != 0) {
            printf("wait failed\n");
            exit(1);
        }
        r[i].user_data = cqe->user_data;
        r[i].res = cqe->res;
        io_uring_cqe_seen(&ring, cqe);
    }
    qsort(r, (size_t)n, sizeof r[0], cmp);
    printf("b%d %d:", number, submitted);
    for (int i = 0; i < n; i++) {
        bool fd_result = r[i].user_data % 100 == 4 && r[i].res >= 0;
        if (fd_result) opened[opened_count++] = r[i].res;
        printf(fd_result ? " %llu=fd" : " %llu=%d", (unsigned long long)r[i].user_data, r[i].res);
        if (r[i].user_data % 100 == 3 && r[i].res == 0) {
            const struct statx *x = &stx[r[i].user_data / 100 - 1];
            printf("(size %llu mode %o nlink %u)", (unsigned long long)x->stx_size,
                   (unsigned)x->stx_mode, (unsigned)x->stx_nlink);
        }
        if (r[i].user_data % 100 == 13 && r[i].res > 0)
            queued_bytes -= (uint32_t)r[i].res > queued_bytes ? queued_bytes : (uint32_t)r[i].res;
    }
    printf("\n");
    for (int k = 0; k < opened_count; k++) close(opened[k]);
    opened_count = 0;
    if (queued_bytes > 0 && rnd(2)) {
        static char sink[65536];
        ssize_t got = recv(server, sink, sizeof sink, MSG_DONTWAIT);
        printf("  drained %zd of %u\n", got, queued_bytes);
        queued_bytes = 0;
    }
}

/* A full CQ: more CQEs than it holds, reaped in order through the overflow list. */
static void full_cq(void) {
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 4; i++) {
            struct io_uring_sqe *s = io_uring_get_sqe(&ring);
            io_uring_prep_nop(s);
            io_uring_sqe_set_data64(s, (uint64_t)(round * 4 + i));
            io_uring_sqe_set_flags(s, 0);
        }
        io_uring_submit(&ring);
    }
    printf("cq full: ready %u overflow %d\n", io_uring_cq_ready(&ring),
           io_uring_cq_has_overflow(&ring));
    struct io_uring_cqe *cqes[16];
    uint64_t expect = 0, seen = 0;
    unsigned n;
    while ((n = io_uring_peek_batch_cqe(&ring, cqes, 16)) > 0) {
        for (unsigned i = 0; i < n; i++, expect++)
            seen |= 1ull << (cqes[i]->user_data & 63); /* a set: Linux orders nothing */
        io_uring_cq_advance(&ring, n);
    }
    if (seen != (1ull << expect) - 1) printf("cq set: %llx\n", (unsigned long long)seen);
    printf("cq reaped %llu overflow %d\n", (unsigned long long)expect,
           io_uring_cq_has_overflow(&ring));
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: diff_script SEED DIR\n");
        return 2;
    }
    rng = strtoull(argv[1], NULL, 0) * 0x9e3779b97f4a7c15ull + 1;
    snprintf(dir, sizeof dir, "%s", argv[2]);
    setvbuf(stdout, NULL, _IOLBF, 0);
    int res = io_uring_queue_init(4, &ring, 0);
    if (res < 0) {
        printf("queue_init %d\n", res);
        return 77;
    }
    setup();
    full_cq(); /* first: after a drain Linux may defer later SQEs until the next enter */
    for (int b = 0; b < 40; b++) batch(b);
    close(client);
    close(server);
    close(listener);
    close(event_fd);
    close(file_fd);
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    unlink(file_path);
    unlink(missing_path);
    io_uring_queue_exit(&ring);
    printf("done\n");
    return 0;
}
