/* Worker processes over pipes (real OS calls only; see jobs.h). */
#include "jobs.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define JOBS_MAX    256u
#define PROGRESS_NS 250000000ull

enum record_kind { RECORD_BEGIN = 1, RECORD_END = 2 };

struct record {
    uint32_t kind;
    struct seed_result result;
};

struct worker {
    pid_t pid;
    int fd;              /* read end in the parent */
    uint64_t next_index; /* its next seed, as an index into the plan */
    bool in_seed;        /* a BEGIN without its END */
    uint64_t current_seed;
    size_t have; /* bytes of `partial` received */
    struct record partial;
};

static int worker_fd = -1; /* in a worker: the write end */
static void (*abort_hook)(void);

void jobs_set_abort_hook(void (*hook)(void)) {
    abort_hook = hook;
}

/* A sim oracle or a sanitizer aborted the seed: let the driver report it, then die of the
 * same signal so the parent sees it. */
static void on_abort(int signal_number) {
    if (abort_hook != NULL) abort_hook();
    struct sigaction action;
    memset(&action, 0, sizeof(action));
    action.sa_handler = SIG_DFL;
    sigaction(signal_number, &action, NULL);
    raise(signal_number);
}

uint64_t jobs_wall_ns(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec;
}

bool jobs_is_terminal(int fd) {
    return isatty(fd) == 1;
}

/* One record per write: records are smaller than PIPE_BUF, so each write is atomic. */
static void send_record(uint32_t kind, const struct seed_result *result) {
    _Static_assert(sizeof(struct record) <= PIPE_BUF, "records must be atomic pipe writes");
    assert(worker_fd >= 0);
    struct record record;
    memset(&record, 0, sizeof(record));
    record.kind = kind;
    record.result = *result;
    ssize_t n;
    do {
        n = write(worker_fd, &record, sizeof(record));
    } while (n < 0 && errno == EINTR);
}

void jobs_report_abort(const struct seed_result *result) {
    if (worker_fd < 0) return;
    fflush(stdout);
    send_record(RECORD_END, result);
}

static void worker_main(const struct jobs_plan *plan, uint64_t index, jobs_seed_fn seed_fn,
                        void *arg) {
    static struct seed_result result;
    struct sigaction action;
    memset(&action, 0, sizeof(action));
    action.sa_handler = on_abort;
    sigaction(SIGABRT, &action, NULL);
    for (; index < plan->count; index += plan->jobs) {
        memset(&result, 0, sizeof(result));
        result.seed = plan->first_seed + index;
        send_record(RECORD_BEGIN, &result);
        seed_fn(result.seed, &result, arg);
        fflush(stdout);
        send_record(RECORD_END, &result);
        /* A failed run may leave the world half torn down: a fresh process goes on. */
        if (result.failed) {
            fflush(stdout);
            fflush(stderr);
            _exit(3);
        }
    }
    fflush(stdout);
    fflush(stderr);
    _exit(0);
}

static bool spawn(struct worker *worker, const struct jobs_plan *plan, jobs_seed_fn seed_fn,
                  void *arg) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return false;
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return false;
    }
    if (pid == 0) {
        close(fds[0]);
        worker_fd = fds[1];
        worker_main(plan, worker->next_index, seed_fn, arg);
    }
    close(fds[1]);
    worker->pid = pid;
    worker->fd = fds[0];
    worker->in_seed = false;
    worker->have = 0;
    return true;
}

struct campaign {
    const struct jobs_plan *plan;
    jobs_seed_fn seed_fn;
    jobs_result_fn result_fn;
    void *seed_arg;
    void *arg;
    struct worker workers[JOBS_MAX];
    unsigned count;
    uint64_t failures;
    bool stopping;
};

static void stop_all(struct campaign *campaign) {
    campaign->stopping = true;
    for (unsigned i = 0; i < campaign->count; i++) {
        if (campaign->workers[i].fd >= 0) kill(campaign->workers[i].pid, SIGKILL);
    }
}

static void handle_record(struct campaign *campaign, struct worker *worker) {
    const struct record *record = &worker->partial;
    if (record->kind == RECORD_BEGIN) {
        worker->in_seed = true;
        worker->current_seed = record->result.seed;
        worker->next_index =
            record->result.seed - campaign->plan->first_seed + campaign->plan->jobs;
        return;
    }
    assert(record->kind == RECORD_END);
    worker->in_seed = false;
    if (campaign->stopping) return;
    campaign->result_fn(&record->result, campaign->arg);
    if (!record->result.failed) return;
    campaign->failures += 1;
    if (!campaign->plan->keep_going) stop_all(campaign);
}

/* A worker's pipe closed: reap it, report a seed it died in, respawn if asked to. */
static void worker_ended(struct campaign *campaign, struct worker *worker) {
    close(worker->fd);
    worker->fd = -1;
    int status = 0;
    while (waitpid(worker->pid, &status, 0) < 0 && errno == EINTR) {
    }
    const bool clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (campaign->stopping || clean) return;
    if (worker->in_seed) {
        static struct seed_result result;
        memset(&result, 0, sizeof(result));
        result.seed = worker->current_seed;
        result.failed = true;
        if (WIFSIGNALED(status)) {
            snprintf(result.message, sizeof(result.message),
                     "the run died of signal %d "
                     "(%s); its own report is on stderr above",
                     WTERMSIG(status), strsignal(WTERMSIG(status)));
        } else {
            snprintf(result.message, sizeof(result.message), "the run exited with status %d",
                     WEXITSTATUS(status));
        }
        campaign->result_fn(&result, campaign->arg);
        campaign->failures += 1;
        worker->in_seed = false;
        if (!campaign->plan->keep_going) {
            stop_all(campaign);
            return;
        }
    }
    if (campaign->plan->keep_going && worker->next_index < campaign->plan->count) {
        if (!spawn(worker, campaign->plan, campaign->seed_fn, campaign->seed_arg)) {
            worker->fd = -1;
        }
    }
}

static void read_worker(struct campaign *campaign, struct worker *worker) {
    char *bytes = (char *)&worker->partial;
    ssize_t n = read(worker->fd, bytes + worker->have, sizeof(worker->partial) - worker->have);
    if (n < 0 && errno == EINTR) return;
    if (n <= 0) {
        worker_ended(campaign, worker);
        return;
    }
    worker->have += (size_t)n;
    if (worker->have < sizeof(worker->partial)) return;
    worker->have = 0;
    handle_record(campaign, worker);
}

uint64_t jobs_run(const struct jobs_plan *plan, jobs_seed_fn seed_fn, void *seed_arg,
                  jobs_result_fn result_fn, jobs_progress_fn progress_fn, void *report_arg,
                  uint64_t *real_ns) {
    assert(plan->jobs >= 1 && plan->jobs <= JOBS_MAX && plan->count >= 1);
    static struct campaign campaign;
    memset(&campaign, 0, sizeof(campaign));
    campaign = (struct campaign){.plan = plan,
                                 .seed_fn = seed_fn,
                                 .seed_arg = seed_arg,
                                 .result_fn = result_fn,
                                 .arg = report_arg};
    campaign.count = plan->count < plan->jobs ? (unsigned)plan->count : plan->jobs;
    const uint64_t start = jobs_wall_ns();
    uint64_t last_progress = start;
    for (unsigned i = 0; i < campaign.count; i++) {
        campaign.workers[i].next_index = i;
        if (!spawn(&campaign.workers[i], plan, seed_fn, seed_arg)) {
            fprintf(stderr, "ringer-sim: cannot start a worker process: %s\n", strerror(errno));
            exit(2);
        }
    }
    for (;;) {
        struct pollfd fds[JOBS_MAX];
        struct worker *owners[JOBS_MAX];
        nfds_t live = 0;
        for (unsigned i = 0; i < campaign.count; i++) {
            if (campaign.workers[i].fd < 0) continue;
            fds[live] = (struct pollfd){.fd = campaign.workers[i].fd, .events = POLLIN};
            owners[live++] = &campaign.workers[i];
        }
        if (live == 0) break;
        if (poll(fds, live, 250) > 0) {
            for (nfds_t i = 0; i < live; i++) {
                if (fds[i].revents != 0) read_worker(&campaign, owners[i]);
            }
        }
        const uint64_t now = jobs_wall_ns();
        if (progress_fn != NULL && now - last_progress >= PROGRESS_NS) {
            progress_fn(now - start, report_arg);
            last_progress = now;
        }
    }
    *real_ns = jobs_wall_ns() - start;
    return campaign.failures;
}
