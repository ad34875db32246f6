/*
 * The sim's event log (ringer_sim.h, "the event log"): a small journal run (a file opened,
 * written through ringer, closed, then read through the closed fd) under transparent
 * faults, with the log streamed readably, as raw words, to an event hook, or not at all.
 * The readable form names the call, the opcodes, the fd's kind and path (also once the fd
 * is closed), the errno and the program's own line; the raw form is the trace hash's input;
 * the hook gets the decoded fields; the printed tail has the count asked for; and none of
 * it changes the run: the trace hash is the same every way.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc_count.h"
#include "scenario.h"
#include "world_sim.h"

#define JOURNAL       "/data/eventlog"
#define JOURNAL_BYTES 512u
#define HOOKED_MAX    256u

enum logging { LOG_NONE, LOG_READABLE, LOG_RAW, LOG_HOOK };

static struct fixture fixture;
static struct op write_op, read_op;
static uint8_t block[JOURNAL_BYTES];
static int journal_fd;
static char tail_text[2048];

/* What the hook saw: the events' fields and copies of their texts. */
static struct ringer_sim_event hooked[HOOKED_MAX];
static char hooked_text[HOOKED_MAX][160];
static unsigned hooked_count;

static void on_event(const struct ringer_sim_event *event, void *arg) {
    CHECK(arg == &hooked_count);
    CHECK(event->text != NULL);
    if (hooked_count == HOOKED_MAX) return;
    hooked[hooked_count] = *event;
    snprintf(hooked_text[hooked_count], sizeof hooked_text[0], "%s", event->text);
    hooked[hooked_count].text = hooked_text[hooked_count];
    hooked_count++;
}

/* Writes the whole block at offset 0, going on after a short write. */
static void write_block(void) {
    uint32_t written = 0;
    while (written < JOURNAL_BYTES) {
        STARTER(ringer_write(&fixture.io, &op_prepare(&write_op)->completion, journal_fd,
                             block + written, JOURNAL_BYTES - written, written, &write_op,
                             op_callback));
        RUN_UNTIL(&fixture.io, write_op.calls == 1);
        CHECK_GT(write_op.result, 0);
        written += (uint32_t)write_op.result;
    }
}

/* The journal run under seed 3's transparent world, logged as `logging` says into `log`
 * (a memory stream, or NULL); returns the run's trace hash. */
static uint64_t journal_run(enum logging logging, FILE *log) {
    struct ringer_sim_options options;
    world_sim_default_options(&options);
    options.seed = 3;
    options.profile = RINGER_SIM_PROFILE_TRANSPARENT;
    ringer_sim_profile_rates(&options);
    hooked_count = 0;
    if (logging == LOG_READABLE) ringer_sim_log_to(log, RINGER_SIM_LOG_READABLE);
    if (logging == LOG_RAW) ringer_sim_log_to(log, RINGER_SIM_LOG_RAW);
    if (logging == LOG_HOOK) ringer_sim_on_event(on_event, &hooked_count);
    world_sim_configure(&options);
    fixture_begin(&fixture, 8, 0);
    journal_fd = open(JOURNAL, O_CREAT | O_RDWR | O_CLOEXEC, 0600);
    CHECK(journal_fd >= 0);
    memset(block, 'j', sizeof block);
    write_block();
    ringer_sim_log("journal written: %u bytes", JOURNAL_BYTES);
    CHECK_EQ(close(journal_fd), 0);
    STARTER(ringer_read(&fixture.io, &op_prepare(&read_op)->completion, journal_fd, block,
                        sizeof block, 0, &read_op, op_callback));
    RUN_UNTIL(&fixture.io, read_op.calls == 1);
    CHECK_EQ(read_op.result, -EBADF);
    alloc_count_pause(); /* the memory stream allocates; the sim's printing must not */
    FILE *tail = fmemopen(tail_text, sizeof tail_text, "w");
    CHECK(tail != NULL);
    CHECK_EQ(setvbuf(tail, NULL, _IONBF, 0), 0);
    alloc_count_resume();
    ringer_sim_print_events(tail, 6);
    alloc_count_pause();
    CHECK_EQ(fclose(tail), 0);
    alloc_count_resume();
    uint64_t hash = ringer_sim_trace_hash();
    ringer_sim_log_to(NULL, RINGER_SIM_LOG_READABLE);
    ringer_sim_on_event(NULL, NULL);
    fixture_end(&fixture);
    return hash;
}

/* The run logged into memory: its text in *text (free it). */
static uint64_t journal_run_logged(enum logging logging, char **text) {
    size_t size = 0;
    FILE *log = open_memstream(text, &size);
    CHECK(log != NULL);
    uint64_t hash = journal_run(logging, log);
    CHECK_EQ(fclose(log), 0);
    CHECK(*text != NULL);
    return hash;
}

static void check_has(const char *text, const char *expected) {
    if (strstr(text, expected) == NULL)
        harness_fail(__FILE__, __LINE__, "no '%s' in the log:\n%.1500s", expected, text);
}

TEST(sim_eventlog_readable_names) {
    char *log = NULL;
    journal_run_logged(LOG_READABLE, &log);
    char line[200];
    snprintf(line, sizeof line, "call   openat O_RDWR|O_CREAT|O_CLOEXEC = fd %d (file " JOURNAL ")",
             journal_fd);
    check_has(log, line);
    snprintf(line, sizeof line, "WRITE fd %d (file " JOURNAL ") 512 bytes at 0", journal_fd);
    check_has(log, line);
    snprintf(line, sizeof line, "call   close fd %d (file " JOURNAL ") = 0", journal_fd);
    check_has(log, line);
    snprintf(line, sizeof line, "READ fd %d (closed; it was file " JOURNAL ") = -EBADF",
             journal_fd);
    check_has(log, line);
    check_has(log, " ms  log    journal written: 512 bytes\n");
    check_has(log, "world  seed=3 profile=transparent");
    CHECK(strstr(log, "@") == NULL); /* no raw line */
    free(log);
}

TEST(sim_eventlog_raw_form) {
    char *log = NULL;
    journal_run_logged(LOG_RAW, &log);
    check_has(log, "\nsqe    ");
    check_has(log, "\ncqe    ");
    check_has(log, "\nposix  ");
    check_has(log, "\nlog    journal written: 512 bytes @");
    CHECK(strstr(log, "WRITE") == NULL); /* words, not names */
    CHECK(strstr(log, JOURNAL) == NULL);
    free(log);
}

TEST(sim_eventlog_hook_decoded) {
    journal_run(LOG_HOOK, NULL);
    CHECK_GT(hooked_count, 0);
    bool saw_read = false, saw_user = false, saw_write = false;
    for (unsigned i = 0; i < hooked_count; i++) {
        const struct ringer_sim_event *e = &hooked[i];
        if (i > 0) CHECK_GE(e->time_ns, hooked[i - 1].time_ns); /* in virtual time order */
        if (e->kind == RINGER_SIM_EVENT_CQE && e->opcode == IORING_OP_READ) {
            saw_read = true;
            CHECK_EQ(e->result, -EBADF);
            CHECK_EQ(e->fd, journal_fd);
            CHECK_GT(e->op, 0);
            CHECK(strstr(e->text, "= -EBADF") != NULL);
        }
        if (e->kind == RINGER_SIM_EVENT_SQE && e->opcode == IORING_OP_WRITE) {
            saw_write = true;
            CHECK_EQ(e->fd, journal_fd);
        }
        if (e->kind == RINGER_SIM_EVENT_USER)
            saw_user = strstr(e->text, "journal written: 512 bytes") != NULL;
    }
    CHECK(saw_read);
    CHECK(saw_write);
    CHECK(saw_user);
}

/* The printed tail: the 6 newest events, oldest first, each with its virtual time; the
 * READ's -EBADF is among them (only the final enter and timeout follow it). */
TEST(sim_eventlog_tail_printed) {
    journal_run(LOG_NONE, NULL);
    unsigned lines = 0;
    for (const char *at = tail_text; (at = strchr(at, '\n')) != NULL; at++) lines++;
    CHECK_EQ(lines, 6);
    CHECK_EQ(strncmp(tail_text, "  ", 2), 0);
    check_has(tail_text, " ms  ");
    check_has(tail_text, "= -EBADF");
}

TEST(sim_eventlog_never_changes_the_run) {
    char *readable = NULL, *raw = NULL;
    uint64_t plain = journal_run(LOG_NONE, NULL);
    CHECK_EQ(journal_run_logged(LOG_READABLE, &readable), plain);
    CHECK_EQ(journal_run_logged(LOG_RAW, &raw), plain);
    CHECK_EQ(journal_run(LOG_HOOK, NULL), plain);
    CHECK(ringer_sim_stats().ops[IORING_OP_WRITE] > 0);
    free(readable);
    free(raw);
}
