/* CLOCK_MONOTONIC through the seam: the clock io_uring uses for absolute timeouts. */
#include "internal.h"

uint64_t time_monotonic_ns(void) {
    struct timespec now;
    int rc = clock_gettime(CLOCK_MONOTONIC, &now);
    RINGER_ASSERT(rc == 0); /* CLOCK_MONOTONIC cannot fail on Linux */
    RINGER_ASSERT(now.tv_sec >= 0 && now.tv_nsec >= 0 && now.tv_nsec < 1000000000);
    return (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
}

/* Sleeps at least `nanoseconds`; an interrupted sleep resumes with what is left. */
void time_sleep_ns(uint64_t nanoseconds) {
    struct timespec request = {
        .tv_sec = (time_t)(nanoseconds / 1000000000u),
        .tv_nsec = (long)(nanoseconds % 1000000000u),
    };
    struct timespec remaining;
    while (clock_nanosleep(CLOCK_MONOTONIC, 0, &request, &remaining) == EINTR) {
        request = remaining;
    }
}
