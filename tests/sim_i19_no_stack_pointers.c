/*
 * I19 on the simulated kernel: no SQE the library prepares points into a live stack frame.
 * The sim checks every pointer of an SQE when it consumes it (check_stack_pointers), so
 * each op kind runs once with the check on: accept and connect (the connect address is
 * the library's copy, even when the caller's was on the stack), send, recv, read, write,
 * fsync, openat, statx, a timeout, an event listen, a NOP, a cancel, run_for_ns's
 * absolute deadline, and cancel_all's sweep and per-target cancels. The test's own
 * buffers and the ring are static; only the connect address it hands over lives on the
 * stack, as the API allows (ops.md §1, lifetimes).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "scenario.h"
#include "world_sim.h"

static struct fixture fixture;
static struct op ops[12];
static uint8_t buffers[4][4096];
static struct statx statx_buffer;
static struct ringer_io priming_io;

/* The sim finds the stack's bounds at the first SQE it checks, and that allocates: do it
 * before the fixture starts counting allocations (reported as a sim issue). */
static void prime_stack_check(void) {
    static struct op nop;
    CHECK_EQ(ringer_init(&priming_io, 2, 0), 0);
    STARTER(ringer_nop(&priming_io, &op_prepare(&nop)->completion, &nop, op_callback));
    RUN_UNTIL(&priming_io, nop.calls == 1);
    ringer_deinit(&priming_io);
}

static void configure_checked(uint8_t kernel) {
    struct ringer_sim_options options;
    world_sim_default_options(&options);
    options.kernel = kernel;
    options.check_stack_pointers = true;
    world_sim_configure(&options);
    prime_stack_check();
}

/* Connects with an address that lives only in this frame: the SQE must use the copy. */
static void connect_from_the_stack(struct tcp_pair *pair) {
    struct sockaddr_in address;
    pair->listener = tcp_listener_open(&fixture.io, &address, 4);
    pair->client = ringer_open_socket_tcp(&fixture.io, AF_INET, NULL);
    STARTER(ringer_accept(&fixture.io, &op_prepare(&ops[0])->completion, pair->listener, &ops[0],
                          op_callback));
    STARTER(ringer_connect(&fixture.io, &op_prepare(&ops[1])->completion, pair->client,
                           (struct sockaddr *)&address, sizeof address, &ops[1], op_callback));
    memset(&address, 0xA5, sizeof address); /* the caller's copy is gone */
    RUN_UNTIL(&fixture.io, ops[0].calls == 1 && ops[1].calls == 1);
    CHECK_EQ(ops[1].result, 0);
    CHECK_GE(ops[0].result, 0);
    pair->server = ops[0].result;
}

static void file_ops(int dir, int file) {
    STARTER(ringer_write(&fixture.io, &op_prepare(&ops[2])->completion, file, buffers[0], 4096, 0,
                         &ops[2], op_callback));
    STARTER(ringer_read(&fixture.io, &op_prepare(&ops[3])->completion, file, buffers[1], 4096, 0,
                        &ops[3], op_callback));
    STARTER(
        ringer_fsync(&fixture.io, &op_prepare(&ops[4])->completion, file, 0, &ops[4], op_callback));
    STARTER(ringer_openat(&fixture.io, &op_prepare(&ops[5])->completion, dir, "i19_file", O_RDONLY,
                          0, &ops[5], op_callback));
    STARTER(ringer_statx(&fixture.io, &op_prepare(&ops[6])->completion, dir, "i19_file", 0,
                         STATX_BASIC_STATS, &statx_buffer, &ops[6], op_callback));
    RUN_UNTIL(&fixture.io,
              ops[2].calls && ops[3].calls && ops[4].calls && ops[5].calls && ops[6].calls);
    CHECK_GE(ops[5].result, 0);
    world_close(ops[5].result);
}

/* Socket, timer and event ops, a cancel, then cancel_all over what still waits. */
static void waiting_ops(const struct tcp_pair *pair, int event) {
    STARTER(ringer_send(&fixture.io, &op_prepare(&ops[7])->completion, pair->client, buffers[2],
                        100, &ops[7], op_callback));
    STARTER(ringer_recv(&fixture.io, &op_prepare(&ops[8])->completion, pair->server, buffers[3],
                        100, &ops[8], op_callback));
    STARTER(ringer_nop(&fixture.io, &op_prepare(&ops[9])->completion, &ops[9], op_callback));
    STARTER(ringer_event_listen(&fixture.io, &op_prepare(&ops[10])->completion, event, &ops[10],
                                op_callback));
    CHECK_EQ(ringer_event_trigger(&fixture.io, event), 0);
    RUN_UNTIL(&fixture.io, ops[7].calls && ops[8].calls && ops[9].calls && ops[10].calls);
    STARTER(ringer_timeout(&fixture.io, &op_prepare(&ops[11])->completion, 10000 * MS, &ops[11],
                           op_callback));
    STARTER(ringer_cancel(&fixture.io, &op_prepare(&ops[0])->completion, &ops[11].completion,
                          &ops[0], op_callback));
    RUN_UNTIL(&fixture.io, ops[0].calls && ops[11].calls);
    CHECK_EQ(ops[11].result, -ECANCELED);
    /* Left in flight for cancel_all: a recv and a long timeout. */
    STARTER(ringer_recv(&fixture.io, &op_prepare(&ops[8])->completion, pair->server, buffers[3],
                        100, &ops[8], op_callback));
    STARTER(ringer_timeout(&fixture.io, &op_prepare(&ops[11])->completion, 10000 * MS, &ops[11],
                           op_callback));
    CHECK_EQ(ringer_tick(&fixture.io), 0);
    CHECK_EQ(ringer_cancel_all(&fixture.io), 0);
    fixture.cancel_all_ran = true;
}

static void run_i19(uint8_t kernel, uint32_t flags) {
    configure_checked(kernel);
    int dir = world_temp_dir_fd();
    fixture_begin(&fixture, 8, flags);
    int file = make_test_file(dir, "i19_file", 4096);
    int event = ringer_open_event(&fixture.io);
    CHECK_GE(event, 0);
    struct tcp_pair pair;
    connect_from_the_stack(&pair);
    file_ops(dir, file);
    waiting_ops(&pair, event);
    world_close(file);
    ringer_close_event(&fixture.io, event);
    tcp_pair_close(&fixture.io, &pair);
    fixture_end(&fixture);
}

TEST(sim_i19_no_stack_pointers_fast_path_6_1) {
    run_i19(RINGER_SIM_KERNEL_6_1, 0);
}

TEST(sim_i19_no_stack_pointers_per_target_5_8) {
    run_i19(RINGER_SIM_KERNEL_5_8, 0);
}
