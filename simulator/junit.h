/* The JUnit XML report (--junit FILE): one test suite, a test case per seed that ran, a
 * failed seed as a <failure> with its message, its last events and its replay command, so
 * CI systems (GitLab, Jenkins, GitHub test reporters) list failing seeds as failed tests.
 * Cases go to a temporary file as they arrive; the file itself is written at the end. */
#ifndef SIMULATOR_JUNIT_H
#define SIMULATOR_JUNIT_H

#include <stdbool.h>
#include <stdint.h>

#include "result.h"

/* Returns false (errno set) if the temporary file cannot be made. */
bool junit_begin(void);
void junit_case(const struct seed_result *result, const char *suite, const char *replay);
/* Writes the report to `path`: false if it could not be written completely. `not_run`
 * seeds (a stopped campaign) are named in a property. */
bool junit_end(const char *path, const char *suite, uint64_t not_run);

#endif
