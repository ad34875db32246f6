/*
 * Swarm mode over the network (fault-model.md §5, §7): per seed, the sim draws latencies,
 * partitions, resets, refused connects, aborted accepts, partial transfers and (hostile)
 * unsolicited -ECANCELED and odd CQE flags. The workload connects a pair, then pipes
 * 64 KiB through it with one send and one recv in flight, continuing after short
 * transfers and stopping a direction at its first error. Only invariants are judged:
 * every loop call returns 0 and the loop invariants hold, the bytes that did arrive are
 * the bytes sent, in order (TCP never reorders, in any profile), and the run ends through
 * cancel_all (every third seed) or a drain, with every started op called back exactly once
 * or dropped, no fd leaked (an accepted fd included) and no allocation.
 */
#include <errno.h>
#include <string.h>

#include "scenario.h"
#include "world_sim.h"

#define NET_SEEDS 100
#define NET_SIZE  (64u * 1024)

static struct fixture fixture;
static struct op accept_op, connect_op, send_op, recv_op;
static uint8_t sent_data[NET_SIZE], received_data[NET_SIZE];
static uint32_t sent, received;
static bool send_stopped, recv_stopped;
static int listener = -1, client = -1, server = -1;
static struct sockaddr_in address;

static void start_send(void);
static void start_recv(void);

static void on_send(struct op *op) {
    if (op->result <= 0) {
        send_stopped = true;
        return;
    }
    CHECK_LE(op->result, NET_SIZE - sent);
    sent += (uint32_t)op->result;
    if (sent < NET_SIZE) start_send();
    else send_stopped = true;
}

static void on_recv(struct op *op) {
    if (op->result <= 0) {
        recv_stopped = true;
        return;
    }
    CHECK_LE(op->result, NET_SIZE - received);
    received += (uint32_t)op->result; /* may pass `sent`: a send's CQE can come later */
    if (received < NET_SIZE) start_recv();
    else recv_stopped = true;
}

static void start_send(void) {
    op_prepare(&send_op)->then = on_send;
    STARTER(ringer_send(&fixture.io, &send_op.completion, client, sent_data + sent, NET_SIZE - sent,
                        &send_op, op_callback));
}

static void start_recv(void) {
    op_prepare(&recv_op)->then = on_recv;
    STARTER(ringer_recv(&fixture.io, &recv_op.completion, server, received_data + received,
                        NET_SIZE - received, &recv_op, op_callback));
}

static void on_accept(struct op *op) {
    if (op->result < 0) return;
    server = op->result;
    start_recv();
}

static void on_connect(struct op *op) {
    if (op->result == 0) start_send();
}

static void drive_rounds(unsigned rounds) {
    for (unsigned round = 0; round < rounds; round++) {
        if (round % 3) CHECK_EQ(ringer_tick(&fixture.io), 0);
        else CHECK_EQ(ringer_run_for_ns(&fixture.io, 1 * MS), 0);
        check_loop_invariants(&fixture.io);
    }
}

static void open_sockets(void) {
    listener = tcp_listener_open(&fixture.io, &address, 4);
    client = ringer_open_socket_tcp(&fixture.io, AF_INET, NULL);
    CHECK_GE(client, 0);
    server = -1;
}

static bool everything_called_back(void) {
    struct ringer_stats stats = ringer_stats(&fixture.io);
    return stats.started == stats.callbacks;
}

/* cancel_all drops whatever is left; an fd it drops is its to close (I22). */
static void cancel_the_rest(void) {
    fixture_cancel_all(&fixture);
    CHECK_EQ(ringer_sim_in_flight(), 0);
}

static void run_seed(uint64_t seed, uint8_t profile) {
    world_sim_configure_swarm(seed, profile, &fixture.io);
    fixture_begin(&fixture, 8, 0);
    open_sockets();
    for (uint32_t i = 0; i < NET_SIZE; i++) sent_data[i] = test_pattern(i);
    sent = received = 0;
    send_stopped = recv_stopped = false;
    op_prepare(&accept_op)->then = on_accept;
    op_prepare(&connect_op)->then = on_connect;
    STARTER(ringer_accept(&fixture.io, &accept_op.completion, listener, &accept_op, op_callback));
    STARTER(ringer_connect(&fixture.io, &connect_op.completion, client, (struct sockaddr *)&address,
                           sizeof address, &connect_op, op_callback));
    uint64_t budget_end = world_now_ns() + 500 * MS;
    bool cancel = seed % 3 == 0;
    while (!everything_called_back() && world_now_ns() < budget_end) {
        drive_rounds(cancel ? 2 : 20);
        if (cancel) break;
    }
    if (!everything_called_back()) cancel_the_rest();
    CHECK(memcmp(received_data, sent_data, received) == 0);
    if (server >= 0) ringer_close_socket(&fixture.io, server);
    ringer_close_socket(&fixture.io, client);
    ringer_close_socket(&fixture.io, listener);
    fixture_end(&fixture);
}

TEST(sim_swarm_network_hostile_invariants) {
    for (uint64_t seed = 1; seed <= NET_SEEDS; seed++) run_seed(seed, RINGER_SIM_PROFILE_HOSTILE);
}

TEST(sim_swarm_network_faithful_invariants) {
    for (uint64_t seed = 1; seed <= NET_SEEDS; seed++) run_seed(seed, RINGER_SIM_PROFILE_FAITHFUL);
}
