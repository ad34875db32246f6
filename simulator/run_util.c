/* Failure recording, the replay hash, fault counts and the op budget of one run. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "run.h"

void run_fail(struct run *run, const char *format, ...) {
    if (run->failed) return; /* the first failure is the one to reproduce */
    run->failed = true;
    struct seed_result *result = run->result;
    result->failed = true;
    va_list args;
    va_start(args, format);
    vsnprintf(result->message, sizeof(result->message), format, args);
    va_end(args);
    result->virtual_ns = run_now();
    run_log(run, "FAIL %s", result->message);
}

void run_hash(struct run *run, uint64_t value) {
    run->workload_hash = prng_mix(run->workload_hash, value);
}

uint64_t run_faults(enum ringer_sim_fault_class fault_class) {
    struct ringer_sim_stats stats = ringer_sim_stats();
    return stats.faults[fault_class];
}

bool run_any_fault(const enum ringer_sim_fault_class *classes, uint32_t count) {
    struct ringer_sim_stats stats = ringer_sim_stats();
    for (uint32_t i = 0; i < count; i++) {
        if (stats.faults[classes[i]] > 0) return true;
    }
    return false;
}

bool run_take_op(struct run *run) {
    if (run->failed || run->cancel_all_started || run->op_budget == 0) return false;
    run->op_budget -= 1;
    return true;
}

static uint64_t last_now;

uint64_t run_now(void) {
    last_now = ringer_sim_now_ns();
    return last_now;
}

uint64_t run_last_now(void) {
    last_now = ringer_sim_peek_now_ns(); /* free: costs no virtual time */
    return last_now;
}

void run_log(struct run *run, const char *format, ...) {
    if (run->log == NULL) return;
    char line[256];
    va_list args;
    va_start(args, format);
    vsnprintf(line, sizeof(line), format, args);
    va_end(args);
    ringer_sim_log("%s", line); /* among the kernel's events, on the sim's clock */
}

bool run_errno_explained(int32_t result, bool read_like) {
    if (result >= 0 || result == -EINTR) return false;
    if (read_like && result == -EAGAIN) return false;
    return run_faults(RINGER_SIM_FAULT_ERRNO) > 0;
}
