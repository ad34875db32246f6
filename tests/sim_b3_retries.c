/*
 * B3 on the simulated kernel: an op whose CQE says -EINTR (or, for file reads, -EAGAIN) is
 * resubmitted unchanged and called back exactly once, with the final result. The sim's
 * scripted results inject the transient errno k times; the sim's per-opcode SQE counts
 * prove how many times each op went to the kernel. Also: close's -EINTR is success (one
 * CLOSE SQE, never retried), write's -EAGAIN is passed up, and nothing is retried once
 * the op's cancel was requested.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "scenario.h"
#include "world_sim.h"

#define B3_SIZE 4096u

static struct fixture fixture;
static struct op target, other, cancel_op;
static uint8_t buffer[B3_SIZE], payload[B3_SIZE];

/* A faithful world without faults: the scripted errnos are the only ones. */
static void b3_begin(void) {
    struct ringer_sim_options options;
    world_sim_default_options(&options);
    world_sim_configure(&options);
    fixture_begin(&fixture, 32, 0);
}

static void check_retries(uint64_t eintr, uint64_t eagain) {
    struct ringer_stats stats = ringer_stats(&fixture.io);
    CHECK_EQ(stats.retry_eintr, eintr);
    CHECK_EQ(stats.retry_eagain, eagain);
}

static void read_with_transient(int32_t errno_value, uint32_t k) {
    b3_begin();
    int file = make_test_file(world_temp_dir_fd(), "b3_file", B3_SIZE);
    memset(buffer, 0, sizeof buffer);
    ringer_sim_script_result(IORING_OP_READ, errno_value, k);
    STARTER(ringer_read(&fixture.io, &op_prepare(&target)->completion, file, buffer, B3_SIZE, 0,
                        &target, op_callback));
    RUN_UNTIL(&fixture.io, target.calls == 1);
    CHECK_EQ(target.result, B3_SIZE);
    for (uint32_t i = 0; i < B3_SIZE; i++) CHECK_EQ(buffer[i], test_pattern(i));
    check_retries(errno_value == -EINTR ? k : 0, errno_value == -EAGAIN ? k : 0);
    CHECK_EQ(ringer_sim_stats().ops[IORING_OP_READ], k + 1);
    world_close(file);
    fixture_end(&fixture);
}

TEST(sim_b3_read_eagain_1) {
    read_with_transient(-EAGAIN, 1);
}

TEST(sim_b3_read_eagain_2) {
    read_with_transient(-EAGAIN, 2);
}

TEST(sim_b3_read_eagain_3) {
    read_with_transient(-EAGAIN, 3);
}

TEST(sim_b3_read_eintr) {
    for (uint32_t k = 1; k <= 3; k++) read_with_transient(-EINTR, k);
}

static void write_with_eintr(uint32_t k) {
    b3_begin();
    int file = world_create_file(world_temp_dir_fd(), "b3_file", NULL, 0);
    for (uint32_t i = 0; i < B3_SIZE; i++) payload[i] = test_pattern(i);
    ringer_sim_script_result(IORING_OP_WRITE, -EINTR, k);
    STARTER(ringer_write(&fixture.io, &op_prepare(&target)->completion, file, payload, B3_SIZE, 0,
                         &target, op_callback));
    RUN_UNTIL(&fixture.io, target.calls == 1);
    CHECK_EQ(target.result, B3_SIZE);
    check_retries(k, 0);
    CHECK_EQ(ringer_sim_stats().ops[IORING_OP_WRITE], k + 1);
    CHECK_EQ(world_pread(file, buffer, B3_SIZE, 0), B3_SIZE);
    CHECK(memcmp(buffer, payload, B3_SIZE) == 0);
    world_close(file);
    fixture_end(&fixture);
}

TEST(sim_b3_write_eintr) {
    for (uint32_t k = 1; k <= 3; k++) write_with_eintr(k);
}

/* Write's -EAGAIN is not retried (ops.md §3): the caller sees it. */
TEST(sim_b3_write_eagain_not_retried) {
    b3_begin();
    int file = world_create_file(world_temp_dir_fd(), "b3_file", NULL, 0);
    ringer_sim_script_result(IORING_OP_WRITE, -EAGAIN, 1);
    STARTER(ringer_write(&fixture.io, &op_prepare(&target)->completion, file, payload, B3_SIZE, 0,
                         &target, op_callback));
    RUN_UNTIL(&fixture.io, target.calls == 1);
    CHECK_EQ(target.result, -EAGAIN);
    check_retries(0, 0);
    CHECK_EQ(ringer_sim_stats().ops[IORING_OP_WRITE], 1);
    world_close(file);
    fixture_end(&fixture);
}

static void send_recv_with_eintr(uint8_t opcode, uint32_t k) {
    b3_begin();
    struct tcp_pair pair;
    CHECK(tcp_pair_open(&fixture.io, &pair, AF_INET, NULL));
    for (uint32_t i = 0; i < sizeof payload; i++) payload[i] = test_pattern(i);
    uint64_t ops_before = ringer_sim_stats().ops[opcode];
    ringer_sim_script_result(opcode, -EINTR, k);
    STARTER(ringer_send(&fixture.io, &op_prepare(&target)->completion, pair.client, payload, 100,
                        &target, op_callback));
    STARTER(ringer_recv(&fixture.io, &op_prepare(&other)->completion, pair.server, buffer, 100,
                        &other, op_callback));
    RUN_UNTIL(&fixture.io, target.calls == 1 && other.calls == 1);
    CHECK_EQ(target.result, 100);
    CHECK_EQ(other.result, 100);
    CHECK(memcmp(buffer, payload, 100) == 0);
    check_retries(k, 0);
    CHECK_EQ(ringer_sim_stats().ops[opcode] - ops_before, k + 1);
    tcp_pair_close(&fixture.io, &pair);
    fixture_end(&fixture);
}

TEST(sim_b3_send_eintr) {
    for (uint32_t k = 1; k <= 3; k++) send_recv_with_eintr(IORING_OP_SEND, k);
}

TEST(sim_b3_recv_eintr) {
    for (uint32_t k = 1; k <= 3; k++) send_recv_with_eintr(IORING_OP_RECV, k);
}

/* `opcode` is ACCEPT or CONNECT: that side gets -EINTR k times, then succeeds once. */
static void accept_connect_with_eintr(uint8_t opcode, uint32_t k) {
    b3_begin();
    struct sockaddr_in address;
    int listener = tcp_listener_open(&fixture.io, &address, 4);
    int client = ringer_open_socket_tcp(&fixture.io, AF_INET, NULL);
    CHECK_GE(client, 0);
    ringer_sim_script_result(opcode, -EINTR, k);
    STARTER(ringer_accept(&fixture.io, &op_prepare(&target)->completion, listener, &target,
                          op_callback));
    STARTER(ringer_connect(&fixture.io, &op_prepare(&other)->completion, client,
                           (struct sockaddr *)&address, sizeof address, &other, op_callback));
    RUN_UNTIL(&fixture.io, target.calls == 1 && other.calls == 1);
    CHECK_GE(target.result, 0);
    CHECK(fd_is_cloexec(target.result));
    CHECK_EQ(other.result, 0);
    check_retries(k, 0);
    struct ringer_sim_stats sim = ringer_sim_stats();
    CHECK_EQ(sim.ops[opcode], k + 1);
    CHECK_EQ(sim.ops[opcode == IORING_OP_ACCEPT ? IORING_OP_CONNECT : IORING_OP_ACCEPT], 1);
    ringer_close_socket(&fixture.io, target.result);
    ringer_close_socket(&fixture.io, client);
    ringer_close_socket(&fixture.io, listener);
    fixture_end(&fixture);
}

TEST(sim_b3_accept_eintr) {
    for (uint32_t k = 1; k <= 3; k++) accept_connect_with_eintr(IORING_OP_ACCEPT, k);
}

TEST(sim_b3_connect_eintr) {
    for (uint32_t k = 1; k <= 3; k++) accept_connect_with_eintr(IORING_OP_CONNECT, k);
}

/* Linux releases the descriptor before close can report -EINTR: success, never retried,
 * because a retry could close a number already reused. */
TEST(sim_b3_close_eintr_is_success) {
    b3_begin();
    int file = world_create_file(world_temp_dir_fd(), "b3_file", NULL, 0);
    ringer_sim_script_result(IORING_OP_CLOSE, -EINTR, 1);
    STARTER(
        ringer_close(&fixture.io, &op_prepare(&target)->completion, file, &target, op_callback));
    RUN_UNTIL(&fixture.io, target.calls == 1);
    CHECK_EQ(target.result, 0);
    check_retries(0, 0);
    CHECK_EQ(ringer_sim_stats().ops[IORING_OP_CLOSE], 1);
    CHECK_EQ(world_fd_flags(file), -EBADF);
    fixture_end(&fixture);
}

/* The target's cancel was requested: its -EINTR becomes -ECANCELED, with no resubmission.
 * The cancel reaches a recv waiting for data; the sim posts the target's -EINTR. */
TEST(sim_b3_cancel_requested_eintr_is_ecanceled) {
    b3_begin();
    struct tcp_pair pair;
    CHECK(tcp_pair_open(&fixture.io, &pair, AF_INET, NULL));
    STARTER(ringer_recv(&fixture.io, &op_prepare(&target)->completion, pair.server, buffer,
                        sizeof buffer, &target, op_callback));
    CHECK_EQ(ringer_tick(&fixture.io), 0);
    CHECK_EQ(ringer_stats(&fixture.io).in_kernel, 1);
    struct ringer_sim_cancel_script script = {.cancel_res = 0, .target_res = -EINTR};
    ringer_sim_script_cancel(&script);
    STARTER(ringer_cancel(&fixture.io, &op_prepare(&cancel_op)->completion, &target.completion,
                          &cancel_op, op_callback));
    RUN_UNTIL(&fixture.io, target.calls == 1 && cancel_op.calls == 1);
    CHECK_EQ(cancel_op.result, 0);
    CHECK_EQ(target.result, -ECANCELED);
    check_retries(0, 0);
    CHECK_EQ(ringer_sim_stats().ops[IORING_OP_RECV], 1);
    tcp_pair_close(&fixture.io, &pair);
    fixture_end(&fixture);
}

/* The same with a read whose scripted -EINTR posts before the cancel is consumed: the
 * cancel then finds nothing (-ENOENT), and the read is still not retried. */
TEST(sim_b3_cancel_requested_eintr_before_cancel) {
    b3_begin();
    int file = make_test_file(world_temp_dir_fd(), "b3_file", B3_SIZE);
    ringer_sim_script_result(IORING_OP_READ, -EINTR, 1);
    STARTER(ringer_read(&fixture.io, &op_prepare(&target)->completion, file, buffer, B3_SIZE, 0,
                        &target, op_callback));
    STARTER(ringer_cancel(&fixture.io, &op_prepare(&cancel_op)->completion, &target.completion,
                          &cancel_op, op_callback));
    RUN_UNTIL(&fixture.io, target.calls == 1 && cancel_op.calls == 1);
    CHECK_EQ(cancel_op.result, -ENOENT);
    CHECK_EQ(target.result, -ECANCELED);
    check_retries(0, 0);
    CHECK_EQ(ringer_sim_stats().ops[IORING_OP_READ], 1);
    world_close(file);
    fixture_end(&fixture);
}
