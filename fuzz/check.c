/* The one place a fuzz target reports a broken invariant. */
#include "check.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <ringer_sim.h>

bool fuzz_sim_active;

_Noreturn void fuzz_fail(const char *file, int line, const char *format, ...) {
    va_list arguments;
    va_start(arguments, format);
    fprintf(stderr, "fuzz: invariant failed at %s:%d: ", file, line);
    vfprintf(stderr, format, arguments);
    fputc('\n', stderr);
    va_end(arguments);
    if (fuzz_sim_active) {
        char description[512];
        ringer_sim_describe(description, sizeof(description));
        fprintf(stderr, "fuzz: sim configuration: %s\n", description);
        ringer_sim_print_repro();
    }
    fflush(stderr);
    abort();
}
