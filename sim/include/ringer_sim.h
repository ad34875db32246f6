/*
 * ringer_sim.h: the deterministic simulated kernel.
 *
 * A program built against the sim (sim/include first on the include path, the forced
 * include sim/include/ringer_sim_posix.h, linked with libringer_sim.a) sees a simulated
 * Linux: the liburing API of <liburing.h>, the POSIX calls of the seam, an in-memory file
 * system, loopback TCP, eventfds and pipes, all on virtual time. Create the world with
 * ringer_sim_init before any other call, and tear it down with ringer_sim_deinit; or run
 * the program with RINGER_SIM_SEED set (ringer-sim --exec does) and the world is made
 * before main and checked when main returns (see "the environment" below).
 *
 * Zeroed options with a seed give the faithful kernel: no faults, faithful CQE order,
 * kernel profile 6.1, and the mounts "/", "/tmp" (tmpfs: f_type 0x01021994, no O_DIRECT)
 * and "/data" (disk-like, O_DIRECT with 4096-byte logical blocks).
 *
 * Every decision comes from one entropy stream: xoshiro256++ seeded with SplitMix64 from
 * `seed`, or the bytes given to ringer_sim_entropy_bytes. The same seed (or bytes) and the
 * same program give the same ringer_sim_trace_hash, across runs, compilers and -O levels.
 *
 * Limits (static pools; an exhausted pool fails the way Linux fails when memory runs out):
 * see RINGER_SIM_MAX_* below.
 */
#ifndef RINGER_SIM_H
#define RINGER_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define RINGER_SIM_MAX_FDS              16384u /* fd numbers 0..16383; 0-2 are the host's stdio */
#define RINGER_SIM_MAX_FILES            16384u /* open file descriptions */
#define RINGER_SIM_MAX_INODES           4096u
#define RINGER_SIM_MAX_DIRENTS          4096u
#define RINGER_SIM_MAX_SOCKETS          512u
#define RINGER_SIM_MAX_RINGS            8u
#define RINGER_SIM_MAX_REQUESTS         32768u /* requests in flight over all rings */
#define RINGER_SIM_MAX_OVERFLOW         16384u /* CQEs on the overflow lists of all rings */
#define RINGER_SIM_MAX_SQ_ENTRIES       32768u
#define RINGER_SIM_MAX_CQ_ENTRIES       65536u
#define RINGER_SIM_MAX_PATH             256u   /* longer paths give ENAMETOOLONG */
#define RINGER_SIM_MAX_FIXED_FILES      16384u /* registered file table per ring (-EMFILE beyond) */
#define RINGER_SIM_MAX_FIXED_BUFFERS    16384u /* registered buffers per ring, as Linux */
#define RINGER_SIM_MAX_PROVIDED_BUFFERS 65536u /* PROVIDE_BUFFERS, all rings (-ENOMEM beyond) */
#define RINGER_SIM_MAX_BUFFER_GROUPS    64u    /* provided-buffer groups per ring */
#define RINGER_SIM_PAGE_SIZE            4096u  /* unit of file data storage */

/* Fault classes (fault-model.md §3-§5). */
enum ringer_sim_fault_class {
    RINGER_SIM_FAULT_ENTER_EINTR = 0,
    RINGER_SIM_FAULT_ENTER_EAGAIN,
    RINGER_SIM_FAULT_ENTER_EBUSY,
    RINGER_SIM_FAULT_ENTER_PARTIAL,
    RINGER_SIM_FAULT_CQE_DROP,
    RINGER_SIM_FAULT_ORDER,
    RINGER_SIM_FAULT_CQE_EINTR,
    RINGER_SIM_FAULT_CQE_EAGAIN,
    RINGER_SIM_FAULT_SHORT,
    RINGER_SIM_FAULT_CQE_ECANCELED,
    RINGER_SIM_FAULT_ERRNO,
    RINGER_SIM_FAULT_CANCEL_RACE,
    RINGER_SIM_FAULT_CQE_FLAGS,
    RINGER_SIM_FAULT_SQE_STALE,
    /* storage */
    RINGER_SIM_FAULT_READ_EIO,
    RINGER_SIM_FAULT_LATENT_SECTOR,
    RINGER_SIM_FAULT_CORRUPT,
    RINGER_SIM_FAULT_WRITE_EIO,
    RINGER_SIM_FAULT_MISDIRECT,
    RINGER_SIM_FAULT_ENOSPC,
    RINGER_SIM_FAULT_FSYNC_FAIL,
    RINGER_SIM_FAULT_TORN,
    RINGER_SIM_FAULT_LOST_UNSYNCED,
    /* network */
    RINGER_SIM_FAULT_LATENCY,
    RINGER_SIM_FAULT_PARTIAL,
    RINGER_SIM_FAULT_RESET,
    RINGER_SIM_FAULT_REFUSE,
    RINGER_SIM_FAULT_ACCEPT_ABORT,
    RINGER_SIM_FAULT_PARTITION,
    RINGER_SIM_FAULT_CLASS_COUNT,
    /* fail_class only: any class */
    RINGER_SIM_FAULT_ANY = 255,
};

enum ringer_sim_kernel {
    RINGER_SIM_KERNEL_6_1 = 0, /* default */
    RINGER_SIM_KERNEL_5_8,
    RINGER_SIM_KERNEL_5_19,
};

enum ringer_sim_order {
    RINGER_SIM_ORDER_FAITHFUL = 0, /* inline-class CQEs post during submit, in ring order */
    RINGER_SIM_ORDER_REORDER,      /* the latency model alone orders CQEs */
};

enum ringer_sim_mount_id {
    RINGER_SIM_MOUNT_ROOT = 0, /* "/": disk-like, O_DIRECT with 512-byte blocks */
    RINGER_SIM_MOUNT_TMP,      /* "/tmp": tmpfs, no O_DIRECT */
    RINGER_SIM_MOUNT_DATA,     /* "/data": disk-like, O_DIRECT with 4096-byte blocks */
    RINGER_SIM_MOUNT_COUNT,
};

/* Per-mount knobs; zero keeps the mount's default. */
struct ringer_sim_mount_options {
    bool tmpfs;          /* report tmpfs identity (and no O_DIRECT) */
    bool not_tmpfs;      /* for /tmp: behave as a disk */
    bool no_direct_io;   /* O_DIRECT opens fail with EINVAL (after O_CREAT) */
    bool no_fallocate;   /* fallocate gives EOPNOTSUPP */
    uint32_t block_size; /* logical block size: 512 or 4096 */
    uint64_t capacity;   /* bytes; 0: 256 MiB */
};
/* Another block size makes ringer_sim_init fail. */

struct ringer_sim_fault_options {
    uint32_t ppm; /* probability in parts per million at each legal opportunity */
};

/*
 * Limits of the options: ringer_sim_init returns -EINVAL for an option outside them (an
 * unknown profile, kernel, order or fault class, a rate above RINGER_SIM_PPM_MAX, ...), and
 * changes nothing.
 */
#define RINGER_SIM_PPM_MAX         1000000u         /* a rate of 1: every opportunity */
#define RINGER_SIM_MAX_FS_PAGES    (1u << 20)       /* 4 GiB of file data */
#define RINGER_SIM_MAX_BUFFER_SIZE (4u << 20)       /* socket and pipe buffers, bytes */
#define RINGER_SIM_MAX_LATENCY_NS  3600000000000ull /* latencies and timer slack: 1 h */
#define RINGER_SIM_MAX_SYSCALL_NS  1000000000ull    /* the cost of one call: 1 s */

struct ringer_sim_options {
    /* 0 with RINGER_SIM_SEED in the environment: the world of the environment (see
     * ringer_sim_options_from_env below); the other options given here are kept. */
    uint64_t seed;
    uint8_t profile; /* enum ringer_sim_profile */
    uint8_t kernel;  /* enum ringer_sim_kernel */
    uint8_t order;   /* enum ringer_sim_order */
    bool swarm;      /* draw the configuration from the seed (fault-model.md §7) */
    struct ringer_sim_fault_options faults[RINGER_SIM_FAULT_CLASS_COUNT];
    uint32_t faults_off; /* classes (1u << class) forced to 0 ppm, after swarm drawing */
    /* Fail the Nth: every probability is ignored; the Nth legal opportunity of fail_class
     * (or of any class with RINGER_SIM_FAULT_ANY) injects. 0 disables. */
    uint64_t fail_nth;
    uint8_t fail_class;
    bool allow_cqe_drop; /* CQE_DROP stays off unless this is set */

    /* latency model (nanoseconds): delay = min + Exp(mean) */
    uint64_t storage_latency_min_ns;  /* worker-class ops; 0: 20000 */
    uint64_t storage_latency_mean_ns; /* 0: none in faithful order, 50000 in reorder */
    uint64_t net_latency_min_ns;      /* 0: none */
    uint64_t net_latency_mean_ns;     /* 0: none */
    uint64_t timer_slack_ns;          /* 0: 50000; a late-firing bound, never early */
    bool no_timer_slack;              /* timers fire exactly at their deadline */
    uint64_t syscall_cost_ns;         /* 0: 1000 */
    uint32_t transient_streak_max;    /* 0: 3 */
    uint64_t max_virtual_ns;          /* 0: unbounded */
    uint64_t max_steps;               /* 0: unbounded (a step is a sim entry point) */

    struct ringer_sim_mount_options mounts[RINGER_SIM_MOUNT_COUNT];
    uint32_t socket_buffer_size; /* bytes of receive buffer per socket; 0: 65536 */
    uint32_t pipe_buffer_size;   /* 0: 65536 */
    uint32_t atomic_write_size;  /* AWUPF: 512, 1024, 2048 or 4096; 0: 4096 */
    uint32_t fs_pages;           /* size of the file data pool in 4 KiB pages; 0: 16384 */

    bool liburing_clears_sqe;  /* later liburing: get_sqe clears the SQE, prep keeps flags */
    bool no_real_sigpipe;      /* record SIGPIPE on WRITE to a broken socket, do not raise */
    bool check_stack_pointers; /* abort when an SQE points into a live stack frame (I19) */
    bool no_poison;            /* do not ASan-poison kernel-written buffers while in flight */
    bool no_leak_check;        /* ringer_sim_deinit does not abort on open fds */
    bool quiet;                /* print nothing at init (swarm configuration) */
};

/*
 * Fault profiles, named by what a program must survive. A profile decides which fault
 * classes may inject (ringer_sim_profile_faults) and whether faults beyond Linux are legal
 * (only under HOSTILE); the rates come from `faults[].ppm`, from swarm drawing (which then
 * draws within the profile's classes), or from ringer_sim_profile_rates. A rate set for a
 * class outside the profile makes ringer_sim_init fail with -EINVAL.
 *   FAITHFUL       every class, only as Linux produces it (the default)
 *   HOSTILE        every class, also beyond Linux; only a loop's invariants can be judged
 *   TRANSPARENT    what a correct program hides completely: enter EINTR/EAGAIN/EBUSY and
 *                  partial submits, reordered CQEs, CQE -EINTR and -EAGAIN, short socket
 *                  transfers, cancel races, network latency: its output must not change
 *   CRASH          TRANSPARENT plus what power loss does to unsynced data (lost writes,
 *                  torn sectors, lost directory entries): a program that fsyncs its data
 *                  and its directory before it acknowledges survives ringer_sim_crash
 *   STORAGE_ERRORS CRASH plus EIO, latent sectors, corruption, misdirected writes, ENOSPC,
 *                  failed fsync and errno results: only checksumming or replicated
 *                  programs keep their data; a single-copy program may only fail cleanly
 *   NETWORK        TRANSPARENT plus resets, refused connections, aborted accepts and
 *                  partitions: for programs that reconnect and resend
 */
enum ringer_sim_profile {
    RINGER_SIM_PROFILE_FAITHFUL = 0,
    RINGER_SIM_PROFILE_HOSTILE = 1,
    RINGER_SIM_PROFILE_TRANSPARENT,
    RINGER_SIM_PROFILE_CRASH,
    RINGER_SIM_PROFILE_STORAGE_ERRORS,
    RINGER_SIM_PROFILE_NETWORK,
    RINGER_SIM_PROFILE_COUNT,
};

/* The classes `profile` may inject, as a mask of (1u << class); 0 for an unknown profile. */
uint32_t ringer_sim_profile_faults(uint8_t profile);
/* "faithful", "hostile", "transparent", "crash", "storage-errors", "network"; NULL if
 * unknown. ringer_sim_profile_parse gives the profile of a name, or -EINVAL. */
const char *ringer_sim_profile_name(uint8_t profile);
int ringer_sim_profile_parse(const char *name);
/* Sets every class of options->profile to its fixed moderate rate and every other class to
 * 0 (the non-swarm configuration of a profile). */
void ringer_sim_profile_rates(struct ringer_sim_options *options);
/* "ENTER_EINTR", ... for a fault class (NULL if unknown); the class of a name, or -EINVAL. */
const char *ringer_sim_fault_name(uint32_t fault_class);
int ringer_sim_fault_parse(const char *name);

struct ringer_sim_stats {
    uint64_t faults[RINGER_SIM_FAULT_CLASS_COUNT];
    uint64_t ops[64];        /* SQEs consumed, by opcode */
    uint64_t cqes;           /* CQEs posted */
    uint64_t cqes_reordered; /* posted behind a later-consumed request's CQE */
    uint64_t overflowed;     /* CQEs that went to the overflow list */
    uint64_t enters;
    uint64_t sigpipes;                                    /* SIGPIPEs raised or recorded */
    uint64_t timespec_unnormalised;                       /* timeouts with tv_nsec >= 10^9 */
    uint64_t opportunities[RINGER_SIM_FAULT_CLASS_COUNT]; /* legal injection points seen */
    uint64_t steps;                                       /* sim entry points */
    uint64_t crashes;
    uint32_t fds_open; /* fds >= 3 currently open */
    uint32_t requests_in_flight;
    uint32_t timers_user_data_0; /* armed TIMEOUTs with user_data 0, all rings */
    bool deadlock;               /* a blocking call found no future event */
    bool fail_nth_reached;       /* fail_nth mode injected its fault */
};

/* Creates the world: 0, -EINVAL for options outside their limits (nothing changes), or
 * -EBUSY while a world exists (but an untouched world set up from the environment before
 * main, see below, gives way to the program's own). */
int ringer_sim_init(const struct ringer_sim_options *options);
/* Ends the world; aborts with the list of fds still open unless options.no_leak_check. */
void ringer_sim_deinit(void);
void ringer_sim_entropy_bytes(const uint8_t *data, size_t size);
uint64_t ringer_sim_now_ns(void);
/* The world's seed (after the environment has been applied): for a program's own PRNG. */
uint64_t ringer_sim_seed(void);

/*
 * Power loss: the machine stops and boots again on the same disks. Every ring, every fd
 * and every operation in flight disappears without a CQE; file data and directory entries
 * keep what the crash rules keep (fsync'd data, and unsynced data at the CRASH profile's
 * LOST_UNSYNCED and TORN rates); virtual time goes on.
 *
 * Lifecycle: whatever the program held before the crash is dead. A ringer_io (and any
 * struct io_uring) from before it may only be initialised again with ringer_init, which
 * starts the program's next boot, or forgotten: never ringer_deinit it, never tick it.
 * fds from before are gone (their numbers are reused). Using a ring from before the crash
 * aborts with "io_uring ... used after ringer_sim_crash". Completions still belong to the
 * program: the next boot starts its operations on them as on fresh ones.
 */
void ringer_sim_crash(void);
struct ringer_sim_stats ringer_sim_stats(void);
uint64_t ringer_sim_trace_hash(void);
/* The active configuration in one line (after swarm drawing), for reproduction. */
void ringer_sim_describe(char *buffer, size_t size);
/* The reproduction line of fault-model.md §8, on stderr. */
void ringer_sim_print_repro(void);

/* ---- test hooks ---- */

/* fds >= 3 currently open; writes up to `max` of them to `fds` (ascending). */
uint32_t ringer_sim_open_fds(int *fds, uint32_t max);
/* Armed kernel timers (TIMEOUT requests) whose user_data equals `user_data`, all rings. */
uint32_t ringer_sim_timers_with_user_data(uint64_t user_data);
/* Requests in flight (consumed, CQE not posted) over all rings. */
uint32_t ringer_sim_in_flight(void);

/*
 * Cancel script: the next ASYNC_CANCEL that finds a target uses these outcomes instead of
 * the model's (B2). cancel_res: 0, -EALREADY or -ENOENT. target_res: the target's CQE
 * result, or RINGER_SIM_TARGET_NORMAL to let it complete normally (a waiting target that
 * cannot complete now keeps waiting). With -ENOENT the target's CQE always comes first.
 * separate_batches: the second CQE is posted 1 us later, after another wait.
 */
#define RINGER_SIM_TARGET_NORMAL 1
struct ringer_sim_cancel_script {
    int32_t cancel_res;
    int32_t target_res;
    bool target_first;
    bool separate_batches;
};
void ringer_sim_script_cancel(const struct ringer_sim_cancel_script *script);
/* Scripted results for the next `count` CQEs of `opcode` (transient faults, B3): the op
 * completes with `res` instead of running; the following one runs normally. */
void ringer_sim_script_result(uint8_t opcode, int32_t res, uint32_t count);

/* A lock on `path` held by another process for the next `attempts` flock attempts that
 * conflict with it (LOCK_EX or LOCK_SH). */
int ringer_sim_hold_lock(const char *path, uint32_t attempts);
/* Creates a block device at `path` of `size` bytes (BLKGETSIZE64); `garbage` fills its
 * first MiB with PRNG bytes, otherwise zeros. Returns 0 or -errno. */
int ringer_sim_add_block_device(const char *path, uint64_t size, bool garbage);
/* Creates a directory (parents must exist); 0 or -errno. */
int ringer_sim_make_dir(const char *path);
/* Reads a file's current (volatile) contents: bytes copied, or -errno. */
int64_t ringer_sim_read_file(const char *path, void *buffer, uint64_t size, uint64_t offset);

/* Poison [p, p + n) with ASan (no-op without ASan); ringer_sim_check_poisoned returns
 * true if every 8-byte granule inside the range is still poisoned. */
void ringer_sim_poison(const void *p, size_t n);
void ringer_sim_unpoison(const void *p, size_t n);
bool ringer_sim_check_poisoned(const void *p, size_t n); /* true without ASan */
bool ringer_sim_asan_active(void);
/* Virtual time without the cost of an entry point (ringer_sim_now_ns costs syscall_cost_ns,
 * like clock_gettime, so that clock-polling loops progress): for logs and checks. */
uint64_t ringer_sim_peek_now_ns(void);

/* Registers a callback run by the sim when a deadlock or a liveness bound stops the run,
 * before the process aborts; NULL restores the default (report and abort). */
typedef void (*ringer_sim_stop_handler)(const char *reason);
void ringer_sim_on_stop(ringer_sim_stop_handler handler);

/* ---- the environment: a program run by `ringer-sim --exec` ----
 *
 * ringer-sim hands each run its world in these variables; a program may also be run by
 * hand with them (the replay line of a failure shows them):
 *   RINGER_SIM_SEED=N           the seed: a decimal number from 1 to 2^64-1 (required)
 *   RINGER_SIM_PROFILE=NAME     a fault profile (above); default transparent
 *   RINGER_SIM_SWARM=0|1        1 (default): the seed draws the rates of the profile's
 *                               classes, latencies and mount knobs; 0: the fixed rates
 *   RINGER_SIM_FAULTS_OFF=LIST  fault classes forced off, e.g. SHORT,ORDER, or all
 *   RINGER_SIM_LOG=1            the readable event log on stderr as the run goes
 *   RINGER_SIM_TRACE=FILE       the run's timeline as Chrome Trace Event JSON
 *   RINGER_SIM_REPORT_FD=N      where the sim writes its one-line results for ringer-sim
 * With RINGER_SIM_SEED set, a sim-built program that never calls ringer_sim_init gets this
 * world before main, and when main returns (or exit is called) its fds are checked for
 * leaks and the world ends; one that calls ringer_sim_init with a zero seed gets it there.
 * A bad value is a one-line message on stderr and exit status 2.
 */

/* Applies the environment to `options` (seed, profile, swarm, faults off): 0, -ENOENT when
 * RINGER_SIM_SEED is unset (options unchanged), or -EINVAL with a one-line reason in
 * `error` (if not NULL) for a bad value. */
int ringer_sim_options_from_env(struct ringer_sim_options *options, char *error, size_t size);
/* Parses a seed as RINGER_SIM_SEED takes it: 0, or -EINVAL ("", "abc", "12x", "0", "-1",
 * or beyond 2^64-1). */
int ringer_sim_parse_seed(const char *text, uint64_t *seed);

/* ---- the event log ----
 *
 * Every kernel event (an SQE consumed, a CQE posted, an enter, a POSIX call, an injected
 * fault, a crash) has a readable form: opcode and errno names, fds with their kind and
 * path or address, flags, and virtual time in milliseconds to the microsecond, e.g.
 *       0.052 ms  cqe    #4 WRITE fd 5 (file /data/kv.log) = -EIO
 * Every failure the sim reports ends with the last events in this form. Logging never
 * changes a run: the trace hash is the same with and without it.
 */
enum ringer_sim_log_format {
    RINGER_SIM_LOG_READABLE = 0,
    RINGER_SIM_LOG_RAW, /* kind, four hex fields and the time: the trace hash's input */
};
/* Streams every event to `file` as it happens (NULL stops). */
void ringer_sim_log_to(FILE *file, enum ringer_sim_log_format format);
/* Adds the program's own line to the log (and to the events a failure prints). */
void ringer_sim_log(const char *format, ...) __attribute__((format(printf, 1, 2)));
/* Prints the last `count` events (at most RINGER_SIM_LOG_TAIL) to `file`, readably. */
#define RINGER_SIM_LOG_TAIL 64u
void ringer_sim_print_events(FILE *file, uint32_t count);

enum ringer_sim_event_kind {
    RINGER_SIM_EVENT_ENTER = 1,
    RINGER_SIM_EVENT_SQE,
    RINGER_SIM_EVENT_CQE,
    RINGER_SIM_EVENT_CALL, /* a POSIX call of the seam */
    RINGER_SIM_EVENT_FAULT,
    RINGER_SIM_EVENT_CRASH,
    RINGER_SIM_EVENT_CONFIG,
    RINGER_SIM_EVENT_USER, /* a ringer_sim_log line */
};
struct ringer_sim_event {
    uint8_t kind;        /* enum ringer_sim_event_kind */
    uint8_t opcode;      /* SQE, CQE: the op's IORING_OP_* */
    uint8_t fault_class; /* FAULT */
    int32_t fd;          /* the fd the event is about, or -1 */
    uint32_t flags;      /* SQE: IOSQE_*; CQE: IORING_CQE_F_* */
    int64_t result;      /* CQE res, a call's or an enter's result */
    uint64_t op;         /* the op (its SQE's consumption number, from 1) or 0 */
    uint64_t time_ns;
    const char *text; /* the readable form, without the time */
};
/* Runs `hook` for every event (NULL removes it), e.g. to build a timeline. */
typedef void (*ringer_sim_event_hook)(const struct ringer_sim_event *event, void *arg);
void ringer_sim_on_event(ringer_sim_event_hook hook, void *arg);

/* ---- the timeline: Chrome Trace Event JSON (ui.perfetto.dev, chrome://tracing) ----
 *
 * While a timeline is open, every kernel op becomes a slice from its SQE to its CQE on a
 * track per fd (named with the fd's kind and path or address), each fault an instant on
 * the track of the op it hit, crashes and ringer_sim_log lines instants. */
int ringer_sim_timeline_open(const char *path); /* 0 or -errno */
int ringer_sim_timeline_close(void);            /* 0, or -EIO if not completely written */
bool ringer_sim_timeline_is_open(void);
/* A program's own slice, on track `track` of the row `group` (both names). */
void ringer_sim_timeline_slice(const char *group, const char *track, const char *name,
                               uint64_t begin_ns, uint64_t end_ns, uint64_t op, int64_t result);
void ringer_sim_timeline_instant(const char *name, uint64_t at_ns, const char *detail);

/*
 * Nodes: one world holding several simulated machines. ringer_sim_nodes_create(count, ...)
 * (after ringer_sim_init, before any node opens anything) makes nodes 0..count-1; node 0
 * is the world's original machine, so a program that never creates nodes runs unchanged.
 * The current node (ringer_sim_node_switch) is the machine whose code runs: its fds (node n
 * owns the fd numbers [3 + n * RINGER_SIM_NODE_FDS, 3 + (n + 1) * RINGER_SIM_NODE_FDS) once
 * nodes exist; another node's fd is EBADF), its file system (absolute paths resolve under
 * the node's own root; nodes other than 0 keep /tmp and /data as directories of their
 * root), its clock (CLOCK_MONOTONIC and CLOCK_REALTIME read virtual time plus the node's
 * skew, drawn from the seed, plus its drift), and its address RINGER_SIM_NODE_ADDR(n)
 * (10.0.0.n+1): a TCP connect to another node's address and port reaches that node's
 * listener, and 127.0.0.1 means the current node. Port numbers are shared by all nodes
 * (two nodes cannot bind one port). Every node runs on the one virtual clock and one
 * scheduler; events of all nodes interleave in time order.
 */
#define RINGER_SIM_MAX_NODES      8u
#define RINGER_SIM_NODE_FDS       2047u
#define RINGER_SIM_NODE_ADDR(n)   (0x0a000001u + (uint32_t)(n)) /* host byte order */
#define RINGER_SIM_MAX_DRIFT_PPM  1000
#define RINGER_SIM_MAX_SKEW_NS    1000000000ull /* seeded skew in [0, max_skew_ns] */
struct ringer_sim_node_options {
    int32_t drift_ppm[RINGER_SIM_MAX_NODES]; /* clock drift, within +-RINGER_SIM_MAX_DRIFT_PPM */
    uint64_t max_skew_ns;                    /* 0: no skew; at most RINGER_SIM_MAX_SKEW_NS */
};
/* 0, or -EINVAL (count outside 1..RINGER_SIM_MAX_NODES, an option out of range, nodes
 * already created, or fds already open beyond node 0's range); options may be NULL. */
int ringer_sim_nodes_create(uint32_t count, const struct ringer_sim_node_options *options);
uint32_t ringer_sim_node_count(void); /* 1 until nodes are created */
/* Makes `node` current: 0, or -EINVAL for a node that does not exist. */
int ringer_sim_node_switch(uint32_t node);
uint32_t ringer_sim_node_current(void);
/* The node's clock at virtual time `virtual_ns` (its CLOCK_MONOTONIC). */
uint64_t ringer_sim_node_clock_ns(uint32_t node, uint64_t virtual_ns);

#ifdef __cplusplus
}
#endif

#endif /* RINGER_SIM_H */
