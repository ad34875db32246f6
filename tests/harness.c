/* The test runner: registration, one forked child per test, the one-line result protocol. */
#include "harness.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "world.h"

#define HARNESS_TESTS_MAX  512
#define HARNESS_REASON_MAX 1024
#define HARNESS_EXIT_FAIL  1
#define HARNESS_EXIT_SKIP  77

static struct harness_test tests[HARNESS_TESTS_MAX];
static unsigned test_count;
/* In a test's child: the pipe that carries the failure or skip reason to the runner. */
static int reason_fd = -1;

struct harness_test *harness_tests(void) {
    return tests;
}

unsigned harness_test_count(void) {
    return test_count;
}

void harness_set_reason_fd(int fd) {
    reason_fd = fd;
}

void harness_register(const char *name, void (*function)(void)) {
    if (test_count == HARNESS_TESTS_MAX) {
        fprintf(stderr, "harness: too many tests\n");
        abort();
    }
    tests[test_count].name = name;
    tests[test_count].function = function;
    test_count++;
}

static void write_reason(const char *prefix, const char *format, va_list arguments) {
    char reason[HARNESS_REASON_MAX];
    int length = snprintf(reason, sizeof reason, "%s", prefix);
    vsnprintf(reason + length, sizeof reason - (size_t)length, format, arguments);
    if (reason_fd >= 0) {
        ssize_t ignored = write(reason_fd, reason, strlen(reason));
        (void)ignored;
    } else {
        fprintf(stderr, "%s\n", reason);
    }
}

void harness_fail(const char *file, int line, const char *format, ...) {
    char prefix[256];
    const char *base = strrchr(file, '/');
    snprintf(prefix, sizeof prefix, "%s:%d: ", base ? base + 1 : file, line);
    va_list arguments;
    va_start(arguments, format);
    write_reason(prefix, format, arguments);
    va_end(arguments);
    _exit(HARNESS_EXIT_FAIL);
}

void harness_skip(const char *format, ...) {
    va_list arguments;
    va_start(arguments, format);
    write_reason("", format, arguments);
    va_end(arguments);
    world_teardown();
    _exit(HARNESS_EXIT_SKIP);
}

static size_t read_all(int fd, char *buffer, size_t size) {
    size_t length = 0;
    while (length + 1 < size) {
        ssize_t n = read(fd, buffer + length, size - 1 - length);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        length += (size_t)n;
    }
    buffer[length] = '\0';
    /* Drain whatever does not fit so that the writer never blocks. */
    char sink[4096];
    while (read(fd, sink, sizeof sink) > 0) {
    }
    return length;
}

int harness_run_in_child(void (*function)(void *), void *argument, char *output,
                         unsigned output_size) {
    int pipe_fds[2];
    if (pipe2(pipe_fds, O_CLOEXEC) != 0) harness_fail(__FILE__, __LINE__, "pipe2 failed");
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) harness_fail(__FILE__, __LINE__, "fork failed");
    if (pid == 0) {
        reason_fd = -1; /* a CHECK in here reports on stderr, into `output` */
        dup2(pipe_fds[1], STDERR_FILENO);
        alarm(5);
        function(argument);
        _exit(0);
    }
    close(pipe_fds[1]);
    char scratch[2048];
    read_all(pipe_fds[0], output ? output : scratch, output ? output_size : sizeof scratch);
    close(pipe_fds[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return status;
}

bool harness_died_of_abort(int status) {
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
}
