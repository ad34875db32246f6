/* Death tests: a programmer error must end in the library's assertion (SIGABRT with
 * "ringer: assertion failed" on stderr), never in a hang, a crash or a silent return. */
#ifndef RINGER_TESTS_DEATH_H
#define RINGER_TESTS_DEATH_H

#include "harness.h"

/* Runs `body(argument)` in a child; fails the test unless it died of the assertion. */
void expect_assertion(void (*body)(void *), void *argument);

#endif /* RINGER_TESTS_DEATH_H */
