/*
 * ops.md §3 on the simulated kernel: each op's retry set, translation and pass-through,
 * with the sim's scripted results standing in for the kernel's transient errnos.
 *   - openat, statx and fsync retry -EINTR; an event listen retries -EAGAIN;
 *   - recv, send and accept pass -EAGAIN through (only MSG_DONTWAIT could give it);
 *   - connect: after a retry, -EISCONN means the first attempt connected (0); without a
 *     retry -EISCONN is passed through;
 *   - close passes -EIO through (only -EINTR is success);
 *   - a read whose cancel was requested turns -EAGAIN into -ECANCELED, unretried.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "scenario.h"
#include "world_sim.h"

static struct fixture fixture;
static struct op target, other;
static uint8_t buffer[4096];

static void rules_begin(void) {
    struct ringer_sim_options options;
    world_sim_default_options(&options);
    world_sim_configure(&options);
    fixture_begin(&fixture, 16, 0);
}

static void check_retries(uint64_t eintr, uint64_t eagain) {
    struct ringer_stats stats = ringer_stats(&fixture.io);
    CHECK_EQ(stats.retry_eintr, eintr);
    CHECK_EQ(stats.retry_eagain, eagain);
}

static void run_target(void) {
    RUN_UNTIL(&fixture.io, target.calls == 1);
}

TEST(sim_ops_openat_statx_fsync_retry_eintr) {
    rules_begin();
    int dir = world_temp_dir_fd();
    world_close(make_test_file(dir, "rules_file", 100));
    ringer_sim_script_result(IORING_OP_OPENAT, -EINTR, 2);
    STARTER(ringer_openat(&fixture.io, &op_prepare(&target)->completion, dir, "rules_file", O_RDWR,
                          0, &target, op_callback));
    run_target();
    CHECK_GE(target.result, 0);
    int fd = target.result;
    CHECK(fd_is_cloexec(fd));
    check_retries(2, 0);
    static struct statx info;
    ringer_sim_script_result(IORING_OP_STATX, -EINTR, 2);
    STARTER(ringer_statx(&fixture.io, &op_prepare(&target)->completion, dir, "rules_file", 0,
                         STATX_BASIC_STATS, &info, &target, op_callback));
    run_target();
    CHECK_EQ(target.result, 0);
    CHECK_EQ(info.stx_size, 100);
    check_retries(4, 0);
    ringer_sim_script_result(IORING_OP_FSYNC, -EINTR, 2);
    STARTER(
        ringer_fsync(&fixture.io, &op_prepare(&target)->completion, fd, 0, &target, op_callback));
    run_target();
    CHECK_EQ(target.result, 0);
    check_retries(6, 0);
    struct ringer_sim_stats sim = ringer_sim_stats();
    CHECK_EQ(sim.ops[IORING_OP_OPENAT], 3);
    CHECK_EQ(sim.ops[IORING_OP_STATX], 3);
    CHECK_EQ(sim.ops[IORING_OP_FSYNC], 3);
    world_close(fd);
    fixture_end(&fixture);
}

TEST(sim_ops_event_listen_retries_eagain) {
    rules_begin();
    int event = ringer_open_event(&fixture.io);
    CHECK_GE(event, 0);
    ringer_sim_script_result(IORING_OP_READ, -EAGAIN, 2);
    STARTER(ringer_event_listen(&fixture.io, &op_prepare(&target)->completion, event, &target,
                                op_callback));
    CHECK_EQ(ringer_event_trigger(&fixture.io, event), 0);
    run_target();
    CHECK_EQ(target.result, 8);
    check_retries(0, 2);
    ringer_close_event(&fixture.io, event);
    fixture_end(&fixture);
}

/* `opcode` is RECV or SEND: its -EAGAIN reaches the callback, with no resubmission. */
static void socket_eagain_passed_through(uint8_t opcode) {
    rules_begin();
    struct tcp_pair pair;
    CHECK(tcp_pair_open(&fixture.io, &pair, AF_INET, NULL));
    uint64_t before = ringer_sim_stats().ops[opcode];
    ringer_sim_script_result(opcode, -EAGAIN, 1);
    if (opcode == IORING_OP_RECV)
        STARTER(ringer_recv(&fixture.io, &op_prepare(&target)->completion, pair.server, buffer,
                            sizeof buffer, &target, op_callback));
    else
        STARTER(ringer_send(&fixture.io, &op_prepare(&target)->completion, pair.client, buffer,
                            sizeof buffer, &target, op_callback));
    run_target();
    CHECK_EQ(target.result, -EAGAIN);
    check_retries(0, 0);
    CHECK_EQ(ringer_sim_stats().ops[opcode] - before, 1);
    tcp_pair_close(&fixture.io, &pair);
    fixture_end(&fixture);
}

TEST(sim_ops_recv_eagain_passed_through) {
    socket_eagain_passed_through(IORING_OP_RECV);
}

TEST(sim_ops_send_eagain_passed_through) {
    socket_eagain_passed_through(IORING_OP_SEND);
}

TEST(sim_ops_accept_eagain_passed_through) {
    rules_begin();
    struct sockaddr_in address;
    int listener = tcp_listener_open(&fixture.io, &address, 4);
    ringer_sim_script_result(IORING_OP_ACCEPT, -EAGAIN, 1);
    STARTER(ringer_accept(&fixture.io, &op_prepare(&target)->completion, listener, &target,
                          op_callback));
    run_target();
    CHECK_EQ(target.result, -EAGAIN);
    check_retries(0, 0);
    ringer_close_socket(&fixture.io, listener);
    fixture_end(&fixture);
}

/* A client already connected by a plain connect(2); `interrupted` makes the library's
 * connect see -EINTR first, so the resubmitted one meets -EISCONN. */
static void connect_when_connected(bool interrupted, int32_t expected) {
    rules_begin();
    struct sockaddr_in address;
    int listener = tcp_listener_open(&fixture.io, &address, 4);
    int client = ringer_open_socket_tcp(&fixture.io, AF_INET, NULL);
    int rc = connect(client, (struct sockaddr *)&address, sizeof address);
    CHECK(rc == 0 || errno == EINPROGRESS);
    STARTER(
        ringer_accept(&fixture.io, &op_prepare(&other)->completion, listener, &other, op_callback));
    RUN_UNTIL(&fixture.io, other.calls == 1);
    CHECK_GE(other.result, 0);
    if (interrupted) ringer_sim_script_result(IORING_OP_CONNECT, -EINTR, 1);
    STARTER(ringer_connect(&fixture.io, &op_prepare(&target)->completion, client,
                           (struct sockaddr *)&address, sizeof address, &target, op_callback));
    run_target();
    CHECK_EQ(target.result, expected);
    check_retries(interrupted ? 1 : 0, 0);
    CHECK_EQ(ringer_sim_stats().ops[IORING_OP_CONNECT], interrupted ? 2 : 1);
    ringer_close_socket(&fixture.io, other.result);
    ringer_close_socket(&fixture.io, client);
    ringer_close_socket(&fixture.io, listener);
    fixture_end(&fixture);
}

TEST(sim_ops_connect_eisconn_after_retry_is_success) {
    connect_when_connected(true, 0);
}

TEST(sim_ops_connect_eisconn_without_retry_passed_through) {
    connect_when_connected(false, -EISCONN);
}

TEST(sim_ops_close_eio_passed_through) {
    rules_begin();
    int file = world_create_file(world_temp_dir_fd(), "rules_file", NULL, 0);
    ringer_sim_script_result(IORING_OP_CLOSE, -EIO, 1);
    STARTER(
        ringer_close(&fixture.io, &op_prepare(&target)->completion, file, &target, op_callback));
    run_target();
    CHECK_EQ(target.result, -EIO);
    CHECK_EQ(ringer_sim_stats().ops[IORING_OP_CLOSE], 1);
    CHECK_EQ(world_fd_flags(file), -EBADF); /* the descriptor is gone all the same */
    fixture_end(&fixture);
}

/* The read's -EAGAIN posts in the submit that consumes it, before the cancel runs. */
TEST(sim_ops_cancel_requested_eagain_is_ecanceled) {
    rules_begin();
    int file = make_test_file(world_temp_dir_fd(), "rules_file", sizeof buffer);
    ringer_sim_script_result(IORING_OP_READ, -EAGAIN, 1);
    STARTER(ringer_read(&fixture.io, &op_prepare(&target)->completion, file, buffer, sizeof buffer,
                        0, &target, op_callback));
    STARTER(ringer_cancel(&fixture.io, &op_prepare(&other)->completion, &target.completion, &other,
                          op_callback));
    RUN_UNTIL(&fixture.io, target.calls == 1 && other.calls == 1);
    CHECK_EQ(target.result, -ECANCELED);
    CHECK_EQ(other.result, -ENOENT);
    check_retries(0, 0);
    CHECK_EQ(ringer_sim_stats().ops[IORING_OP_READ], 1);
    world_close(file);
    fixture_end(&fixture);
}
