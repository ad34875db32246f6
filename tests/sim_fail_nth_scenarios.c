/*
 * "Fail the Nth" (fault-model.md §7) over A1, A2 and A8: the scenario runs with N = 1, 2, ...
 * until a run ends without reaching N fault opportunities, each time in a fresh world,
 * with every class the faithful kernel allows (fail_class ANY). B3's driver is
 * sim_b3_fail_nth.c, open_data_file's is in sim_b7_data_file.c.
 *   A1: the open/write/read/close/statx chain ends with its faithful results or stops at
 *       the first documented errno (ops.md §3), closing what it opened.
 *   A2: connect and accept together (backlog 1), send 10 and recv 5: each result in its
 *       set, the bytes a prefix of those sent; what a fault leaves waiting is dropped by
 *       cancel_all.
 *   A8: whatever fault hit the reads, recvs and timeout before it, cancel_all returns 0
 *       with no callback, every counter 0, and the buffers unchanged afterwards.
 * All end with the common checks: callbacks exactly once, no fd leaked, no allocation.
 * The same drivers run under the hostile profile, where the Nth opportunity may be a fault
 * Linux cannot produce (any errno, short file transfers, odd CQE flags, EBUSY on any
 * enter): there results are not judged (fault-model.md §2), only the invariants.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "scenario_a8.h"
#include "world_sim.h"

static struct fixture fixture;
static bool judged = true; /* false under the hostile profile: invariants only */

/* Judged only under the faithful profile; hostile runs check invariants alone. */
#define CHECK_DOCUMENTED(result, ...) CHECK_DOCUMENTED_IF(judged, result, __VA_ARGS__)

static uint64_t opportunities_so_far(void) {
    struct ringer_sim_stats sim = ringer_sim_stats();
    uint64_t total = 0;
    for (unsigned c = 0; c < RINGER_SIM_FAULT_CLASS_COUNT; c++) total += sim.opportunities[c];
    return total;
}

static void configure_nth(uint64_t nth) {
    struct ringer_sim_options options;
    world_sim_default_options(&options);
    options.profile = judged ? RINGER_SIM_PROFILE_FAITHFUL : RINGER_SIM_PROFILE_HOSTILE;
    options.fail_nth = nth;
    options.fail_class = RINGER_SIM_FAULT_ANY;
    world_sim_configure(&options);
}

/* setup() makes the world and begins the fixture (its opportunities are not counted as the
 * scenario's); run() plays the scenario, judges it and ends the fixture. */
static uint64_t fail_every_nth(void (*setup)(void), void (*run)(void)) {
    configure_nth(UINT64_MAX);
    setup();
    uint64_t base = opportunities_so_far();
    run();
    uint64_t n = 1;
    for (;; n++) {
        CHECK_LT(n, 5000);
        configure_nth(base + n);
        setup();
        run();
        if (!ringer_sim_stats().fail_nth_reached) break;
    }
    return n;
}

/* Silent storage faults change bytes without an errno. */
static bool data_may_differ(void) {
    struct ringer_sim_stats sim = ringer_sim_stats();
    return sim.faults[RINGER_SIM_FAULT_CORRUPT] + sim.faults[RINGER_SIM_FAULT_MISDIRECT] > 0;
}

/* ---- A1 ---- */

static struct op open_op, write_op, read_op, close_op, statx_op;
static uint8_t write_buffer[20], read_buffer[20];
static struct statx statx_buffer;
static bool a1_done;
static int a1_fd = -1;

static void a1_after_close(struct op *op) {
    if (op->result != 0) CHECK_DOCUMENTED(op->result, EIO, ENOSPC, EDQUOT);
    a1_fd = -1; /* released whatever the result */
    STARTER(ringer_statx(&fixture.io, &op_prepare(&statx_op)->completion, world_temp_dir_fd(),
                         "test_file", 0, STATX_BASIC_STATS, &statx_buffer, &statx_op, op_callback));
}

static void a1_after_read(struct op *op) {
    if (op->result < 0) {
        CHECK_DOCUMENTED(op->result, EIO, ECONNRESET); /* ECONNRESET: a sim bug, reported */
        a1_done = true;
        return;
    }
    if (judged) CHECK_EQ(op->result, write_op.result);
    if (judged && !data_may_differ())
        CHECK(memcmp(read_buffer, write_buffer, (size_t)op->result) == 0);
    op_prepare(&close_op)->then = a1_after_close;
    STARTER(ringer_close(&fixture.io, &close_op.completion, a1_fd, &close_op, op_callback));
}

static void a1_after_write(struct op *op) {
    if (op->result < 0) {
        CHECK_DOCUMENTED(op->result, EIO, ENOSPC, EDQUOT, EFBIG);
        a1_done = true;
        return;
    }
    CHECK_LE(op->result, 20);
    if (op->result == 0) { /* hostile only: a write that moves nothing ends the chain */
        CHECK(!judged);
        a1_done = true;
        return;
    }
    op_prepare(&read_op)->then = a1_after_read;
    STARTER(ringer_read(&fixture.io, &read_op.completion, a1_fd, read_buffer, (uint32_t)op->result,
                        10, &read_op, op_callback));
}

static void a1_after_open(struct op *op) {
    if (op->result < 0) {
        CHECK_DOCUMENTED(op->result, EMFILE, ENFILE, ENOMEM);
        a1_done = true;
        return;
    }
    a1_fd = op->result;
    CHECK(fd_is_cloexec(a1_fd));
    op_prepare(&write_op)->then = a1_after_write;
    STARTER(ringer_write(&fixture.io, &write_op.completion, a1_fd, write_buffer,
                         sizeof write_buffer, 10, &write_op, op_callback));
}

static void a1_setup(void) {
    world_temp_dir_fd();
    fixture_begin(&fixture, 32, 0);
    memset(write_buffer, 'a', sizeof write_buffer);
    memset(read_buffer, 0, sizeof read_buffer);
    a1_done = false;
    a1_fd = -1;
}

static void a1_run(void) {
    op_prepare(&statx_op);
    op_prepare(&open_op)->then = a1_after_open;
    STARTER(ringer_openat(&fixture.io, &open_op.completion, world_temp_dir_fd(), "test_file",
                          O_RDWR | O_TRUNC | O_CREAT, 0600, &open_op, op_callback));
    TICK_UNTIL(&fixture.io, a1_done || statx_op.calls == 1);
    if (statx_op.calls == 1 && statx_op.result == 0 && judged)
        CHECK_EQ(statx_buffer.stx_size, 10 + write_op.result);
    else if (statx_op.calls == 1) CHECK_DOCUMENTED(statx_op.result, ENOMEM);
    if (a1_fd >= 0) world_close(a1_fd);
    fixture_end(&fixture);
}

TEST(sim_a1_file_round_trip_fail_nth) {
    CHECK_GT(fail_every_nth(a1_setup, a1_run), 5);
}

/* ---- A8 ---- */

static struct tcp_pair a8_pair;
static int a8_file = -1;

static void a8_setup(void) {
    int dir = world_disk_dir_fd();
    fixture_begin(&fixture, 32, 0);
    a8_file = a8_open_file(dir, true);
    CHECK(tcp_pair_open(&fixture.io, &a8_pair, AF_INET, NULL));
}

static void a8_run(void) {
    a8_start(&fixture.io, a8_file, a8_pair.server);
    CHECK_EQ(ringer_tick(&fixture.io), 0);
    fixture_cancel_all(&fixture); /* whatever the fault did, no callback from here on */
    CHECK_EQ(ringer_sim_in_flight(), 0);
    a8_check_no_late_writes();
    world_close(a8_file);
    world_close(a8_pair.client);
    world_close(a8_pair.server);
    world_close(a8_pair.listener);
    fixture_end(&fixture);
}

TEST(sim_a8_cancel_all_fail_nth) {
    CHECK_GT(fail_every_nth(a8_setup, a8_run), 5);
}

TEST(sim_a1_file_round_trip_fail_nth_hostile) {
    judged = false;
    CHECK_GT(fail_every_nth(a1_setup, a1_run), 5);
    judged = true;
}

TEST(sim_a8_cancel_all_fail_nth_hostile) {
    judged = false;
    CHECK_GT(fail_every_nth(a8_setup, a8_run), 5);
    judged = true;
}

/* ---- A2 ---- */

static struct op a2_accept, a2_connect, a2_send, a2_recv;
static const char a2_sent[10] = "0123456789";
static char a2_received[5];
static int a2_listener = -1, a2_client = -1, a2_server = -1;
static struct sockaddr_in a2_address;

static void a2_after_connect(struct op *op) {
    if (op->result != 0) {
        CHECK_DOCUMENTED(op->result, ETIMEDOUT, ENETUNREACH, EHOSTUNREACH, ECONNRESET,
                         ECONNREFUSED);
        return;
    }
    STARTER(ringer_send(&fixture.io, &op_prepare(&a2_send)->completion, a2_client, a2_sent,
                        sizeof a2_sent, &a2_send, op_callback));
}

static void a2_after_accept(struct op *op) {
    if (op->result < 0) {
        CHECK_DOCUMENTED(op->result, ECONNABORTED, EMFILE, ENFILE);
        return;
    }
    a2_server = op->result;
    STARTER(ringer_recv(&fixture.io, &op_prepare(&a2_recv)->completion, a2_server, a2_received,
                        sizeof a2_received, &a2_recv, op_callback));
}

static void a2_setup(void) {
    fixture_begin(&fixture, 32, 0);
    a2_listener = tcp_listener_open(&fixture.io, &a2_address, 1);
    a2_client = ringer_open_socket_tcp(&fixture.io, AF_INET, NULL);
    CHECK_GE(a2_client, 0);
    a2_server = -1;
    memset(a2_received, 0, sizeof a2_received);
    op_prepare(&a2_send);
    op_prepare(&a2_recv);
}

static bool a2_everything_called_back(void) {
    struct ringer_stats stats = ringer_stats(&fixture.io);
    return stats.started == stats.callbacks;
}

/* The results that did come, each in its set, and the bytes a prefix of what was sent. */
static void a2_judge(void) {
    if (a2_send.calls && a2_send.result < 0) CHECK_DOCUMENTED(a2_send.result, ECONNRESET, EPIPE);
    if (a2_recv.calls && a2_recv.result < 0) CHECK_DOCUMENTED(a2_recv.result, ECONNRESET);
    if (a2_recv.calls && a2_recv.result > 0) {
        CHECK_LE(a2_recv.result, 5);
        CHECK(memcmp(a2_received, a2_sent, (size_t)a2_recv.result) == 0);
    }
    if (judged && a2_send.calls && a2_send.result > 0) CHECK_LE(a2_send.result, 10);
}

/* Connect and accept together; what a fault leaves waiting (an accept whose connect failed,
 * a recv whose send failed) is dropped by cancel_all after 100 ms. */
static void a2_run(void) {
    op_prepare(&a2_accept)->then = a2_after_accept;
    op_prepare(&a2_connect)->then = a2_after_connect;
    STARTER(
        ringer_accept(&fixture.io, &a2_accept.completion, a2_listener, &a2_accept, op_callback));
    STARTER(ringer_connect(&fixture.io, &a2_connect.completion, a2_client,
                           (struct sockaddr *)&a2_address, sizeof a2_address, &a2_connect,
                           op_callback));
    uint64_t give_up = world_now_ns() + 100 * MS;
    while (!a2_everything_called_back() && world_now_ns() < give_up) {
        CHECK_EQ(ringer_run_for_ns(&fixture.io, 1 * MS), 0);
        check_loop_invariants(&fixture.io);
    }
    if (!a2_everything_called_back()) {
        CHECK_EQ(ringer_cancel_all(&fixture.io), 0);
        fixture.cancel_all_ran = true;
    }
    a2_judge();
    if (a2_server >= 0) ringer_close_socket(&fixture.io, a2_server);
    ringer_close_socket(&fixture.io, a2_client);
    ringer_close_socket(&fixture.io, a2_listener);
    fixture_end(&fixture);
}

TEST(sim_a2_sockets_fail_nth) {
    CHECK_GT(fail_every_nth(a2_setup, a2_run), 5);
}

TEST(sim_a2_sockets_fail_nth_hostile) {
    judged = false;
    CHECK_GT(fail_every_nth(a2_setup, a2_run), 5);
    judged = true;
}
