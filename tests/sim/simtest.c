/* The runner of simtest.h: one forked child per test, one result line per test. */
#include "simtest.h"

static int simtest_fd = -1;

void simtest_fail(const char *format, ...) {
    char msg[512];
    va_list args;
    va_start(args, format);
    int n = vsnprintf(msg, sizeof msg, format, args);
    va_end(args);
    if (n > 0) (void)!write(simtest_fd, msg, (size_t)n < sizeof msg ? (size_t)n : sizeof msg - 1);
    _exit(1);
}

void simtest_skip(const char *reason) {
    char msg[512];
    int n = snprintf(msg, sizeof msg, "SKIP:%s", reason);
    if (n > 0) (void)!write(simtest_fd, msg, (size_t)n < sizeof msg ? (size_t)n : sizeof msg - 1);
    _exit(0);
}

static void run_one(const struct simtest *t) {
    int fds[2];
    if (pipe(fds) != 0) {
        printf("FAIL %s: pipe\n", t->name);
        return;
    }
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        simtest_fd = fds[1];
        if (t->expect_signal) {
            /* a death test: keep its report off the terminal */
            FILE *null = freopen("/dev/null", "w", stderr);
            (void)null;
        }
        t->fn();
        _exit(0);
    }
    close(fds[1]);
    char msg[512];
    size_t used = 0;
    ssize_t n;
    while (used < sizeof msg - 1 && (n = read(fds[0], msg + used, sizeof msg - 1 - used)) > 0)
        used += (size_t)n;
    msg[used] = '\0';
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    if (strncmp(msg, "SKIP:", 5) == 0) {
        printf("skip %s: %s\n", t->name, msg + 5);
    } else if (t->expect_signal) {
        if (WIFSIGNALED(status) && WTERMSIG(status) == t->expect_signal) printf("ok %s\n", t->name);
        else
            printf("FAIL %s: expected signal %d, status 0x%x %s\n", t->name, t->expect_signal,
                   status, msg);
    } else if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && used == 0) {
        printf("ok %s\n", t->name);
    } else if (used > 0) {
        printf("FAIL %s: %s\n", t->name, msg);
    } else {
        printf("FAIL %s: child status 0x%x\n", t->name, status);
    }
    fflush(stdout);
}

int simtest_main(const struct simtest *tests, int count, int argc, char **argv) {
    const char *filter = argc > 1 ? argv[1] : NULL;
    for (int i = 0; i < count; i++) {
        if (filter == NULL || strstr(tests[i].name, filter) != NULL) run_one(&tests[i]);
    }
    return 0;
}
