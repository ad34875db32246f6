/* --exec: one seed of a user's program, in a worker (real OS calls only, like jobs.c). The
 * program gets its world in RINGER_SIM_* variables (ringer_sim.h), its output is kept for
 * the failure report (or passed through for a single seed), and the sim's one-line
 * results come back on RINGER_SIM_REPORT_FD. Exit status 0 passes. */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runner.h"

#define OUTPUT_TAIL 2400 /* bytes of the program's output a failure shows, at most */

/* The environment of one run: the seed, the profile and the fault options, the log and
 * trace if asked, and where the sim reports. */
static void set_environment(const struct cli *cli, const struct run_config *config, int report) {
    char value[512];
    snprintf(value, sizeof(value), "%" PRIu64, config->seed);
    setenv("RINGER_SIM_SEED", value, 1);
    setenv("RINGER_SIM_PROFILE", ringer_sim_profile_name(config->profile), 1);
    setenv("RINGER_SIM_SWARM", config->swarm ? "1" : "0", 1);
    size_t used = 0;
    value[0] = '\0';
    if (config->faults_off == (1u << RINGER_SIM_FAULT_CLASS_COUNT) - 1u)
        used = (size_t)snprintf(value, sizeof(value), "all");
    for (uint32_t c = 0;
         c < RINGER_SIM_FAULT_CLASS_COUNT && used < sizeof(value) && strcmp(value, "all") != 0;
         c++) {
        if ((config->faults_off >> c) & 1u)
            used += (size_t)snprintf(value + used, sizeof(value) - used, "%s%s", used ? "," : "",
                                     ringer_sim_fault_name(c));
    }
    if (used > 0) setenv("RINGER_SIM_FAULTS_OFF", value, 1);
    else unsetenv("RINGER_SIM_FAULTS_OFF");
    if (cli->log) setenv("RINGER_SIM_LOG", "1", 1);
    else unsetenv("RINGER_SIM_LOG");
    if (cli->trace_path != NULL) setenv("RINGER_SIM_TRACE", cli->trace_path, 1);
    else unsetenv("RINGER_SIM_TRACE");
    snprintf(value, sizeof(value), "%d", report);
    setenv("RINGER_SIM_REPORT_FD", value, 1);
}

static _Noreturn void start_program(const struct cli *cli, const struct run_config *config,
                                    int report, int output) {
    prctl(PR_SET_PDEATHSIG, SIGKILL); /* a stopped campaign takes its programs with it */
    signal(SIGINT, SIG_DFL);
    signal(SIGPIPE, SIG_DFL);
    set_environment(cli, config, report);
    if (output >= 0) {
        dup2(output, 1);
        dup2(output, 2);
    }
    execvp(cli->exec_argv[0], cli->exec_argv);
    dprintf(report, "ringer-sim-exec-error %d\n", errno);
    _exit(127);
}

/* The whole of a memfd, from `from` on, NUL-terminated; the caller frees it. */
static char *read_all(int fd, off_t from, size_t *length) {
    const off_t end = lseek(fd, 0, SEEK_END);
    if (end < 0 || from > end) from = end < 0 ? 0 : end;
    size_t size = end > from ? (size_t)(end - from) : 0;
    char *text = malloc(size + 1);
    if (text == NULL) return NULL;
    size_t have = 0;
    while (have < size) {
        const ssize_t n = pread(fd, text + have, size - have, from + (off_t)have);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        have += (size_t)n;
    }
    text[have] = '\0';
    *length = have;
    return text;
}

/* One report line of one world: its hash mixed in, its faults added. */
static void add_report(const char *line, struct seed_result *result, char *failure, size_t size) {
    uint64_t hash = 0, virtual_ns = 0, crashes = 0, ops = 0;
    unsigned on = 0;
    int offset = 0;
    if (sscanf(line,
               "ringer-sim-report hash=%" SCNx64 " virtual_ns=%" SCNu64 " crashes=%" SCNu64
               " ops=%" SCNu64 " faults_on=%x faults=%n",
               &hash, &virtual_ns, &crashes, &ops, &on, &offset) < 5 ||
        offset == 0)
        return;
    result->ops += ops;
    result->hash = result->hash * 0x100000001b3ull ^ hash;
    result->virtual_ns += virtual_ns;
    result->crashes += crashes;
    result->faults_on |= on;
    const char *p = line + offset;
    for (uint32_t c = 0; c < RINGER_SIM_FAULT_CLASS_COUNT && *p != '\0'; c++) {
        char *end = NULL;
        result->faults[c] += strtoull(p, &end, 10);
        p = *end == ',' ? end + 1 : end;
    }
    const char *mark = strstr(p, " failure=");
    if (mark != NULL && failure[0] == '\0')
        snprintf(failure, size, "%.*s", (int)strcspn(mark + 9, "\n"), mark + 9);
}

/* The sim's report lines; true unless the program could not be started. */
static bool read_reports(int fd, const struct cli *cli, struct seed_result *result, char *failure,
                         size_t size) {
    size_t length = 0;
    char *text = read_all(fd, 0, &length);
    if (text == NULL) return true;
    int error = 0;
    for (char *line = text; line < text + length;) {
        char *end = strchr(line, '\n');
        if (end != NULL) *end = '\0';
        if (sscanf(line, "ringer-sim-exec-error %d", &error) != 1)
            add_report(line, result, failure, size);
        if (end == NULL) break;
        line = end + 1;
    }
    free(text);
    if (error == 0) return true;
    result->io_error = true;
    snprintf(result->message, sizeof(result->message), "cannot run %s: %s", cli->exec_argv[0],
             strerror(error));
    return false;
}

/* The last lines of the program's output, each indented, for the failure block. */
static void keep_output(int fd, struct seed_result *result) {
    const off_t end = lseek(fd, 0, SEEK_END);
    size_t length = 0;
    char *text = read_all(fd, end > OUTPUT_TAIL ? end - OUTPUT_TAIL : 0, &length);
    if (text == NULL) return;
    const char *start = text;
    if (end > OUTPUT_TAIL) { /* from a whole line on */
        const char *newline = strchr(text, '\n');
        start = newline != NULL ? newline + 1 : text;
    }
    size_t used = 0;
    for (const char *line = start; *line != '\0' && used < sizeof(result->events);) {
        const size_t n = strcspn(line, "\n");
        used += (size_t)snprintf(result->events + used, sizeof(result->events) - used, "  | %.*s\n",
                                 (int)n, line);
        line += n + (line[n] == '\n');
    }
    result->events[sizeof(result->events) - 1] = '\0';
    free(text);
}

static void describe_status(const struct cli *cli, int status, const char *failure,
                            struct seed_result *result) {
    const char *program = cli->exec_argv[0];
    if (WIFSIGNALED(status)) {
        snprintf(result->message, sizeof(result->message), "%s died of signal %d (%s)%s%s", program,
                 WTERMSIG(status), strsignal(WTERMSIG(status)), failure[0] ? ": " : "", failure);
    } else {
        snprintf(result->message, sizeof(result->message), "%s exited with status %d%s%s", program,
                 WEXITSTATUS(status), failure[0] ? ": " : "", failure);
    }
}

void exec_run_seed(const struct cli *cli, const struct run_config *config,
                   struct seed_result *result) {
    const bool pass_through = cli->single_seed; /* a replay shows everything as it happens */
    const int report = memfd_create("ringer-sim-report", 0);
    const int output = pass_through ? -1 : memfd_create("ringer-sim-output", 0);
    if (report < 0 || (!pass_through && output < 0)) {
        result->io_error = true;
        snprintf(result->message, sizeof(result->message), "memfd_create: %s", strerror(errno));
        return;
    }
    fflush(stdout);
    fflush(stderr);
    const pid_t pid = fork();
    if (pid == 0) start_program(cli, config, report, output);
    int status = 0;
    if (pid < 0) status = 127 << 8;
    while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    char failure[RESULT_MESSAGE_SIZE] = "";
    result->finished = true;
    if (read_reports(report, cli, result, failure, sizeof(failure))) {
        result->failed = !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        if (result->failed) describe_status(cli, status, failure, result);
        if (result->failed && output >= 0) keep_output(output, result);
    }
    close(report);
    if (output >= 0) close(output);
}
