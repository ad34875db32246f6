/*
 * A tiny test framework.
 *
 *   TEST(name) { ... }          registers a test (a constructor runs before main)
 *   CHECK(cond)                 on failure: records file:line and the expression, ends the test
 *   CHECK_EQ(a, b), CHECK_NE, CHECK_GE, CHECK_GT, CHECK_LE, CHECK_LT
 *                               integer comparisons that print both values on failure
 *   SKIP("reason %d", ...)      ends the test as skipped
 *
 * Every test runs in its own forked child with a 10 s hang guard (alarm), so a crash, an
 * abort or a hang is a FAIL naming the signal. The binary prints exactly one line per test:
 * `ok <name>`, `FAIL <name>: <reason>` or `skip <name>: <reason>`. An optional argument
 * selects the tests whose names contain it.
 */
#ifndef RINGER_TESTS_HARNESS_H
#define RINGER_TESTS_HARNESS_H

#include <stdbool.h>
#include <stdint.h>

#define HARNESS_HANG_GUARD_SECONDS 10

struct harness_test {
    const char *name;
    void (*function)(void);
};

void harness_register(const char *name, void (*function)(void));

/* Ends the running test: never returns. */
__attribute__((noreturn, format(printf, 3, 4))) void harness_fail(const char *file, int line,
                                                                  const char *format, ...);
__attribute__((noreturn, format(printf, 1, 2))) void harness_skip(const char *format, ...);

/* Runs `function(argument)` in a child process (5 s hang guard) and returns its wait
 * status. The child's stderr goes into `output` (NUL-terminated, may be NULL) instead of
 * the terminal, so that an expected assertion message does not reach the results. */
int harness_run_in_child(void (*function)(void *), void *argument, char *output,
                         unsigned output_size);

/* True when `status` (from harness_run_in_child) is death by SIGABRT. */
bool harness_died_of_abort(int status);

/* For harness_main.c. */
struct harness_test *harness_tests(void);
unsigned harness_test_count(void);
void harness_set_reason_fd(int fd);

#define TEST(name)                                                   \
    static void test_##name(void);                                   \
    __attribute__((constructor)) static void register_##name(void) { \
        harness_register(#name, test_##name);                        \
    }                                                                \
    static void test_##name(void)

#define CHECK(condition)                                                             \
    do {                                                                             \
        if (!(condition)) harness_fail(__FILE__, __LINE__, "CHECK(%s)", #condition); \
    } while (0)

#define CHECK_OP_(a, op, b)                                                                    \
    do {                                                                                       \
        long long check_a_ = (long long)(a);                                                   \
        long long check_b_ = (long long)(b);                                                   \
        if (!(check_a_ op check_b_))                                                           \
            harness_fail(__FILE__, __LINE__, "%s %s %s (%lld vs %lld)", #a, #op, #b, check_a_, \
                         check_b_);                                                            \
    } while (0)

#define CHECK_EQ(a, b) CHECK_OP_(a, ==, b)
#define CHECK_NE(a, b) CHECK_OP_(a, !=, b)
#define CHECK_GE(a, b) CHECK_OP_(a, >=, b)
#define CHECK_GT(a, b) CHECK_OP_(a, >, b)
#define CHECK_LE(a, b) CHECK_OP_(a, <=, b)
#define CHECK_LT(a, b) CHECK_OP_(a, <, b)

#define SKIP(...) harness_skip(__VA_ARGS__)

#endif /* RINGER_TESTS_HARNESS_H */
