/* The Chrome trace writer: stdio only (never remapped to the sim), one event per line. */
#include "trace.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>

static FILE *trace_file;
static bool trace_first;

bool trace_open(const char *path) {
    assert(trace_file == NULL);
    assert(path != NULL);
    trace_file = fopen(path, "w");
    if (trace_file == NULL) return false;
    trace_first = true;
    fputs("{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n", trace_file);
    return true;
}

bool trace_enabled(void) {
    return trace_file != NULL;
}

static void separator(void) {
    if (!trace_first) fputs(",\n", trace_file);
    trace_first = false;
}

/* Timestamps are microseconds with nanosecond decimals, printed from integers. */
static void print_us(uint64_t ns) {
    fprintf(trace_file, "%" PRIu64 ".%03" PRIu64, ns / 1000u, ns % 1000u);
}

void trace_slice(const char *name, int fd, uint32_t life, uint64_t begin_ns, uint64_t end_ns,
                 uint64_t seq, int32_t result) {
    if (trace_file == NULL) return;
    assert(end_ns >= begin_ns);
    separator();
    fprintf(trace_file, "{\"name\":\"%s\",\"ph\":\"X\",\"pid\":%u,\"tid\":%d,\"ts\":", name,
            (unsigned)life + 1u, fd < 0 ? 100000 : fd);
    print_us(begin_ns);
    fputs(",\"dur\":", trace_file);
    print_us(end_ns - begin_ns);
    fprintf(trace_file, ",\"args\":{\"op\":%" PRIu64 ",\"result\":%d}}", seq, (int)result);
}

void trace_instant(const char *name, uint64_t at_ns, const char *detail) {
    if (trace_file == NULL) return;
    separator();
    fprintf(trace_file, "{\"name\":\"%s\",\"ph\":\"i\",\"s\":\"g\",\"pid\":0,\"tid\":0,\"ts\":",
            name);
    print_us(at_ns);
    fprintf(trace_file, ",\"args\":{\"detail\":\"%s\"}}", detail != NULL ? detail : "");
}

bool trace_close(void) {
    if (trace_file == NULL) return true;
    fputs("\n]}\n", trace_file);
    bool ok = ferror(trace_file) == 0;
    ok = fclose(trace_file) == 0 && ok;
    trace_file = NULL;
    return ok;
}
