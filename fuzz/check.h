/*
 * Invariant checks for the fuzz targets. A failed check prints what broke and aborts, which
 * every engine (libFuzzer, AFL++) records as a crash with the input that caused it.
 * FUZZ_ASSERT guards the harness's own logic; FUZZ_CHECK states a property of the library
 * or the simulated kernel under test, with a message that names the invariant.
 */
#ifndef RINGER_FUZZ_CHECK_H
#define RINGER_FUZZ_CHECK_H

#include <stdbool.h>

/* True between ringer_sim_init and ringer_sim_deinit: a failure then also describes the
 * sim's configuration, for reproduction. */
extern bool fuzz_sim_active;

_Noreturn void fuzz_fail(const char *file, int line, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

#define FUZZ_ASSERT(condition) \
    ((condition) ? (void)0 : fuzz_fail(__FILE__, __LINE__, "harness: %s", #condition))

#define FUZZ_CHECK(condition, ...) \
    ((condition) ? (void)0 : fuzz_fail(__FILE__, __LINE__, __VA_ARGS__))

#endif /* RINGER_FUZZ_CHECK_H */
