/* Shared scaffolding for scenarios; see scenario.h. */
#include "scenario.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

int callback_depth;
bool inside_starter;
static unsigned callbacks_total;
static bool cancel_all_started; /* by fixture_cancel_all: no op callback may follow */

/* RINGER_TEST_TASKRUN=coop runs every test that names no task-run flag on a ring with
 * COOP_TASKRUN alone (io-wq workers post their CQEs themselves) instead of ringer's
 * default (DEFER_TASKRUN where the kernel has it). */
static uint32_t default_taskrun_flags(uint32_t flags) {
    const uint32_t taskrun =
        IORING_SETUP_COOP_TASKRUN | IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN;
    const char *mode = getenv("RINGER_TEST_TASKRUN");
    if ((flags & taskrun) || !mode || strcmp(mode, "coop") != 0) return flags;
    return flags | IORING_SETUP_COOP_TASKRUN;
}

void ringer_init_or_skip(struct ringer_io *io, uint32_t entries, uint32_t flags) {
    flags = default_taskrun_flags(flags);
    int result = ringer_init(io, entries, flags);
    if (result == -ENOSYS || result == -EPERM)
        SKIP("io_uring unavailable: ringer_init returned %d", result);
    CHECK_EQ(result, 0);
}

void fixture_begin(struct fixture *fixture, uint32_t entries, uint32_t flags) {
    memset(fixture, 0, sizeof *fixture);
    cancel_all_started = false;
    world_temp_dir_fd(); /* part of the baseline, not of the fds under test */
    fixture->fds_before = world_open_fd_count();
    fixture->fd_set_before = world_open_fd_set_hash();
    ringer_init_or_skip(&fixture->io, entries, flags);
    alloc_count_start();
}

void fixture_cancel_all(struct fixture *fixture) {
    const unsigned callbacks_before = callbacks_total;
    cancel_all_started = true;
    CHECK_EQ(ringer_cancel_all(&fixture->io), 0);
    fixture->cancel_all_ran = true;
    CHECK_EQ(callbacks_total, callbacks_before); /* I13 */
    check_quiescent(&fixture->io);               /* I7 */
}

void check_quiescent(const struct ringer_io *io) {
    struct ringer_stats stats = ringer_stats(io);
    CHECK_EQ(stats.queued, 0);
    CHECK_EQ(stats.in_kernel, 0);
    CHECK_EQ(stats.unqueued, 0);
    CHECK_EQ(stats.completed, 0);
    CHECK_EQ(stats.awaiting, 0);
    CHECK_EQ(stats.deadlines, 0);
}

void check_loop_invariants(const struct ringer_io *io) {
    struct ringer_stats stats = ringer_stats(io);
    CHECK_EQ(stats.queued, io_uring_sq_ready(&io->ring));
    CHECK_EQ(stats.deadlines, 0);
    /* I17: ops whose CQE a final submit's -EAGAIN reap already took are still awaiting. */
    CHECK_EQ(stats.queued + stats.in_kernel, stats.awaiting - stats.reaped);
    CHECK_EQ(stats.started - stats.callbacks,
             (uint64_t)stats.unqueued + stats.awaiting + stats.completed - stats.reaped);
}

void fixture_end(struct fixture *fixture) {
    struct ringer_stats stats = ringer_stats(&fixture->io);
    check_quiescent(&fixture->io);
    if (stats.cancel_all_rounds == 0 && !fixture->cancel_all_ran)
        CHECK_EQ(stats.started, stats.callbacks);
    uint64_t allocations = alloc_count_stop();
    CHECK_EQ(allocations, 0);
    CHECK_EQ(callback_depth, 0);
    ringer_deinit(&fixture->io);
    CHECK_EQ(world_open_fd_count(), fixture->fds_before);
    CHECK(world_open_fd_set_hash() == fixture->fd_set_before); /* the same fds, not just as many */
}

struct op *op_prepare(struct op *op) {
    memset(op, 0, sizeof *op);
    op->started_ns = world_now_ns();
    return op;
}

void callback_enter(void) {
    CHECK_EQ(callback_depth, 0);
    CHECK(!inside_starter);
    callback_depth++;
}

void callback_leave(void) {
    callback_depth--;
}

void op_callback(void *context, struct ringer_completion *completion, int32_t result) {
    struct op *op = context;
    CHECK(!cancel_all_started); /* I13: nothing is called back once cancel_all began */
    callback_enter();
    CHECK(completion == &op->completion);
    op->calls++;
    CHECK_EQ(op->calls, 1);
    op->result = result;
    op->finished_ns = world_now_ns();
    op->sequence = ++callbacks_total;
    if (op->then) op->then(op);
    callback_leave();
}

unsigned op_callbacks_total(void) {
    return callbacks_total;
}

static socklen_t loopback_address(int family, struct sockaddr_storage *address) {
    memset(address, 0, sizeof *address);
    if (family == AF_INET6) {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)address;
        in6->sin6_family = AF_INET6;
        in6->sin6_addr = in6addr_loopback;
        return sizeof *in6;
    }
    struct sockaddr_in *in = (struct sockaddr_in *)address;
    in->sin_family = AF_INET;
    in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return sizeof *in;
}

int tcp_listener_open(struct ringer_io *io, struct sockaddr_in *address, int backlog) {
    int listener = ringer_open_socket_tcp(io, AF_INET, NULL);
    CHECK_GE(listener, 0);
    memset(address, 0, sizeof *address);
    address->sin_family = AF_INET;
    address->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof *address;
    CHECK_EQ(ringer_listen(io, listener, (struct sockaddr *)address, &size, backlog), 0);
    return listener;
}

bool tcp_pair_open(struct ringer_io *io, struct tcp_pair *pair, int family,
                   const struct ringer_tcp_options *options) {
    static const struct ringer_tcp_options nodelay = {.nodelay = true};
    if (!options) options = &nodelay;
    pair->listener = ringer_open_socket_tcp(io, family, options);
    if (pair->listener == -EAFNOSUPPORT) return false;
    CHECK_GE(pair->listener, 0);
    pair->listen_address_size = loopback_address(family, &pair->listen_address);
    int result = ringer_listen(io, pair->listener, (struct sockaddr *)&pair->listen_address,
                               &pair->listen_address_size, 16);
    if (result == -EADDRNOTAVAIL && family == AF_INET6) {
        ringer_close_socket(io, pair->listener);
        return false;
    }
    CHECK_EQ(result, 0);
    pair->client = ringer_open_socket_tcp(io, family, options);
    CHECK_GE(pair->client, 0);
    static struct op accept_op, connect_op;
    STARTER(ringer_accept(io, &op_prepare(&accept_op)->completion, pair->listener, &accept_op,
                          op_callback));
    STARTER(ringer_connect(io, &op_prepare(&connect_op)->completion, pair->client,
                           (struct sockaddr *)&pair->listen_address, pair->listen_address_size,
                           &connect_op, op_callback));
    RUN_UNTIL(io, accept_op.calls == 1 && connect_op.calls == 1);
    CHECK_EQ(connect_op.result, 0);
    CHECK_GE(accept_op.result, 0);
    pair->server = accept_op.result;
    pair->peer_address = accept_op.completion.operation.socket.address;
    pair->peer_address_size = accept_op.completion.operation.socket.address_size;
    return true;
}

void tcp_pair_close(struct ringer_io *io, struct tcp_pair *pair) {
    ringer_close_socket(io, pair->client);
    ringer_close_socket(io, pair->server);
    ringer_close_socket(io, pair->listener);
}

uint8_t test_pattern(uint64_t index) {
    return (uint8_t)(index * 131 + (index >> 8) * 7 + 1);
}

int make_test_file(int dir, const char *name, uint32_t size) {
    static uint8_t data[1 << 20];
    CHECK_LE(size, sizeof data);
    for (uint32_t i = 0; i < size; i++) data[i] = test_pattern(i);
    return world_create_file(dir, name, data, size);
}

bool fd_is_cloexec(int fd) {
    int flags = world_fd_flags(fd);
    return flags >= 0 && (flags & FD_CLOEXEC);
}

bool result_is_one_of(int32_t result, const int *errnos, unsigned count) {
    for (unsigned i = 0; i < count; i++)
        if (result == -errnos[i]) return true;
    return false;
}
