/* The Chrome trace writer: stdio only (never remapped to the sim), one event per line. */
#include "trace.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define TRACKS_MAX 1025u /* fds 0..1023, and one track for ops without an fd */
#define LIVES_MAX  8u

static FILE *trace_file;
static bool trace_first;
static bool named[LIVES_MAX][TRACKS_MAX];
static bool life_named[LIVES_MAX];

bool trace_open(const char *path) {
    assert(trace_file == NULL);
    assert(path != NULL);
    trace_file = fopen(path, "w");
    if (trace_file == NULL) return false;
    trace_first = true;
    memset(named, 0, sizeof(named));
    memset(life_named, 0, sizeof(life_named));
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

/* Perfetto shows these names on the tracks: one process per loop life, a thread per fd. */
static void name_track(uint32_t life, int fd, int tid) {
    if (life >= LIVES_MAX || fd >= (int)TRACKS_MAX - 1) return;
    if (!life_named[life]) {
        life_named[life] = true;
        separator();
        fprintf(trace_file,
                "{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":%u,"
                "\"args\":{\"name\":\"ringer_io (life %u)\"}}",
                life + 1u, life);
    }
    bool *seen = &named[life][fd < 0 ? TRACKS_MAX - 1 : (uint32_t)fd];
    if (*seen) return;
    *seen = true;
    separator();
    if (fd < 0) {
        fprintf(trace_file,
                "{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":%u,\"tid\":%d,"
                "\"args\":{\"name\":\"timeouts and cancels\"}}",
                life + 1u, tid);
    } else {
        fprintf(trace_file,
                "{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":%u,\"tid\":%d,"
                "\"args\":{\"name\":\"fd %d\"}}",
                life + 1u, tid, fd);
    }
}

void trace_slice(const char *name, int fd, uint32_t life, uint64_t begin_ns, uint64_t end_ns,
                 uint64_t seq, int32_t result) {
    if (trace_file == NULL) return;
    assert(end_ns >= begin_ns);
    name_track(life, fd, fd < 0 ? 100000 : fd);
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
    fprintf(trace_file,
            "{\"name\":\"%s\",\"ph\":\"i\",\"s\":\"g\",\"pid\":0,\"tid\":0,\"ts\":", name);
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
