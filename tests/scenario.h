/*
 * Shared scaffolding for scenarios: a fixture that owns the ring and performs the common
 * end checks of acceptance.md §1, an `op` record whose callback counts calls and checks
 * re-entrancy, loop drivers with a bound, and a loopback TCP pair.
 */
#ifndef RINGER_TESTS_SCENARIO_H
#define RINGER_TESTS_SCENARIO_H

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "alloc_count.h"
#include "harness.h"
#include "ringer.h"
#include "world.h"

#define MS             1000000ull
#define DRIVE_LIMIT_NS (8000ull * MS) /* below the harness's 10 s hang guard */

struct fixture {
    struct ringer_io io;
    int fds_before;
    uint64_t fd_set_before;
    bool cancel_all_ran;
};

/* ringer_init that skips the test when io_uring is unavailable (-ENOSYS, -EPERM), as
 * acceptance.md §1 says, and fails it on any other error. */
void ringer_init_or_skip(struct ringer_io *io, uint32_t entries, uint32_t flags);
/* ringer_init with the common bookkeeping; skips when io_uring is unavailable. */
void fixture_begin(struct fixture *fixture, uint32_t entries, uint32_t flags);
/* The common end checks, then ringer_deinit and the fd-leak check. The caller has closed
 * every fd it opened since fixture_begin. */
void fixture_end(struct fixture *fixture);
/* ringer_cancel_all as a test ends with it: it returns 0, runs no callback (an op callback
 * from here on, until the next fixture_begin, fails the test: I13), and leaves the loop
 * quiescent (I7). Only fixture_end may follow. */
void fixture_cancel_all(struct fixture *fixture);
/* Asserts that queued, in_kernel, unqueued, completed, awaiting and deadlines are all 0. */
void check_quiescent(const struct ringer_io *io);
/* Between two loop calls (outside callbacks, before cancel_all): I17/I18 and the balance of
 * started ops: queued == io_uring_sq_ready, queued + in_kernel == awaiting (no op is REAPED
 * and no deadline is armed between calls), and every started op not yet called back sits
 * in exactly one container: started - callbacks == unqueued + awaiting + completed. */
void check_loop_invariants(const struct ringer_io *io);

/* One started operation and what its callback saw. */
struct op {
    struct ringer_completion completion;
    int calls;
    int32_t result;
    uint64_t started_ns;
    uint64_t finished_ns;
    unsigned sequence;           /* the global callback order, from 1 */
    void (*then)(struct op *op); /* optional: runs inside the callback */
    void *user;
};

/* Zeroes the op and stamps its start time: call before starting it. */
struct op *op_prepare(struct op *op);
/* The callback for every op: context must be the op. */
void op_callback(void *context, struct ringer_completion *completion, int32_t result);
/* Number of callbacks so far (global), and the deepest nesting seen (must stay 1). */
unsigned op_callbacks_total(void);

/* Re-entrancy bookkeeping, B6: callbacks check both. */
extern int callback_depth;
extern bool inside_starter;
#define STARTER(call)                         \
    do {                                      \
        bool starter_saved_ = inside_starter; \
        inside_starter = true;                \
        call;                                 \
        inside_starter = starter_saved_;      \
    } while (0)
void callback_enter(void);
void callback_leave(void);

/* Drivers: loop until `condition`, failing the test after DRIVE_LIMIT_NS or too many rounds. */
#define RUN_UNTIL(io, condition)                                    \
    do {                                                            \
        uint64_t drive_deadline_ = world_now_ns() + DRIVE_LIMIT_NS; \
        while (!(condition)) {                                      \
            CHECK_EQ(ringer_run_for_ns((io), 1 * MS), 0);           \
            check_loop_invariants(io);                              \
            if (world_now_ns() > drive_deadline_) CHECK(condition); \
        }                                                           \
    } while (0)

#define TICK_UNTIL(io, condition)                                                               \
    do {                                                                                        \
        uint64_t drive_deadline_ = world_now_ns() + DRIVE_LIMIT_NS;                             \
        for (uint64_t drive_round_ = 0; !(condition); drive_round_++) {                         \
            CHECK_EQ(ringer_tick(io), 0);                                                       \
            check_loop_invariants(io);                                                          \
            if (drive_round_ > 10000000u || world_now_ns() > drive_deadline_) CHECK(condition); \
        }                                                                                       \
    } while (0)

/* A connected loopback TCP pair made with the library (listen, accept + connect). */
struct tcp_pair {
    int listener;
    int client;
    int server;
    struct sockaddr_storage listen_address;
    socklen_t listen_address_size;
    struct sockaddr_storage peer_address; /* what the accept reported */
    socklen_t peer_address_size;
};
/* family: AF_INET (127.0.0.1) or AF_INET6 (::1); options NULL means nodelay only.
 * Returns false if the family is missing. */
bool tcp_pair_open(struct ringer_io *io, struct tcp_pair *pair, int family,
                   const struct ringer_tcp_options *options);
/* A listening TCP socket without options on 127.0.0.1, port 0: returns its fd and writes the
 * bound address (with the real port) to `address`. */
int tcp_listener_open(struct ringer_io *io, struct sockaddr_in *address, int backlog);
void tcp_pair_close(struct ringer_io *io, struct tcp_pair *pair);

/* A file in `dir` with `size` bytes of test_pattern(i); returns an O_RDWR fd. */
int make_test_file(int dir, const char *name, uint32_t size);
uint8_t test_pattern(uint64_t index);

/* True if `result` is the negation of one of `errnos`. */
bool result_is_one_of(int32_t result, const int *errnos, unsigned count);
/* When `judge`, fails the test unless `result` is one of the listed errnos (positive). */
#define CHECK_DOCUMENTED_IF(judge, result, ...)                                                   \
    do {                                                                                          \
        static const int documented_[] = {__VA_ARGS__};                                           \
        if ((judge) &&                                                                            \
            !result_is_one_of((result), documented_, sizeof documented_ / sizeof documented_[0])) \
            harness_fail(__FILE__, __LINE__, "undocumented result %d", (int)(result));            \
    } while (0)

/* True if fd has FD_CLOEXEC. */
bool fd_is_cloexec(int fd);

#endif /* RINGER_TESTS_SCENARIO_H */
