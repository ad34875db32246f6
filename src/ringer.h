/*
 * ringer: an io_uring event loop over caller-owned completions with callbacks.
 *
 * Every result is an int32_t: >= 0 is success (bytes, an fd, or 0), < 0 is a negated errno
 * exactly as the kernel reports it. The caller owns every struct ringer_io and
 * struct ringer_completion; neither may move while in use, and a completion must be
 * zero-initialised before its first use. The library allocates nothing after ringer_init.
 *
 * Callbacks run exactly once per started operation, only from inside ringer_tick,
 * ringer_run_for_ns (never from the function that started the operation), and never after
 * ringer_cancel_all has begun. A completion may be started again from its own callback.
 *
 * If ringer_init returns -ENOSYS or -EPERM, io_uring is missing or disabled: check
 * `sysctl kernel.io_uring_disabled` (must be 0) and any seccomp policy (containers often
 * block io_uring_setup).
 */
#ifndef RINGER_H
#define RINGER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <liburing.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Linux's per-call transfer maximum (MAX_RW_COUNT); larger sizes are clamped to it. */
#define RINGER_IO_SIZE_MAX     0x7ffff000u
/* At most this many entries pushed during one drain (yields, local results) run in it. */
#define RINGER_DRAIN_EXTRA_MAX 4096u
/* Largest ring ringer_init accepts. */
#define RINGER_ENTRIES_MAX     4096u
/* The sector size of ringer_open_data_file. */
#define RINGER_SECTOR_SIZE     4096u

struct ringer_io;
struct ringer_completion;
struct statx;

typedef void (*ringer_callback)(void *context, struct ringer_completion *completion,
                                int32_t result);

enum ringer_operation {
    RINGER_OP_NONE = 0,
    RINGER_OP_ACCEPT,
    RINGER_OP_CLOSE,
    RINGER_OP_CONNECT,
    RINGER_OP_FSYNC,
    RINGER_OP_OPENAT,
    RINGER_OP_READ,
    RINGER_OP_RECV,
    RINGER_OP_SEND,
    RINGER_OP_STATX,
    RINGER_OP_TIMEOUT,
    RINGER_OP_WRITE,
    RINGER_OP_CANCEL,
    RINGER_OP_EVENT_LISTEN,
    RINGER_OP_NOP,
    RINGER_OP_SWEEP, /* internal: cancel_all's cancel-everything request */
};

enum ringer_completion_state {
    RINGER_IDLE = 0,
    RINGER_UNQUEUED,  /* waiting for an SQE */
    RINGER_SUBMITTED, /* holds an SQE, or is in the kernel */
    RINGER_REAPED,    /* CQE reaped, callback pending */
    RINGER_LOCAL,     /* a yield or a result decided without the kernel */
};

/*
 * One operation. Zero it before first use; the library owns every field from the start of
 * an operation until its callback is entered. After an accept, `operation.socket.address`
 * and `operation.socket.address_size` hold the peer's address.
 */
struct ringer_completion {
    struct ringer_completion *next;          /* unqueued or completed FIFO */
    struct ringer_completion *awaiting_prev; /* awaiting list */
    struct ringer_completion *awaiting_next;
    void *context;
    ringer_callback callback;
    int32_t result;
    uint8_t operation_kind; /* enum ringer_operation */
    uint8_t state;          /* enum ringer_completion_state */
    bool cancel_requested;
    bool retried;
    uint64_t serial; /* which start of this completion: a cancel names one activation */
    union {
        struct {
            int socket;
            socklen_t address_size;
            struct sockaddr_storage address;
        } socket; /* accept and connect */
        struct {
            int fd;
            uint32_t flags;
        } fsync;
        struct {
            int fd; /* close */
        } close;
        struct {
            int dir_fd;
            int flags;
            mode_t mode;
            const char *path;
        } openat;
        struct {
            int fd;
            uint32_t size;
            void *buffer;
            uint64_t offset;
        } rw; /* read, write, recv, send */
        struct {
            int dir_fd;
            int flags;
            uint32_t mask;
            const char *path;
            struct statx *statx;
        } statx;
        struct {
            struct __kernel_timespec timespec;
        } timeout;
        struct {
            struct ringer_completion *target;
            uint64_t target_serial;
        } cancel;
        struct {
            int event;
            uint64_t value;
        } event;
    } operation;
};

enum ringer_cancel_all_state {
    RINGER_CANCEL_ALL_INACTIVE = 0,
    RINGER_CANCEL_ALL_SWEEP,
    RINGER_CANCEL_ALL_NEXT,
    RINGER_CANCEL_ALL_QUEUED,
    RINGER_CANCEL_ALL_WAIT,
    RINGER_CANCEL_ALL_DONE,
};

struct ringer_fifo {
    struct ringer_completion *head;
    struct ringer_completion *tail;
    uint32_t count;
};

struct ringer_list {
    struct ringer_completion *head; /* oldest */
    struct ringer_completion *tail; /* newest */
    uint32_t count;
};

/* Counters (current values) and monotonic totals. */
struct ringer_stats {
    uint32_t queued;    /* have an SQE, not yet consumed by the kernel */
    uint32_t in_kernel; /* consumed by the kernel, CQE not yet reaped */
    uint32_t unqueued;  /* waiting for an SQE */
    uint32_t completed; /* completed, callback not yet run */
    uint32_t reaped;    /* of those, the ones whose CQE was reaped (the rest are LOCAL) */
    uint32_t awaiting;
    uint32_t deadlines; /* run_for_ns's internal timeout: 0 or 1 */
    /* liburing calls that entered the kernel: a submit with SQEs, any wait, and a peek while
     * the CQ overflow flag is set. With DEFER_TASKRUN, liburing's peek also enters to run
     * deferred completions when the kernel flags them; those entries are not counted. */
    uint64_t syscalls;
    uint64_t enter_eintr;
    uint64_t enter_eagain;
    uint64_t enter_ebusy;
    uint64_t enter_partial;
    uint64_t retry_eintr;  /* CQE results resubmitted because of -EINTR */
    uint64_t retry_eagain; /* ... because of -EAGAIN */
    uint64_t started;
    uint64_t callbacks;
    uint64_t yields;
    uint64_t cqes;
    uint64_t cancel_all_rounds;
    uint64_t cancel_all_fds_closed;
    /* The outcome of the most recent ringer_open_data_file. */
    bool data_file_direct_io;
    bool data_file_tmpfs;
    bool data_file_unlocked;
    bool data_file_allocate_fallback;
};

/* Lets ringer_init skip the Linux >= 5.19 cancel-everything fast path of cancel_all. */
#define RINGER_INIT_NO_CANCEL_SWEEP (1u << 31)

/* The event loop. Must not move after ringer_init; treat every field as private. */
struct ringer_io {
    struct io_uring ring;
    uint32_t entries;
    uint32_t setup_flags;
    int32_t broken; /* 0, or the negated errno that broke the ring */
    bool initialised;
    bool etime;
    bool cancel_sweep_enabled;
    bool defer_taskrun;
    uint32_t callback_depth;

    struct ringer_fifo unqueued;
    struct ringer_fifo completed;
    struct ringer_list awaiting;

    uint32_t queued;
    uint32_t in_kernel;
    uint32_t deadlines;
    uint32_t prepared;
    uint32_t reaped;        /* REAPED completions, for invariant I17 */
    uint64_t serial;        /* starts so far, internal ones included */
    uint64_t boot_serial;   /* serial when this boot began: older starts died with a crash */
    uint64_t consumed;      /* SQEs the kernel consumed, in ring order */
    uint64_t sqes_prepared; /* SQEs prepared, in ring order */
    uint64_t deadline_sqe;  /* the internal deadline's position in that order */

    /* run_for_ns's absolute deadline: the kernel reads it when it consumes the SQE. */
    struct __kernel_timespec deadline;

    uint8_t cancel_all_state;
    bool cancel_all_target_gone;
    struct ringer_completion *cancel_all_target;
    struct ringer_completion cancel_all_completion;

    struct ringer_stats stats;

    /* open_data_file's sector buffer; aligned to 4096 inside this array. */
    uint8_t scratch[2 * RINGER_SECTOR_SIZE];
};

/* ---- event loop ---- */
/*
 * entries: a power of two, 1..RINGER_ENTRIES_MAX. flags: IORING_SETUP_CLAMP, SUBMIT_ALL, and
 * the task-run flags COOP_TASKRUN, SINGLE_ISSUER, DEFER_TASKRUN (others give -EINVAL), plus
 * RINGER_INIT_NO_CANCEL_SWEEP. With no task-run flag, ringer picks the fastest the kernel
 * has: COOP_TASKRUN | SINGLE_ISSUER | DEFER_TASKRUN, else COOP_TASKRUN, else none. Naming
 * any task-run flag gives exactly those (e.g. COOP_TASKRUN alone, so that io-wq workers post
 * their CQEs directly instead of at the next enter).
 * The io is zero-initialised (or ringer_deinit'ed) before ringer_init: ringer_init on a live
 * io is a programmer error (an assertion). On the sim, ringer_init on an io whose ring died
 * in ringer_sim_crash starts the next boot (ringer_sim.h).
 */
int ringer_init(struct ringer_io *io, uint32_t entries, uint32_t flags);
void ringer_deinit(struct ringer_io *io);
int ringer_tick(struct ringer_io *io);
int ringer_run_for_ns(struct ringer_io *io, uint64_t nanoseconds);
/*
 * Stops every operation so that the kernel no longer reads or writes caller memory; runs no
 * callback; closes any fd an accept or openat delivered meanwhile. One cancel-everything
 * request first (Linux >= 5.19), then one target at a time, newest first, each waited for in
 * 10 ms rounds; a target still running a round after its cancel is cancelled again. Returns
 * 0 with every counter at zero, or the errno that broke the ring. Only ringer_deinit may
 * follow. Not callable from a callback.
 */
int ringer_cancel_all(struct ringer_io *io);
void ringer_cancel(struct ringer_io *io, struct ringer_completion *completion,
                   struct ringer_completion *target, void *context, ringer_callback callback);

/* ---- operations ---- */
void ringer_accept(struct ringer_io *io, struct ringer_completion *completion, int socket,
                   void *context, ringer_callback callback);
void ringer_close(struct ringer_io *io, struct ringer_completion *completion, int fd, void *context,
                  ringer_callback callback);
void ringer_connect(struct ringer_io *io, struct ringer_completion *completion, int socket,
                    const struct sockaddr *address, socklen_t address_size, void *context,
                    ringer_callback callback);
void ringer_fsync(struct ringer_io *io, struct ringer_completion *completion, int fd,
                  uint32_t flags, void *context, ringer_callback callback);
void ringer_openat(struct ringer_io *io, struct ringer_completion *completion, int dir_fd,
                   const char *path, int flags, mode_t mode, void *context,
                   ringer_callback callback);
void ringer_read(struct ringer_io *io, struct ringer_completion *completion, int fd, void *buffer,
                 uint32_t size, uint64_t offset, void *context, ringer_callback callback);
void ringer_recv(struct ringer_io *io, struct ringer_completion *completion, int socket,
                 void *buffer, uint32_t size, void *context, ringer_callback callback);
void ringer_send(struct ringer_io *io, struct ringer_completion *completion, int socket,
                 const void *buffer, uint32_t size, void *context, ringer_callback callback);
void ringer_statx(struct ringer_io *io, struct ringer_completion *completion, int dir_fd,
                  const char *path, int flags, uint32_t mask, struct statx *statx, void *context,
                  ringer_callback callback);
void ringer_timeout(struct ringer_io *io, struct ringer_completion *completion,
                    uint64_t nanoseconds, void *context, ringer_callback callback);
void ringer_write(struct ringer_io *io, struct ringer_completion *completion, int fd,
                  const void *buffer, uint32_t size, uint64_t offset, void *context,
                  ringer_callback callback);

/* A no-op through the kernel: result 0. Measures the loop's own cost, and orders nothing. */
void ringer_nop(struct ringer_io *io, struct ringer_completion *completion, void *context,
                ringer_callback callback);

/* ---- events (eventfd) ---- */
int ringer_open_event(struct ringer_io *io);
void ringer_event_listen(struct ringer_io *io, struct ringer_completion *completion, int event,
                         void *context, ringer_callback callback);
int ringer_event_trigger(struct ringer_io *io, int event);
void ringer_close_event(struct ringer_io *io, int event);

/* ---- sockets and files (synchronous) ---- */
struct ringer_tcp_options {
    int rcvbuf;               /* > 0: SO_RCVBUFFORCE, falling back to SO_RCVBUF */
    int sndbuf;               /* > 0: SO_SNDBUFFORCE, falling back to SO_SNDBUF */
    bool keepalive;           /* SO_KEEPALIVE with the three values below */
    int keepidle;             /* seconds */
    int keepintvl;            /* seconds */
    int keepcnt;              /* probes */
    uint32_t user_timeout_ms; /* > 0: TCP_USER_TIMEOUT */
    bool nodelay;             /* TCP_NODELAY */
};

int ringer_open_socket_tcp(struct ringer_io *io, int family,
                           const struct ringer_tcp_options *options);
int ringer_listen(struct ringer_io *io, int socket, struct sockaddr *address,
                  socklen_t *address_size, int backlog);
void ringer_close_socket(struct ringer_io *io, int socket);
int ringer_shutdown(struct ringer_io *io, int socket, int how);
int ringer_open_dir(const char *path);

enum ringer_data_file_purpose {
    RINGER_DATA_FILE_FORMAT,
    RINGER_DATA_FILE_OPEN,
    RINGER_DATA_FILE_INSPECT,
};

enum ringer_direct_io {
    RINGER_DIRECT_IO_REQUIRED,
    RINGER_DIRECT_IO_OPTIONAL,
    RINGER_DIRECT_IO_DISABLED,
};

/* relative_path and fd must not be NULL (an assertion, as for every pointer ringer needs);
 * an empty or absolute path, a bad size or enum give -EINVAL (docs/design/open_data_file.md). */
int ringer_open_data_file(struct ringer_io *io, int dir_fd, const char *relative_path,
                          uint64_t size, enum ringer_data_file_purpose purpose,
                          enum ringer_direct_io direct_io, int *fd);

/* ---- introspection ---- */
struct ringer_stats ringer_stats(const struct ringer_io *io);

#ifdef __cplusplus
}
#endif

#endif /* RINGER_H */
