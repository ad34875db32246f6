/* main(): runs every registered test (or those whose names contain argv[1]) in a child. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "world.h"

#define HARNESS_EXIT_SKIP 77
#define REASON_MAX        1024
#define LOG_MAX           65536

static int compare_tests(const void *a, const void *b) {
    return strcmp(((const struct harness_test *)a)->name, ((const struct harness_test *)b)->name);
}

/* The most telling line of a child's stderr: an assertion or sanitizer line, else the last. */
static void summarise_log(const char *log, char *summary, size_t size) {
    static const char *const markers[] = {"ssertion", "runtime error", "ERROR:", "SUMMARY"};
    const char *best = NULL, *last = NULL;
    for (const char *line = log; *line;) {
        const char *end = strchr(line, '\n');
        size_t length = end ? (size_t)(end - line) : strlen(line);
        if (length > 0) last = line;
        for (unsigned i = 0; !best && i < sizeof markers / sizeof markers[0]; i++) {
            const char *hit = strstr(line, markers[i]);
            if (hit && hit < line + length) best = line;
        }
        if (!end) break;
        line = end + 1;
    }
    const char *pick = best ? best : last;
    summary[0] = '\0';
    if (!pick) return;
    size_t length = strcspn(pick, "\n");
    if (length > size - 1) length = size - 1;
    memcpy(summary, pick, length);
    summary[length] = '\0';
}

static void read_fd_from_start(int fd, char *buffer, size_t size) {
    ssize_t n = pread(fd, buffer, size - 1, 0);
    buffer[n > 0 ? n : 0] = '\0';
}

static void run_child(const struct harness_test *test, int reason_write_fd, int log_fd) {
    harness_set_reason_fd(reason_write_fd);
    dup2(log_fd, STDERR_FILENO);
    dup2(log_fd, STDOUT_FILENO); /* a stray printf must not break the one-line protocol */
    close(log_fd);
    signal(SIGALRM, SIG_DFL);
    alarm(HARNESS_HANG_GUARD_SECONDS);
    world_setup();
    test->function();
    world_teardown();
    exit(0); /* exit, not _exit: a sanitizer's leak check runs at exit */
}

static const char *describe_status(int status, char *buffer, size_t size) {
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
        snprintf(buffer, size, "hang guard: no result within %d s", HARNESS_HANG_GUARD_SECONDS);
    else if (WIFSIGNALED(status))
        snprintf(buffer, size, "killed by signal %d (%s)", WTERMSIG(status),
                 strsignal(WTERMSIG(status)));
    else snprintf(buffer, size, "exit status %d", WEXITSTATUS(status));
    return buffer;
}

/* Runs one test; prints its line; returns 1 if it failed. */
static int run_one(const struct harness_test *test) {
    int reason_pipe[2];
    int log_fd = memfd_create("ringer-test-stderr", MFD_CLOEXEC);
    if (log_fd < 0 || pipe2(reason_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
        printf("FAIL %s: harness could not create its pipes\n", test->name);
        return 1;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        close(reason_pipe[0]);
        run_child(test, reason_pipe[1], log_fd);
    }
    close(reason_pipe[1]);
    int status = 0;
    while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    char reason[REASON_MAX] = "", summary[512] = "", status_text[128];
    ssize_t n = read(reason_pipe[0], reason, sizeof reason - 1);
    reason[n > 0 ? n : 0] = '\0';
    static char log[LOG_MAX];
    read_fd_from_start(log_fd, log, sizeof log);
    close(reason_pipe[0]);
    close(log_fd);
    summarise_log(log, summary, sizeof summary);

    if (pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        printf("ok %s\n", test->name);
        return 0;
    }
    if (pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == HARNESS_EXIT_SKIP) {
        printf("skip %s: %s\n", test->name, reason[0] ? reason : "(no reason given)");
        return 0;
    }
    printf("FAIL %s: %s%s%s\n", test->name,
           reason[0] ? reason : describe_status(status, status_text, sizeof status_text),
           summary[0] ? " | stderr: " : "", summary);
    if (getenv("RINGER_TEST_VERBOSE") && log[0])
        fprintf(stderr, "---- %s stderr ----\n%s", test->name, log);
    return 1;
}

int main(int argc, char **argv) {
    const char *filter = argc > 1 ? argv[1] : NULL;
    qsort(harness_tests(), harness_test_count(), sizeof(struct harness_test), compare_tests);
    setvbuf(stdout, NULL, _IOLBF, 0);
    world_process_setup();
    int failed = 0;
    for (unsigned i = 0; i < harness_test_count(); i++) {
        const struct harness_test *test = &harness_tests()[i];
        if (filter && !strstr(test->name, filter)) continue;
        failed |= run_one(test);
    }
    world_process_teardown();
    return failed;
}
