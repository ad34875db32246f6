/*
 * ringer_sim.h: the deterministic simulated kernel.
 *
 * A program built against the sim (sim/include first on the include path, the forced
 * include sim/include/ringer_sim_posix.h, linked with libringer_sim.a) sees a simulated
 * Linux: the liburing API of <liburing.h>, the POSIX calls of the seam, an in-memory file
 * system, loopback TCP, eventfds and pipes, all on virtual time. Create the world with
 * ringer_sim_init before any other call, and tear it down with ringer_sim_deinit.
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

enum ringer_sim_profile {
    RINGER_SIM_PROFILE_FAITHFUL = 0,
    RINGER_SIM_PROFILE_HOSTILE = 1,
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

struct ringer_sim_fault_options {
    uint32_t ppm; /* probability in parts per million at each legal opportunity */
};

struct ringer_sim_options {
    uint64_t seed;
    uint8_t profile; /* enum ringer_sim_profile */
    uint8_t kernel;  /* enum ringer_sim_kernel */
    uint8_t order;   /* enum ringer_sim_order */
    bool swarm;      /* draw the configuration from the seed (fault-model.md §7) */
    struct ringer_sim_fault_options faults[RINGER_SIM_FAULT_CLASS_COUNT];
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
    uint32_t atomic_write_size;  /* AWUPF; 0: 4096 */
    uint32_t fs_pages;           /* size of the file data pool in 4 KiB pages; 0: 16384 */

    bool liburing_clears_sqe;  /* later liburing: get_sqe clears the SQE, prep keeps flags */
    bool no_real_sigpipe;      /* record SIGPIPE on WRITE to a broken socket, do not raise */
    bool check_stack_pointers; /* abort when an SQE points into a live stack frame (I19) */
    bool no_poison;            /* do not ASan-poison kernel-written buffers while in flight */
    bool no_leak_check;        /* ringer_sim_deinit does not abort on open fds */
    bool quiet;                /* print nothing at init (swarm configuration) */
};

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

int ringer_sim_init(const struct ringer_sim_options *options);
void ringer_sim_deinit(void);
void ringer_sim_entropy_bytes(const uint8_t *data, size_t size);
uint64_t ringer_sim_now_ns(void);
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

#ifdef __cplusplus
}
#endif

#endif /* RINGER_SIM_H */
