/*
 * A plain liburing program that knows nothing of ringer or the sim: files, a pipe, a TCP
 * pair made with listen/connect/accept, an eventfd, timeouts and cancels. It builds
 * unchanged against the real kernel (-luring) and against the sim (sim/include first, the
 * forced include, the sim's kernel library); tests/sim/plain_liburing.sh checks that both
 * print the same lines. CQEs of one batch are printed sorted by user_data, because Linux
 * orders independent completions in no way.
 *   plain_liburing DIR     DIR: an existing writable directory
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static struct io_uring ring;

struct result {
    unsigned long long user_data;
    int res;
};

static int by_user_data(const void *a, const void *b) {
    const struct result *x = a, *y = b;
    return (x->user_data > y->user_data) - (x->user_data < y->user_data);
}

static struct io_uring_sqe *next(void) {
    struct io_uring_sqe *s = io_uring_get_sqe(&ring);
    if (s == NULL) {
        fprintf(stderr, "no sqe\n");
        exit(1);
    }
    return s;
}

/* Set after prep: liburing's prep helpers never set user_data and clear flags. */
static void tag(struct io_uring_sqe *s, unsigned long long user_data) {
    io_uring_sqe_set_data64(s, user_data);
    io_uring_sqe_set_flags(s, 0);
}

/* Submits, waits for n CQEs, prints them sorted by user_data. */
static void batch(const char *what, int n, struct result *out) {
    struct result r[16];
    int submitted = io_uring_submit(&ring);
    for (int i = 0; i < n; i++) {
        struct io_uring_cqe *cqe;
        int res = io_uring_wait_cqe(&ring, &cqe);
        if (res != 0) {
            printf("%s: wait %d\n", what, res);
            exit(1);
        }
        r[i].user_data = cqe->user_data;
        r[i].res = cqe->res;
        io_uring_cqe_seen(&ring, cqe);
    }
    qsort(r, (size_t)n, sizeof r[0], by_user_data);
    printf("%s: submitted %d:", what, submitted);
    for (int i = 0; i < n; i++) {
        if (r[i].res >= 0 && r[i].user_data >= 900)
            printf(" %llu=fd", r[i].user_data); /* fd numbers depend on the process */
        else printf(" %llu=%d", r[i].user_data, r[i].res);
        if (out) out[i] = r[i];
    }
    printf("\n");
}

static unsigned long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec;
}

static void files(const char *dir) {
    char path[512];
    snprintf(path, sizeof path, "%s/plain_file", dir);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    printf("open: %s\n", fd >= 0 ? "fd" : strerror(errno));
    static char data[100], back[100];
    memset(data, 'x', sizeof data);
    struct io_uring_sqe *s = next();
    io_uring_prep_write(s, fd, data, sizeof data, 0);
    tag(s, 1);
    batch("write", 1, NULL);
    s = next();
    io_uring_prep_read(s, fd, back, sizeof back, 50); /* short at EOF */
    tag(s, 2);
    s = next();
    io_uring_prep_read(s, fd, back, sizeof back, 200); /* past EOF */
    tag(s, 3);
    s = next();
    io_uring_prep_fsync(s, fd, IORING_FSYNC_DATASYNC);
    tag(s, 4);
    batch("read+fsync", 3, NULL);
    printf("data: %s\n", memcmp(back, data, 50) == 0 ? "same" : "different");
    static struct statx stx;
    s = next();
    io_uring_prep_statx(s, AT_FDCWD, path, 0, STATX_BASIC_STATS, &stx);
    tag(s, 5);
    s = next();
    io_uring_prep_openat(s, AT_FDCWD, path, O_RDONLY | O_DIRECTORY, 0);
    tag(s, 6);
    batch("statx+openat", 2, NULL);
    printf("size: %llu\n", (unsigned long long)stx.stx_size);
    s = next();
    io_uring_prep_close(s, fd);
    tag(s, 7);
    batch("close", 1, NULL);
    s = next();
    io_uring_prep_close(s, fd);
    tag(s, 8);
    batch("close again", 1, NULL);
    printf("unlink: %d\n", unlink(path));
}

static void pipes(void) {
    int p[2];
    printf("pipe: %d\n", pipe2(p, O_CLOEXEC));
    static char buf[16];
    printf("write: %zd\n", write(p[1], "hello", 5));
    struct io_uring_sqe *s = next();
    io_uring_prep_read(s, p[0], buf, sizeof buf, 0);
    tag(s, 10);
    batch("pipe read", 1, NULL);
    printf("write: %zd\n", write(p[1], "abc", 3));
    s = next();
    io_uring_prep_read(s, p[0], buf, sizeof buf, 3); /* a pipe ignores the offset */
    tag(s, 11);
    batch("pipe read at offset", 1, NULL);
    close(p[1]);
    s = next();
    io_uring_prep_read(s, p[0], buf, sizeof buf, 0);
    tag(s, 12);
    batch("pipe read at EOF", 1, NULL);
    close(p[0]);
}

static void sockets(void) {
    int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    printf("bind: %d\n", bind(l, (struct sockaddr *)&a, sizeof a));
    printf("listen: %d\n", listen(l, 1));
    socklen_t len = sizeof a;
    getsockname(l, (struct sockaddr *)&a, &len);
    printf("port: %s\n", ntohs(a.sin_port) != 0 ? "nonzero" : "zero");
    int c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    static struct sockaddr_in peer;
    static socklen_t peer_len = sizeof peer;
    struct io_uring_sqe *s = next();
    io_uring_prep_accept(s, l, (struct sockaddr *)&peer, &peer_len, SOCK_CLOEXEC);
    tag(s, 900);
    s = next();
    io_uring_prep_connect(s, c, (struct sockaddr *)&a, sizeof a);
    tag(s, 20);
    struct result r[2];
    batch("accept+connect", 2, r);
    int server = r[0].user_data == 900 ? r[0].res : r[1].res;
    printf("peer: family %d len %u\n", peer.sin_family, (unsigned)peer_len);
    static char out[10] = "0123456789", in[16];
    s = next();
    io_uring_prep_send(s, c, out, 10, MSG_NOSIGNAL);
    tag(s, 21);
    batch("send", 1, NULL);
    s = next();
    io_uring_prep_recv(s, server, in, 5, 0);
    tag(s, 22);
    batch("recv 5", 1, NULL);
    s = next();
    io_uring_prep_recv(s, server, in + 5, 16, 0);
    tag(s, 23);
    batch("recv rest", 1, NULL);
    printf("bytes: %.10s\n", in);
    /* a pending recv on a non-blocking socket waits; cancel it */
    s = next();
    io_uring_prep_recv(s, c, in, 16, 0);
    tag(s, 24);
    s = next();
    io_uring_prep_cancel64(s, 24, 0);
    tag(s, 25);
    batch("cancel recv", 2, NULL);
    printf("shutdown: %d\n", shutdown(c, SHUT_WR));
    s = next();
    io_uring_prep_recv(s, server, in, 16, 0);
    tag(s, 26);
    batch("recv after shutdown", 1, NULL);
    s = next();
    io_uring_prep_read(s, server, in, 16, 7);
    tag(s, 29);
    batch("socket read at offset", 1, NULL);
    s = next();
    io_uring_prep_send(s, c, out, 10, MSG_NOSIGNAL);
    tag(s, 27);
    batch("send after shutdown", 1, NULL);
    close(c);
    close(server);
    /* nobody listens on the old port any more */
    close(l);
    c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    s = next();
    io_uring_prep_connect(s, c, (struct sockaddr *)&a, sizeof a);
    tag(s, 28);
    batch("connect refused", 1, NULL);
    close(c);
}

static void events(void) {
    int e = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    static uint64_t value;
    struct io_uring_sqe *s = next();
    io_uring_prep_read(s, e, &value, 8, 0);
    tag(s, 30);
    printf("submit: %d\n", io_uring_submit(&ring));
    uint64_t two = 2;
    printf("eventfd write: %zd\n", write(e, &two, 8));
    batch("eventfd read", 1, NULL);
    printf("value: %llu\n", (unsigned long long)value);
    s = next();
    io_uring_prep_read(s, e, &value, 4, 0);
    tag(s, 31);
    batch("eventfd short read", 1, NULL);
    close(e);
}

static void timeouts(void) {
    static struct __kernel_timespec ten_ms = {.tv_nsec = 10000000}, long_ts = {.tv_sec = 5};
    unsigned long long start = now_ns();
    struct io_uring_sqe *s = next();
    io_uring_prep_timeout(s, &ten_ms, 0, 0);
    tag(s, 40);
    batch("timeout", 1, NULL);
    printf("elapsed >= 10ms: %s\n", now_ns() - start >= 10000000ull ? "yes" : "no");
    s = next();
    io_uring_prep_timeout(s, &long_ts, 1, 0);
    tag(s, 41);
    s = next();
    io_uring_prep_nop(s);
    tag(s, 42);
    batch("count timeout", 2, NULL);
    s = next();
    io_uring_prep_timeout(s, &long_ts, 0, 0);
    tag(s, 43);
    s = next();
    io_uring_prep_timeout_remove(s, 43, 0);
    tag(s, 44);
    s = next();
    io_uring_prep_timeout_remove(s, 4343, 0);
    tag(s, 45);
    batch("timeout remove", 3, NULL);
    s = next();
    io_uring_prep_cancel64(s, 4444, 0);
    tag(s, 46);
    batch("cancel unknown", 1, NULL);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: plain_liburing DIR\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    int res = io_uring_queue_init(8, &ring, 0);
    printf("queue_init: %d\n", res);
    if (res < 0) return 77;
    files(argv[1]);
    pipes();
    sockets();
    events();
    timeouts();
    io_uring_queue_exit(&ring);
    printf("done\n");
    return 0;
}
