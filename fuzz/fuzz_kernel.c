/*
 * fuzz_kernel: raw SQE sequences straight into the simulated kernel through its liburing
 * API, without ringer in between.
 *
 * The input picks the ring's shape (entries, SUBMIT_ALL, a small CQ that overflows), then a
 * sequence of SQEs (NOP, READ and WRITE of a file, FSYNC, TIMEOUT with a count or not,
 * ASYNC_CANCEL and TIMEOUT_REMOVE by user_data, CLOSE of a bad fd, an unknown opcode, with
 * link and drain flags), submits, waits and reaps. Checks the kernel's own invariants
 * (kernel-semantics.md §3-§8, §11) against a reference model: sq_ready + sq_space_left ==
 * entries; a submit consumes at most what is ready; every consumed SQE yields exactly one
 * CQE and every CQE names a consumed, not yet completed user_data; file contents match a
 * byte model (READ returns what the last WRITEs left, short only at EOF); timers never fire
 * early; nothing stays in flight once every CQE is in.
 */
#include <errno.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <liburing.h>
#include <ringer_sim.h>
#define RINGER_SIM_NO_REDIRECT
#include <ringer_sim_posix.h>

#include "check.h"
#include "input.h"
#include "world.h"

#define MAX_REQUESTS    128u
#define MAX_STEPS       96u
#define FILE_MODEL_SIZE 65536u
#define IO_MAX          4096u
#define DRAIN_ROUNDS    4096u
#ifndef FUZZ_KERNEL_LINKS
#define FUZZ_KERNEL_LINKS 0
#endif
#define DRAIN_CANCELS_MAX 64u /* a hostile kernel may fail a cancel: drain() tries again */

enum request_kind {
    RQ_NOP,
    RQ_READ,
    RQ_WRITE,
    RQ_FSYNC,
    RQ_TIMEOUT,
    RQ_CANCEL,
    RQ_TIMEOUT_REMOVE,
    RQ_CLOSE,
    RQ_BAD_OPCODE,
    RQ_SEND,
    RQ_RECV,
    RQ_KIND_COUNT
};

struct request {
    uint8_t kind;
    bool consumed, completed, checkable, drain;
    uint32_t len;
    uint64_t offset, timeout_ns, consumed_at_ns, write_epoch;
    struct __kernel_timespec timespec;
};

struct kernel {
    struct fuzz_input program;
    struct io_uring ring;
    uint32_t sq_entries;
    int file;
    bool exact; /* no faults: results are fully predictable */
    bool trace; /* FUZZ_TRACE=1: print every SQE, submit and CQE */
    /* user_data 1..MAX_REQUESTS, plus the cancels drain() adds for a send and a recv */
    struct request requests[MAX_REQUESTS + DRAIN_CANCELS_MAX + 1];
    uint32_t prepared, consumed, completed;
    uint32_t unconsumed_head; /* the oldest prepared, unconsumed request (ring order) */
    uint64_t write_epoch;
    uint32_t writes_in_flight;
    uint8_t model[FILE_MODEL_SIZE];
    uint64_t model_size;
    /* A TCP connection: sends from client, recvs on server, one of each in flight at a time
     * (two of either may be served in either order, kernel-semantics.md §13 item 9), so
     * the byte stream is exact: byte i of it is stream_byte(i). */
    int listener, client, server;
    uint64_t stream_sent, stream_received;
    uint32_t send_in_flight, recv_in_flight; /* user_data, or 0 */
    uint32_t drains_in_flight;               /* IOSQE_IO_DRAIN requests without their CQE yet */
};

static struct kernel kernel;
static uint8_t io_buffers[MAX_REQUESTS + DRAIN_CANCELS_MAX + 1][IO_MAX];

static uint8_t stream_byte(uint64_t position) {
    return (uint8_t)(position * 7u + 3u + (position >> 8));
}

static const uint64_t lengths[] = {4096, 1, 0, 100, 512, 4095};
static const uint64_t offsets[] = {0, 4096, 1, 8192, 60000, 65536 - 4096};
static const uint64_t timeouts_ns[] = {1000000, 0, 1, 50000, 2000000000};

static struct request *request_of(struct kernel *k, uint64_t user_data) {
    FUZZ_CHECK(user_data >= 1 && user_data <= k->prepared, "CQE with unknown user_data %llu",
               (unsigned long long)user_data);
    return &k->requests[user_data];
}

/* ---- preparing SQEs ---- */

static void prep_rw(struct kernel *k, struct io_uring_sqe *sqe, struct request *r, uint32_t id) {
    struct fuzz_input *in = &k->program;
    r->len = (uint32_t)FUZZ_PICK(in, lengths);
    r->offset = FUZZ_PICK(in, offsets);
    if (r->kind == RQ_WRITE && k->writes_in_flight > 0) r->kind = RQ_READ; /* one writer */
    if (r->kind == RQ_READ) {
        memset(io_buffers[id], 0xee, IO_MAX);
        io_uring_prep_read(sqe, k->file, io_buffers[id], r->len, r->offset);
        r->checkable = k->writes_in_flight == 0;
        r->write_epoch = k->write_epoch;
        return;
    }
    memset(io_buffers[id], (int)(id & 0xff), IO_MAX);
    io_uring_prep_write(sqe, k->file, io_buffers[id], r->len, r->offset);
    k->writes_in_flight += 1;
    k->write_epoch += 1; /* a read in flight may now see either contents */
}

/* SEND and RECV on the connection; a second one of a kind while one runs becomes a NOP. */
static void prep_stream(struct kernel *k, struct io_uring_sqe *sqe, struct request *r,
                        uint32_t id) {
    r->len = (uint32_t)FUZZ_PICK(&k->program, lengths);
    uint32_t *in_flight = r->kind == RQ_SEND ? &k->send_in_flight : &k->recv_in_flight;
    /* Not behind a drain either: the sim runs a request that was cancelled while a drain
     * deferred it (reported; corpus/pending/fuzz_kernel), and drain() cancels these. */
    if (*in_flight != 0 || k->drains_in_flight != 0) {
        r->kind = RQ_NOP;
        io_uring_prep_nop(sqe);
        return;
    }
    *in_flight = id;
    if (r->kind == RQ_RECV) {
        memset(io_buffers[id], 0xee, IO_MAX);
        io_uring_prep_recv(sqe, k->server, io_buffers[id], r->len, 0);
        return;
    }
    for (uint32_t i = 0; i < r->len; i++) io_buffers[id][i] = stream_byte(k->stream_sent + i);
    io_uring_prep_send(sqe, k->client, io_buffers[id], r->len, MSG_NOSIGNAL);
}

static void prep_other(struct kernel *k, struct io_uring_sqe *sqe, struct request *r) {
    struct fuzz_input *in = &k->program;
    const uint64_t other = 1 + fuzz_below(in, k->prepared + 1); /* maybe not yet used */
    switch (r->kind) {
    case RQ_NOP:
        io_uring_prep_nop(sqe);
        break;
    case RQ_FSYNC:
        io_uring_prep_fsync(sqe, k->file, fuzz_bool(in) ? IORING_FSYNC_DATASYNC : 0);
        break;
    case RQ_TIMEOUT:
        r->timeout_ns = FUZZ_PICK(in, timeouts_ns);
        r->timespec.tv_sec = (long long)(r->timeout_ns / 1000000000u);
        r->timespec.tv_nsec = (long long)(r->timeout_ns % 1000000000u);
        io_uring_prep_timeout(sqe, &r->timespec, fuzz_below(in, 3), 0);
        break;
    case RQ_CANCEL:
        io_uring_prep_cancel64(sqe, other, 0);
        break;
    case RQ_TIMEOUT_REMOVE:
        io_uring_prep_timeout_remove(sqe, other, 0);
        break;
    case RQ_CLOSE:
        io_uring_prep_close(sqe, 999);
        break;
    default:
        FUZZ_ASSERT(r->kind == RQ_BAD_OPCODE);
        io_uring_prep_nop(sqe);
        sqe->opcode = 200; /* no such op: fails at prep time with -EINVAL */
    }
}

static void step_prepare(struct kernel *k) {
    const unsigned ready = io_uring_sq_ready(&k->ring);
    FUZZ_CHECK(ready + io_uring_sq_space_left(&k->ring) == k->sq_entries,
               "sq_ready %u + space_left %u != %u entries", ready, io_uring_sq_space_left(&k->ring),
               k->sq_entries);
    if (k->prepared == MAX_REQUESTS) return;
    struct io_uring_sqe *sqe = io_uring_get_sqe(&k->ring);
    FUZZ_CHECK((sqe == NULL) == (ready == k->sq_entries), "get_sqe %s with %u of %u ready",
               sqe == NULL ? "failed" : "succeeded", ready, k->sq_entries);
    if (sqe == NULL) return;
    const uint32_t id = ++k->prepared;
    struct request *r = &k->requests[id];
    memset(r, 0, sizeof(*r));
    r->kind = (uint8_t)fuzz_below(&k->program, RQ_KIND_COUNT);
    if (r->kind == RQ_READ || r->kind == RQ_WRITE) {
        prep_rw(k, sqe, r, id);
    } else if (r->kind == RQ_SEND || r->kind == RQ_RECV) {
        prep_stream(k, sqe, r, id);
    } else {
        prep_other(k, sqe, r);
    }
    static const uint64_t sqe_flags[] = {0, 0, IOSQE_IO_LINK, IOSQE_IO_DRAIN, IOSQE_IO_HARDLINK};
    unsigned flags = (unsigned)FUZZ_PICK(&k->program, sqe_flags);
    /* The sim still runs a request that a cancel completed while a link or a drain deferred
     * it (a second CQE; corpus/pending/fuzz_kernel, KNOWN_ISSUES.md K1). Until that
     * is fixed, build with -DFUZZ_KERNEL_LINKS=1 to fuzz links and drains. */
    if (!FUZZ_KERNEL_LINKS) flags = 0;
    /* A drain on, or behind, a send or recv that waits for ever holds back every later SQE,
     * the cancel that drain() sends included (Linux does the same): no drain near them. */
    if (k->send_in_flight != 0 || k->recv_in_flight != 0) flags &= ~(unsigned)IOSQE_IO_DRAIN;
    r->drain = (flags & IOSQE_IO_DRAIN) != 0;
    k->drains_in_flight += r->drain;
    io_uring_sqe_set_flags(sqe, flags);
    io_uring_sqe_set_data64(sqe, id);
    if (k->trace) {
        fprintf(stderr,
                "fuzz: prep %u kind %u flags %#x len %u off %llu addr/target %llu "
                "timeout %llu\n",
                id, r->kind, flags, r->len, (unsigned long long)r->offset,
                (unsigned long long)sqe->addr, (unsigned long long)r->timeout_ns);
    }
}

/* ---- submitting ---- */

/* The first `count` prepared, unconsumed requests in ring order were consumed at `now`. */
static void mark_consumed(struct kernel *k, uint32_t count, uint64_t now) {
    for (uint32_t i = 0; i < count; i++) {
        FUZZ_ASSERT(k->unconsumed_head <= k->prepared);
        struct request *r = &k->requests[++k->unconsumed_head];
        FUZZ_ASSERT(!r->consumed);
        r->consumed = true;
        r->consumed_at_ns = now;
    }
    k->consumed += count;
    FUZZ_CHECK(k->consumed <= k->prepared, "consumed %u of %u prepared", k->consumed, k->prepared);
}

static void step_submit(struct kernel *k, bool wait) {
    const unsigned ready = io_uring_sq_ready(&k->ring);
    /* Waiting with nothing that can complete would be a deadlock of the program's making: a
     * send or recv may wait for ever, and so may anything linked behind it. */
    if (k->consumed == k->completed && ready == 0) wait = false;
    if (k->send_in_flight != 0 || k->recv_in_flight != 0) wait = false;
    const uint64_t before = ringer_sim_peek_now_ns();
    int rc = wait ? io_uring_submit_and_wait(&k->ring, 1) : io_uring_submit(&k->ring);
    const unsigned ready_after = io_uring_sq_ready(&k->ring);
    if (k->trace) fprintf(stderr, "fuzz: submit wait=%d ready %u -> %d\n", wait, ready, rc);
    if (rc < 0) {
        FUZZ_CHECK(!k->exact, "io_uring_enter: %d without faults", rc);
        FUZZ_CHECK(rc == -EAGAIN || rc == -EINTR || rc == -EBUSY, "io_uring_enter: %d", rc);
        FUZZ_CHECK(ready_after == ready, "a failed enter (%d) consumed SQEs", rc);
        return;
    }
    FUZZ_CHECK((unsigned)rc <= ready, "submit consumed %d of %u ready SQEs", rc, ready);
    FUZZ_CHECK(ready_after == ready - (unsigned)rc, "submit returned %d, SQ went %u -> %u", rc,
               ready, ready_after);
    mark_consumed(k, (uint32_t)rc, before);
}

/* ---- reaping: every CQE against the model ---- */

static void check_read(struct kernel *k, const struct request *r, uint32_t id, int32_t res) {
    const uint64_t end = r->offset + r->len;
    const uint64_t expected = r->offset >= k->model_size
                                  ? 0
                                  : (end <= k->model_size ? r->len : k->model_size - r->offset);
    FUZZ_CHECK(res == (int32_t)expected, "READ of %u at %llu returned %d, the model says %llu",
               r->len, (unsigned long long)r->offset, res, (unsigned long long)expected);
    FUZZ_CHECK(memcmp(io_buffers[id], k->model + r->offset, expected) == 0,
               "READ at %llu returned bytes the file never held", (unsigned long long)r->offset);
}

static void apply_write(struct kernel *k, uint32_t id, const struct request *r, int32_t res) {
    FUZZ_CHECK(res == (int32_t)r->len, "WRITE of %u returned %d without faults", r->len, res);
    FUZZ_ASSERT(r->offset + r->len <= FILE_MODEL_SIZE);
    memcpy(k->model + r->offset, io_buffers[id], r->len);
    if (r->len > 0 && r->offset + r->len > k->model_size) k->model_size = r->offset + r->len;
    if (r->len == 0) {
        struct stat st;
        FUZZ_CHECK(ringer_sim_fstat(k->file, &st) == 0, "fstat: errno %d", errno);
        FUZZ_CHECK((uint64_t)st.st_size == k->model_size,
                   "a 0-byte WRITE at %llu changed the "
                   "file size to %lld (the model says %llu)",
                   (unsigned long long)r->offset, (long long)st.st_size,
                   (unsigned long long)k->model_size);
    }
}

/* Results a faithful kernel without faults gives (kernel-semantics.md §8, §11). */
static void check_exact(struct kernel *k, struct request *r, uint32_t id, int32_t res) {
    if (res == -ECANCELED) return; /* a link member after a failure, or a cancel's target */
    switch (r->kind) {
    case RQ_NOP:
    case RQ_FSYNC:
        FUZZ_CHECK(res == 0, "op %u returned %d", r->kind, res);
        break;
    case RQ_READ:
        if (r->checkable && r->write_epoch == k->write_epoch) check_read(k, r, id, res);
        break;
    case RQ_WRITE:
        apply_write(k, id, r, res);
        break;
    case RQ_TIMEOUT:
        FUZZ_CHECK(res == -ETIME || res == 0, "TIMEOUT returned %d", res);
        break;
    case RQ_CANCEL:
        FUZZ_CHECK(res == 0 || res == -ENOENT || res == -EALREADY, "ASYNC_CANCEL: %d", res);
        break;
    case RQ_TIMEOUT_REMOVE:
        FUZZ_CHECK(res == 0 || res == -ENOENT || res == -EALREADY || res == -EBUSY,
                   "TIMEOUT_REMOVE: %d", res);
        break;
    case RQ_CLOSE:
        FUZZ_CHECK(res == -EBADF, "CLOSE of a bad fd returned %d", res);
        break;
    case RQ_SEND:
    case RQ_RECV:
        FUZZ_CHECK(res >= 0 && (res > 0 || r->len == 0), "op %u of %u bytes returned %d", r->kind,
                   r->len, res);
        break;
    default:
        FUZZ_CHECK(res == -EINVAL, "an unknown opcode returned %d", res);
    }
}

/* Bytes inside one TCP stream stay in order under every profile (fault-model.md §1). */
static void account_stream(struct kernel *k, const struct request *r, uint32_t id, int32_t res) {
    FUZZ_CHECK(res <= (int32_t)r->len, "op %u moved %d of %u bytes", r->kind, res, r->len);
    if (r->kind == RQ_SEND) {
        k->send_in_flight = 0;
        if (res > 0) k->stream_sent += (uint64_t)res; /* the first res bytes went out */
        return;
    }
    k->recv_in_flight = 0;
    for (int32_t i = 0; i < res; i++) {
        FUZZ_CHECK(io_buffers[id][i] == stream_byte(k->stream_received + (uint64_t)i),
                   "recv byte %d is not byte %llu of the stream: TCP order broken", i,
                   (unsigned long long)(k->stream_received + (uint64_t)i));
    }
    if (res > 0) k->stream_received += (uint64_t)res;
    /* A send whose CQE is not reaped yet may already have delivered its bytes. */
    const uint64_t sending = k->send_in_flight != 0 ? k->requests[k->send_in_flight].len : 0;
    FUZZ_CHECK(k->stream_received <= k->stream_sent + sending,
               "received %llu bytes, %llu "
               "sent",
               (unsigned long long)k->stream_received,
               (unsigned long long)(k->stream_sent + sending));
}

static void reap_one(struct kernel *k, const struct io_uring_cqe *cqe) {
    const uint64_t id = io_uring_cqe_get_data64(cqe);
    if (k->trace) fprintf(stderr, "fuzz: cqe %llu res %d\n", (unsigned long long)id, cqe->res);
    struct request *r = request_of(k, id);
    FUZZ_CHECK(r->consumed, "CQE for user_data %llu, which was never consumed",
               (unsigned long long)id);
    FUZZ_CHECK(!r->completed, "second CQE for user_data %llu", (unsigned long long)id);
    r->completed = true;
    k->completed += 1;
    if (r->kind == RQ_WRITE) k->writes_in_flight -= 1;
    k->drains_in_flight -= r->drain;
    if (r->kind == RQ_SEND || r->kind == RQ_RECV) account_stream(k, r, (uint32_t)id, cqe->res);
    if (r->kind == RQ_TIMEOUT && cqe->res == -ETIME) {
        const uint64_t now = ringer_sim_peek_now_ns();
        FUZZ_CHECK(now >= r->consumed_at_ns + r->timeout_ns, "a %llu ns timer fired early",
                   (unsigned long long)r->timeout_ns);
    }
    if (k->exact) check_exact(k, r, (uint32_t)id, cqe->res);
}

static uint32_t step_reap(struct kernel *k, uint32_t max) {
    struct io_uring_cqe *cqes[16];
    FUZZ_ASSERT(max >= 1 && max <= 16);
    const unsigned count = io_uring_peek_batch_cqe(&k->ring, cqes, max);
    FUZZ_CHECK(count <= max, "peek_batch returned %u of at most %u", count, max);
    for (unsigned i = 0; i < count; i++) reap_one(k, cqes[i]);
    io_uring_cq_advance(&k->ring, count);
    FUZZ_CHECK(k->completed <= k->consumed, "%u CQEs for %u consumed SQEs", k->completed,
               k->consumed);
    return count;
}

/* ---- one run ---- */

static bool no_faults(const struct ringer_sim_options *options) {
    for (uint32_t c = 0; c < RINGER_SIM_FAULT_CLASS_COUNT; c++) {
        if (options->faults[c].ppm != 0) return false;
    }
    return true;
}

/* A loopback TCP connection made with blocking calls while the entropy stream is empty. */
static void connect_pair(struct kernel *k) {
    struct sockaddr_in address;
    memset(&address, 0, sizeof(address));
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof(address);
    k->listener = ringer_sim_socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    FUZZ_CHECK(k->listener >= 0, "socket: errno %d", errno);
    int rc = ringer_sim_bind(k->listener, (struct sockaddr *)&address, sizeof(address));
    rc = rc == 0 ? ringer_sim_listen(k->listener, 4) : rc;
    rc = rc == 0 ? ringer_sim_getsockname(k->listener, (struct sockaddr *)&address, &size) : rc;
    FUZZ_CHECK(rc == 0, "bind/listen/getsockname: errno %d", errno);
    k->client = ringer_sim_socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    FUZZ_CHECK(k->client >= 0, "socket: errno %d", errno);
    rc = ringer_sim_connect(k->client, (struct sockaddr *)&address, sizeof(address));
    FUZZ_CHECK(rc == 0, "connect: errno %d", errno);
    k->server = ringer_sim_accept4(k->listener, NULL, NULL, SOCK_CLOEXEC);
    FUZZ_CHECK(k->server >= 0, "accept4: errno %d", errno);
}

static void setup(struct kernel *k, const struct fuzz_split *split) {
    static const uint64_t entries[] = {4, 1, 2, 8, 16};
    struct ringer_sim_options options;
    fuzz_world_options(&k->program, FUZZ_FAULTS_RING, &options);
    k->exact = no_faults(&options);
    fuzz_world_start(&options, split);
    k->file = ringer_sim_open("/tmp/kernel-file", O_CREAT | O_RDWR | O_CLOEXEC, 0600);
    FUZZ_CHECK(k->file >= 0, "open: errno %d", errno);
    struct stat st;
    FUZZ_CHECK(ringer_sim_fstat(k->file, &st) == 0 && st.st_size == 0,
               "a new file is not empty: %lld bytes", (long long)st.st_size);
    connect_pair(k);
    struct io_uring_params params;
    memset(&params, 0, sizeof(params));
    const uint32_t requested = (uint32_t)FUZZ_PICK(&k->program, entries);
    const uint8_t shape = fuzz_u8(&k->program);
    /* SUBMIT_ALL arrived in Linux 5.18: a 5.8 kernel refuses it with -EINVAL. */
    if ((shape & 1) && options.kernel != RINGER_SIM_KERNEL_5_8) {
        params.flags |= IORING_SETUP_SUBMIT_ALL;
    }
    if (shape & 2) {
        params.flags |= IORING_SETUP_CQSIZE; /* the smallest CQ: overflow comes quickly */
        params.cq_entries = requested;
    }
    int rc = io_uring_queue_init_params(requested, &k->ring, &params);
    FUZZ_CHECK(rc == 0, "io_uring_queue_init_params(%u): %d", requested, rc);
    k->sq_entries = params.sq_entries;
    FUZZ_CHECK(k->sq_entries == requested, "%u entries became %u (powers of two stay)", requested,
               k->sq_entries);
    FUZZ_CHECK(params.cq_entries == ((shape & 2) ? requested : 2 * requested), "CQ of %u entries",
               params.cq_entries);
}

/* A send or recv that may wait for ever (no reader, no data) gets a cancel: an extra request
 * beyond MAX_REQUESTS, checked like any other. */
static void cancel_waiting_stream_ops(struct kernel *k) {
    const uint32_t waiting[] = {k->send_in_flight, k->recv_in_flight};
    for (uint32_t i = 0; i < 2; i++) {
        if (waiting[i] == 0) continue;
        if (k->prepared == MAX_REQUESTS + DRAIN_CANCELS_MAX) return; /* before taking an SQE */
        struct io_uring_sqe *sqe = io_uring_get_sqe(&k->ring);
        if (sqe == NULL) {
            step_submit(k, false);
            sqe = io_uring_get_sqe(&k->ring);
        }
        if (sqe == NULL) continue; /* the SQ stayed full (enter faults): drain waits anyway */
        const uint32_t id = ++k->prepared;
        memset(&k->requests[id], 0, sizeof(k->requests[id]));
        k->requests[id].kind = RQ_CANCEL;
        io_uring_prep_cancel64(sqe, waiting[i], 0);
        /* A stale SQE may hold any flags (kernel-semantics.md §13 item 12). */
        io_uring_sqe_set_flags(sqe, 0);
        io_uring_sqe_set_data64(sqe, id);
    }
}

/* Submits what is left and waits until every consumed SQE has its CQE. */
static void drain(struct kernel *k) {
    cancel_waiting_stream_ops(k);
    for (uint32_t round = 0; round < DRAIN_ROUNDS; round++) {
        if (io_uring_sq_ready(&k->ring) > 0) step_submit(k, false);
        if (k->completed == k->consumed && io_uring_sq_ready(&k->ring) == 0) break;
        const bool idle = step_reap(k, 16) == 0;
        if (idle && k->completed < k->consumed) step_submit(k, true);
        if (idle && (k->send_in_flight != 0 || k->recv_in_flight != 0)) {
            /* No blocking wait while a send or recv may wait for ever: let 1 ms of virtual
             * time pass instead, so timers, workers and deferred cancels run. */
            const struct timespec pause = {0, 1000000};
            ringer_sim_clock_nanosleep(CLOCK_MONOTONIC, 0, &pause, NULL);
        }
        /* Still a send or recv left after a while: its cancel failed (hostile), try again. */
        const bool stream_left = k->send_in_flight != 0 || k->recv_in_flight != 0;
        if (idle && stream_left && round % 16 == 15) {
            if (k->trace) {
                fprintf(stderr,
                        "fuzz: drain round %u: cq_ready %u overflow %d, %u in flight "
                        "in the sim\n",
                        round, io_uring_cq_ready(&k->ring), io_uring_cq_has_overflow(&k->ring),
                        ringer_sim_in_flight());
            }
            cancel_waiting_stream_ops(k);
        }
    }
    FUZZ_CHECK(io_uring_sq_ready(&k->ring) == 0, "%u SQEs never consumed",
               io_uring_sq_ready(&k->ring));
    FUZZ_CHECK(k->completed == k->consumed && k->consumed == k->prepared,
               "%u prepared, %u consumed, %u CQEs", k->prepared, k->consumed, k->completed);
    FUZZ_CHECK(!io_uring_cq_has_overflow(&k->ring) && io_uring_cq_ready(&k->ring) == 0,
               "CQEs beyond one per consumed SQE");
    const struct ringer_sim_stats stats = ringer_sim_stats();
    FUZZ_CHECK(stats.requests_in_flight == 0 && ringer_sim_in_flight() == 0,
               "%u requests in flight after every CQE", stats.requests_in_flight);
    FUZZ_CHECK(fuzz_world_sqes_consumed() == k->consumed, "the sim counts %llu SQEs, %u seen",
               (unsigned long long)fuzz_world_sqes_consumed(), k->consumed);
    FUZZ_CHECK(stats.cqes == k->completed, "the sim posted %llu CQEs, %u reaped",
               (unsigned long long)stats.cqes, k->completed);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    struct kernel *k = &kernel;
    struct fuzz_split split = fuzz_input_split(data, size);
    memset(k, 0, sizeof(*k));
    k->program = split.program;
    k->trace = getenv("FUZZ_TRACE") != NULL;
    setup(k, &split);
    fuzz_world_unleash(&split);
    for (uint32_t i = 0; i < MAX_STEPS && !fuzz_exhausted(&k->program); i++) {
        switch (fuzz_below(&k->program, 6)) {
        case 0:
        case 1:
        case 2:
            step_prepare(k);
            break;
        case 3:
            step_submit(k, false);
            break;
        case 4:
            step_submit(k, true);
            break;
        default:
            step_reap(k, 1 + fuzz_below(&k->program, 16));
        }
    }
    drain(k);
    io_uring_queue_exit(&k->ring);
    ringer_sim_close(k->file);
    ringer_sim_close(k->client);
    ringer_sim_close(k->server);
    ringer_sim_close(k->listener);
    fuzz_world_stop();
    return 0;
}
