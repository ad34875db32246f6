/*
 * B2 on the simulated kernel: cancel_all terminates whatever order the kernel posts the
 * cancel's and the target's CQEs in (I26), and nothing is called back (I13).
 *
 * One target at a time: a recv waiting for data, an O_DIRECT read running in a storage
 * worker, a 10 s timeout, and an accept waiting for a connection. The sim's cancel script
 * forces each faithful (cancel, target) pair of kernel-semantics.md §11 (0/-ECANCELED,
 * -EALREADY/-EINTR, -EALREADY/normal, -ENOENT/normal), with the target's CQE before or
 * after the cancel's, in the same batch or the next. Each case also runs with a user's
 * ringer_cancel of the target still queued when cancel_all starts (the script then decides
 * that cancel's outcome, and cancel_all cancels whatever is left). Kernel profile 6.1 runs the per-target loop (the fast path off, so
 * the script meets a per-target cancel) and 5.8 has no fast path at all; the fast path of
 * 6.1 runs separately over every kind.
 *
 * After every cancel_all: 0 within 3 rounds per target and 100 ms of virtual time, every
 * counter 0 (I7), the sim holds no request of this ring, no allocation, no fd leaked.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "scenario.h"
#include "world_sim.h"

#define B2_READ_SIZE      (16u * 1024)
#define B2_ROUND_LIMIT_NS (100 * MS)

enum b2_kind { B2_RECV, B2_DIRECT_READ, B2_TIMEOUT, B2_ACCEPT, B2_KINDS };
/* A user's cancel is "in flight" when cancel_all starts only while its SQE is queued: the
 * kernel executes a cancel during the submit that consumes it, and the tick that submits
 * it also reaps its CQE and calls it back. */
enum b2_user_cancel { B2_NO_USER_CANCEL, B2_USER_CANCEL_QUEUED };

/* A normal completion of each kind: bytes, -ETIME for a timer that fired, and for the
 * accept an errno it can return (a scripted fd would not be real; an accept that really
 * succeeds is sim_b2_accept_succeeds_during_cancel_all). */
static const int32_t normal_result[B2_KINDS] = {8, B2_READ_SIZE, -ETIME, -ECONNABORTED};

static struct fixture fixture;
static struct op target, user_cancel;
static bool canceled;
static uint8_t read_buffer[B2_READ_SIZE] __attribute__((aligned(4096)));
static uint8_t recv_buffer[64];

/* The resources each kind of target needs, opened once per world. */
static struct {
    struct tcp_pair pair;
    int file;
} env;

static void b2_callback(void *context, struct ringer_completion *completion, int32_t result) {
    CHECK(!canceled);
    op_callback(context, completion, result);
}

/* Set by the "noisy" runs: the transparent faults also move CQEs, so the forced order is
 * no longer observable through the reordered count. */
static bool noisy;

/* Profile 6.1 or 5.8; a slow disk so that a read is still running when its cancel comes.
 * Noisy: also every fault a correct library hides (enter EINTR/EAGAIN/EBUSY, partial
 * submits, reordered CQEs, stale SQE bytes). */
static void b2_configure(uint8_t kernel) {
    struct ringer_sim_options options;
    world_sim_default_options(&options);
    options.kernel = kernel;
    options.storage_latency_min_ns = 1 * MS;
    if (noisy) {
        options.order = RINGER_SIM_ORDER_REORDER;
        options.faults[RINGER_SIM_FAULT_ENTER_EINTR].ppm = 200000;
        options.faults[RINGER_SIM_FAULT_ENTER_EAGAIN].ppm = 100000;
        options.faults[RINGER_SIM_FAULT_ENTER_EBUSY].ppm = 100000;
        options.faults[RINGER_SIM_FAULT_ENTER_PARTIAL].ppm = 200000;
        options.faults[RINGER_SIM_FAULT_ORDER].ppm = 500000;
        options.faults[RINGER_SIM_FAULT_SQE_STALE].ppm = 500000;
    }
    world_sim_configure(&options);
}

static void start_target(struct ringer_io *io, enum b2_kind kind) {
    struct ringer_completion *completion = &op_prepare(&target)->completion;
    switch (kind) {
    case B2_RECV:
        STARTER(ringer_recv(io, completion, env.pair.server, recv_buffer, sizeof recv_buffer,
                            &target, b2_callback));
        break;
    case B2_DIRECT_READ:
        STARTER(ringer_read(io, completion, env.file, read_buffer, B2_READ_SIZE, 0, &target,
                            b2_callback));
        break;
    case B2_TIMEOUT:
        STARTER(ringer_timeout(io, completion, 10000 * MS, &target, b2_callback));
        break;
    default:
        STARTER(ringer_accept(io, completion, env.pair.listener, &target, b2_callback));
        break;
    }
}

/* cancel_all from here, with the checks every round shares. */
static void cancel_all_and_check(struct ringer_io *io, unsigned targets) {
    canceled = true; /* from here b2_callback fails the test (I13) */
    uint64_t start = world_now_ns();
    CHECK_EQ(ringer_cancel_all(io), 0);
    fixture.cancel_all_ran = true;
    CHECK_LE(world_now_ns() - start, B2_ROUND_LIMIT_NS);
    CHECK_EQ(target.calls, 0);
    CHECK_EQ(user_cancel.calls, 0);
    check_quiescent(io);
    CHECK_LE(ringer_stats(io).cancel_all_rounds, 3 * targets);
    CHECK_EQ(ringer_sim_in_flight(), 0);
    canceled = false;
}

/* Proof that the script took effect: the target was consumed before the cancel, so its
 * CQE counts as reordered exactly when it is posted after the cancel's. (Only without a
 * user cancel and without the sweep, whose CQEs would count too.) */
static void check_forced_order(enum b2_kind kind, const struct ringer_sim_cancel_script *script,
                               uint64_t reordered) {
    /* The sim interrupts a running worker only when it would have finished, so an -EINTR
     * target is never first (KNOWN_ISSUES.md K5). */
    if (kind == B2_DIRECT_READ && script->target_res == -EINTR) return;
    bool target_first = script->target_first || script->cancel_res == -ENOENT;
    CHECK_EQ(reordered, target_first ? 0 : 1);
}

static void run_case(enum b2_kind kind, const struct ringer_sim_cancel_script *script,
                     enum b2_user_cancel user, uint32_t flags) {
    fixture_begin(&fixture, 32, flags);
    start_target(&fixture.io, kind);
    CHECK_EQ(ringer_tick(&fixture.io), 0);
    CHECK_EQ(ringer_stats(&fixture.io).in_kernel, 1);
    if (script) ringer_sim_script_cancel(script);
    uint64_t reordered_before = ringer_sim_stats().cqes_reordered;
    op_prepare(&user_cancel);
    if (user != B2_NO_USER_CANCEL)
        STARTER(ringer_cancel(&fixture.io, &user_cancel.completion, &target.completion,
                              &user_cancel, b2_callback));
    cancel_all_and_check(&fixture.io, user == B2_NO_USER_CANCEL ? 1 : 2);
    if (script && !noisy && user == B2_NO_USER_CANCEL && (flags & RINGER_INIT_NO_CANCEL_SWEEP))
        check_forced_order(kind, script, ringer_sim_stats().cqes_reordered - reordered_before);
    fixture_end(&fixture);
}

/* The world's resources for every kind, made with a throw-away ring before the rounds, so
 * they are part of each round's fd baseline. */
static void open_env(void) {
    int dir = world_disk_dir_fd();
    world_close(make_test_file(dir, "b2_file", B2_READ_SIZE));
    env.file = world_open_file(dir, "b2_file", O_RDONLY | O_DIRECT);
    CHECK_GE(env.file, 0);
    struct ringer_io io;
    CHECK_EQ(ringer_init(&io, 8, 0), 0);
    CHECK(tcp_pair_open(&io, &env.pair, AF_INET, NULL));
    check_quiescent(&io);
    ringer_deinit(&io);
}

static void close_env(void) {
    world_close(env.file);
    world_close(env.pair.client);
    world_close(env.pair.server);
    world_close(env.pair.listener);
}

/* Every faithful pair, in every order, with and without a user's cancel in flight. */
static void run_every_order(enum b2_kind kind, uint8_t kernel, uint32_t flags) {
    b2_configure(kernel);
    open_env();
    const int32_t pairs[4][2] = {{0, -ECANCELED},
                                 {-EALREADY, -EINTR},
                                 {-EALREADY, normal_result[kind]},
                                 {-ENOENT, normal_result[kind]}};
    for (unsigned p = 0; p < 4; p++) {
        for (unsigned order = 0; order < 4; order++) {
            struct ringer_sim_cancel_script script = {
                .cancel_res = pairs[p][0],
                .target_res = pairs[p][1],
                .target_first = order & 1,
                .separate_batches = order & 2,
            };
            for (unsigned user = B2_NO_USER_CANCEL; user <= B2_USER_CANCEL_QUEUED; user++)
                run_case(kind, &script, user, flags);
        }
    }
    close_env();
}

TEST(sim_b2_recv_every_order_6_1) {
    run_every_order(B2_RECV, RINGER_SIM_KERNEL_6_1, RINGER_INIT_NO_CANCEL_SWEEP);
}

TEST(sim_b2_recv_every_order_5_8) {
    run_every_order(B2_RECV, RINGER_SIM_KERNEL_5_8, 0);
}

TEST(sim_b2_direct_read_every_order_6_1) {
    run_every_order(B2_DIRECT_READ, RINGER_SIM_KERNEL_6_1, RINGER_INIT_NO_CANCEL_SWEEP);
}

TEST(sim_b2_direct_read_every_order_5_8) {
    run_every_order(B2_DIRECT_READ, RINGER_SIM_KERNEL_5_8, 0);
}

TEST(sim_b2_timeout_every_order_6_1) {
    run_every_order(B2_TIMEOUT, RINGER_SIM_KERNEL_6_1, RINGER_INIT_NO_CANCEL_SWEEP);
}

TEST(sim_b2_timeout_every_order_5_8) {
    run_every_order(B2_TIMEOUT, RINGER_SIM_KERNEL_5_8, 0);
}

TEST(sim_b2_accept_every_order_6_1) {
    run_every_order(B2_ACCEPT, RINGER_SIM_KERNEL_6_1, RINGER_INIT_NO_CANCEL_SWEEP);
}

TEST(sim_b2_accept_every_order_5_8) {
    run_every_order(B2_ACCEPT, RINGER_SIM_KERNEL_5_8, 0);
}

/* Every kind and order again, with transparent faults on top of the script. */
TEST(sim_b2_every_kind_every_order_with_enter_faults) {
    noisy = true;
    for (unsigned kind = 0; kind < B2_KINDS; kind++)
        run_every_order(kind, RINGER_SIM_KERNEL_6_1, RINGER_INIT_NO_CANCEL_SWEEP);
    CHECK_GT(ringer_sim_stats().faults[RINGER_SIM_FAULT_ENTER_EINTR], 0);
    noisy = false;
}

/* The 6.1 fast path (one cancel-everything sweep) over every kind, with and without a
 * user's cancel queued: it needs no script, the per-target loop mops up after it. */
TEST(sim_b2_fast_path_every_kind_6_1) {
    b2_configure(RINGER_SIM_KERNEL_6_1);
    open_env();
    for (unsigned kind = 0; kind < B2_KINDS; kind++)
        for (unsigned user = B2_NO_USER_CANCEL; user <= B2_USER_CANCEL_QUEUED; user++)
            run_case(kind, NULL, user, 0);
    CHECK_GE(ringer_sim_stats().ops[IORING_OP_ASYNC_CANCEL], B2_KINDS * 2);
    close_env();
}

/* The fds open in the sim, as a bit set over fd numbers. */
static void open_fd_set(bool open[RINGER_SIM_MAX_FDS]) {
    static int fds[RINGER_SIM_MAX_FDS];
    memset(open, 0, RINGER_SIM_MAX_FDS);
    uint32_t count = ringer_sim_open_fds(fds, RINGER_SIM_MAX_FDS);
    for (uint32_t i = 0; i < count; i++) open[fds[i]] = true;
}

/* A connection that reaches the pending accept while cancel_all runs: the accept succeeds,
 * and cancel_all closes the fd no callback will see (I22). `script` NULL: the connection
 * is already there when cancel_all starts (the cancel finds nothing, -ENOENT); otherwise
 * the connect is still on the wire and the script lets the accept complete normally. */
static void accept_succeeds(uint8_t kernel, uint32_t flags, uint64_t latency_ns,
                            const struct ringer_sim_cancel_script *script) {
    struct ringer_sim_options options;
    world_sim_default_options(&options);
    options.kernel = kernel;
    options.net_latency_min_ns = latency_ns;
    world_sim_configure(&options);
    static bool before[RINGER_SIM_MAX_FDS], after[RINGER_SIM_MAX_FDS];
    fixture_begin(&fixture, 32, flags);
    struct sockaddr_in address;
    int listener = tcp_listener_open(&fixture.io, &address, 4);
    int client = ringer_open_socket_tcp(&fixture.io, AF_INET, NULL);
    CHECK_GE(client, 0);
    STARTER(ringer_accept(&fixture.io, &op_prepare(&target)->completion, listener, &target,
                          b2_callback));
    CHECK_EQ(ringer_tick(&fixture.io), 0);
    open_fd_set(before);
    /* The library's socket is non-blocking: the connect goes on in the kernel. */
    int rc = connect(client, (struct sockaddr *)&address, sizeof address);
    CHECK(rc == 0 || errno == EINPROGRESS);
    if (script) ringer_sim_script_cancel(script);
    op_prepare(&user_cancel);
    cancel_all_and_check(&fixture.io, 1);
    CHECK_EQ(ringer_stats(&fixture.io).cancel_all_fds_closed, 1);
    open_fd_set(after);
    CHECK(memcmp(before, after, sizeof before) == 0);
    world_close(client);
    world_close(listener);
    fixture_end(&fixture);
}

TEST(sim_b2_accept_succeeds_before_cancel_all) {
    accept_succeeds(RINGER_SIM_KERNEL_6_1, 0, 0, NULL);
    accept_succeeds(RINGER_SIM_KERNEL_6_1, RINGER_INIT_NO_CANCEL_SWEEP, 0, NULL);
    accept_succeeds(RINGER_SIM_KERNEL_5_8, 0, 0, NULL);
}

TEST(sim_b2_accept_succeeds_during_cancel_all) {
    const struct ringer_sim_cancel_script running = {.cancel_res = -EALREADY,
                                                     .target_res = RINGER_SIM_TARGET_NORMAL};
    accept_succeeds(RINGER_SIM_KERNEL_6_1, RINGER_INIT_NO_CANCEL_SWEEP, 5 * MS, &running);
    accept_succeeds(RINGER_SIM_KERNEL_5_8, 0, 5 * MS, &running);
}

/* ---- hostile: a cancel that reports success for a target that never completes ---- */

/* Linux cannot produce these pairs for a recv that waits for data that never comes (a
 * running target that -EALREADY reports always completes, and 0 means -ECANCELED
 * follows), but the hostile profile can (fault-model.md §3, CANCEL_RACE: all nine
 * pairs), and under hostile cancel_all must still not hang (§2). The run is bounded in
 * virtual time so that a hang fails at once. */
static void hostile_pair_without_target_cqe(int32_t cancel_res) {
    struct ringer_sim_options options;
    world_sim_default_options(&options);
    options.profile = RINGER_SIM_PROFILE_HOSTILE;
    options.max_virtual_ns = 5000 * MS;
    world_sim_configure(&options);
    world_sim_fail_on_stop(&fixture.io);
    open_env();
    const struct ringer_sim_cancel_script script = {.cancel_res = cancel_res,
                                                    .target_res = RINGER_SIM_TARGET_NORMAL};
    run_case(B2_RECV, &script, B2_NO_USER_CANCEL, RINGER_INIT_NO_CANCEL_SWEEP);
    close_env();
    ringer_sim_on_stop(NULL);
}

TEST(sim_b2_hostile_ealready_without_target_cqe) {
    hostile_pair_without_target_cqe(-EALREADY);
}

TEST(sim_b2_hostile_zero_without_target_cqe) {
    hostile_pair_without_target_cqe(0);
}
