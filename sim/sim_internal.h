/*
 * The simulated kernel's internal interfaces. Every object lives in a static pool and is
 * named by its index; nothing is keyed, ordered or hashed by address.
 */
#ifndef RINGER_SIM_INTERNAL_H
#define RINGER_SIM_INTERNAL_H

#define RINGER_SIM_NO_REDIRECT
#include "ringer_sim_posix.h"

#include <liburing.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include "ringer_sim.h"

/* ---- assertions and oracles ---- */
#define SIM_ASSERT(c)                                      \
    do {                                                   \
        if (!(c)) sim_assert_fail(#c, __FILE__, __LINE__); \
    } while (0)
_Noreturn void sim_assert_fail(const char *what, const char *file, int line);
_Noreturn void sim_oracle_fail(const char *format, ...) __attribute__((format(printf, 1, 2)));
/* Stops the run (deadlock, liveness bound): report, handler, abort. */
_Noreturn void sim_stop(const char *reason);

#if defined(__cplusplus) || !defined(__USE_GNU)
#define SIM_SA(a) (a)
#else
#define SIM_SA(a) ((a).__sockaddr__)
#endif

#define SIM_NONE     UINT32_MAX
#define SIM_NS_PER_S 1000000000ull

/* ---- world ---- */
struct sim_config {
    struct ringer_sim_options o; /* with defaults filled in */
    bool hostile;
    bool reorder;
    uint8_t kernel;
};
extern struct sim_config sim_cfg;
extern bool sim_initialised;
extern uint32_t sim_generation;
extern struct ringer_sim_stats sim_stats;

/* ---- entropy (entropy.c) ---- */
void sim_entropy_seed(uint64_t seed);
uint32_t sim_draw_u32(void);             /* a choice; 0 when fuzzer bytes run out */
uint32_t sim_draw_below(uint32_t bound); /* in [0, bound); 0 when exhausted */
void sim_draw_bytes(void *buffer, size_t size);
/* One decision point for `fault` (always draws exactly one value). `faithful` says whether
 * Linux can produce the fault here; hostile-only points pass false. */
bool sim_fault(enum ringer_sim_fault_class fault, bool faithful);
/* The same with a separate legality under the hostile profile. */
bool sim_fault2(enum ringer_sim_fault_class fault, bool faithful, bool hostile);
/* Transient-fault streak bound: key identifies the op (user_data) or the enter. */
bool sim_transient_allowed(uint64_t key);
void sim_transient_note(uint64_t key, bool injected);
uint64_t sim_latency(uint64_t min, uint64_t mean);

/* ---- trace (core.c) ---- */
enum sim_trace_kind {
    TRACE_ENTER = 1,
    TRACE_SQE,
    TRACE_CQE,
    TRACE_POSIX,
    TRACE_FAULT,
    TRACE_CRASH,
    TRACE_CONFIG,
};
void sim_trace(uint32_t kind, uint64_t a, uint64_t b, uint64_t c, uint64_t d);

/* ---- time and events (clock.c) ---- */
extern uint64_t sim_now;
extern bool sim_in_event;       /* running an event (io-wq context), not the program's call */
extern bool sim_signal_pending; /* a signal was delivered: the blocking wait in progress ends */
enum sim_event_kind {
    EV_REQ = 1, /* a request's timer or worker finished: obj = request */
    EV_WAKE,    /* re-check waiters of a socket after delivery latency: obj = socket */
    EV_NOTHING, /* a pure time point */
    EV_SQPOLL,  /* an SQ thread's idle deadline: obj = ring, gen = its idle generation */
    EV_ALARM,   /* alarm(2) expired: gen = the alarm's generation */
};
void sim_enter_call(void); /* syscall cost and step bound for each entry point */
void sim_schedule(uint64_t time, uint32_t kind, uint32_t obj, uint32_t gen);
bool sim_has_events(void);
/* Pops and runs every event at the earliest time (jumping the clock there). */
bool sim_run_next_events(void);
/* Runs events until ready(arg) is true; a run with no future event is a deadlock. */
void sim_block_until(bool (*ready)(void *), void *arg, const char *what);
void sim_clock_reset(void);

/* ---- requests (ops.c, timeout.c, cancel.c) ---- */
enum sim_req_state { REQ_FREE = 0, REQ_WAIT, REQ_TIMER, REQ_WORK, REQ_POSTPONED, REQ_HELD };
enum sim_waitq_kind {
    WQ_NONE = 0,
    WQ_SOCK_RX,
    WQ_SOCK_TX,
    WQ_LISTEN,
    WQ_EVENT,
    WQ_PIPE_R,
    WQ_PIPE_W,
    /* POLL_ADD waiters: woken with every queue of their object (and by CQEs of a ring) */
    WQ_POLL_SOCK,
    WQ_POLL_EVENT,
    WQ_POLL_PIPE,
    WQ_POLL_RING,
    WQ_KIND_COUNT
};

struct sim_req {
    uint32_t gen;
    uint8_t state;
    uint8_t opcode;
    uint8_t ring;
    uint8_t sqe_flags;
    uint8_t node; /* the node that submitted it: its events run there */
    uint64_t seq; /* consumption order, global */
    uint64_t user_data;
    int32_t fd;
    uint32_t file; /* open file description held by the request, or SIM_NONE */
    uint64_t addr;
    uint64_t off;
    uint32_t len;
    uint32_t op_flags;
    uint16_t ioprio;
    int32_t res; /* result decided ahead (worker ops, scripted) */
    bool res_decided;
    bool cancelled_running; /* cancel hit it while running: -EINTR */
    bool worker;            /* a worker-class op running (not a delayed inline one) */
    bool timeout_abs;
    uint32_t cqe_flags;
    uint64_t deadline;
    uint64_t count_target; /* count timeouts: CQEs posted target */
    uint32_t wq_kind;
    uint32_t wq_obj;
    uint32_t wq_next, wq_prev;
    uint32_t ring_next, ring_prev; /* in-flight list of the ring, consumption order */
    uint32_t count_next;           /* ring's count-timeout list */
    uint32_t link_next, link_prev; /* IOSQE_IO_LINK chain */
    uint32_t held_next;            /* ring's drain FIFO */
    bool drain_fifo;               /* held in the drain FIFO (else held by its chain) */
    void *poisoned;
    size_t poisoned_size;
    uint32_t salen;
    bool fixed_file;         /* IOSQE_FIXED_FILE: fd indexes the ring's registered files */
    uint32_t nr_iov;         /* READV/WRITEV: iovecs copied at consumption */
    uint32_t iov_slot;       /* their big slot (more than SIM_INLINE_IOVECS), or SIM_NONE */
    uint64_t done;           /* bytes a waiting vectored transfer already moved */
    uint64_t total;          /* bytes a read or write asked for (all its iovecs) */
    uint64_t buf_lo, buf_hi; /* READ_FIXED/WRITE_FIXED: the registered buffer */
    int32_t deferred_err;    /* found at consumption, reported by the CQE (as Linux's issue) */
    bool cqe_quiet;          /* failed by a chain whose failing member skips their CQEs */
    uint16_t buf_group;      /* IOSQE_BUFFER_SELECT: the provided-buffer group */
    uint32_t buf_len;        /* and the length asked for (0: the buffer's) */
    uint32_t kbuf;           /* the provided buffer selected while it runs, or SIM_NONE */
    uint64_t addr3;          /* a third operand (the new user_data of a poll update) */
    uint32_t link_timeout;   /* the armed LINK_TIMEOUT guarding this request, or SIM_NONE */
    uint32_t lt_target;      /* LINK_TIMEOUT: the request it guards, or SIM_NONE */
    uint32_t lt_target_gen;
    union {
        char path[RINGER_SIM_MAX_PATH];
        char paths[2][RINGER_SIM_MAX_PATH]; /* RENAMEAT, LINKAT: old and new */
        struct sockaddr_storage sa;
        struct iovec iov[16];
    } copy;
};
#define SIM_INLINE_IOVECS 16u
extern struct sim_req sim_reqs[RINGER_SIM_MAX_REQUESTS];
extern uint32_t sim_reqs_used; /* high-water mark of the pool in this world */
void sim_wq_check_empty(void);

void sim_reqs_reset(void);
uint32_t sim_req_alloc(void);
void sim_req_release(uint32_t r);
void sim_req_detach(uint32_t r);
/* Posts the request's CQE (res, flags) to its ring and frees it. */
void sim_req_complete(uint32_t r, int32_t res, uint32_t flags);
/* Runs a request's event (timer expiry or worker completion). */
void sim_req_event(uint32_t r);
/* Issue a consumed request: completes it inline or parks it. */
void sim_op_issue(uint32_t r);
/* Retry a parked waiting request; true if it completed. */
bool sim_op_retry(uint32_t r);
/* Waiter queues */
void sim_wq_push(uint32_t r, uint32_t kind, uint32_t obj);
void sim_wq_remove(uint32_t r);
void sim_wq_wake(uint32_t kind, uint32_t obj);

/* timeout.c */
void sim_timeout_issue(uint32_t r);
void sim_timeout_remove_issue(uint32_t r);
void sim_timeout_count_check(uint32_t ring);
void sim_timer_fire(uint32_t r);
void sim_timeout_reset(void);
/* cancel.c */
void sim_cancel_issue(uint32_t r);
void sim_cancel_script_reset(void);
bool sim_script_take(uint8_t opcode, int32_t *res);

/* ---- rings (ring.c, cq.c, enter.c, register.c) ---- */

/* The fields of the SQ and CQ rings that the kernel shares with the program, laid out as
 * Linux's struct io_rings (each head and tail on its own cache line). The CQEs follow at
 * offset sizeof(struct sim_rings_hdr), the SQ index array after them. The program writes
 * sq_tail, cq_head and cq_flags; the kernel writes the rest and keeps its own copies. */
struct sim_rings_hdr {
    _Alignas(64) uint32_t sq_head;
    _Alignas(64) uint32_t sq_tail;
    _Alignas(64) uint32_t cq_head;
    _Alignas(64) uint32_t cq_tail;
    _Alignas(64) uint32_t sq_ring_mask;
    uint32_t cq_ring_mask;
    uint32_t sq_ring_entries;
    uint32_t cq_ring_entries;
    uint32_t sq_dropped;
    uint32_t sq_flags;
    uint32_t cq_flags;
    uint32_t cq_overflow;
};

struct sim_ring {
    bool used;
    bool disabled; /* IORING_SETUP_R_DISABLED until IORING_REGISTER_ENABLE_RINGS */
    uint32_t fd;
    uint32_t file; /* the ring's open file description */
    uint32_t setup_flags;
    uint32_t sq_entries, cq_entries;
    /* shared with the program (the mappings of IORING_OFF_SQ_RING and IORING_OFF_SQES) */
    struct sim_rings_hdr *hdr;
    struct io_uring_cqe *cqes;
    uint32_t *sq_array;
    struct io_uring_sqe *sqes;
    uint32_t ring_bytes; /* size of the SQ/CQ ring mapping */
    uint32_t mappings;   /* live mmaps of the ring memory: each holds a file reference */
    uint32_t sq_head;    /* the kernel's: SQ entries consumed */
    uint32_t cq_tail;    /* the kernel's: CQEs written to the CQ ring */
    uint32_t sq_flags;   /* the kernel's copy of hdr->sq_flags */
    uint32_t ov_head, ov_tail, ov_count; /* overflow list (indices into the pool) */
    uint32_t inflight_head, inflight_tail, inflight_count;
    uint32_t held_count;           /* in flight but not issued (chain or drain) */
    uint32_t held_head, held_tail; /* drain FIFO */
    uint32_t drain_running;        /* an issued IOSQE_IO_DRAIN request, or SIM_NONE */
    uint32_t link_tail;            /* the chain being consumed, or SIM_NONE */
    bool link_failed;              /* a prep failure broke the chain being consumed */
    uint32_t count_head;           /* count timeouts */
    uint64_t cqes_posted_nontimeout;
    uint64_t cq_timeouts; /* TIMEOUT CQEs posted: each ends every wait in progress */
    uint64_t max_posted_seq;
    bool dropped; /* a CQE was dropped: every enter that would wait gives -EBADR */
    uint32_t enter_streak_key;
    /* registrations (register.c) */
    uint32_t eventfd_file; /* registered eventfd description, or SIM_NONE */
    bool eventfd_async;
    bool eventfd_pending; /* CQEs posted since the last signal */
    uint32_t nr_files;    /* registered file table size (0: none) */
    bool files_registered;
    uint32_t nr_bufs;
    bool bufs_registered;
    /* the SQ thread (SQPOLL) */
    bool sq_awake;
    bool sq_idle_armed; /* its idle deadline is scheduled */
    uint32_t sq_idle_gen;
    uint64_t sq_idle_ns;   /* sq_thread_idle */
    uint64_t sq_last_work; /* when it last found SQEs */
};
extern struct sim_ring sim_rings[RINGER_SIM_MAX_RINGS];
void sim_rings_reset(void);
/* The ring an fd refers to, or SIM_NONE. */
uint32_t sim_ring_by_fd(int fd);
/* The last reference to a ring's description went: tear the ring down. */
void sim_ring_file_released(uint32_t ring, uint32_t file);
void sim_cq_post(uint32_t ring, uint64_t user_data, int32_t res, uint32_t flags, uint64_t seq,
                 bool is_timeout);
void sim_cq_flush_overflow(uint32_t ring);
/* CQEs the program has not consumed (the kernel's tail minus the program's head, as Linux
 * counts them: a head moved past the tail makes it huge). */
uint32_t sim_cq_count(uint32_t ring);
void sim_cq_eventfd_flush(uint32_t ring);
void sim_cq_reset(void);
void sim_cq_ring_exit(uint32_t ring);
int sim_enter(uint32_t ring, uint32_t to_submit, uint32_t min_complete, uint32_t flags);
void sim_ring_exit(uint32_t ring);
void sim_cq_signal_eventfds(void); /* every ring's pending eventfd signal */
/* The SQ thread (sqpoll.c): state per SQPOLL ring, run at every entry point. */
void sim_sqpoll_setup(uint32_t ring, const struct io_uring_params *p);
int sim_sqpoll_enter(uint32_t ring, uint32_t enter_flags);
void sim_sqpoll_run_all(void);
void sim_sqpoll_event(uint32_t ring, uint32_t gen);
/* IOPOLL rings: completions wait until an enter reaps them. */
int sim_iopoll_reap(uint32_t ring, uint32_t min_complete);
/* registrations */
int sim_registered_ring(unsigned int index, uint32_t *ring);
void sim_register_reset(void);
void sim_register_ring_exit(uint32_t ring);
int sim_files_update(uint32_t ring, uint32_t off, int *fds, const uint64_t *tags, uint32_t nr);
int sim_fixed_install(uint32_t ring, uint32_t slot, uint32_t file);
int sim_fixed_remove(uint32_t ring, uint32_t slot);
/* Room in the CQ ring for one more CQE, and nothing waiting on the overflow list. */
bool sim_cq_has_room(uint32_t ring);
/* The description in slot `index` of the ring's file table (with a reference taken), or
 * SIM_NONE. */
uint32_t sim_fixed_file_get(uint32_t ring, uint32_t index);
/* The registered buffer `index`: false when there is none. */
bool sim_fixed_buf(uint32_t ring, uint32_t index, uint64_t *addr, uint64_t *len);

/* ---- descriptors (fdtable.c) ---- */
enum sim_file_kind {
    FK_NONE = 0,
    FK_REG,
    FK_DIR,
    FK_BLK,
    FK_SOCK,
    FK_EVENT,
    FK_PIPE_R,
    FK_PIPE_W,
    FK_RING,
    FK_HOST, /* the host's stdin, stdout or stderr (obj = fd), for io_uring ops */
    FK_CHR   /* /dev/null, /dev/zero, /dev/urandom (obj = enum sim_chr) */
};
enum sim_chr { CHR_NULL = 0, CHR_ZERO, CHR_URANDOM };
/* The character devices of /dev: a new fd for path, or -ENOENT when path is none of them. */
int sim_chr_open(const char *path, int flags);
int sim_chr_read(uint32_t dev, void *buffer, uint32_t size);
struct sim_file {
    uint32_t refs;
    uint8_t kind;
    uint32_t obj; /* inode, socket, eventfd, pipe or ring index */
    int flags;    /* open flags (O_ACCMODE, O_NONBLOCK, O_DIRECT, O_DSYNC, O_APPEND) */
    uint64_t pos;
    uint8_t lock;     /* 0, LOCK_SH or LOCK_EX held by this description */
    bool fsync_error; /* an fsync error to report once */
};
extern struct sim_file sim_files[RINGER_SIM_MAX_FILES];
void sim_fds_reset(void);
uint32_t sim_file_alloc(uint8_t kind, uint32_t obj, int flags);
void sim_file_ref(uint32_t f);
void sim_file_unref(uint32_t f);
/* Lowest free fd for f (takes the reference), or -EMFILE. */
int sim_fd_install(uint32_t f, bool cloexec);
/* The file of fd, or SIM_NONE. */
uint32_t sim_fd_file(int fd);
/* The same, with fds 0-2 as the host's stdio (for io_uring ops and registrations). */
uint32_t sim_fd_file_any(int fd);
int sim_fd_close(int fd);
uint32_t sim_fds_open(int *fds, uint32_t max);
void sim_fds_close_all(void);
int sim_errno_ret(int negative_errno); /* sets errno, returns -1 (0 passes through) */

/* ---- file system (fs.c, fs_data.c) ---- */
enum sim_inode_type { IT_NONE = 0, IT_REG, IT_DIR, IT_BLK };
struct sim_inode {
    uint8_t type;
    uint8_t mount;
    uint16_t mode;
    uint32_t nlink;       /* live directory entries */
    uint32_t open;        /* open file descriptions */
    uint64_t size, dsize; /* current and durable size */
    uint64_t blk_size;    /* block devices */
    uint32_t dirty_head;  /* dirty pages list */
    bool size_dirty;
    uint32_t lock_ex_file; /* description holding LOCK_EX, or SIM_NONE */
    uint32_t lock_sh_count;
    uint32_t other_lock_attempts; /* scripted lock held by another process */
    uint64_t mtime_ns, ctime_ns;
};
extern struct sim_inode sim_inodes[RINGER_SIM_MAX_INODES];
struct sim_mount {
    bool tmpfs, direct_io, fallocate;
    uint32_t block_size;
    uint64_t capacity_pages, used_pages;
    uint32_t root;
};
extern struct sim_mount sim_mounts[RINGER_SIM_MOUNT_COUNT];
void sim_fs_reset(void);
void sim_fs_free(void);
/* Resolves path relative to dir_fd. Sets *parent and *leaf (the last component); returns
 * the inode or SIM_NONE (then *err is -ENOENT etc; *parent valid when only the leaf is
 * missing). */
uint32_t sim_fs_lookup(int dir_fd, const char *path, uint32_t *parent, char *leaf, int *err);
uint32_t sim_fs_create(uint32_t parent, const char *leaf, uint8_t type, uint16_t mode);
int sim_fs_unlink(uint32_t parent, const char *leaf, bool dir);
int sim_fs_link(uint32_t parent, const char *leaf, uint32_t ino);
int sim_fs_rename(uint32_t oparent, const char *oleaf, uint32_t nparent, const char *nleaf,
                  bool noreplace);
/* The path-level calls (unlinkat, mkdirat, linkat, renameat semantics): 0 or -errno. */
int sim_fs_unlinkat(int dir_fd, const char *path, int flags);
int sim_fs_mkdirat(int dir_fd, const char *path, mode_t mode);
int sim_fs_linkat(int old_fd, const char *old_path, int new_fd, const char *new_path, int flags);
int sim_fs_renameat(int old_fd, const char *old_path, int new_fd, const char *new_path,
                    unsigned flags);
void sim_inode_unref_check(uint32_t ino);
int64_t sim_fs_read(uint32_t ino, void *buffer, uint64_t size, uint64_t off, uint32_t req);
int64_t sim_fs_write(uint32_t ino, const void *buffer, uint64_t size, uint64_t off);
int sim_fs_truncate(uint32_t ino, uint64_t size);
int sim_fs_fallocate(uint32_t ino, int mode, uint64_t off, uint64_t len);
void sim_fs_sync(uint32_t ino, bool datasync);
void sim_fs_sync_dir(uint32_t dir);
void sim_fs_crash(void);
void sim_fs_fill_statx(uint32_t ino, struct statx *st);
void sim_fs_fill_stat(uint32_t ino, struct stat *st);
/* Open a path (open(2) semantics) to a new fd: fd or -errno. */
int sim_fs_open(int dir_fd, const char *path, int flags, mode_t mode);
int sim_fs_statx(int dir_fd, const char *path, int flags, unsigned mask, struct statx *st);
int sim_file_read(uint32_t f, void *buffer, uint64_t size, int64_t off, bool use_pos, uint32_t req);
int sim_file_write(uint32_t f, const void *buffer, uint64_t size, int64_t off, bool use_pos);
int sim_file_fsync(uint32_t f, bool datasync);
int sim_file_fallocate(uint32_t f, int mode, int64_t offset, int64_t length);
extern mode_t sim_umask;

/* ---- streams: sockets, pipes, eventfds (net.c, stream.c) ---- */
void sim_net_reset(void);
void sim_net_free(void);
void sim_sock_close(uint32_t s);
void sim_event_close(uint32_t e);
void sim_pipe_close(uint32_t p, bool write_end);
/* The operations below return bytes/0 or -errno; -EAGAIN means "would wait". */
int sim_sock_recv(uint32_t s, void *buffer, uint32_t size, int flags, uint32_t *cqe_flags);
int sim_sock_send(uint32_t s, const void *buffer, uint32_t size, int flags);
int sim_sock_accept(uint32_t s, struct sockaddr *address, socklen_t *size, int flags,
                    bool *would_wait);
int sim_sock_connect(uint32_t s, const struct sockaddr *address, socklen_t size);
int sim_event_read(uint32_t e, void *buffer, uint32_t size);
int sim_event_write(uint32_t e, const void *buffer, uint32_t size, bool nonblock);
int sim_pipe_read(uint32_t p, void *buffer, uint32_t size);
int sim_pipe_write(uint32_t p, const void *buffer, uint32_t size);
uint32_t sim_sock_rx_ready(uint32_t s);
/* poll masks (POLLIN, POLLOUT, POLLHUP, ...) */
uint32_t sim_sock_poll(uint32_t s);
uint32_t sim_event_poll(uint32_t e);
uint32_t sim_pipe_poll(uint32_t p, bool write_end);

/* ---- poisoning (poison.c) ---- */
size_t sim_poison(void *p, size_t n); /* returns the size poisoned */
void sim_unpoison_for_write(void *p, size_t n);
void sim_check_not_stack(const void *p, const char *what);
bool sim_user_ok(const void *p, uint64_t len); /* false: the kernel would fault (-EFAULT) */

/* ---- links and drain (links.c) ---- */
/* After prep: joins or starts a chain, or issues (through the drain rules). */
void sim_link_consumed(uint32_t r, int prep_error);
/* At the end of a submit: an open chain ends there. */
void sim_link_submit_end(uint32_t ring);
/* Before r is freed with result res: detaches and returns its chain successor (SIM_NONE if
 * none), with *fail set when the rest of the chain must fail. */
uint32_t sim_link_take_next(uint32_t r, int32_t res, bool *fail, uint32_t *next_gen);
/* After r's CQE is posted: starts or fails the successor, and moves the drain FIFO. */
void sim_link_continue(uint32_t ring, uint32_t next, uint32_t next_gen, bool fail);
/* Linux's req_set_fail: an error, a -ETIME timeout without ETIME_SUCCESS, a short transfer. */
bool sim_req_failed(const struct sim_req *q, int32_t res);
/* r leaves without a CQE of its own deciding (release, crash): unhook it. */
void sim_link_unhook(uint32_t r);

/* ---- the op table (opdef.c) and the ops (ops_*.c) ---- */
struct sim_op_out {
    uint32_t cqe_flags;
    uint32_t wq_kind; /* with -EAGAIN: the queue to wait on (WQ_NONE: complete with it) */
    uint32_t wq_obj;
    bool more;  /* a multishot CQE: the request stays armed */
    bool again; /* with more: run the op again at once (multishot accept drains its queue) */
};
typedef int (*sim_prep_fn)(struct sim_req *q, const struct io_uring_sqe *sqe);
typedef int32_t (*sim_exec_fn)(struct sim_req *q, struct sim_op_out *out);
typedef void (*sim_issue_fn)(uint32_t r);
enum sim_worker_class {
    SIM_INLINE = 0,    /* completes during submission (or waits on a queue) */
    SIM_WORKER,        /* io-wq: completes a storage latency after issue (D3) */
    SIM_WORKER_IF_FILE /* reads and writes: io-wq on tmpfs and O_DIRECT files */
};
struct sim_op_def {
    sim_prep_fn prep;   /* NULL: not modelled (-EINVAL at prep, unsupported in the probe) */
    sim_exec_fn exec;   /* runs the op: a result, or -EAGAIN with a queue to wait on */
    sim_issue_fn issue; /* instead of exec: the op's own issue (timeouts, cancel, poll) */
    bool needs_file, ioprio, iopoll;
    uint8_t worker; /* enum sim_worker_class */
};
extern const struct sim_op_def sim_op_defs[IORING_OP_LAST];
bool sim_op_is_read(uint8_t opcode);  /* READ, READV, READ_FIXED */
bool sim_op_is_write(uint8_t opcode); /* WRITE, WRITEV, WRITE_FIXED */
/* ops_rw.c */
int sim_prep_rw(struct sim_req *q, const struct io_uring_sqe *sqe);
int32_t sim_exec_rw(struct sim_req *q, struct sim_op_out *out);
void sim_iov_release(struct sim_req *q);
void sim_iov_reset(void);
/* ops_fs.c */
int sim_prep_fsync(struct sim_req *q, const struct io_uring_sqe *sqe);
int32_t sim_exec_fsync(struct sim_req *q, struct sim_op_out *out);
int sim_prep_sync_range(struct sim_req *q, const struct io_uring_sqe *sqe);
int32_t sim_exec_sync_range(struct sim_req *q, struct sim_op_out *out);
int sim_prep_fallocate(struct sim_req *q, const struct io_uring_sqe *sqe);
int32_t sim_exec_fallocate(struct sim_req *q, struct sim_op_out *out);
int sim_prep_fadvise(struct sim_req *q, const struct io_uring_sqe *sqe);
int32_t sim_exec_fadvise(struct sim_req *q, struct sim_op_out *out);
int sim_prep_madvise(struct sim_req *q, const struct io_uring_sqe *sqe);
int32_t sim_exec_madvise(struct sim_req *q, struct sim_op_out *out);
int sim_prep_path(struct sim_req *q, const struct io_uring_sqe *sqe);
int32_t sim_exec_openat(struct sim_req *q, struct sim_op_out *out);
int32_t sim_exec_statx(struct sim_req *q, struct sim_op_out *out);
int sim_prep_close(struct sim_req *q, const struct io_uring_sqe *sqe);
int32_t sim_exec_close(struct sim_req *q, struct sim_op_out *out);
int sim_prep_files_update(struct sim_req *q, const struct io_uring_sqe *sqe);
int sim_prep_fs_name(struct sim_req *q, const struct io_uring_sqe *sqe);
int32_t sim_exec_fs_name(struct sim_req *q, struct sim_op_out *out);
int32_t sim_exec_files_update(struct sim_req *q, struct sim_op_out *out);
int sim_prep_nop(struct sim_req *q, const struct io_uring_sqe *sqe);
int32_t sim_exec_nop(struct sim_req *q, struct sim_op_out *out);
/* ops_net.c */
int sim_prep_accept(struct sim_req *q, const struct io_uring_sqe *sqe);
int sim_prep_connect(struct sim_req *q, const struct io_uring_sqe *sqe);
int sim_prep_sendrecv(struct sim_req *q, const struct io_uring_sqe *sqe);
int sim_prep_shutdown(struct sim_req *q, const struct io_uring_sqe *sqe);
int32_t sim_exec_net(struct sim_req *q, struct sim_op_out *out);
/* ops_poll.c */
int sim_prep_poll_add(struct sim_req *q, const struct io_uring_sqe *sqe);
int32_t sim_exec_poll_add(struct sim_req *q, struct sim_op_out *out);
int sim_prep_poll_remove(struct sim_req *q, const struct io_uring_sqe *sqe);
void sim_poll_remove_issue(uint32_t r);
/* timeout.c, cancel.c */
int sim_prep_timeout(struct sim_req *q, const struct io_uring_sqe *sqe);
int sim_prep_timeout_remove(struct sim_req *q, const struct io_uring_sqe *sqe);
int sim_prep_link_timeout(struct sim_req *q, const struct io_uring_sqe *sqe);
int sim_prep_cancel(struct sim_req *q, const struct io_uring_sqe *sqe);
void sim_cancel_issue_op(uint32_t r);
/* A LINK_TIMEOUT consumed after r (its chain predecessor): attach it. */
void sim_link_timeout_attach(uint32_t target, uint32_t lt);
/* r was issued: arm its LINK_TIMEOUT, if any. */
void sim_link_timeout_arm(uint32_t r);
/* r completes: its armed LINK_TIMEOUT is cancelled (posted -ECANCELED after r's CQE). */
uint32_t sim_link_timeout_disarm(uint32_t r, uint32_t *lt_gen);
void sim_link_timeout_issue(uint32_t r);
void sim_link_splice_out(uint32_t lt);
int sim_cancel_target(uint32_t t);
int sim_sync_cancel(uint32_t ring, const struct io_uring_sync_cancel_reg *reg);
/* register.c: restrictions, personalities; the op's answer to IOSQE_BUFFER_SELECT */
bool sim_restriction_allows(uint32_t ring, const struct io_uring_sqe *sqe);
bool sim_personality_known(uint32_t ring, uint16_t personality);
int sim_prep_buffer_select(struct sim_req *q, const struct io_uring_sqe *sqe);
/* kbuf.c: provided buffers */
void sim_kbuf_reset(void);
void sim_kbuf_ring_exit(uint32_t ring);
int sim_prep_provide_buffers(struct sim_req *q, const struct io_uring_sqe *sqe);
int sim_prep_remove_buffers(struct sim_req *q, const struct io_uring_sqe *sqe);
int32_t sim_exec_provide_buffers(struct sim_req *q, struct sim_op_out *out);
int32_t sim_exec_remove_buffers(struct sim_req *q, struct sim_op_out *out);
bool sim_kbuf_select(struct sim_req *q);
void sim_kbuf_recycle(struct sim_req *q);
uint32_t sim_kbuf_consume(struct sim_req *q);
/* sqpoll.c: an op on an IOPOLL ring completes only when an enter reaps it */
bool sim_iopoll_intercept(uint32_t r);
/* Shared prep pieces */
int sim_copy_path(struct sim_req *q, const char *path);
/* The request's file: a reference taken at issue (fixed file slot or fd), or SIM_NONE. */
uint32_t sim_req_file(const struct sim_req *q);

/* ---- cross-file internals ---- */
int sim_enter_deadline(uint32_t ring, uint32_t to_submit, uint32_t min_complete, uint32_t flags,
                       uint64_t deadline);
uint32_t sim_consume_sqes(uint32_t ring, uint32_t n, int *err);
void sim_inflight_add(uint32_t r);
uint32_t sim_last_op(void);
bool sim_op_supported(uint32_t op);
void sim_fs_pages_reset(void);
void sim_fs_pages_free(void);
void sim_fs_sync_fail(uint32_t ino);
void sim_fs_crash_data(uint32_t ino);
void sim_fs_crash_stale(void);
void sim_fs_free_data(uint32_t ino);
void sim_fs_fill_garbage(uint32_t ino, uint64_t size);
int sim_sock_bind(uint32_t s, const struct sockaddr *a, socklen_t size);
int sim_sock_listen(uint32_t s, int backlog);
int sim_sock_name(uint32_t s, struct sockaddr *a, socklen_t *size, bool peer);
int sim_sock_shutdown(uint32_t s, int how);
bool sim_sock_readable(uint32_t s);
bool sim_sock_writable(uint32_t s);
bool sim_sock_acceptable(uint32_t s);
bool sim_sock_is_listener(uint32_t s);
uint32_t sim_sock_new(int family);
void sim_sock_set_reuse(uint32_t s, bool on);
void sim_sock_set_rcvbuf(uint32_t s, int bytes);
int sim_sock_get_rcvbuf(uint32_t s);
int sim_sock_connect_wait(uint32_t s, const struct sockaddr *a, socklen_t size, uint32_t *wait_obj);
void sim_stream_reset(void);
void sim_stream_free(void);

/* ---- nodes (node.c) ---- */
extern uint32_t sim_node_cur; /* the node whose code runs */
void sim_nodes_reset(void);
void sim_node_fd_range(int *lo, int *hi); /* the current node's fd numbers [lo, hi) */
uint32_t sim_node_root(void);             /* the current node's root directory */
uint64_t sim_node_time(uint64_t virtual_ns);
uint32_t sim_node_of_ip(uint32_t ip); /* host byte order; SIM_NONE: no node has it */
/* Makes `node` current for kernel work done on its behalf; returns the node to restore. */
uint32_t sim_node_enter(uint32_t node);
uint32_t sim_node_of_fd(int fd); /* the node whose range holds an fd number (>= 3) */

#endif /* RINGER_SIM_INTERNAL_H */
