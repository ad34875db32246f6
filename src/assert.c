/* The one place an assertion failure is reported. */
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"

_Noreturn void ringer_assert_fail(const char *condition, const char *file, int line) {
    fprintf(stderr, "ringer: assertion failed: %s (%s:%d)\n", condition, file, line);
    fflush(stderr);
    abort();
}
