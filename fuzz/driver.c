/* The op-sequence driver of fuzz_loop and fuzz_cancel_all: see driver.h. */
#include "driver.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <ringer.h>
#include <ringer_sim.h>
#define RINGER_SIM_NO_REDIRECT
#include <ringer_sim_posix.h>

#include "check.h"
#include "world.h"

#define USER_SLOTS           12u               /* completions the program starts ops on */
#define ALL_SLOTS            (2u * USER_SLOTS) /* plus one closing cancel per user slot */
#define BUFFER_SIZE          8192u
#define MAX_STEPS            256u
#define MAX_OWNED_FDS        64u
#define SPARE_SOCKETS        2u
#define QUIESCE_ROUNDS       64u
#define QUIESCE_ROUND_NS     10000000u
/* cancel_all: at most ALL_SLOTS targets, each settled within a few 10 ms rounds. */
#define CANCEL_ALL_STEPS_MAX 200000u
#define CANCEL_ALL_NS_MAX    (10ull * 1000000000ull)

enum op_kind {
    OP_READ,
    OP_WRITE,
    OP_FSYNC,
    OP_OPENAT,
    OP_CLOSE,
    OP_STATX,
    OP_TIMEOUT,
    OP_ACCEPT,
    OP_CONNECT,
    OP_SEND,
    OP_RECV,
    OP_LISTEN,
    OP_CANCEL,
    OP_NOP,
    OP_KIND_COUNT,
};

struct slot {
    struct ringer_completion completion; /* first: a completion pointer is its slot */
    uint32_t index;
    uint8_t kind;
    uint32_t starts, callbacks;
    uint64_t start_sequence;
    uint64_t started_at_ns, timeout_ns;
    bool expect_set;
    int32_t expect_result;
    int closing_fd;
    uint32_t size;
    struct statx statx;
};

struct driver {
    struct fuzz_input program;   /* the steps, front to back */
    struct fuzz_input reactions; /* what callbacks do: a separate stream, so that a callback
                                    more or less does not shift every later step */
    struct fuzz_input *in;       /* where op arguments come from right now */
    enum driver_ending ending;
    struct ringer_io io;
    struct slot slots[ALL_SLOTS];
    uint64_t sequence, starts, callbacks, runs;
    bool in_callback, cancel_all_started, faithful, winding_down, cqe_drop_allowed;
    int broken; /* 0, or the errno that broke the ring (only after a dropped CQE) */
    bool trace; /* FUZZ_TRACE=1: print every start and callback (for reading a finding) */
    int tmp_file, data_file, listener, client, server, event;
    int spare[SPARE_SOCKETS];
    struct sockaddr_in listen_address;
    int owned[MAX_OWNED_FDS];
    uint32_t owned_count;
};

static struct driver driver;
/* The kernel writes these while ops are in flight; aligned for O_DIRECT. */
static uint8_t buffers[ALL_SLOTS][BUFFER_SIZE] __attribute__((aligned(4096)));

static const uint64_t sizes[] = {4096, 1, 100, 0, 8192, 512, 8};
static const uint64_t offsets[] = {0, 4096, 1, 8192, 1u << 20, UINT64_MAX};
static const uint64_t timeouts_ns[] = {0, 1000000, 1, 1000, 50000, 20000000, 5000000000u};
static const uint64_t run_ns[] = {0, 1000000, 1, 50000, 10000000, 100000000};
static const char *const paths[] = {"/tmp/fuzz-file", "/tmp/fuzz-new", "/data/fuzz-new",
                                    "/tmp/missing/x", "/tmp",          "",
                                    "/data/fuzz-file"};
static const uint64_t open_flags[] = {
    O_RDONLY,           O_RDWR | O_CREAT,      O_RDWR | O_CREAT | O_EXCL, O_RDONLY | O_DIRECT,
    O_WRONLY | O_TRUNC, O_RDONLY | O_DIRECTORY};

static bool slot_busy(const struct slot *slot) {
    FUZZ_ASSERT(slot->callbacks <= slot->starts);
    return slot->starts != slot->callbacks;
}

static struct slot *slot_of(struct ringer_completion *completion) {
    struct slot *slot = (struct slot *)(void *)completion;
    FUZZ_ASSERT(slot >= driver.slots && slot < driver.slots + ALL_SLOTS);
    return slot;
}

/* ---- fds that ops handed to the program (openat, accept) ---- */

static void owned_add(struct driver *d, int fd) {
    FUZZ_ASSERT(fd >= 0);
    if (d->owned_count == MAX_OWNED_FDS) {
        ringer_sim_close(fd); /* no room to track it: the program closes it at once */
        return;
    }
    d->owned[d->owned_count++] = fd;
}

static int owned_take(struct driver *d, uint32_t choice) {
    if (d->owned_count == 0) return 1000; /* not open: the close gets -EBADF */
    uint32_t i = choice % d->owned_count;
    int fd = d->owned[i];
    d->owned[i] = d->owned[--d->owned_count];
    FUZZ_ASSERT(fd >= 0);
    return fd;
}

static bool fd_known(const struct driver *d, int fd) {
    const int world[] = {d->tmp_file, d->data_file, d->listener, d->client,         d->server,
                         d->event,    d->spare[0],  d->spare[1], d->io.ring.ring_fd};
    for (size_t i = 0; i < sizeof(world) / sizeof(world[0]); i++) {
        if (world[i] == fd) return true;
    }
    for (uint32_t i = 0; i < d->owned_count; i++) {
        if (d->owned[i] == fd) return true;
    }
    return false;
}

static void callback(void *context, struct ringer_completion *completion, int32_t result);
static void start_any(struct driver *d, struct slot *slot);
static void script_cancel_order(struct driver *d);

/* ---- the world ---- */

static int open_tcp(struct driver *d) {
    struct ringer_tcp_options options;
    memset(&options, 0, sizeof(options));
    options.nodelay = true;
    int fd = ringer_open_socket_tcp(&d->io, AF_INET, &options);
    FUZZ_CHECK(fd >= 0, "ringer_open_socket_tcp: %d", fd);
    return fd;
}

/* A socket for connect ops, with options the input picks; an IPv6 one when it asks. */
static int open_spare_tcp(struct driver *d) {
    struct fuzz_input *in = &d->program;
    struct ringer_tcp_options options;
    memset(&options, 0, sizeof(options));
    const uint8_t shape = fuzz_u8(in);
    options.nodelay = (shape & 1) != 0;
    options.keepalive = (shape & 2) != 0;
    options.keepidle = (shape & 4) ? 30 : 0;
    options.keepintvl = (shape & 4) ? 5 : 0;
    options.keepcnt = (shape & 4) ? 3 : 0;
    options.rcvbuf = (shape & 8) ? 8192 : 0;
    options.sndbuf = (shape & 16) ? 8192 : 0;
    options.user_timeout_ms = (shape & 32) ? 1000 : 0;
    if (shape & 128) {
        /* Too large for TCP_USER_TIMEOUT: refused, with no socket left behind. */
        const uint32_t fds_before = ringer_sim_open_fds(NULL, 0);
        options.user_timeout_ms = 0x80000000u;
        int rc = ringer_open_socket_tcp(&d->io, AF_INET, &options);
        FUZZ_CHECK(rc == -EINVAL, "user_timeout_ms 2^31 gave %d, not -EINVAL", rc);
        FUZZ_CHECK(ringer_sim_open_fds(NULL, 0) == fds_before, "a refused socket leaked");
        options.user_timeout_ms = 1000;
    }
    int fd = ringer_open_socket_tcp(&d->io, AF_INET, (shape & 64) ? NULL : &options);
    FUZZ_CHECK(fd >= 0, "ringer_open_socket_tcp: %d", fd);
    return fd;
}

/* Arguments ringer_init must refuse with -EINVAL, leaving no ring (and no fd) behind. */
static void probe_bad_init(struct driver *d) {
    static const uint64_t bad_entries[] = {0, 3, RINGER_ENTRIES_MAX * 2, 6};
    struct ringer_io scratch_io;
    const uint32_t fds_before = ringer_sim_open_fds(NULL, 0);
    const uint8_t choice = fuzz_u8(&d->program);
    if ((choice & 3) == 0) return;
    int rc = (choice & 1)
                 ? ringer_init(&scratch_io, (uint32_t)FUZZ_PICK(&d->program, bad_entries), 0)
                 : ringer_init(&scratch_io, 2, IORING_SETUP_SQPOLL);
    FUZZ_CHECK(rc == -EINVAL, "ringer_init with bad arguments: %d, not -EINVAL", rc);
    FUZZ_CHECK(ringer_sim_open_fds(NULL, 0) == fds_before, "a refused ringer_init left an fd");
}

/* A connected pair through the listener, made with blocking sim calls while the entropy
 * stream is still empty (no faults), so every input starts from the same world. */
static void world_connect_pair(struct driver *d) {
    d->client = ringer_sim_socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    FUZZ_CHECK(d->client >= 0, "socket: errno %d", errno);
    int rc = ringer_sim_connect(d->client, (const struct sockaddr *)&d->listen_address,
                                sizeof(d->listen_address));
    FUZZ_CHECK(rc == 0, "connect: errno %d", errno);
    d->server = ringer_sim_accept4(d->listener, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
    FUZZ_CHECK(d->server >= 0, "accept4: errno %d", errno);
}

static void world_open(struct driver *d) {
    d->tmp_file = ringer_sim_open("/tmp/fuzz-file", O_CREAT | O_RDWR | O_CLOEXEC, 0600);
    d->data_file = ringer_sim_open("/data/fuzz-file", O_CREAT | O_RDWR | O_CLOEXEC, 0600);
    FUZZ_CHECK(d->tmp_file >= 0 && d->data_file >= 0, "open: errno %d", errno);
    memset(buffers[0], 0x5a, BUFFER_SIZE);
    ssize_t written = ringer_sim_pwrite(d->tmp_file, buffers[0], BUFFER_SIZE, 0);
    FUZZ_CHECK(written == (ssize_t)BUFFER_SIZE, "pwrite: %zd", written);
    d->event = ringer_open_event(&d->io);
    FUZZ_CHECK(d->event >= 0, "ringer_open_event: %d", d->event);
    d->listener = open_tcp(d);
    socklen_t size = sizeof(d->listen_address);
    memset(&d->listen_address, 0, sizeof(d->listen_address));
    d->listen_address.sin_family = AF_INET;
    d->listen_address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int rc = ringer_listen(&d->io, d->listener, (struct sockaddr *)&d->listen_address, &size, 16);
    FUZZ_CHECK(rc == 0 && size == sizeof(d->listen_address), "ringer_listen: %d", rc); /* I11 */
    world_connect_pair(d);
    for (uint32_t i = 0; i < SPARE_SOCKETS; i++) d->spare[i] = open_spare_tcp(d);
}

static void world_close(struct driver *d) {
    ringer_sim_close(d->tmp_file);
    ringer_sim_close(d->data_file);
    const int sockets[] = {d->listener, d->client, d->server, d->spare[0], d->spare[1]};
    for (size_t i = 0; i < sizeof(sockets) / sizeof(sockets[0]); i++) {
        ringer_close_socket(&d->io, sockets[i]);
    }
    ringer_close_event(&d->io, d->event);
    /* An fd the program owns may already be closed by a close op that reported an error. */
    while (d->owned_count > 0) {
        const int fd = d->owned[--d->owned_count];
        const int rc = ringer_sim_close(fd);
        if (d->trace) fprintf(stderr, "fuzz: close owned fd %d: %d\n", fd, rc == 0 ? 0 : -errno);
    }
}

/* ---- starting ops ---- */

static int pick_rw_fd(struct driver *d) {
    const int fds[] = {d->tmp_file, d->data_file, d->server, d->client, d->event, 1000};
    return fds[fuzz_below(d->in, sizeof(fds) / sizeof(fds[0]))];
}

static void start_rw(struct driver *d, struct slot *slot) {
    struct fuzz_input *in = d->in;
    uint8_t *buffer = buffers[slot->index];
    slot->size = (uint32_t)FUZZ_PICK(in, sizes);
    int fd = pick_rw_fd(d);
    uint64_t offset = FUZZ_PICK(in, offsets);
    memset(buffer, (int)(0xa0 + slot->index), BUFFER_SIZE);
    switch (slot->kind) {
    case OP_READ:
        ringer_read(&d->io, &slot->completion, fd, buffer, slot->size, offset, slot, callback);
        break;
    case OP_WRITE:
        ringer_write(&d->io, &slot->completion, fd, buffer, slot->size, offset, slot, callback);
        break;
    case OP_SEND:
        fd = fuzz_bool(in) ? d->client : d->server;
        ringer_send(&d->io, &slot->completion, fd, buffer, slot->size, slot, callback);
        break;
    default:
        FUZZ_ASSERT(slot->kind == OP_RECV);
        fd = fuzz_bool(in) ? d->server : d->client;
        ringer_recv(&d->io, &slot->completion, fd, buffer, slot->size, slot, callback);
    }
}

static void start_file_op(struct driver *d, struct slot *slot) {
    struct fuzz_input *in = d->in;
    const char *path = paths[fuzz_below(in, sizeof(paths) / sizeof(paths[0]))];
    switch (slot->kind) {
    case OP_FSYNC: {
        const uint32_t flags = fuzz_bool(in) ? IORING_FSYNC_DATASYNC : 0;
        ringer_fsync(&d->io, &slot->completion, pick_rw_fd(d), flags, slot, callback);
        break;
    }
    case OP_OPENAT:
        ringer_openat(&d->io, &slot->completion, AT_FDCWD, path, (int)FUZZ_PICK(in, open_flags),
                      0600, slot, callback);
        break;
    case OP_CLOSE:
        slot->closing_fd = owned_take(d, fuzz_u8(in));
        ringer_close(&d->io, &slot->completion, slot->closing_fd, slot, callback);
        break;
    default:
        FUZZ_ASSERT(slot->kind == OP_STATX);
        ringer_statx(&d->io, &slot->completion, AT_FDCWD, path, 0, STATX_BASIC_STATS, &slot->statx,
                     slot, callback);
    }
}

static void start_socket_op(struct driver *d, struct slot *slot) {
    struct fuzz_input *in = d->in;
    if (slot->kind == OP_ACCEPT) {
        ringer_accept(&d->io, &slot->completion, d->listener, slot, callback);
        return;
    }
    FUZZ_ASSERT(slot->kind == OP_CONNECT);
    struct sockaddr_in address = d->listen_address;
    if (fuzz_bool(in)) address.sin_port = htons(9); /* nobody listens there */
    int socket = d->spare[fuzz_below(in, SPARE_SOCKETS)];
    ringer_connect(&d->io, &slot->completion, socket, (const struct sockaddr *)&address,
                   sizeof(address), slot, callback);
}

/* ringer_cancel: the expected results are decided by the target's state right now. */
static bool start_cancel(struct driver *d, struct slot *slot, struct slot *target) {
    if (target == slot) return false;
    const uint8_t state = target->completion.state;
    /* Cancelling a cancel is a programmer error (an assertion), not a fuzz case. */
    if (state != RINGER_IDLE && target->kind == OP_CANCEL) return false;
    if (state == RINGER_UNQUEUED) {
        slot->expect_set = true;
        slot->expect_result = 0;
        target->expect_set = true;
        target->expect_result = -ECANCELED;
    } else if (state != RINGER_SUBMITTED) {
        slot->expect_set = true;
        slot->expect_result = -ENOENT; /* IDLE, REAPED or LOCAL: the target is unchanged */
    }
    ringer_cancel(&d->io, &slot->completion, &target->completion, slot, callback);
    return true;
}

/* Starts `kind` on an idle slot; false when the input asked for something illegal. */
static bool start_op(struct driver *d, struct slot *slot, uint8_t kind, struct slot *target) {
    FUZZ_ASSERT(!slot_busy(slot) && slot->completion.state == RINGER_IDLE);
    FUZZ_ASSERT(kind < OP_KIND_COUNT);
    slot->kind = kind;
    slot->expect_set = false;
    slot->timeout_ns = 0;
    slot->closing_fd = -1;
    slot->size = 0;
    slot->started_at_ns = ringer_sim_peek_now_ns();
    slot->start_sequence = ++d->sequence;
    switch (kind) {
    case OP_READ:
    case OP_WRITE:
    case OP_SEND:
    case OP_RECV:
        start_rw(d, slot);
        break;
    case OP_FSYNC:
    case OP_OPENAT:
    case OP_CLOSE:
    case OP_STATX:
        start_file_op(d, slot);
        break;
    case OP_ACCEPT:
    case OP_CONNECT:
        start_socket_op(d, slot);
        break;
    case OP_TIMEOUT:
        slot->timeout_ns = FUZZ_PICK(d->in, timeouts_ns);
        ringer_timeout(&d->io, &slot->completion, slot->timeout_ns, slot, callback);
        break;
    case OP_LISTEN:
        ringer_event_listen(&d->io, &slot->completion, d->event, slot, callback);
        break;
    case OP_NOP:
        ringer_nop(&d->io, &slot->completion, slot, callback);
        break;
    default:
        if (!start_cancel(d, slot, target)) return false;
    }
    slot->starts += 1;
    d->starts += 1;
    if (d->trace) {
        fprintf(stderr, "fuzz: start slot %u op %u state %u\n", slot->index, kind,
                slot->completion.state);
    }
    return true;
}

/* An op of the input's choice on `slot`, with a target from the user slots for a cancel. */
static void start_any(struct driver *d, struct slot *slot) {
    uint8_t kind = (uint8_t)fuzz_below(d->in, OP_KIND_COUNT);
    struct slot *target = &d->slots[fuzz_below(d->in, USER_SLOTS)];
    start_op(d, slot, kind, target);
}

/* ---- callbacks ---- */

/* Results every profile must respect: retries are invisible, counts fit, cancels agree. */
static void check_result(const struct driver *d, const struct slot *slot, int32_t result) {
    /* A NOP is never retried: a cancel that catches it in flight (the sim's reorder mode
     * delays NOPs) or the hostile profile may leave it -EINTR. */
    const bool nop_interrupted =
        slot->kind == OP_NOP && (!d->faithful || slot->completion.cancel_requested);
    const bool may_see_eintr = slot->kind == OP_CANCEL || nop_interrupted;
    FUZZ_CHECK(may_see_eintr || result != -EINTR,
               "op %u got -EINTR: an interrupted op must be retried or reported cancelled (I23)",
               slot->kind);
    FUZZ_CHECK(!((slot->kind == OP_READ || slot->kind == OP_LISTEN) && result == -EAGAIN),
               "read got -EAGAIN: it is retried (ops.md)");
    const bool transfers = slot->kind == OP_READ || slot->kind == OP_WRITE ||
                           slot->kind == OP_SEND || slot->kind == OP_RECV;
    FUZZ_CHECK(!transfers || result < 0 || (uint32_t)result <= slot->size,
               "op %u moved %d bytes of %u", slot->kind, result, slot->size);
    FUZZ_CHECK(slot->kind != OP_LISTEN || result == 8 || result < 0,
               "event listen got %d: an eventfd read moves 8 bytes (I9)", result);
    FUZZ_CHECK(!slot->expect_set || result == slot->expect_result,
               "op %u got %d, expected %d (loop.md §10)", slot->kind, result, slot->expect_result);
    if (slot->kind == OP_TIMEOUT && slot->timeout_ns == 0) {
        FUZZ_CHECK(result == -ETIME, "a yield got %d, not -ETIME (I3)", result);
    }
    if (slot->kind == OP_TIMEOUT && result == -ETIME) {
        const uint64_t now = ringer_sim_peek_now_ns();
        FUZZ_CHECK(now >= slot->started_at_ns + slot->timeout_ns,
                   "timeout of %llu ns fired early: started %llu, now %llu",
                   (unsigned long long)slot->timeout_ns, (unsigned long long)slot->started_at_ns,
                   (unsigned long long)now);
    }
    if (d->faithful && slot->kind == OP_TIMEOUT) {
        FUZZ_CHECK(result == -ETIME || result == -ECANCELED, "timeout got %d (I8)", result);
    }
    if (d->faithful && slot->kind == OP_NOP) {
        FUZZ_CHECK(result == 0 || result == -ECANCELED || (result == -EINTR && nop_interrupted),
                   "nop got %d (I8)", result);
    }
    if (d->faithful && slot->kind == OP_CANCEL) {
        FUZZ_CHECK(result == 0 || result == -ENOENT || result == -EALREADY, "cancel got %d (I8)",
                   result);
    }
}

/* What an op handed to the program, or failed to take from it. */
static void account_fds(struct driver *d, struct slot *slot, int32_t result) {
    if ((slot->kind == OP_OPENAT || slot->kind == OP_ACCEPT) && result >= 0) {
        owned_add(d, result); /* I22: this fd reached exactly this callback */
    }
    if (d->trace && slot->kind == OP_CLOSE) {
        fprintf(stderr, "fuzz: close op of fd %d: %d\n", slot->closing_fd, result);
    }
    if (slot->kind == OP_CLOSE && result < 0 && slot->closing_fd != 1000) {
        owned_add(d, slot->closing_fd); /* maybe still open: closed at the end */
    }
}

static void callback(void *context, struct ringer_completion *completion, int32_t result) {
    struct driver *d = &driver;
    struct slot *slot = context;
    FUZZ_CHECK(slot == slot_of(completion), "callback context does not match its completion");
    FUZZ_CHECK(!d->in_callback, "re-entrant callback: a callback ran inside another (I14)");
    FUZZ_CHECK(!d->cancel_all_started, "a callback ran after cancel_all began (I13)");
    FUZZ_CHECK(slot_busy(slot), "second callback for one start of slot %u, op %u (I12)",
               slot->index, slot->kind);
    FUZZ_CHECK(completion->state == RINGER_IDLE,
               "callback on a completion in state %u (not "
               "IDLE: its op is still queued or in the kernel, so its own CQE will call back "
               "again; I12)",
               completion->state);
    if (d->trace) {
        /* No ringer_sim_now_ns here: reading the sim's clock advances it, and a trace must
         * not change the run it describes. */
        fprintf(stderr, "fuzz: callback slot %u op %u result %d\n", slot->index, slot->kind,
                result);
    }
    check_result(d, slot, result);
    slot->callbacks += 1;
    d->callbacks += 1;
    account_fds(d, slot, result);
    d->in_callback = true;
    /* Callbacks that start new work: the same completion again, or another idle one. Never
     * by default (an exhausted input ends the work) and never while winding down. */
    struct fuzz_input *reactions = &d->reactions;
    if (!d->winding_down && fuzz_below(reactions, 3) == 1) {
        struct slot *next =
            fuzz_bool(reactions) ? slot : &d->slots[fuzz_below(reactions, USER_SLOTS)];
        struct fuzz_input *outer = d->in;
        d->in = reactions; /* the chained op's arguments come from the reactions too */
        if (!slot_busy(next)) start_any(d, next);
        d->in = outer;
    }
    d->in_callback = false;
}

/* ---- invariants at every step boundary ---- */

/* I16: no op took an SQE while an older one waited in unqueued, and unqueued is a FIFO. A
 * retried op rejoins the back of unqueued, so only first attempts are compared. */
static void check_fifo(const struct driver *d) {
    uint64_t oldest_waiting = UINT64_MAX;
    for (uint32_t i = 0; i < ALL_SLOTS; i++) {
        const struct ringer_completion *c = &d->slots[i].completion;
        if (c->state == RINGER_UNQUEUED && !c->retried &&
            d->slots[i].start_sequence < oldest_waiting) {
            oldest_waiting = d->slots[i].start_sequence;
        }
    }
    for (uint32_t i = 0; i < ALL_SLOTS; i++) {
        const struct ringer_completion *c = &d->slots[i].completion;
        const bool has_sqe = c->state == RINGER_SUBMITTED || c->state == RINGER_REAPED;
        FUZZ_CHECK(!has_sqe || d->slots[i].start_sequence < oldest_waiting,
                   "op started at %llu took an SQE while op %llu waited in unqueued (I16)",
                   (unsigned long long)d->slots[i].start_sequence,
                   (unsigned long long)oldest_waiting);
    }
    uint64_t previous = 0;
    for (const struct ringer_completion *c = d->io.unqueued.head; c != NULL; c = c->next) {
        const struct slot *slot = (const struct slot *)(const void *)c;
        if (c->retried) continue;
        FUZZ_CHECK(slot->start_sequence > previous, "unqueued is out of start order (I16)");
        previous = slot->start_sequence;
    }
}

struct state_counts {
    uint32_t unqueued, submitted, reaped, local, busy;
};

static struct state_counts count_states(const struct driver *d) {
    struct state_counts counts = {0, 0, 0, 0, 0};
    for (uint32_t i = 0; i < ALL_SLOTS; i++) {
        const struct slot *slot = &d->slots[i];
        const uint8_t state = slot->completion.state;
        FUZZ_CHECK(slot_busy(slot) == (state != RINGER_IDLE),
                   "slot %u: %u starts, %u callbacks, but state %u (I12)", slot->index,
                   slot->starts, slot->callbacks, state);
        counts.unqueued += state == RINGER_UNQUEUED;
        counts.submitted += state == RINGER_SUBMITTED;
        counts.reaped += state == RINGER_REAPED;
        counts.local += state == RINGER_LOCAL;
        counts.busy += slot_busy(slot);
    }
    return counts;
}

/* I5, I12, I17, I18 from the outside: ringer_stats against the program's own books. */
static void check_counters(const struct driver *d) {
    FUZZ_ASSERT(!d->in_callback);
    const struct state_counts counts = count_states(d);
    const struct ringer_stats stats = ringer_stats(&d->io);
    FUZZ_CHECK(stats.started == d->starts, "started %llu, program started %llu",
               (unsigned long long)stats.started, (unsigned long long)d->starts);
    FUZZ_CHECK(stats.callbacks == d->callbacks, "callbacks %llu, program saw %llu",
               (unsigned long long)stats.callbacks, (unsigned long long)d->callbacks);
    FUZZ_CHECK(stats.started - stats.callbacks == counts.busy, "ops in flight disagree (I12)");
    FUZZ_CHECK(stats.unqueued == counts.unqueued, "unqueued %u, states say %u (I18)",
               stats.unqueued, counts.unqueued);
    FUZZ_CHECK(stats.awaiting == counts.submitted + counts.reaped, "awaiting %u, states say %u",
               stats.awaiting, counts.submitted + counts.reaped);
    FUZZ_CHECK(stats.completed == counts.reaped + counts.local, "completed %u, states say %u",
               stats.completed, counts.reaped + counts.local);
    FUZZ_CHECK(stats.deadlines == 0, "an internal deadline outlived run_for_ns (I6)");
    FUZZ_CHECK(stats.queued + stats.in_kernel == counts.submitted + stats.deadlines,
               "queued %u + in_kernel %u != submitted %u (I17)", stats.queued, stats.in_kernel,
               counts.submitted);
    FUZZ_CHECK(stats.queued == io_uring_sq_ready(&d->io.ring), "queued %u, SQ holds %u (I17)",
               stats.queued, io_uring_sq_ready(&d->io.ring));
    check_fifo(d);
}

/* I5 against the kernel's own count, at the end of a run: ringer_sim_stats scans the sim's
 * request pool, too slow for every step. */
static void check_consumed(const struct driver *d) {
    const struct ringer_stats stats = ringer_stats(&d->io);
    const uint64_t consumed = fuzz_world_sqes_consumed();
    FUZZ_CHECK(stats.cqes + stats.in_kernel == consumed,
               "cqes %llu + in_kernel %u != %llu "
               "SQEs consumed (I5)",
               (unsigned long long)stats.cqes, stats.in_kernel, (unsigned long long)consumed);
}

/* ---- steps ---- */

/* A ring breaks only when the kernel dropped a CQE (-EBADR, loop.md §6); from then on every
 * call but ringer_deinit returns that errno. False when the ring is broken. */
static bool ring_ok(struct driver *d, int rc, const char *what) {
    if (rc == 0 && d->broken == 0) return true;
    if (d->broken != 0) {
        FUZZ_CHECK(rc == d->broken, "%s returned %d on a ring broken by %d", what, rc, d->broken);
        return false;
    }
    FUZZ_CHECK(d->cqe_drop_allowed && rc == -EBADR, "%s: %d (the ring broke)", what, rc);
    d->broken = rc;
    return false;
}

/* After run_for_ns: I6 from the kernel's side. The hook scans the sim's request pool, so the
 * quiesce rounds leave it to one final call. */
static void check_kernel_after_run(void) {
    FUZZ_CHECK(ringer_sim_timers_with_user_data(0) == 0,
               "run_for_ns left its internal timeout in the kernel (I6)");
}

static void step_run_for_ns(struct driver *d, uint64_t nanoseconds, bool check_kernel) {
    const uint64_t before = ringer_sim_peek_now_ns();
    int rc = ringer_run_for_ns(&d->io, nanoseconds);
    if (!ring_ok(d, rc, "ringer_run_for_ns")) return;
    const uint64_t now = ringer_sim_peek_now_ns();
    FUZZ_CHECK(now >= before + nanoseconds, "run_for_ns(%llu) returned early: %llu ns",
               (unsigned long long)nanoseconds, (unsigned long long)(now - before));
    /* The first runs and every 8th: a timer left behind would fire soon after anyway, and
     * the library asserts on a user_data-0 CQE it did not expect (I5). */
    d->runs += 1;
    if (check_kernel && (d->runs <= 2 || d->runs % 8 == 0)) check_kernel_after_run();
}

static void step_tick(struct driver *d) {
    const uint64_t syscalls = ringer_stats(&d->io).syscalls;
    int rc = ringer_tick(&d->io);
    if (!ring_ok(d, rc, "ringer_tick")) return;
    const struct ringer_stats stats = ringer_stats(&d->io);
    FUZZ_CHECK(stats.deadlines == 0, "a tick armed a deadline (I1)");
    /* I20: two submits plus retries bounded by the sim's transient streak, plus reaps. */
    FUZZ_CHECK(stats.syscalls - syscalls <= 32, "a tick made %llu syscalls (I20)",
               (unsigned long long)(stats.syscalls - syscalls));
}

/* Starts ops on every idle user slot: more ops than ring entries, so unqueued fills. */
static void step_burst(struct driver *d) {
    uint32_t count = 1 + fuzz_below(&d->program, USER_SLOTS);
    for (uint32_t i = 0; i < USER_SLOTS && count > 0; i++) {
        if (slot_busy(&d->slots[i])) continue;
        start_any(d, &d->slots[i]);
        count -= 1;
    }
}

/* Half-closes a socket of the pair (or a bad fd): later sends see EPIPE, recvs see EOF. */
static void step_shutdown(struct driver *d) {
    static const int hows[] = {SHUT_WR, SHUT_RD, SHUT_RDWR};
    const int sockets[] = {d->client, d->server, d->spare[0], 1000};
    const int socket = sockets[fuzz_below(&d->program, 4)];
    int rc = ringer_shutdown(&d->io, socket, hows[fuzz_below(&d->program, 3)]);
    FUZZ_CHECK(rc <= 0, "ringer_shutdown: %d", rc);
    FUZZ_CHECK(socket != 1000 || rc == -EBADF, "shutdown of a bad fd: %d", rc);
}

static void step(struct driver *d) {
    struct fuzz_input *in = &d->program;
    switch (fuzz_below(in, 8)) {
    case 0:
    case 1: {
        struct slot *slot = &d->slots[fuzz_below(in, USER_SLOTS)];
        if (!slot_busy(slot)) start_any(d, slot);
        break;
    }
    case 2:
        step_tick(d);
        break;
    case 3:
        step_run_for_ns(d, FUZZ_PICK(in, run_ns), true);
        break;
    case 4: {
        const bool bad = fuzz_below(in, 8) == 0;
        int rc = ringer_event_trigger(&d->io, bad ? 1000 : d->event);
        FUZZ_CHECK(bad ? rc == -EBADF : rc == 0, "ringer_event_trigger: %d", rc);
        if (fuzz_below(in, 4) == 0) step_shutdown(d);
        break;
    }
    case 5:
        step_burst(d);
        break;
    case 6:
        script_cancel_order(d); /* the next cancel that finds its target: results, CQE order */
        break;
    default:
        step_tick(d);
        step_run_for_ns(d, 0, true);
    }
}

/* ---- endings ---- */

/* For a failure report: what each op still in flight is and where it is. */
static void describe_busy_slots(const struct driver *d) {
    static const char *const kinds[] = {"read",  "write",        "fsync",  "openat",  "close",
                                        "statx", "timeout",      "accept", "connect", "send",
                                        "recv",  "event_listen", "cancel", "nop"};
    const struct ringer_stats stats = ringer_stats(&d->io);
    fprintf(stderr,
            "fuzz: queued %u in_kernel %u unqueued %u completed %u awaiting %u; "
            "kernel in flight %u\n",
            stats.queued, stats.in_kernel, stats.unqueued, stats.completed, stats.awaiting,
            ringer_sim_in_flight());
    for (uint32_t i = 0; i < ALL_SLOTS; i++) {
        const struct slot *slot = &d->slots[i];
        if (!slot_busy(slot)) continue;
        fprintf(stderr, "fuzz: slot %u: %s, state %u, started at step %llu, cancel_requested %d\n",
                i, kinds[slot->kind], slot->completion.state,
                (unsigned long long)slot->start_sequence, slot->completion.cancel_requested);
    }
}

/* fuzz_loop: cancel whatever still runs, one closing cancel per op, until every op has
 * called back; then I12 (started == callbacks) and I24 (deinit finds everything empty). */
static void end_quiesce(struct driver *d) {
    d->winding_down = true;
    for (uint32_t round = 0; round < QUIESCE_ROUNDS && d->starts != d->callbacks; round++) {
        if (d->broken != 0) return;
        for (uint32_t i = 0; i < USER_SLOTS; i++) {
            struct slot *slot = &d->slots[i];
            struct slot *closer = &d->slots[USER_SLOTS + i];
            if (slot_busy(slot) && slot->kind != OP_CANCEL && !slot_busy(closer)) {
                start_op(d, closer, OP_CANCEL, slot);
            }
        }
        step_run_for_ns(d, QUIESCE_ROUND_NS, false);
        if (d->broken == 0) check_counters(d);
    }
    if (d->broken != 0) return;
    check_kernel_after_run();
    check_consumed(d);
    if (d->starts != d->callbacks) describe_busy_slots(d);
    FUZZ_CHECK(d->starts == d->callbacks,
               "%llu ops never called back after %u rounds of "
               "cancels (I12)",
               (unsigned long long)(d->starts - d->callbacks), QUIESCE_ROUNDS);
    const struct ringer_stats stats = ringer_stats(&d->io);
    FUZZ_CHECK(stats.queued == 0 && stats.in_kernel == 0 && stats.unqueued == 0 &&
                   stats.completed == 0 && stats.awaiting == 0 && stats.deadlines == 0,
               "quiescent loop with non-zero counters (I24)");
}

/* Every byte the kernel may write for an op: data buffers, statx buffers, and the parts of
 * each completion the kernel writes (the accepted address and its length, the event).
 * Copied, not hashed: one memcmp is far cheaper than a byte loop under coverage
 * instrumentation. */
struct caller_memory {
    uint8_t buffers[ALL_SLOTS][BUFFER_SIZE];
    struct statx statx[ALL_SLOTS];
    uint8_t operation[ALL_SLOTS][sizeof(((struct ringer_completion *)0)->operation)];
};
static struct caller_memory caller_before, caller_after;

static void copy_caller_memory(const struct driver *d, struct caller_memory *copy) {
    memcpy(copy->buffers, buffers, sizeof(buffers));
    for (uint32_t i = 0; i < ALL_SLOTS; i++) {
        copy->statx[i] = d->slots[i].statx;
        memcpy(copy->operation[i], &d->slots[i].completion.operation, sizeof(copy->operation[i]));
    }
    FUZZ_ASSERT(sizeof(copy->buffers) == sizeof(buffers));
}

/* After cancel_all, give the kernel every reason to write: data on both sockets, an event,
 * and 100 ms of virtual time for timers and workers. */
static void provoke_late_writes(struct driver *d) {
    const uint64_t one = 1;
    ringer_sim_send(d->client, "late", 4, MSG_DONTWAIT | MSG_NOSIGNAL);
    ringer_sim_send(d->server, "late", 4, MSG_DONTWAIT | MSG_NOSIGNAL);
    ringer_sim_write(d->event, &one, sizeof(one));
    const struct timespec pause = {0, 100000000};
    int rc = ringer_sim_clock_nanosleep(CLOCK_MONOTONIC, 0, &pause, NULL);
    FUZZ_ASSERT(rc == 0 || rc == EINTR);
}

static void check_no_leaked_fds(const struct driver *d) {
    int fds[RINGER_SIM_MAX_FDS];
    uint32_t count = ringer_sim_open_fds(fds, RINGER_SIM_MAX_FDS);
    for (uint32_t i = 0; i < count && i < RINGER_SIM_MAX_FDS; i++) {
        FUZZ_CHECK(fd_known(d, fds[i]),
                   "fd %d is open but no callback received it and "
                   "cancel_all did not close it (I22)",
                   fds[i]);
    }
}

/* The sim poisons a buffer while the kernel may write it: after cancel_all none may still
 * be poisoned, or the kernel still holds caller memory (loop.md §11). */
static void check_buffers_released(const struct driver *d) {
    if (!ringer_sim_asan_active()) return;
    for (uint32_t i = 0; i < ALL_SLOTS; i++) {
        const struct slot *slot = &d->slots[i];
        const bool written = slot->kind == OP_READ || slot->kind == OP_RECV;
        if (!slot_busy(slot) || !written || slot->size < 16) continue;
        FUZZ_CHECK(!ringer_sim_check_poisoned(buffers[i], slot->size),
                   "slot %u's buffer is "
                   "still poisoned after cancel_all: the kernel may write it",
                   i);
    }
}

/* A cancel script for the next cancel that finds a target: the CQE order the input wants. */
static void script_cancel_order(struct driver *d) {
    static const uint64_t cancel_results[] = {0, (uint64_t)-EALREADY, (uint64_t)-ENOENT};
    static const uint64_t target_results[] = {(uint64_t)-ECANCELED, RINGER_SIM_TARGET_NORMAL,
                                              (uint64_t)-EINTR};
    struct ringer_sim_cancel_script script;
    memset(&script, 0, sizeof(script));
    script.cancel_res = (int32_t)FUZZ_PICK(&d->program, cancel_results);
    script.target_res = (int32_t)FUZZ_PICK(&d->program, target_results);
    script.target_first = fuzz_bool(&d->program);
    script.separate_batches = fuzz_bool(&d->program);
    ringer_sim_script_cancel(&script);
}

/* fuzz_cancel_all: I7, I13, I22, I26 and "the kernel no longer touches caller memory". */
static void end_cancel_all(struct driver *d) {
    if (fuzz_bool(&d->program)) script_cancel_order(d);
    const uint64_t callbacks_before = d->callbacks;
    const uint64_t steps_before = ringer_sim_stats().steps;
    const uint64_t time_before = ringer_sim_peek_now_ns();
    d->cancel_all_started = true;
    int rc = ringer_cancel_all(&d->io); /* a hang ends at the sim's step and time bounds */
    if (!ring_ok(d, rc, "ringer_cancel_all")) return;
    /* I26, tighter: a few 10 ms rounds per op in flight, never minutes or millions of steps. */
    const uint64_t steps = ringer_sim_stats().steps - steps_before;
    const uint64_t elapsed_ns = ringer_sim_peek_now_ns() - time_before;
    FUZZ_CHECK(steps <= CANCEL_ALL_STEPS_MAX && elapsed_ns <= CANCEL_ALL_NS_MAX,
               "cancel_all took %llu steps and %llu ns of virtual time (I26)",
               (unsigned long long)steps, (unsigned long long)elapsed_ns);
    FUZZ_CHECK(d->callbacks == callbacks_before, "callbacks ran inside cancel_all (I13)");
    check_consumed(d);
    const struct ringer_stats stats = ringer_stats(&d->io);
    FUZZ_CHECK(stats.queued == 0 && stats.in_kernel == 0 && stats.unqueued == 0 &&
                   stats.completed == 0 && stats.awaiting == 0 && stats.deadlines == 0,
               "cancel_all left counters non-zero (I7)");
    FUZZ_CHECK(ringer_sim_in_flight() == 0,
               "the kernel still holds %u requests after "
               "cancel_all",
               ringer_sim_in_flight());
    FUZZ_CHECK(ringer_sim_timers_with_user_data(0) == 0, "internal timeout left (I6)");
    for (uint32_t i = 0; i < ALL_SLOTS; i++) {
        FUZZ_CHECK(d->slots[i].completion.state == RINGER_IDLE,
                   "slot %u not idle after "
                   "cancel_all",
                   i);
    }
    /* A close that cancel_all dropped may or may not have run: its fd is the program's
     * again (closed at the end, EBADF ignored). */
    for (uint32_t i = 0; i < ALL_SLOTS; i++) {
        const struct slot *slot = &d->slots[i];
        if (slot_busy(slot) && slot->kind == OP_CLOSE && slot->closing_fd != 1000) {
            owned_add(d, slot->closing_fd);
        }
    }
    check_no_leaked_fds(d);
    check_buffers_released(d);
    copy_caller_memory(d, &caller_before);
    provoke_late_writes(d);
    copy_caller_memory(d, &caller_after);
    FUZZ_CHECK(memcmp(&caller_before, &caller_after, sizeof(caller_before)) == 0,
               "the kernel wrote caller memory after cancel_all returned");
}

/* ---- one run ---- */

static void driver_setup(struct driver *d, const uint8_t *data, size_t size,
                         enum driver_ending ending) {
    static const uint64_t entries[] = {2, 1, 4, 8};
    static const uint64_t init_flags[] = {0,
                                          RINGER_INIT_NO_CANCEL_SWEEP,
                                          IORING_SETUP_SUBMIT_ALL,
                                          IORING_SETUP_COOP_TASKRUN,
                                          IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_COOP_TASKRUN,
                                          IORING_SETUP_DEFER_TASKRUN,
                                          IORING_SETUP_CLAMP | RINGER_INIT_NO_CANCEL_SWEEP};
    struct fuzz_split split = fuzz_input_split(data, size);
    memset(d, 0, sizeof(*d));
    /* The program part: [reactions length][steps ...][reactions]. */
    const size_t reactions_size = fuzz_u8(&split.program);
    const size_t left = split.program.size - split.program.position;
    const size_t taken = reactions_size < left ? reactions_size : left;
    fuzz_input_init(&d->program, split.program.data + split.program.position, left - taken);
    fuzz_input_init(&d->reactions, split.program.data + split.program.position + left - taken,
                    taken);
    d->in = &d->program;
    d->ending = ending;
    d->trace = getenv("FUZZ_TRACE") != NULL;
    struct ringer_sim_options options;
    fuzz_world_options(&d->program, FUZZ_FAULTS_RING_BREAKABLE, &options);
    d->faithful = options.profile == RINGER_SIM_PROFILE_FAITHFUL;
    d->cqe_drop_allowed = options.allow_cqe_drop;
    fuzz_world_start(&options, &split);
    probe_bad_init(d);
    const uint32_t ring_entries = (uint32_t)FUZZ_PICK(&d->program, entries);
    uint32_t flags = (uint32_t)FUZZ_PICK(&d->program, init_flags);
    int rc = ringer_init(&d->io, ring_entries, flags);
    const uint32_t always_accepted = IORING_SETUP_CLAMP | RINGER_INIT_NO_CANCEL_SWEEP;
    if (rc == -EINVAL && (flags & ~always_accepted) != 0) {
        /* A flag this kernel profile lacks (the sim models no DEFER_TASKRUN, 5.8 lacks
         * SUBMIT_ALL and the task-run flags): refused as Linux refuses it. */
        rc = ringer_init(&d->io, ring_entries, flags & always_accepted);
    }
    FUZZ_CHECK(rc == 0, "ringer_init: %d", rc);
    for (uint32_t i = 0; i < ALL_SLOTS; i++) d->slots[i].index = i;
    world_open(d);
    fuzz_world_unleash(&split); /* from here on the input decides every kernel choice */
}

void driver_run(const uint8_t *data, size_t size, enum driver_ending ending) {
    struct driver *d = &driver;
    driver_setup(d, data, size, ending);
    const uint32_t cancel_all_at =
        ending == DRIVER_END_CANCEL_ALL ? fuzz_below(&d->program, MAX_STEPS) : MAX_STEPS;
    for (uint32_t i = 0; i < MAX_STEPS && !fuzz_exhausted(&d->program); i++) {
        if (i == cancel_all_at || d->broken != 0) break;
        step(d);
        if (d->broken == 0) check_counters(d);
    }
    if (ending == DRIVER_END_CANCEL_ALL) {
        end_cancel_all(d);
    } else {
        end_quiesce(d);
    }
    if (d->broken != 0) {
        /* Broken for good: the loop says so on every call, and only deinit remains. */
        ring_ok(d, ringer_tick(&d->io), "ringer_tick");
        ring_ok(d, ringer_run_for_ns(&d->io, 1000), "ringer_run_for_ns");
    }
    ringer_deinit(&d->io);
    world_close(d);
    if (d->trace) {
        int fds[16];
        uint32_t open = ringer_sim_open_fds(fds, 16);
        fprintf(stderr, "fuzz: %u fds open at the end%s%d\n", open, open > 0 ? ", first " : "",
                open > 0 ? fds[0] : -1);
    }
    fuzz_world_stop();
}
