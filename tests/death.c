#include "death.h"

#include "scenario.h"

#include <string.h>
#include <sys/wait.h>

void expect_assertion(void (*body)(void *), void *argument) {
    static struct ringer_io probe; /* the bodies need a ring: skip where there is none */
    ringer_init_or_skip(&probe, 8, 0);
    ringer_deinit(&probe);

    char output[2048];
    int status = harness_run_in_child(body, argument, output, sizeof output);
    output[strcspn(output, "\n")] = '\0';
    if (!harness_died_of_abort(status)) {
        if (WIFEXITED(status))
            harness_fail(__FILE__, __LINE__, "expected an assertion, the child exited %d: %s",
                         WEXITSTATUS(status), output);
        harness_fail(__FILE__, __LINE__, "expected SIGABRT, the child died of signal %d: %s",
                     WIFSIGNALED(status) ? WTERMSIG(status) : 0, output);
    }
    if (!strstr(output, "ringer: assertion failed"))
        harness_fail(__FILE__, __LINE__, "SIGABRT without the library's assertion: %s", output);
}
