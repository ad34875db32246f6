/*
 * The timeline: Chrome Trace Event JSON, one event per line, for Perfetto
 * (ui.perfetto.dev) and chrome://tracing. The sim's own rows: "kernel", a track per fd
 * with each op as a slice from its SQE to its CQE and each fault as an instant on the track
 * of the op it hit; crashes and ringer_sim_log lines are global instants. Programs add
 * their own rows with ringer_sim_timeline_slice (ringer-sim: a row per loop life, an op
 * from its start to its callback). Writing it never changes a run.
 */
#include "sim_internal.h"
#include "sim_log.h"

#include <inttypes.h>
#include <stdio.h>

#define GROUPS_MAX  16u
#define TRACKS_MAX  2048u
#define NAME_MAX_TL 64u
#define OPS_OPEN    4096u /* ops between SQE and CQE, by number */

struct track {
    uint32_t group;
    char name[NAME_MAX_TL];
};

static FILE *file;
static bool first;
static char groups[GROUPS_MAX][NAME_MAX_TL];
static uint32_t group_count;
static struct track tracks[TRACKS_MAX];
static uint32_t track_count;
static struct {
    uint64_t op, begin_ns;
    int32_t fd;
    uint8_t opcode;
} open_ops[OPS_OPEN];

bool ringer_sim_timeline_is_open(void) {
    return file != NULL;
}

int ringer_sim_timeline_open(const char *path) {
    SIM_ASSERT(path != NULL);
    if (file != NULL) return -EBUSY;
    file = fopen(path, "w");
    if (file == NULL) return -errno;
    first = true;
    group_count = track_count = 0;
    memset(open_ops, 0, sizeof open_ops);
    fputs("{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n", file);
    return 0;
}

int ringer_sim_timeline_close(void) {
    if (file == NULL) return 0;
    fputs("\n]}\n", file);
    bool ok = ferror(file) == 0;
    ok = fclose(file) == 0 && ok;
    file = NULL;
    return ok ? 0 : -EIO;
}

static void separator(void) {
    if (!first) fputs(",\n", file);
    first = false;
}

/* A JSON string's contents. */
static void put_escaped(const char *text) {
    for (const char *p = text; *p != '\0'; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '"' || c == '\\') fprintf(file, "\\%c", c);
        else if (c < 0x20) fprintf(file, "\\u%04x", c);
        else fputc(c, file);
    }
}

/* Timestamps are microseconds with nanosecond decimals, printed from integers. */
static void put_us(uint64_t ns) {
    fprintf(file, "%" PRIu64 ".%03" PRIu64, ns / 1000u, ns % 1000u);
}

static void put_name_record(const char *what, uint32_t pid, uint32_t tid, const char *name) {
    separator();
    fprintf(file, "{\"name\":\"%s\",\"ph\":\"M\",\"pid\":%u,\"tid\":%u,\"args\":{\"name\":\"", what,
            pid, tid);
    put_escaped(name);
    fputs("\"}}", file);
}

static uint32_t group_of(const char *name) {
    for (uint32_t g = 0; g < group_count; g++) {
        if (strcmp(groups[g], name) == 0) return g + 1;
    }
    if (group_count == GROUPS_MAX) return GROUPS_MAX; /* the last row takes the rest */
    snprintf(groups[group_count], NAME_MAX_TL, "%s", name);
    put_name_record("process_name", group_count + 1, 0, name);
    return ++group_count;
}

static uint32_t track_of(uint32_t group, const char *name) {
    for (uint32_t t = 0; t < track_count; t++) {
        if (tracks[t].group == group && strcmp(tracks[t].name, name) == 0) return t + 1;
    }
    if (track_count == TRACKS_MAX) return TRACKS_MAX;
    tracks[track_count].group = group;
    snprintf(tracks[track_count].name, NAME_MAX_TL, "%s", name);
    put_name_record("thread_name", group, track_count + 1, name);
    return ++track_count;
}

void ringer_sim_timeline_slice(const char *group, const char *track, const char *name,
                               uint64_t begin_ns, uint64_t end_ns, uint64_t op, int64_t result) {
    SIM_ASSERT(group != NULL && track != NULL && name != NULL);
    SIM_ASSERT(end_ns >= begin_ns);
    if (file == NULL) return;
    uint32_t pid = group_of(group), tid = track_of(pid, track);
    separator();
    fputs("{\"name\":\"", file);
    put_escaped(name);
    fprintf(file, "\",\"ph\":\"X\",\"pid\":%u,\"tid\":%u,\"ts\":", pid, tid);
    put_us(begin_ns);
    fputs(",\"dur\":", file);
    put_us(end_ns - begin_ns);
    fprintf(file, ",\"args\":{\"op\":%" PRIu64 ",\"result\":%" PRId64 "}}", op, result);
}

static void instant(const char *name, uint64_t at_ns, const char *detail, uint32_t pid,
                    uint32_t tid) {
    separator();
    fputs("{\"name\":\"", file);
    put_escaped(name);
    fprintf(file, "\",\"ph\":\"i\",\"s\":\"%s\",\"pid\":%u,\"tid\":%u,\"ts\":", pid ? "t" : "g",
            pid, tid);
    put_us(at_ns);
    fputs(",\"args\":{\"detail\":\"", file);
    put_escaped(detail != NULL ? detail : "");
    fputs("\"}}", file);
}

void ringer_sim_timeline_instant(const char *name, uint64_t at_ns, const char *detail) {
    SIM_ASSERT(name != NULL);
    if (file != NULL) instant(name, at_ns, detail, 0, 0);
}

static void kernel_track(int32_t fd, char *out, size_t size) {
    if (fd < 0) snprintf(out, size, "no fd (timeouts, cancels, nops)");
    else snprintf(out, size, "fd %d", fd);
}

void sim_timeline_event(const struct ringer_sim_event *event) {
    SIM_ASSERT(event != NULL && file != NULL);
    char track[48];
    switch (event->kind) {
    case RINGER_SIM_EVENT_SQE: {
        __typeof__(open_ops[0]) *slot = &open_ops[event->op % OPS_OPEN];
        slot->op = event->op;
        slot->begin_ns = event->time_ns;
        slot->fd = event->fd;
        slot->opcode = event->opcode;
        return;
    }
    case RINGER_SIM_EVENT_CQE: {
        __typeof__(open_ops[0]) *slot = &open_ops[event->op % OPS_OPEN];
        if (slot->op != event->op) return; /* its SQE came before the timeline opened */
        kernel_track(slot->fd, track, sizeof track);
        const char *name = event->text + 7; /* the readable line after "cqe    " */
        ringer_sim_timeline_slice("kernel", track, name, slot->begin_ns, event->time_ns, event->op,
                                  event->result);
        slot->begin_ns = event->time_ns; /* a multishot op goes on */
        if (!(event->flags & IORING_CQE_F_MORE)) slot->op = 0;
        return;
    }
    case RINGER_SIM_EVENT_FAULT: {
        kernel_track(event->fd, track, sizeof track);
        uint32_t pid = group_of("kernel");
        instant(ringer_sim_fault_name(event->fault_class), event->time_ns, event->text, pid,
                track_of(pid, track));
        return;
    }
    case RINGER_SIM_EVENT_CRASH:
    case RINGER_SIM_EVENT_USER:
        instant(event->text, event->time_ns, NULL, 0, 0);
        return;
    default:
        return;
    }
}
