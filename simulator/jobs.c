/* Worker processes over pipes (real OS calls only; see jobs.h). */
#include "jobs.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PROGRESS_NS 250000000ull
#define NO_SEED     UINT64_MAX

struct record {
    uint32_t kind; /* always 1: a seed's result */
    struct seed_result result;
};

struct worker {
    pid_t pid;
    int results;      /* read end in the parent; -1 once the worker is gone */
    int commands;     /* write end: seed indexes, one uint64_t each; -1 once closed */
    uint64_t current; /* index of the seed it runs, or NO_SEED when idle */
    size_t have;      /* bytes of `partial` received */
    struct record partial;
};

static int worker_fd = -1; /* in a worker: the write end of its results */
static void (*abort_hook)(void);
static volatile sig_atomic_t stop_signal;

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

static void on_stop_signal(int signal_number) {
    stop_signal = signal_number;
}

uint64_t jobs_wall_ns(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec;
}

bool jobs_is_terminal(int fd) {
    return isatty(fd) == 1;
}

unsigned jobs_cpu_count(void) {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0)
        return (unsigned)CPU_COUNT(&set);
    const long online = sysconf(_SC_NPROCESSORS_ONLN);
    return online > 0 ? (unsigned)online : 1u;
}

int jobs_check_writable(const char *path) {
    assert(path != NULL);
    const int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return errno;
    close(fd);
    return 0;
}

/* One record per write: records are smaller than PIPE_BUF, so each write is atomic. */
static void send_record(const struct seed_result *result) {
    _Static_assert(sizeof(struct record) <= PIPE_BUF, "records must be atomic pipe writes");
    assert(worker_fd >= 0);
    static struct record record;
    memset(&record, 0, sizeof(record));
    record.kind = 1;
    record.result = *result;
    ssize_t n;
    do {
        n = write(worker_fd, &record, sizeof(record));
    } while (n < 0 && errno == EINTR);
}

void jobs_report_abort(const struct seed_result *result) {
    if (worker_fd < 0) return;
    fflush(stdout);
    send_record(result);
}

static bool read_index(int fd, uint64_t *index) {
    size_t have = 0;
    while (have < sizeof(*index)) {
        const ssize_t n = read(fd, (char *)index + have, sizeof(*index) - have);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        have += (size_t)n;
    }
    return true;
}

/* The worker: runs the seeds the parent hands it until its command pipe closes. */
static void worker_main(const struct jobs_plan *plan, int commands, jobs_seed_fn seed_fn,
                        void *arg) {
    static struct seed_result result;
    struct sigaction action;
    memset(&action, 0, sizeof(action));
    action.sa_handler = on_abort;
    sigaction(SIGABRT, &action, NULL);
    signal(SIGINT, SIG_IGN); /* the parent stops the campaign and reports it */
    signal(SIGTERM, SIG_DFL);
    signal(SIGPIPE, SIG_DFL);
    if (plan->quiet) {
        const int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
        if (null >= 0) dup2(null, 1), dup2(null, 2);
    }
    uint64_t index;
    while (read_index(commands, &index)) {
        assert(index < plan->count);
        memset(&result, 0, sizeof(result));
        result.seed = plan->first_seed + index;
        const uint64_t start = jobs_wall_ns();
        seed_fn(result.seed, &result, arg);
        result.real_ns = jobs_wall_ns() - start;
        fflush(stdout);
        send_record(&result);
        /* A failed run may leave the world half torn down: a fresh process goes on. */
        if (result.failed) break;
    }
    fflush(stdout);
    fflush(stderr);
    _exit(0);
}

struct campaign {
    const struct jobs_plan *plan;
    jobs_seed_fn seed_fn;
    jobs_result_fn result_fn;
    void *seed_arg;
    void *arg;
    struct worker workers[JOBS_MAX];
    unsigned count;
    uint64_t next_index; /* the next seed to hand out */
    uint64_t failures, done;
    bool stopping;
};

static bool spawn(struct campaign *campaign, struct worker *worker) {
    int results[2], commands[2];
    if (pipe2(results, O_CLOEXEC) != 0) return false;
    if (pipe2(commands, O_CLOEXEC) != 0) {
        close(results[0]);
        close(results[1]);
        return false;
    }
    fflush(stdout);
    fflush(stderr);
    const pid_t pid = fork();
    if (pid == 0) {
        for (unsigned i = 0; i < campaign->count; i++) { /* the other workers' pipes */
            if (campaign->workers[i].results >= 0) close(campaign->workers[i].results);
            if (campaign->workers[i].commands >= 0) close(campaign->workers[i].commands);
        }
        close(results[0]);
        close(commands[1]);
        worker_fd = results[1];
        worker_main(campaign->plan, commands[0], campaign->seed_fn, campaign->seed_arg);
    }
    close(results[1]);
    close(commands[0]);
    if (pid < 0) {
        close(results[0]);
        close(commands[1]);
        return false;
    }
    *worker = (struct worker){
        .pid = pid, .results = results[0], .commands = commands[1], .current = NO_SEED};
    return true;
}

/* Hands the next seed to an idle worker, or closes its commands when none is left. */
static void dispatch(struct campaign *campaign, struct worker *worker) {
    assert(worker->current == NO_SEED);
    if (worker->commands < 0) return;
    if (campaign->stopping || campaign->next_index >= campaign->plan->count) {
        close(worker->commands);
        worker->commands = -1;
        return;
    }
    const uint64_t index = campaign->next_index++;
    ssize_t n;
    do {
        n = write(worker->commands, &index, sizeof(index));
    } while (n < 0 && errno == EINTR);
    if (n == (ssize_t)sizeof(index)) worker->current = index;
    else campaign->next_index--; /* it died: worker_ended hands the seed on */
}

static void stop_all(struct campaign *campaign) {
    campaign->stopping = true;
    for (unsigned i = 0; i < campaign->count; i++) {
        if (campaign->workers[i].results >= 0) kill(campaign->workers[i].pid, SIGKILL);
    }
}

static void count_result(struct campaign *campaign, const struct seed_result *result) {
    campaign->done += 1;
    campaign->result_fn(result, campaign->arg);
    if (result->io_error) stop_all(campaign); /* ringer-sim's own problem: every seed has it */
    if (!result->failed) return;
    campaign->failures += 1;
    if (!campaign->plan->keep_going) stop_all(campaign);
}

static void handle_record(struct campaign *campaign, struct worker *worker) {
    const struct record *record = &worker->partial;
    assert(record->kind == 1);
    assert(worker->current != NO_SEED);
    assert(record->result.seed == campaign->plan->first_seed + worker->current);
    worker->current = NO_SEED;
    if (campaign->stopping) return;
    count_result(campaign, &record->result);
    if (!record->result.failed && !campaign->stopping) dispatch(campaign, worker);
}

/* A worker's pipe closed: reap it, report a seed it died in, and replace it. */
static void worker_ended(struct campaign *campaign, struct worker *worker) {
    close(worker->results);
    worker->results = -1;
    if (worker->commands >= 0) close(worker->commands);
    worker->commands = -1;
    int status = 0;
    while (waitpid(worker->pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (campaign->stopping) return;
    if (worker->current != NO_SEED) {
        static struct seed_result result;
        memset(&result, 0, sizeof(result));
        result.seed = campaign->plan->first_seed + worker->current;
        result.failed = true;
        if (WIFSIGNALED(status)) {
            snprintf(result.message, sizeof(result.message),
                     "the run died of signal %d (%s); its own report is on stderr above",
                     WTERMSIG(status), strsignal(WTERMSIG(status)));
        } else {
            snprintf(result.message, sizeof(result.message), "the run exited with status %d",
                     WEXITSTATUS(status));
        }
        worker->current = NO_SEED;
        count_result(campaign, &result);
    }
    if (!campaign->stopping && campaign->next_index < campaign->plan->count &&
        spawn(campaign, worker))
        dispatch(campaign, worker);
}

static void read_worker(struct campaign *campaign, struct worker *worker) {
    char *bytes = (char *)&worker->partial;
    ssize_t n = read(worker->results, bytes + worker->have, sizeof(worker->partial) - worker->have);
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

/* SIGINT and SIGTERM stop the campaign in the parent (the workers ignore SIGINT). */
static void catch_stop_signals(bool on) {
    struct sigaction action;
    memset(&action, 0, sizeof(action));
    action.sa_handler = on ? on_stop_signal : SIG_DFL;
    sigaction(SIGINT, &action, NULL);
    sigaction(SIGTERM, &action, NULL);
    signal(SIGPIPE, on ? SIG_IGN : SIG_DFL); /* a dead worker's commands: EPIPE, not death */
    stop_signal = 0;
}

/* The seeds without a result: those in progress, then the rest of the plan. */
static void fill_outcome(const struct campaign *campaign, struct jobs_outcome *outcome) {
    const struct jobs_plan *plan = campaign->plan;
    outcome->failures = campaign->failures;
    outcome->done = campaign->done;
    outcome->in_progress_count = 0;
    for (unsigned i = 0; i < campaign->count; i++) {
        if (campaign->workers[i].current != NO_SEED)
            outcome->in_progress[outcome->in_progress_count++] =
                plan->first_seed + campaign->workers[i].current;
    }
    outcome->next_seed = plan->first_seed + campaign->next_index;
    outcome->last_seed = plan->first_seed + plan->count - 1;
}

static void wait_for_workers(struct campaign *campaign, jobs_progress_fn progress_fn,
                             void *report_arg, uint64_t start) {
    uint64_t last_progress = start;
    for (;;) {
        struct pollfd fds[JOBS_MAX];
        struct worker *owners[JOBS_MAX];
        nfds_t live = 0;
        for (unsigned i = 0; i < campaign->count; i++) {
            if (campaign->workers[i].results < 0) continue;
            fds[live] = (struct pollfd){.fd = campaign->workers[i].results, .events = POLLIN};
            owners[live++] = &campaign->workers[i];
        }
        if (live == 0) break;
        if (poll(fds, live, 250) > 0) {
            for (nfds_t i = 0; i < live; i++) {
                if (fds[i].revents != 0) read_worker(campaign, owners[i]);
            }
        }
        if (stop_signal != 0 && !campaign->stopping) stop_all(campaign);
        const uint64_t now = jobs_wall_ns();
        if (progress_fn != NULL && now - last_progress >= PROGRESS_NS && !campaign->stopping) {
            progress_fn(now - start, report_arg);
            last_progress = now;
        }
    }
}

void jobs_run(const struct jobs_plan *plan, jobs_seed_fn seed_fn, void *seed_arg,
              jobs_result_fn result_fn, jobs_progress_fn progress_fn, void *report_arg,
              struct jobs_outcome *outcome) {
    assert(plan->jobs >= 1 && plan->jobs <= JOBS_MAX && plan->count >= 1);
    assert(outcome != NULL);
    static struct campaign campaign;
    memset(&campaign, 0, sizeof(campaign));
    campaign = (struct campaign){.plan = plan,
                                 .seed_fn = seed_fn,
                                 .seed_arg = seed_arg,
                                 .result_fn = result_fn,
                                 .arg = report_arg};
    campaign.count = plan->count < plan->jobs ? (unsigned)plan->count : plan->jobs;
    for (unsigned i = 0; i < campaign.count; i++) campaign.workers[i].results = -1;
    for (unsigned i = 0; i < campaign.count; i++) campaign.workers[i].commands = -1;
    catch_stop_signals(true);
    const uint64_t start = jobs_wall_ns();
    for (unsigned i = 0; i < campaign.count; i++) {
        if (!spawn(&campaign, &campaign.workers[i])) {
            fprintf(stderr, "ringer-sim: cannot start a worker process: %s\n", strerror(errno));
            exit(2);
        }
        dispatch(&campaign, &campaign.workers[i]);
    }
    wait_for_workers(&campaign, progress_fn, report_arg, start);
    outcome->signal = stop_signal;
    catch_stop_signals(false);
    fill_outcome(&campaign, outcome);
    outcome->real_ns = jobs_wall_ns() - start;
}
