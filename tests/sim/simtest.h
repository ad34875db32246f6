/*
 * A tiny runner for the sim's own tests. Each test runs in a forked child with a fresh
 * simulated world; the parent prints exactly one line per test:
 *   ok <name> | FAIL <name>: <reason> | skip <name>: <reason>
 */
#ifndef SIMTEST_H
#define SIMTEST_H

#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

struct simtest {
    const char *name;
    void (*fn)(void);
    int expect_signal; /* 0: must exit 0; otherwise the child must die of this signal */
};

/* Host-side (compiled without the sim's forced include): report and leave the child. */
_Noreturn void simtest_fail(const char *format, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void simtest_skip(const char *reason);

#define CHECK(c)                                                     \
    do {                                                             \
        if (!(c)) simtest_fail("%s:%d: %s", __FILE__, __LINE__, #c); \
    } while (0)

#define CHECK_EQ(a, b)                                                                             \
    do {                                                                                           \
        long long simtest_a_ = (long long)(a), simtest_b_ = (long long)(b);                        \
        if (simtest_a_ != simtest_b_)                                                              \
            simtest_fail("%s:%d: %s == %s (%lld vs %lld)", __FILE__, __LINE__, #a, #b, simtest_a_, \
                         simtest_b_);                                                              \
    } while (0)

int simtest_main(const struct simtest *tests, int count, int argc, char **argv);

#endif
