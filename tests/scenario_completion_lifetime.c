/* I25: once a callback has been entered, the library never touches its completion again.
 * Each completion here lives alone in an mmap'd page that its own callback unmaps: any
 * later access by the library is a SIGSEGV. Covered: a kernel op (REAPED), a yield (LOCAL),
 * and a cancel decided locally (LOCAL). */
#include <errno.h>
#include <sys/mman.h>

#include "scenario.h"

static struct fixture fixture;
static int freed;

static struct ringer_completion *completion_in_own_page(void) {
    void *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(page != MAP_FAILED);
    return page; /* zero-filled */
}

static void unmap_own_completion(void *context, struct ringer_completion *completion,
                                 int32_t result) {
    callback_enter();
    CHECK_EQ(result, (int32_t)(intptr_t)context);
    CHECK_EQ(munmap(completion, 4096), 0);
    freed++;
    callback_leave();
}

TEST(completion_untouched_after_callback) {
    fixture_begin(&fixture, 8, 0);
    struct ringer_completion *timeout = completion_in_own_page();
    struct ringer_completion *yield = completion_in_own_page();
    struct ringer_completion *cancel = completion_in_own_page();
    struct ringer_completion *idle_target = completion_in_own_page();
    STARTER(ringer_timeout(&fixture.io, timeout, 1 * MS, (void *)(intptr_t)-ETIME,
                           unmap_own_completion));
    STARTER(ringer_timeout(&fixture.io, yield, 0, (void *)(intptr_t)-ETIME, unmap_own_completion));
    STARTER(ringer_cancel(&fixture.io, cancel, idle_target, (void *)(intptr_t)-ENOENT,
                          unmap_own_completion));
    RUN_UNTIL(&fixture.io, freed == 3);
    CHECK_EQ(munmap(idle_target, 4096), 0);
    fixture_end(&fixture);
}
