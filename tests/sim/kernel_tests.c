/*
 * Unit tests of the simulated kernel, straight on its liburing API and POSIX calls
 * (compiled with the sim's forced include): setup, the SQ, submission, the CQ and its
 * overflow list, timeouts, cancellation, eventfds, TCP, files and durability, fds.
 */
#include <fcntl.h>
#include <liburing.h>
#include <netinet/in.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/file.h>
#include <linux/fs.h>
#include <sys/ioctl.h>

#include "ringer_sim.h"
#include "simtest.h"

#define MS 1000000ull

static struct ringer_sim_options options;

static void world(void) {
    options.seed = options.seed ? options.seed : 1;
    options.quiet = true;
    options.no_real_sigpipe = true;
    CHECK_EQ(ringer_sim_init(&options), 0);
}

static void ring_init(struct io_uring *ring, unsigned entries) {
    CHECK_EQ(io_uring_queue_init(entries, ring, 0), 0);
}

static void set_data(struct io_uring_sqe *sqe, uint64_t user_data) {
    io_uring_sqe_set_data64(sqe, user_data);
    io_uring_sqe_set_flags(sqe, 0);
}

/* Waits for one CQE and returns it by value (res in *res). */
static uint64_t reap(struct io_uring *ring, int32_t *res) {
    struct io_uring_cqe *cqe;
    CHECK_EQ(io_uring_wait_cqe(ring, &cqe), 0);
    uint64_t user_data = cqe->user_data;
    *res = cqe->res;
    io_uring_cqe_seen(ring, cqe);
    return user_data;
}

static int32_t reap_expect(struct io_uring *ring, uint64_t user_data) {
    int32_t res;
    CHECK_EQ(reap(ring, &res), user_data);
    return res;
}

static void finish(struct io_uring *ring) {
    io_uring_queue_exit(ring);
    ringer_sim_deinit();
}

/* ---- setup ---- */

static int setup(unsigned entries, unsigned flags, unsigned cq, struct io_uring_params *out) {
    struct io_uring ring;
    struct io_uring_params p;
    memset(&p, 0, sizeof p);
    p.flags = flags;
    p.cq_entries = cq;
    int res = io_uring_queue_init_params(entries, &ring, &p);
    if (res == 0) {
        if (out) *out = p;
        io_uring_queue_exit(&ring);
    }
    return res;
}

static void test_setup_sizes(void) {
    world();
    struct io_uring_params p;
    CHECK_EQ(setup(1, 0, 0, &p), 0);
    CHECK_EQ(p.sq_entries, 1);
    CHECK_EQ(p.cq_entries, 2);
    CHECK_EQ(setup(3, 0, 0, &p), 0);
    CHECK_EQ(p.sq_entries, 4);
    CHECK_EQ(setup(5, 0, 0, &p), 0);
    CHECK_EQ(p.sq_entries, 8);
    CHECK_EQ(setup(0, 0, 0, NULL), -EINVAL);
    CHECK_EQ(setup(32769, 0, 0, NULL), -EINVAL);
    CHECK_EQ(setup(32769, IORING_SETUP_CLAMP, 0, &p), 0);
    CHECK_EQ(p.sq_entries, 32768);
    CHECK_EQ(setup(4, IORING_SETUP_CQSIZE, 5, &p), 0);
    CHECK_EQ(p.cq_entries, 8);
    CHECK_EQ(setup(4, IORING_SETUP_CQSIZE, 2, NULL), -EINVAL);
    CHECK_EQ(setup(4, IORING_SETUP_CQSIZE, 0, NULL), -EINVAL);
    CHECK_EQ(setup(4, IORING_SETUP_CQSIZE, 65537, NULL), -EINVAL);
    CHECK_EQ(setup(4, IORING_SETUP_CQSIZE | IORING_SETUP_CLAMP, 65537, &p), 0);
    CHECK_EQ(p.cq_entries, 65536);
    CHECK_EQ(setup(4, IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_SINGLE_ISSUER, 0, NULL), -EINVAL);
    CHECK_EQ(setup(4, IORING_SETUP_SQPOLL, 0, NULL), 0);
    CHECK_EQ(setup(4, IORING_SETUP_IOPOLL, 0, NULL), 0);
    CHECK_EQ(setup(4, IORING_SETUP_SQ_AFF, 0, NULL), -EINVAL); /* affinity needs SQPOLL */
    CHECK_EQ(setup(4, IORING_SETUP_SQPOLL | IORING_SETUP_COOP_TASKRUN, 0, NULL), -EINVAL);
    CHECK_EQ(setup(4, IORING_SETUP_SQE128, 0, NULL), -EINVAL); /* not modelled (D1) */
    CHECK_EQ(setup(4,
                   IORING_SETUP_SUBMIT_ALL | IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG |
                       IORING_SETUP_SINGLE_ISSUER,
                   0, &p),
             0);
    uint32_t needed = IORING_FEAT_NODROP | IORING_FEAT_SUBMIT_STABLE | IORING_FEAT_FAST_POLL;
    CHECK_EQ(p.features & needed, needed);
    struct io_uring ring;
    memset(&p, 0, sizeof p);
    p.resv[1] = 1;
    CHECK_EQ(io_uring_queue_init_params(4, &ring, &p), -EINVAL);
    ringer_sim_deinit();
}

static void test_setup_profile_5_8(void) {
    options.kernel = RINGER_SIM_KERNEL_5_8;
    world();
    struct io_uring_params p;
    CHECK_EQ(setup(4, IORING_SETUP_SUBMIT_ALL, 0, NULL), -EINVAL);
    CHECK_EQ(setup(4, 0, 0, &p), 0);
    CHECK_EQ(p.features & IORING_FEAT_EXT_ARG, 0);
    struct io_uring ring;
    ring_init(&ring, 4);
    struct io_uring_probe *probe = io_uring_get_probe_ring(&ring);
    CHECK(probe != NULL);
    CHECK(io_uring_opcode_supported(probe, IORING_OP_READ));
    CHECK(!io_uring_opcode_supported(probe, IORING_OP_SOCKET));
    io_uring_free_probe(probe);
    finish(&ring);
}

/* ---- SQ ---- */

static void test_sq_full_and_stale_sqe(void) {
    world();
    struct io_uring ring;
    ring_init(&ring, 4);
    for (int i = 0; i < 4; i++) {
        struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
        CHECK(sqe != NULL);
        io_uring_prep_nop(sqe);
        set_data(sqe, 100 + (uint64_t)i);
    }
    CHECK(io_uring_get_sqe(&ring) == NULL);
    CHECK_EQ(io_uring_sq_ready(&ring), 4);
    CHECK_EQ(io_uring_sq_space_left(&ring), 0);
    CHECK_EQ(io_uring_submit(&ring), 4);
    CHECK_EQ(io_uring_sq_ready(&ring), 0);
    for (int i = 0; i < 4; i++) CHECK_EQ(reap_expect(&ring, 100 + (uint64_t)i), 0);
    /* get_sqe does not clear, and prep never sets user_data */
    struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
    io_uring_prep_nop(sqe);
    CHECK_EQ(sqe->user_data, 100);
    finish(&ring);
}

static void test_prep_failure_stops_submission(void) {
    world();
    struct io_uring ring;
    ring_init(&ring, 4);
    struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
    io_uring_prep_nop(sqe);
    set_data(sqe, 1);
    struct io_uring_sqe *bad = io_uring_get_sqe(&ring);
    io_uring_prep_nop(bad);
    bad->opcode = 250;
    set_data(bad, 2);
    sqe = io_uring_get_sqe(&ring);
    io_uring_prep_nop(sqe);
    set_data(sqe, 3);
    CHECK_EQ(io_uring_submit(&ring), 2);
    CHECK_EQ(io_uring_sq_ready(&ring), 1);
    CHECK_EQ(reap_expect(&ring, 1), 0);
    CHECK_EQ(reap_expect(&ring, 2), -EINVAL);
    CHECK_EQ(io_uring_submit(&ring), 1);
    finish(&ring);
}

static void test_partial_submission_never_waits(void) {
    options.faults[RINGER_SIM_FAULT_ENTER_PARTIAL].ppm = 1000000;
    world();
    struct io_uring ring;
    ring_init(&ring, 8);
    struct __kernel_timespec ts = {.tv_sec = 1};
    for (int i = 0; i < 4; i++) {
        struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
        io_uring_prep_timeout(sqe, &ts, 0, 0);
        set_data(sqe, 1 + (uint64_t)i);
    }
    uint64_t before = ringer_sim_now_ns();
    int n = io_uring_submit_and_wait(&ring, 1);
    CHECK(n >= 1 && n < 4);
    CHECK(ringer_sim_now_ns() - before < MS); /* it did not wait for a timer */
    CHECK_EQ(io_uring_sq_ready(&ring), 4 - (unsigned)n);
    CHECK(ringer_sim_stats().faults[RINGER_SIM_FAULT_ENTER_PARTIAL] > 0);
    finish(&ring);
}

/* ---- CQ ---- */

static void test_overflow(void) {
    world();
    struct io_uring ring;
    ring_init(&ring, 2); /* CQ of 4 */
    for (uint64_t i = 0; i < 6; i++) {
        struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
        io_uring_prep_nop(sqe);
        set_data(sqe, i);
        if (i % 2 == 1) CHECK_EQ(io_uring_submit(&ring), 2);
    }
    CHECK_EQ(io_uring_cq_ready(&ring), 4);
    CHECK(io_uring_cq_has_overflow(&ring));
    struct io_uring_cqe *cqes[8];
    CHECK_EQ(io_uring_peek_batch_cqe(&ring, cqes, 8), 4);
    for (uint64_t i = 0; i < 4; i++) CHECK_EQ(cqes[i]->user_data, i);
    io_uring_cq_advance(&ring, 4);
    CHECK(io_uring_cq_has_overflow(&ring));
    CHECK_EQ(io_uring_peek_batch_cqe(&ring, cqes, 8), 2); /* flushes: the CQ was empty */
    CHECK_EQ(cqes[0]->user_data, 4);
    CHECK_EQ(cqes[1]->user_data, 5);
    io_uring_cq_advance(&ring, 2);
    CHECK(!io_uring_cq_has_overflow(&ring));
    CHECK(ringer_sim_stats().overflowed == 2);
    finish(&ring);
}

/* ---- timeouts ---- */

static uint64_t mono(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void test_timeouts_never_early(void) {
    options.timer_slack_ns = 50000;
    world();
    struct io_uring ring;
    ring_init(&ring, 8);
    for (int round = 0; round < 20; round++) {
        struct __kernel_timespec ts = {.tv_nsec = 1000000 + round * 1000};
        struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
        io_uring_prep_timeout(sqe, &ts, 0, 0);
        set_data(sqe, 7);
        uint64_t start = mono();
        CHECK_EQ(io_uring_submit(&ring), 1);
        CHECK_EQ(reap_expect(&ring, 7), -ETIME);
        uint64_t elapsed = mono() - start;
        CHECK(elapsed >= (uint64_t)ts.tv_nsec);
        CHECK(elapsed <= (uint64_t)ts.tv_nsec + 50000 + 20000);
    }
    /* absolute */
    struct __kernel_timespec abs_ts;
    uint64_t deadline = mono() + 3 * MS;
    abs_ts.tv_sec = (long long)(deadline / 1000000000ull);
    abs_ts.tv_nsec = (long long)(deadline % 1000000000ull);
    struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
    io_uring_prep_timeout(sqe, &abs_ts, 0, IORING_TIMEOUT_ABS);
    set_data(sqe, 8);
    CHECK_EQ(io_uring_submit(&ring), 1);
    CHECK_EQ(reap_expect(&ring, 8), -ETIME);
    CHECK(mono() >= deadline);
    /* absolute in the past and zero relative: inline -ETIME */
    abs_ts.tv_sec = 0;
    abs_ts.tv_nsec = 5;
    sqe = io_uring_get_sqe(&ring);
    io_uring_prep_timeout(sqe, &abs_ts, 0, IORING_TIMEOUT_ABS);
    set_data(sqe, 9);
    CHECK_EQ(io_uring_submit(&ring), 1);
    CHECK_EQ(io_uring_cq_ready(&ring), 1);
    CHECK_EQ(reap_expect(&ring, 9), -ETIME);
    finish(&ring);
}

static void test_timeout_count_and_fields(void) {
    world();
    struct io_uring ring;
    ring_init(&ring, 8);
    struct __kernel_timespec ts = {.tv_sec = 10};
    struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
    io_uring_prep_timeout(sqe, &ts, 2, 0);
    set_data(sqe, 1);
    CHECK_EQ(io_uring_submit(&ring), 1);
    for (uint64_t i = 0; i < 2; i++) {
        sqe = io_uring_get_sqe(&ring);
        io_uring_prep_nop(sqe);
        set_data(sqe, 10 + i);
    }
    CHECK_EQ(io_uring_submit(&ring), 2);
    CHECK_EQ(reap_expect(&ring, 10), 0);
    CHECK_EQ(reap_expect(&ring, 11), 0);
    CHECK_EQ(reap_expect(&ring, 1), 0); /* count met: posted after the CQE that met it */
    /* negative fields: -EINVAL; tv_nsec >= 10^9 is accepted and counted */
    struct __kernel_timespec bad = {.tv_sec = -1};
    sqe = io_uring_get_sqe(&ring);
    io_uring_prep_timeout(sqe, &bad, 0, 0);
    set_data(sqe, 2);
    CHECK_EQ(io_uring_submit(&ring), 1);
    CHECK_EQ(reap_expect(&ring, 2), -EINVAL);
    struct __kernel_timespec odd = {.tv_sec = 0, .tv_nsec = 1000000001};
    sqe = io_uring_get_sqe(&ring);
    io_uring_prep_timeout(sqe, &odd, 0, 0);
    set_data(sqe, 3);
    CHECK_EQ(io_uring_submit(&ring), 1);
    CHECK_EQ(reap_expect(&ring, 3), -ETIME);
    CHECK_EQ(ringer_sim_stats().timespec_unnormalised, 1);
    /* two clock flags */
    sqe = io_uring_get_sqe(&ring);
    io_uring_prep_timeout(sqe, &ts, 0, IORING_TIMEOUT_BOOTTIME | IORING_TIMEOUT_REALTIME);
    set_data(sqe, 4);
    CHECK_EQ(io_uring_submit(&ring), 1);
    CHECK_EQ(reap_expect(&ring, 4), -EINVAL);
    finish(&ring);
}

static void test_timeout_remove(void) {
    world();
    struct io_uring ring;
    ring_init(&ring, 8);
    struct __kernel_timespec ts = {.tv_sec = 10};
    struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
    io_uring_prep_timeout(sqe, &ts, 0, 0);
    set_data(sqe, 1);
    sqe = io_uring_get_sqe(&ring);
    io_uring_prep_timeout_remove(sqe, 1, 0);
    set_data(sqe, 2);
    sqe = io_uring_get_sqe(&ring);
    io_uring_prep_timeout_remove(sqe, 99, 0);
    set_data(sqe, 3);
    CHECK_EQ(io_uring_submit(&ring), 3);
    CHECK_EQ(reap_expect(&ring, 2), 0);
    CHECK_EQ(reap_expect(&ring, 1), -ECANCELED);
    CHECK_EQ(reap_expect(&ring, 3), -ENOENT);
    CHECK_EQ(ringer_sim_timers_with_user_data(1), 0);
    finish(&ring);
}

/* ---- sockets ---- */

struct pair {
    int listener, client, server;
    uint16_t port;
};

static void tcp_pair(struct pair *p) {
    p->listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    CHECK(p->listener >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    CHECK_EQ(bind(p->listener, (struct sockaddr *)&a, sizeof a), 0);
    CHECK_EQ(listen(p->listener, 4), 0);
    socklen_t len = sizeof a;
    CHECK_EQ(getsockname(p->listener, (struct sockaddr *)&a, &len), 0);
    p->port = ntohs(a.sin_port);
    p->client = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    CHECK_EQ(connect(p->client, (struct sockaddr *)&a, sizeof a), 0);
    p->server = accept4(p->listener, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
    CHECK(p->server >= 0);
}

static void tcp_pair_close(struct pair *p) {
    close(p->client);
    close(p->server);
    close(p->listener);
}

static void test_tcp_ports_and_refused(void) {
    world();
    struct pair p, q;
    tcp_pair(&p);
    CHECK_EQ(p.port, 32768);
    tcp_pair(&q);
    CHECK(q.port > 32768);
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {
        .sin_family = AF_INET, .sin_port = htons(9), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    CHECK_EQ(connect(s, (struct sockaddr *)&a, sizeof a), -1);
    CHECK_EQ(errno, ECONNREFUSED);
    struct io_uring ring;
    ring_init(&ring, 4);
    struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
    io_uring_prep_connect(sqe, s, (struct sockaddr *)&a, sizeof a);
    set_data(sqe, 1);
    CHECK_EQ(io_uring_submit(&ring), 1);
    CHECK_EQ(reap_expect(&ring, 1), -ECONNREFUSED);
    close(s);
    tcp_pair_close(&p);
    tcp_pair_close(&q);
    finish(&ring);
}

static void test_tcp_stream_semantics(void) {
    world();
    struct pair p;
    tcp_pair(&p);
    struct io_uring ring;
    ring_init(&ring, 8);
    char in[16], out[10] = "0123456789";
    /* a recv on an O_NONBLOCK socket waits */
    struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
    io_uring_prep_recv(sqe, p.server, in, 5, 0);
    set_data(sqe, 1);
    CHECK_EQ(io_uring_submit(&ring), 1);
    CHECK_EQ(io_uring_cq_ready(&ring), 0);
    CHECK_EQ(send(p.client, out, 10, 0), 10);
    CHECK_EQ(reap_expect(&ring, 1), 5);
    CHECK(memcmp(in, "01234", 5) == 0);
    /* MSG_DONTWAIT gives -EAGAIN only when empty; the rest is there */
    sqe = io_uring_get_sqe(&ring);
    io_uring_prep_recv(sqe, p.server, in, 16, MSG_DONTWAIT);
    set_data(sqe, 2);
    CHECK_EQ(io_uring_submit(&ring), 1);
    CHECK_EQ(reap_expect(&ring, 2), 5);
    sqe = io_uring_get_sqe(&ring);
    io_uring_prep_recv(sqe, p.server, in, 16, MSG_DONTWAIT);
    set_data(sqe, 3);
    CHECK_EQ(io_uring_submit(&ring), 1);
    CHECK_EQ(reap_expect(&ring, 3), -EAGAIN);
    /* a READ with an offset on a socket */
    sqe = io_uring_get_sqe(&ring);
    io_uring_prep_read(sqe, p.server, in, 4, 5);
    set_data(sqe, 4);
    CHECK_EQ(io_uring_submit(&ring), 1);
    CHECK_EQ(reap_expect(&ring, 4), -ESPIPE);
    /* SHUT_WR: the peer reads 0; a send after it is -EPIPE without SIGPIPE */
    CHECK_EQ(shutdown(p.client, SHUT_WR), 0);
    sqe = io_uring_get_sqe(&ring);
    io_uring_prep_recv(sqe, p.server, in, 16, 0);
    set_data(sqe, 5);
    sqe = io_uring_get_sqe(&ring);
    io_uring_prep_send(sqe, p.client, out, 10, MSG_NOSIGNAL);
    set_data(sqe, 6);
    CHECK_EQ(io_uring_submit(&ring), 2);
    CHECK_EQ(reap_expect(&ring, 5), 0);
    CHECK_EQ(reap_expect(&ring, 6), -EPIPE);
    CHECK_EQ(ringer_sim_stats().sigpipes, 0);
    /* WRITE to a broken socket raises (records) SIGPIPE */
    sqe = io_uring_get_sqe(&ring);
    io_uring_prep_write(sqe, p.client, out, 10, 0);
    set_data(sqe, 7);
    CHECK_EQ(io_uring_submit(&ring), 1);
    CHECK_EQ(reap_expect(&ring, 7), -EPIPE);
    CHECK_EQ(ringer_sim_stats().sigpipes, 1);
    tcp_pair_close(&p);
    finish(&ring);
}

static void test_tcp_reset_on_unread_close(void) {
    world();
    struct pair p;
    tcp_pair(&p);
    struct io_uring ring;
    ring_init(&ring, 4);
    CHECK_EQ(send(p.client, "abc", 3, 0), 3);
    char in[8];
    struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
    io_uring_prep_recv(sqe, p.client, in, 8, 0);
    set_data(sqe, 1);
    CHECK_EQ(io_uring_submit(&ring), 1);
    close(p.server); /* unread data: reset */
    CHECK_EQ(reap_expect(&ring, 1), -ECONNRESET);
    close(p.client);
    close(p.listener);
    finish(&ring);
}

static void test_close_does_not_cancel_accept(void) {
    world();
    struct io_uring ring;
    ring_init(&ring, 4);
    int l = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    CHECK_EQ(bind(l, (struct sockaddr *)&a, sizeof a), 0);
    CHECK_EQ(listen(l, 1), 0);
    socklen_t len = sizeof a;
    getsockname(l, (struct sockaddr *)&a, &len);
    struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
    io_uring_prep_accept(sqe, l, NULL, NULL, 0);
    set_data(sqe, 1);
    CHECK_EQ(io_uring_submit(&ring), 1);
    CHECK_EQ(close(l), 0);
    int c = socket(AF_INET, SOCK_STREAM, 0);
    CHECK_EQ(connect(c, (struct sockaddr *)&a, sizeof a), 0); /* the request holds the file */
    int32_t fd = reap_expect(&ring, 1);
    CHECK(fd >= 0);
    close(fd);
    close(c);
    finish(&ring);
}

static void test_sock_nonempty_flag(void) {
    options.faults[RINGER_SIM_FAULT_CQE_FLAGS].ppm = 1000000;
    world();
    struct pair p;
    tcp_pair(&p);
    struct io_uring ring;
    ring_init(&ring, 4);
    CHECK_EQ(send(p.client, "0123456789", 10, 0), 10);
    char in[4];
    struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
    io_uring_prep_recv(sqe, p.server, in, 4, 0);
    set_data(sqe, 1);
    CHECK_EQ(io_uring_submit(&ring), 1);
    struct io_uring_cqe *cqe;
    CHECK_EQ(io_uring_wait_cqe(&ring, &cqe), 0);
    CHECK_EQ(cqe->res, 4);
    CHECK(cqe->flags & IORING_CQE_F_SOCK_NONEMPTY); /* data left behind */
    io_uring_cqe_seen(&ring, cqe);
    CHECK(ringer_sim_stats().faults[RINGER_SIM_FAULT_CQE_FLAGS] >= 1);
    tcp_pair_close(&p);
    finish(&ring);
}

static void test_hostile_deferred_cancel(void) {
    options.profile = RINGER_SIM_PROFILE_HOSTILE;
    options.faults[RINGER_SIM_FAULT_ORDER].ppm = 1000000;
    world();
    struct io_uring ring;
    ring_init(&ring, 8);
    struct __kernel_timespec ts = {.tv_sec = 1};
    struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
    io_uring_prep_cancel64(sqe, 2, 0); /* runs after the timeout below is armed */
    set_data(sqe, 1);
    sqe = io_uring_get_sqe(&ring);
    io_uring_prep_timeout(sqe, &ts, 0, 0);
    set_data(sqe, 2);
    CHECK_EQ(io_uring_submit(&ring), 2);
    int32_t res[3] = {0};
    for (int i = 0; i < 2; i++) {
        int32_t r;
        uint64_t ud = reap(&ring, &r);
        CHECK(ud == 1 || ud == 2);
        res[ud] = r;
    }
    CHECK_EQ(res[1], 0);
    CHECK_EQ(res[2], -ECANCELED);
    CHECK(ringer_sim_now_ns() < 1000000000ull);
    finish(&ring);
}

/* ---- cancellation ---- */

static void test_cancel_waiting_recv(void) {
    world();
    struct pair p;
    tcp_pair(&p);
    struct io_uring ring;
    ring_init(&ring, 8);
    char in[8];
    struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
    io_uring_prep_recv(sqe, p.server, in, 8, 0);
    set_data(sqe, 1);
    sqe = io_uring_get_sqe(&ring);
    io_uring_prep_cancel64(sqe, 1, 0);
    set_data(sqe, 2);
    sqe = io_uring_get_sqe(&ring);
    io_uring_prep_cancel64(sqe, 77, 0);
    set_data(sqe, 3);
    CHECK_EQ(io_uring_submit(&ring), 3);
    CHECK_EQ(reap_expect(&ring, 2), 0); /* the cancel's CQE first by default */
    CHECK_EQ(reap_expect(&ring, 1), -ECANCELED);
    CHECK_EQ(reap_expect(&ring, 3), -ENOENT);
    tcp_pair_close(&p);
    finish(&ring);
}

static int data_file(const char *path, uint32_t size) {
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    CHECK(fd >= 0);
    static uint8_t block[4096];
    for (uint32_t off = 0; off < size; off += 4096) CHECK_EQ(pwrite(fd, block, 4096, off), 4096);
    return fd;
}

static void test_cancel_running_worker(void) {
    world();
    struct io_uring ring;
    ring_init(&ring, 8);
    int fd = data_file("/data/f", 4096);
    struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
    io_uring_prep_fsync(sqe, fd, 0);
    set_data(sqe, 1);
    sqe = io_uring_get_sqe(&ring);
    io_uring_prep_cancel64(sqe, 1, 0);
    set_data(sqe, 2);
    CHECK_EQ(io_uring_submit(&ring), 2);
    CHECK_EQ(reap_expect(&ring, 2), -EALREADY);
    CHECK_EQ(reap_expect(&ring, 1), 0);
    close(fd);
    finish(&ring);
}

static void scripted(struct io_uring *ring, int fd, struct ringer_sim_cancel_script s,
                     uint64_t first, int32_t first_res, uint64_t second, int32_t second_res) {
    char in[8];
    ringer_sim_script_cancel(&s);
    struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
    io_uring_prep_recv(sqe, fd, in, 8, 0);
    set_data(sqe, 1);
    sqe = io_uring_get_sqe(ring);
    io_uring_prep_cancel64(sqe, 1, 0);
    set_data(sqe, 2);
    CHECK_EQ(io_uring_submit(ring), 2);
    CHECK_EQ(io_uring_cq_ready(ring), s.separate_batches ? 1 : 2);
    CHECK_EQ(reap_expect(ring, first), first_res);
    CHECK_EQ(reap_expect(ring, second), second_res);
}

static void test_cancel_scripted_orders(void) {
    world();
    struct pair p;
    tcp_pair(&p);
    struct io_uring ring;
    ring_init(&ring, 8);
    for (int separate = 0; separate < 2; separate++) {
        struct ringer_sim_cancel_script s = {0, -ECANCELED, true, separate};
        scripted(&ring, p.server, s, 1, -ECANCELED, 2, 0);
        s = (struct ringer_sim_cancel_script){0, -ECANCELED, false, separate};
        scripted(&ring, p.server, s, 2, 0, 1, -ECANCELED);
        s = (struct ringer_sim_cancel_script){-EALREADY, -EINTR, false, separate};
        scripted(&ring, p.server, s, 2, -EALREADY, 1, -EINTR);
        s = (struct ringer_sim_cancel_script){-ENOENT, -ECANCELED, false, separate};
        scripted(&ring, p.server, s, 1, -ECANCELED, 2, -ENOENT);
    }
    tcp_pair_close(&p);
    finish(&ring);
}

static void test_cancel_all_flags(void) {
    world();
    struct io_uring ring;
    ring_init(&ring, 8);
    struct __kernel_timespec ts = {.tv_sec = 5};
    for (uint64_t i = 1; i <= 3; i++) {
        struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
        io_uring_prep_timeout(sqe, &ts, 0, 0);
        set_data(sqe, i);
    }
    struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
    io_uring_prep_cancel64(sqe, 0, IORING_ASYNC_CANCEL_ANY | IORING_ASYNC_CANCEL_ALL);
    set_data(sqe, 9);
    CHECK_EQ(io_uring_submit(&ring), 4);
    CHECK_EQ(reap_expect(&ring, 9), 3);
    for (uint64_t i = 1; i <= 3; i++) CHECK_EQ(reap_expect(&ring, i), -ECANCELED);
    finish(&ring);
}

static void test_cancel_flags_before_5_19(void) {
    options.kernel = RINGER_SIM_KERNEL_5_8;
    world();
    struct io_uring ring;
    ring_init(&ring, 8);
    struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
    io_uring_prep_cancel64(sqe, 0, IORING_ASYNC_CANCEL_ANY | IORING_ASYNC_CANCEL_ALL);
    set_data(sqe, 9);
    CHECK_EQ(io_uring_submit(&ring), 1);
    CHECK_EQ(reap_expect(&ring, 9), -EINVAL);
    finish(&ring);
}

/* ---- eventfd ---- */

static void test_eventfd(void) {
    world();
    struct io_uring ring;
    ring_init(&ring, 8);
    int e = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    CHECK(e >= 0);
    uint64_t value = 0, one = 1;
    struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
    io_uring_prep_read(sqe, e, &value, 8, 0);
    set_data(sqe, 1);
    CHECK_EQ(io_uring_submit(&ring), 1);
    CHECK_EQ(io_uring_cq_ready(&ring), 0); /* waits although O_NONBLOCK */
    CHECK_EQ(write(e, &one, 8), 8);
    CHECK_EQ(write(e, &one, 8), 8);
    CHECK_EQ(reap_expect(&ring, 1), 8);
    CHECK_EQ(value, 1);
    CHECK_EQ(write(e, &one, 8), 8);
    CHECK_EQ(write(e, &one, 8), 8);
    CHECK_EQ(read(e, &value, 8), 8);
    CHECK_EQ(value, 3); /* coalesced, then reset */
    CHECK_EQ(read(e, &value, 8), -1);
    CHECK_EQ(errno, EAGAIN);
    CHECK_EQ(read(e, &value, 4), -1);
    CHECK_EQ(errno, EINVAL);
    uint64_t all = UINT64_MAX;
    CHECK_EQ(write(e, &all, 8), -1);
    CHECK_EQ(errno, EINVAL);
    uint64_t big = 0xfffffffffffffffeull;
    CHECK_EQ(write(e, &big, 8), 8);
    CHECK_EQ(write(e, &one, 8), -1);
    CHECK_EQ(errno, EAGAIN);
    close(e);
    finish(&ring);
}

/* ---- files ---- */

static void test_fd_lowest_free(void) {
    world();
    int a = open("/tmp/a", O_CREAT | O_RDWR, 0600);
    int b = open("/tmp/b", O_CREAT | O_RDWR, 0600);
    int c = open("/tmp/c", O_CREAT | O_RDWR, 0600);
    CHECK_EQ(a, 3);
    CHECK_EQ(b, 4);
    CHECK_EQ(c, 5);
    CHECK_EQ(close(b), 0);
    CHECK_EQ(close(b), -1);
    CHECK_EQ(errno, EBADF);
    CHECK_EQ(open("/tmp/a", O_RDONLY), 4);
    int fds[8];
    CHECK_EQ(ringer_sim_open_fds(fds, 8), 3);
    CHECK_EQ(fds[1], 4);
    close(a);
    close(4);
    close(c);
    ringer_sim_deinit();
}

static void test_o_direct_alignment(void) {
    world();
    struct io_uring ring;
    ring_init(&ring, 8);
    int fd = data_file("/data/d", 16384);
    close(fd);
    fd = open("/data/d", O_RDWR | O_DIRECT);
    CHECK(fd >= 0);
    static _Alignas(4096) uint8_t buf[8192];
    struct {
        uint64_t off;
        void *p;
        uint32_t len;
        int32_t res;
    } cases[] = {
        {0, buf, 4096, 4096},   {512, buf, 4096, -EINVAL}, {0, buf + 1, 4096, -EINVAL},
        {0, buf, 100, -EINVAL}, {4096, buf, 8192, 8192},
    };
    for (uint64_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
        io_uring_prep_read(sqe, fd, cases[i].p, cases[i].len, cases[i].off);
        set_data(sqe, i);
        CHECK_EQ(io_uring_submit(&ring), 1);
        CHECK_EQ(reap_expect(&ring, i), cases[i].res);
    }
    close(fd);
    /* tmpfs: no O_DIRECT; the file is created anyway */
    CHECK_EQ(open("/tmp/direct", O_RDWR | O_CREAT | O_DIRECT, 0600), -1);
    CHECK_EQ(errno, EINVAL);
    struct stat st;
    CHECK_EQ(stat("/tmp/direct", &st), 0);
    struct statfs sf;
    int dir = open("/tmp", O_RDONLY | O_DIRECTORY);
    CHECK_EQ(fstatfs(dir, &sf), 0);
    CHECK_EQ(sf.f_type, 0x01021994);
    close(dir);
    finish(&ring);
}

static void test_read_past_eof_and_holes(void) {
    world();
    int fd = open("/data/h", O_RDWR | O_CREAT, 0600);
    CHECK_EQ(pwrite(fd, "xy", 2, 10000), 2);
    char buf[16] = {1};
    CHECK_EQ(pread(fd, buf, 16, 0), 16);
    CHECK(buf[0] == 0 && buf[15] == 0);
    CHECK_EQ(pread(fd, buf, 16, 9999), 3);
    CHECK_EQ(pread(fd, buf, 16, 20000), 0);
    struct stat st;
    CHECK_EQ(fstat(fd, &st), 0);
    CHECK_EQ(st.st_size, 10002);
    CHECK_EQ(pwrite(fd, "", 0, 50000), 0); /* a 0-byte write changes nothing */
    CHECK_EQ(fstat(fd, &st), 0);
    CHECK_EQ(st.st_size, 10002);
    close(fd);
    ringer_sim_deinit();
}

static bool exists(const char *path) {
    struct stat st;
    return stat(path, &st) == 0;
}

static void test_crash_durability(void) {
    options.faults[RINGER_SIM_FAULT_LOST_UNSYNCED].ppm = 1000000; /* lose all that may be lost */
    world();
    int dir = open("/data", O_RDONLY | O_DIRECTORY);
    /* synced file and entry */
    int a = open("/data/a", O_RDWR | O_CREAT, 0600);
    CHECK_EQ(pwrite(a, "durable!", 8, 0), 8);
    CHECK_EQ(fsync(a), 0);
    CHECK_EQ(fsync(dir), 0);
    CHECK_EQ(pwrite(a, "LOST", 4, 0), 4); /* unsynced overwrite */
    CHECK_EQ(pwrite(a, "more", 4, 8), 4); /* unsynced growth */
    /* O_DSYNC writes are durable at completion */
    int c = open("/data/c", O_RDWR | O_CREAT | O_DSYNC, 0600);
    CHECK_EQ(pwrite(c, "dsync", 5, 0), 5);
    CHECK_EQ(fsync(dir), 0);
    /* an entry never synced (its file's own fsync does not persist the entry) */
    int b = open("/data/b", O_RDWR | O_CREAT, 0600);
    CHECK_EQ(fsync(b), 0);
    /* an unlink not synced */
    CHECK_EQ(unlink("/data/c"), 0);
    ringer_sim_crash();
    CHECK_EQ(ringer_sim_open_fds(NULL, 0), 0);
    char buf[16] = {0};
    CHECK_EQ(ringer_sim_read_file("/data/a", buf, 16, 0), 8);
    CHECK(memcmp(buf, "durable!", 8) == 0);
    CHECK(!exists("/data/b"));
    CHECK(exists("/data/c")); /* the unlink was lost */
    CHECK_EQ(ringer_sim_read_file("/data/c", buf, 16, 0), 5);
    CHECK(memcmp(buf, "dsync", 5) == 0);
    CHECK_EQ(ringer_sim_stats().crashes, 1);
    ringer_sim_deinit();
}

static void test_crash_keeps_when_not_lost(void) {
    world();
    int a = open("/data/a", O_RDWR | O_CREAT, 0600);
    CHECK_EQ(pwrite(a, "kept", 4, 0), 4);
    ringer_sim_crash();
    char buf[8];
    CHECK_EQ(ringer_sim_read_file("/data/a", buf, 8, 0), 4);
    ringer_sim_deinit();
}

static void test_fsync_failure_loses_data_at_crash(void) {
    options.faults[RINGER_SIM_FAULT_FSYNC_FAIL].ppm = 1000000;
    world();
    int a = open("/data/f", O_RDWR | O_CREAT, 0600);
    int dir = open("/data", O_RDONLY | O_DIRECTORY);
    CHECK_EQ(fsync(dir), 0); /* the entry is durable (directories do not fail here) */
    CHECK_EQ(pwrite(a, "lost", 4, 0), 4);
    CHECK_EQ(fsync(a), -1); /* -EIO: the dirty data is marked clean, never written */
    CHECK_EQ(errno, EIO);
    CHECK_EQ(fsync(a), 0); /* nothing dirty any more: success, and still not durable */
    ringer_sim_crash();
    char buf[8] = {0};
    CHECK_EQ(ringer_sim_read_file("/data/f", buf, 8, 0), 4); /* the size was persisted */
    CHECK(memcmp(buf, "lost", 4) != 0);                      /* the data was not */
    ringer_sim_deinit();
}

static void test_block_device_and_lock(void) {
    world();
    CHECK_EQ(ringer_sim_add_block_device("/dev_sim", 1 << 20, false), 0);
    int fd = open("/dev_sim", O_RDWR);
    CHECK(fd >= 0);
    uint64_t size = 0;
    CHECK_EQ(ioctl(fd, BLKGETSIZE64, &size), 0);
    CHECK_EQ(size, 1 << 20);
    struct stat st;
    CHECK_EQ(fstat(fd, &st), 0);
    CHECK(S_ISBLK(st.st_mode));
    close(fd);
    int f = open("/data/locked", O_RDWR | O_CREAT, 0600);
    CHECK_EQ(ringer_sim_hold_lock("/data/locked", 2), 0);
    CHECK_EQ(flock(f, LOCK_EX | LOCK_NB), -1);
    CHECK_EQ(errno, EWOULDBLOCK);
    CHECK_EQ(flock(f, LOCK_EX | LOCK_NB), -1);
    CHECK_EQ(flock(f, LOCK_EX | LOCK_NB), 0);
    int g = open("/data/locked", O_RDWR);
    CHECK_EQ(flock(g, LOCK_EX | LOCK_NB), -1);
    close(f);
    CHECK_EQ(flock(g, LOCK_EX | LOCK_NB), 0);
    close(g);
    ringer_sim_deinit();
}

static void test_fsync_after_close_in_batch(void) {
    world();
    struct io_uring ring;
    ring_init(&ring, 8);
    int fd = open("/data/x", O_RDWR | O_CREAT, 0600);
    struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
    io_uring_prep_close(sqe, fd);
    set_data(sqe, 1);
    sqe = io_uring_get_sqe(&ring);
    io_uring_prep_fsync(sqe, fd, 0);
    set_data(sqe, 2);
    CHECK_EQ(io_uring_submit(&ring), 2);
    CHECK_EQ(reap_expect(&ring, 1), 0);
    CHECK_EQ(reap_expect(&ring, 2), -EBADF);
    finish(&ring);
}

/* ---- links and drain ---- */

static void push(struct io_uring *ring, struct io_uring_sqe *sqe, uint64_t user_data,
                 unsigned flags) {
    (void)ring;
    io_uring_sqe_set_data64(sqe, user_data);
    io_uring_sqe_set_flags(sqe, flags);
}

static void test_links(void) {
    world();
    struct io_uring ring;
    ring_init(&ring, 8);
    int fd = open("/data/l", O_RDWR | O_CREAT, 0600);
    static char out[10] = "abcdefghij", in[10];
    struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
    io_uring_prep_write(sqe, fd, out, 10, 0);
    push(&ring, sqe, 1, IOSQE_IO_LINK);
    sqe = io_uring_get_sqe(&ring);
    io_uring_prep_read(sqe, fd, in, 10, 0);
    push(&ring, sqe, 2, IOSQE_IO_LINK);
    sqe = io_uring_get_sqe(&ring);
    io_uring_prep_nop(sqe);
    push(&ring, sqe, 3, 0);
    CHECK_EQ(io_uring_submit(&ring), 3);
    CHECK_EQ(reap_expect(&ring, 1), 10);
    CHECK_EQ(reap_expect(&ring, 2), 10);
    CHECK_EQ(reap_expect(&ring, 3), 0);
    CHECK(memcmp(in, out, 10) == 0);
    /* a failure cancels the rest; a hardlink continues */
    sqe = io_uring_get_sqe(&ring);
    io_uring_prep_read(sqe, 999, in, 10, 0);
    push(&ring, sqe, 4, IOSQE_IO_LINK);
    sqe = io_uring_get_sqe(&ring);
    io_uring_prep_nop(sqe);
    push(&ring, sqe, 5, IOSQE_IO_LINK);
    sqe = io_uring_get_sqe(&ring);
    io_uring_prep_nop(sqe);
    push(&ring, sqe, 6, 0);
    sqe = io_uring_get_sqe(&ring);
    io_uring_prep_read(sqe, 999, in, 10, 0);
    push(&ring, sqe, 7, IOSQE_IO_HARDLINK);
    sqe = io_uring_get_sqe(&ring);
    io_uring_prep_nop(sqe);
    push(&ring, sqe, 8, 0);
    CHECK_EQ(io_uring_submit(&ring), 5);
    CHECK_EQ(reap_expect(&ring, 4), -EBADF);
    CHECK_EQ(reap_expect(&ring, 5), -ECANCELED);
    CHECK_EQ(reap_expect(&ring, 6), -ECANCELED);
    CHECK_EQ(reap_expect(&ring, 7), -EBADF);
    CHECK_EQ(reap_expect(&ring, 8), 0);
    /* an expired timeout fails its chain unless ETIME_SUCCESS */
    static struct __kernel_timespec ms = {.tv_nsec = 1000000};
    sqe = io_uring_get_sqe(&ring);
    io_uring_prep_timeout(sqe, &ms, 0, 0);
    push(&ring, sqe, 9, IOSQE_IO_LINK);
    sqe = io_uring_get_sqe(&ring);
    io_uring_prep_nop(sqe);
    push(&ring, sqe, 10, 0);
    sqe = io_uring_get_sqe(&ring);
    io_uring_prep_timeout(sqe, &ms, 0, IORING_TIMEOUT_ETIME_SUCCESS);
    push(&ring, sqe, 11, IOSQE_IO_LINK);
    sqe = io_uring_get_sqe(&ring);
    io_uring_prep_nop(sqe);
    push(&ring, sqe, 12, 0);
    CHECK_EQ(io_uring_submit(&ring), 4);
    int32_t res[13] = {0};
    for (int i = 0; i < 4; i++) {
        int32_t r;
        uint64_t ud = reap(&ring, &r);
        CHECK(ud >= 9 && ud <= 12);
        res[ud] = r;
    }
    CHECK_EQ(res[9], -ETIME);
    CHECK_EQ(res[10], -ECANCELED);
    CHECK_EQ(res[11], -ETIME);
    CHECK_EQ(res[12], 0);
    close(fd);
    finish(&ring);
}

static void test_link_prep_failure_and_boundary(void) {
    world();
    struct io_uring ring;
    ring_init(&ring, 8);
    struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
    io_uring_prep_nop(sqe);
    push(&ring, sqe, 1, IOSQE_IO_LINK);
    sqe = io_uring_get_sqe(&ring);
    io_uring_prep_nop(sqe);
    sqe->opcode = 250;
    push(&ring, sqe, 2, IOSQE_IO_LINK);
    sqe = io_uring_get_sqe(&ring);
    io_uring_prep_nop(sqe);
    push(&ring, sqe, 3, 0);
    CHECK_EQ(io_uring_submit(&ring), 2); /* submission stops after the prep failure */
    CHECK_EQ(reap_expect(&ring, 1), -ECANCELED);
    CHECK_EQ(reap_expect(&ring, 2), -EINVAL);
    CHECK_EQ(io_uring_submit(&ring), 1);
    CHECK_EQ(reap_expect(&ring, 3), 0);
    /* a chain ends at the submit boundary */
    sqe = io_uring_get_sqe(&ring);
    io_uring_prep_nop(sqe);
    push(&ring, sqe, 4, IOSQE_IO_LINK);
    CHECK_EQ(io_uring_submit(&ring), 1);
    CHECK_EQ(reap_expect(&ring, 4), 0);
    finish(&ring);
}

static void test_drain(void) {
    world();
    struct io_uring ring;
    ring_init(&ring, 8);
    static struct __kernel_timespec ms = {.tv_nsec = 2000000};
    struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
    io_uring_prep_timeout(sqe, &ms, 0, 0);
    push(&ring, sqe, 1, 0);
    sqe = io_uring_get_sqe(&ring);
    io_uring_prep_nop(sqe);
    push(&ring, sqe, 2, IOSQE_IO_DRAIN);
    sqe = io_uring_get_sqe(&ring);
    io_uring_prep_nop(sqe);
    push(&ring, sqe, 3, 0);
    CHECK_EQ(io_uring_submit(&ring), 3);
    CHECK_EQ(io_uring_cq_ready(&ring), 0); /* the drain waits for the timeout, the nop for it */
    CHECK_EQ(reap_expect(&ring, 1), -ETIME);
    CHECK_EQ(reap_expect(&ring, 2), 0);
    CHECK_EQ(reap_expect(&ring, 3), 0);
    finish(&ring);
}

static void test_cancel_held_link_member(void) {
    world();
    struct io_uring ring;
    ring_init(&ring, 8);
    static struct __kernel_timespec long_ts = {.tv_sec = 5};
    struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
    io_uring_prep_timeout(sqe, &long_ts, 0, 0);
    push(&ring, sqe, 1, IOSQE_IO_LINK);
    sqe = io_uring_get_sqe(&ring);
    io_uring_prep_nop(sqe);
    push(&ring, sqe, 2, IOSQE_IO_LINK);
    sqe = io_uring_get_sqe(&ring);
    io_uring_prep_nop(sqe);
    push(&ring, sqe, 3, 0);
    sqe = io_uring_get_sqe(&ring);
    io_uring_prep_cancel64(sqe, 2, 0);
    push(&ring, sqe, 4, 0);
    CHECK_EQ(io_uring_submit(&ring), 4);
    CHECK_EQ(reap_expect(&ring, 4), 0);
    CHECK_EQ(reap_expect(&ring, 2), -ECANCELED);
    CHECK_EQ(reap_expect(&ring, 3), -ECANCELED);
    sqe = io_uring_get_sqe(&ring);
    io_uring_prep_timeout_remove(sqe, 1, 0);
    push(&ring, sqe, 5, 0);
    CHECK_EQ(io_uring_submit(&ring), 1);
    CHECK_EQ(reap_expect(&ring, 5), 0);
    CHECK_EQ(reap_expect(&ring, 1), -ECANCELED);
    CHECK_EQ(ringer_sim_in_flight(), 0);
    finish(&ring);
}

/* ---- death tests ---- */

static void test_deadlock_is_reported(void) {
    world();
    struct io_uring ring;
    ring_init(&ring, 4);
    struct pair p;
    tcp_pair(&p);
    char in[4];
    struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
    io_uring_prep_recv(sqe, p.server, in, 4, 0);
    set_data(sqe, 1);
    struct io_uring_cqe *cqe;
    io_uring_submit_and_wait(&ring, 1); /* nothing can ever complete: report, abort */
    (void)cqe;
    simtest_fail("returned from a deadlocked wait");
}

static void test_leak_is_reported(void) {
    world();
    open("/tmp/leak", O_CREAT | O_RDWR, 0600);
    ringer_sim_deinit(); /* aborts: an fd leaked */
}

static const struct simtest tests[] = {
    {"sim_setup_sizes", test_setup_sizes, 0},
    {"sim_setup_profile_5_8", test_setup_profile_5_8, 0},
    {"sim_sq_full_and_stale_sqe", test_sq_full_and_stale_sqe, 0},
    {"sim_prep_failure_stops_submission", test_prep_failure_stops_submission, 0},
    {"sim_partial_submission_never_waits", test_partial_submission_never_waits, 0},
    {"sim_overflow", test_overflow, 0},
    {"sim_timeouts_never_early", test_timeouts_never_early, 0},
    {"sim_timeout_count_and_fields", test_timeout_count_and_fields, 0},
    {"sim_timeout_remove", test_timeout_remove, 0},
    {"sim_tcp_ports_and_refused", test_tcp_ports_and_refused, 0},
    {"sim_tcp_stream_semantics", test_tcp_stream_semantics, 0},
    {"sim_tcp_reset_on_unread_close", test_tcp_reset_on_unread_close, 0},
    {"sim_close_does_not_cancel_accept", test_close_does_not_cancel_accept, 0},
    {"sim_cancel_waiting_recv", test_cancel_waiting_recv, 0},
    {"sim_sock_nonempty_flag", test_sock_nonempty_flag, 0},
    {"sim_hostile_deferred_cancel", test_hostile_deferred_cancel, 0},
    {"sim_cancel_running_worker", test_cancel_running_worker, 0},
    {"sim_cancel_scripted_orders", test_cancel_scripted_orders, 0},
    {"sim_cancel_all_flags", test_cancel_all_flags, 0},
    {"sim_cancel_flags_before_5_19", test_cancel_flags_before_5_19, 0},
    {"sim_eventfd", test_eventfd, 0},
    {"sim_fd_lowest_free", test_fd_lowest_free, 0},
    {"sim_o_direct_alignment", test_o_direct_alignment, 0},
    {"sim_read_past_eof_and_holes", test_read_past_eof_and_holes, 0},
    {"sim_crash_durability", test_crash_durability, 0},
    {"sim_crash_keeps_when_not_lost", test_crash_keeps_when_not_lost, 0},
    {"sim_block_device_and_lock", test_block_device_and_lock, 0},
    {"sim_fsync_failure_loses_data_at_crash", test_fsync_failure_loses_data_at_crash, 0},
    {"sim_fsync_after_close_in_batch", test_fsync_after_close_in_batch, 0},
    {"sim_links", test_links, 0},
    {"sim_link_prep_failure_and_boundary", test_link_prep_failure_and_boundary, 0},
    {"sim_drain", test_drain, 0},
    {"sim_cancel_held_link_member", test_cancel_held_link_member, 0},
    {"sim_deadlock_is_reported", test_deadlock_is_reported, SIGABRT},
    {"sim_leak_is_reported", test_leak_is_reported, SIGABRT},
};

int main(int argc, char **argv) {
    return simtest_main(tests, (int)(sizeof tests / sizeof tests[0]), argc, argv);
}
