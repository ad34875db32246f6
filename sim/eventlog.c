/*
 * The event log: every kernel event in a readable form (opcode and errno names, fds with
 * their kind and path or address, flags, virtual time in ms to the µs), the program's own
 * lines, the tail a failure prints, and the hook that tools (the timeline) read events
 * from.
 *
 * Recording is cheap because it is always on: the event's words, the fd's kind and object
 * at that moment, and the op it belongs to go into a ring of RINGER_SIM_LOG_TAIL entries;
 * text is made only for a sink, a hook or a printed tail. Names (paths, addresses) are
 * looked up when the text is made, from objects that usually still exist; an object gone
 * by then shows as such. Nothing here draws entropy or moves virtual time.
 */
#include "sim_internal.h"
#include "sim_log.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define TAIL          RINGER_SIM_LOG_TAIL
#define TAIL_PRINTED  24u   /* events a failure report shows */
#define OPS_TRACKED   4096u /* in-flight ops remembered for their CQE (by number) */
#define USER_LINES    16u
#define USER_LINE_MAX 160u
#define TEXT_MAX      320u

/* An fd as it was when an event named it. */
struct fd_view {
    int32_t fd;
    uint8_t kind; /* enum sim_file_kind; FK_NONE: not open */
    bool closed;  /* not open, but it was `kind` (its last open file) */
    uint32_t obj;
};

struct logged {
    uint8_t kind;
    uint64_t a, b, c, d, now;
    uint64_t op;        /* the op the event belongs to, or 0 */
    struct fd_view fd;  /* the fd it is about */
    struct fd_view res; /* the fd it made (openat, accept, socket, eventfd) */
    uint32_t user_line; /* USER: index into user_lines */
    bool first;         /* the world's first event (its configuration) */
};

struct op_view {
    uint64_t seq; /* 0: free */
    uint8_t opcode;
    struct fd_view fd;
};

static struct logged tail[TAIL];
static uint64_t tail_count;
static struct op_view ops[OPS_TRACKED];
static struct fd_view last_open[RINGER_SIM_MAX_FDS]; /* each fd's last open file, by number */
static uint64_t context_op;
static char user_lines[USER_LINES][USER_LINE_MAX];
static uint32_t user_count;
static FILE *sink;
static enum ringer_sim_log_format sink_format;
static ringer_sim_event_hook hook;
static void *hook_arg;

#define LOG_USER 100u /* a logged kind beyond the trace kinds: a ringer_sim_log line */

void sim_log_reset(void) {
    tail_count = 0;
    context_op = 0;
    user_count = 0;
    memset(ops, 0, sizeof ops);
    memset(last_open, 0, sizeof last_open);
}

void ringer_sim_log_to(FILE *file, enum ringer_sim_log_format format) {
    SIM_ASSERT(format == RINGER_SIM_LOG_READABLE || format == RINGER_SIM_LOG_RAW);
    sink = file;
    sink_format = format;
}

void ringer_sim_on_event(ringer_sim_event_hook event_hook, void *arg) {
    hook = event_hook;
    hook_arg = arg;
}

void sim_log_op(uint64_t seq) {
    context_op = seq;
}

/* snprintf for readable text: cutting a long line short is expected, never an error. */
__attribute__((format(printf, 3, 4))) static int text(char *out, size_t size, const char *format,
                                                      ...) {
    va_list args;
    va_start(args, format);
    int n = vsnprintf(out, size, format, args);
    va_end(args);
    return n < 0 ? 0 : (size_t)n < size ? n : (int)size - 1;
}

/* The fd now; one that is not open shows the file it last had (a use after close). */
static struct fd_view view_fd(int64_t fd) {
    struct fd_view v = {(int32_t)fd, FK_NONE, false, 0};
    if (fd < 0 || fd >= (int64_t)RINGER_SIM_MAX_FDS) return v;
    uint32_t f = sim_fd_file((int)fd);
    if (f == SIM_NONE) {
        if (last_open[fd].kind == FK_NONE) return v;
        v = last_open[fd];
        v.closed = true;
        return v;
    }
    v.kind = sim_files[f].kind;
    v.obj = sim_files[f].obj;
    last_open[fd] = v;
    return v;
}

/* ---- names ---- */

static const char *const opcode_names[] = {
    [IORING_OP_NOP] = "NOP",
    [IORING_OP_READV] = "READV",
    [IORING_OP_WRITEV] = "WRITEV",
    [IORING_OP_FSYNC] = "FSYNC",
    [IORING_OP_READ_FIXED] = "READ_FIXED",
    [IORING_OP_WRITE_FIXED] = "WRITE_FIXED",
    [IORING_OP_POLL_ADD] = "POLL_ADD",
    [IORING_OP_POLL_REMOVE] = "POLL_REMOVE",
    [IORING_OP_SYNC_FILE_RANGE] = "SYNC_FILE_RANGE",
    [IORING_OP_SENDMSG] = "SENDMSG",
    [IORING_OP_RECVMSG] = "RECVMSG",
    [IORING_OP_TIMEOUT] = "TIMEOUT",
    [IORING_OP_TIMEOUT_REMOVE] = "TIMEOUT_REMOVE",
    [IORING_OP_ACCEPT] = "ACCEPT",
    [IORING_OP_ASYNC_CANCEL] = "ASYNC_CANCEL",
    [IORING_OP_LINK_TIMEOUT] = "LINK_TIMEOUT",
    [IORING_OP_CONNECT] = "CONNECT",
    [IORING_OP_FALLOCATE] = "FALLOCATE",
    [IORING_OP_OPENAT] = "OPENAT",
    [IORING_OP_CLOSE] = "CLOSE",
    [IORING_OP_FILES_UPDATE] = "FILES_UPDATE",
    [IORING_OP_STATX] = "STATX",
    [IORING_OP_READ] = "READ",
    [IORING_OP_WRITE] = "WRITE",
    [IORING_OP_FADVISE] = "FADVISE",
    [IORING_OP_MADVISE] = "MADVISE",
    [IORING_OP_SEND] = "SEND",
    [IORING_OP_RECV] = "RECV",
    [IORING_OP_OPENAT2] = "OPENAT2",
    [IORING_OP_EPOLL_CTL] = "EPOLL_CTL",
    [IORING_OP_SPLICE] = "SPLICE",
    [IORING_OP_PROVIDE_BUFFERS] = "PROVIDE_BUFFERS",
    [IORING_OP_REMOVE_BUFFERS] = "REMOVE_BUFFERS",
    [IORING_OP_TEE] = "TEE",
    [IORING_OP_SHUTDOWN] = "SHUTDOWN",
    [IORING_OP_RENAMEAT] = "RENAMEAT",
    [IORING_OP_UNLINKAT] = "UNLINKAT",
    [IORING_OP_MKDIRAT] = "MKDIRAT",
    [IORING_OP_SYMLINKAT] = "SYMLINKAT",
    [IORING_OP_LINKAT] = "LINKAT",
    [IORING_OP_MSG_RING] = "MSG_RING",
    [IORING_OP_FSETXATTR] = "FSETXATTR",
    [IORING_OP_SETXATTR] = "SETXATTR",
    [IORING_OP_FGETXATTR] = "FGETXATTR",
    [IORING_OP_GETXATTR] = "GETXATTR",
    [IORING_OP_SOCKET] = "SOCKET",
    [IORING_OP_URING_CMD] = "URING_CMD",
    [IORING_OP_SEND_ZC] = "SEND_ZC",
    [IORING_OP_SENDMSG_ZC] = "SENDMSG_ZC",
};

static const char *opcode_name(uint32_t opcode) {
    const uint32_t count = sizeof opcode_names / sizeof opcode_names[0];
    return opcode < count && opcode_names[opcode] ? opcode_names[opcode] : "OP?";
}

/* A result: bytes or an fd, or a negated errno by name ("-ECANCELED"). */
static void result_text(int64_t value, char *out, size_t size) {
    const char *name = value < 0 && value >= -4095 ? strerrorname_np((int)-value) : NULL;
    if (name != NULL) text(out, size, "-%s", name);
    else text(out, size, "%" PRId64, value);
}

/* Names the set bits of `flags` from `names` (bit i: names[i]), "A|B", or "" for none. */
static void flag_names(uint32_t flags, const char *const *names, uint32_t count, char *out,
                       size_t size) {
    size_t used = 0;
    out[0] = '\0';
    for (uint32_t bit = 0; bit < 32 && used < size; bit++) {
        if (!((flags >> bit) & 1u)) continue;
        if (bit < count && names[bit] != NULL)
            used += (size_t)text(out + used, size - used, "%s%s", used ? "|" : "", names[bit]);
        else used += (size_t)text(out + used, size - used, "%s0x%x", used ? "|" : "", 1u << bit);
    }
}

static const char *const sqe_flag_names[] = {"FIXED_FILE",      "IO_DRAIN", "IO_LINK",
                                             "IO_HARDLINK",     "ASYNC",    "BUFFER_SELECT",
                                             "CQE_SKIP_SUCCESS"};
static const char *const cqe_flag_names[] = {"F_BUFFER", "F_MORE", "F_SOCK_NONEMPTY", "F_NOTIF"};
static const char *const enter_flag_names[] = {"GETEVENTS", "SQ_WAKEUP", "SQ_WAIT", "EXT_ARG",
                                               "REGISTERED_RING"};

static const char *const setup_flag_names[] = {
    "IOPOLL",    "SQPOLL",     "SQ_AFF",        "CQSIZE",       "CLAMP",
    "ATTACH_WQ", "R_DISABLED", "SUBMIT_ALL",    "COOP_TASKRUN", "TASKRUN_FLAG",
    "SQE128",    "CQE32",      "SINGLE_ISSUER", "DEFER_TASKRUN"};

static const char *register_name(uint64_t opcode) {
    static const char *const names[] = {
        "BUFFERS",       "UNREGISTER_BUFFERS",  "FILES",          "UNREGISTER_FILES",
        "EVENTFD",       "UNREGISTER_EVENTFD",  "FILES_UPDATE",   "EVENTFD_ASYNC",
        "PROBE",         "PERSONALITY",         "UNREGISTER_PERSONALITY",
        "RESTRICTIONS",  "ENABLE_RINGS",        "FILES2",         "FILES_UPDATE2",
        "BUFFERS2",      "BUFFERS_UPDATE",      "IOWQ_AFF",       "UNREGISTER_IOWQ_AFF",
        "IOWQ_MAX_WORKERS", "RING_FDS",         "UNREGISTER_RING_FDS", "PBUF_RING",
        "UNREGISTER_PBUF_RING", "SYNC_CANCEL",  "FILE_ALLOC_RANGE"};
    return opcode < sizeof names / sizeof names[0] ? names[opcode] : "(unknown opcode)";
}

/* open(2) flags by name: the access mode, then the other bits. */
static void open_flags_text(uint64_t flags, char *out, size_t size) {
    static const struct {
        int bit;
        const char *name;
    } bits[] = {
        {O_CREAT, "O_CREAT"},       {O_EXCL, "O_EXCL"},         {O_TRUNC, "O_TRUNC"},
        {O_APPEND, "O_APPEND"},     {O_NONBLOCK, "O_NONBLOCK"}, {O_SYNC, "O_SYNC"},
        {O_DSYNC, "O_DSYNC"},       {O_DIRECT, "O_DIRECT"},     {O_DIRECTORY, "O_DIRECTORY"},
        {O_NOFOLLOW, "O_NOFOLLOW"}, {O_CLOEXEC, "O_CLOEXEC"},   {O_NOATIME, "O_NOATIME"}};
    int mode = (int)(flags & O_ACCMODE);
    int used = text(out, size, "%s",
                    mode == O_RDONLY   ? "O_RDONLY"
                    : mode == O_WRONLY ? "O_WRONLY"
                                       : "O_RDWR");
    uint64_t rest = flags & ~(uint64_t)O_ACCMODE;
    for (size_t i = 0; i < sizeof bits / sizeof bits[0]; i++) {
        if ((rest & (uint64_t)bits[i].bit) != (uint64_t)bits[i].bit) continue;
        used += text(out + used, size - (size_t)used, "|%s", bits[i].name);
        rest &= ~(uint64_t)bits[i].bit;
    }
    if (rest) text(out + used, size - (size_t)used, "|0x%" PRIx64, rest);
}

static void socket_text(uint32_t s, char *out, size_t size) {
    struct sockaddr_storage local, peer;
    socklen_t local_size = sizeof local, peer_size = sizeof peer;
    char here[INET6_ADDRSTRLEN + 8] = "?", there[INET6_ADDRSTRLEN + 8] = "";
    if (sim_sock_name(s, (struct sockaddr *)&local, &local_size, false) == 0) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)&local;
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&local;
        char ip[INET6_ADDRSTRLEN];
        if (local.ss_family == AF_INET6) inet_ntop(AF_INET6, &in6->sin6_addr, ip, sizeof ip);
        else inet_ntop(AF_INET, &in->sin_addr, ip, sizeof ip);
        text(here, sizeof here, "%s:%u", ip, ntohs(in->sin_port));
    }
    if (sim_sock_name(s, (struct sockaddr *)&peer, &peer_size, true) == 0)
        text(there, sizeof there, " -> :%u", ntohs(((struct sockaddr_in *)&peer)->sin_port));
    text(out, size, "%s %s%s", sim_sock_is_listener(s) ? "listening socket" : "socket", here,
         there);
}

static void view_text(const struct fd_view *v, char *out, size_t size) {
    static const char *const kinds[] = {"not open",     "file",       "dir",
                                        "block device", "socket",     "eventfd",
                                        "pipe read",    "pipe write", "io_uring"};
    char what[RINGER_SIM_MAX_PATH + 32];
    if (v->fd >= 0 && v->fd <= 2 && v->kind == FK_NONE) {
        text(out, size, "fd %d (%s)", v->fd,
             v->fd == 0   ? "stdin"
             : v->fd == 1 ? "stdout"
                          : "stderr");
        return;
    }
    switch (v->kind) {
    case FK_REG:
    case FK_DIR:
    case FK_BLK: {
        char path[RINGER_SIM_MAX_PATH];
        sim_fs_path_of(v->obj, path, sizeof path);
        text(what, sizeof what, "%s %s", kinds[v->kind], path[0] ? path : "(unlinked)");
        break;
    }
    case FK_SOCK:
        socket_text(v->obj, what, sizeof what);
        break;
    default:
        text(what, sizeof what, "%s", v->kind < 9 ? kinds[v->kind] : "?");
    }
    text(out, size, "fd %d (%s%s)", v->fd, v->closed ? "closed; it was " : "", what);
}

void sim_log_describe_fd(int fd, char *out, size_t size) {
    SIM_ASSERT(out != NULL && size > 0);
    struct fd_view v = view_fd(fd);
    view_text(&v, out, size);
}

/* ---- recording ---- */

/* The shape of a POSIX call's trace: which field (1: b, 2: c, 3: d; 0: none) holds the fd,
 * an argument worth showing, and the result. */
struct call_shape {
    uint8_t code;
    const char *name;
    uint8_t fd_field, arg_field, result_field;
    bool result_is_fd;
    const char *arg_label;
};

static const struct call_shape calls[] = {
    {2, "clock_nanosleep", 0, 2, 0, false, "until ns"},
    {3, "getrandom", 0, 1, 0, false, "bytes"},
    {10, "close", 1, 0, 2, false, NULL},
    {11, "fcntl", 1, 2, 3, false, "cmd"},
    {20, "openat", 0, 2, 3, true, "flags"},
    {21, "statx", 0, 0, 3, false, NULL},
    {22, "fstatat", 0, 0, 3, false, NULL},
    {23, "fstat", 1, 0, 2, false, NULL},
    {24, "fstatfs", 1, 0, 2, false, NULL},
    {25, "unlinkat", 0, 0, 3, false, NULL},
    {26, "mkdirat", 0, 0, 3, false, NULL},
    {30, "pread", 1, 2, 3, false, "bytes"},
    {31, "pwrite", 1, 2, 3, false, "bytes"},
    {32, "fsync", 1, 0, 3, false, NULL},
    {33, "flock", 1, 2, 3, false, "op"},
    {34, "fallocate", 1, 2, 3, false, "bytes"},
    {35, "ftruncate", 1, 2, 3, false, "to"},
    {36, "ioctl", 1, 2, 3, false, "request 0x"},
    {37, "lseek", 1, 2, 3, false, "offset"},
    {40, "eventfd", 0, 0, 3, true, NULL},
    {41, "pipe2", 0, 0, 2, false, NULL},
    {42, "read", 1, 2, 3, false, "bytes"},
    {43, "write", 1, 2, 3, false, "bytes"},
    {44, "recv", 1, 2, 3, false, "bytes"},
    {50, "socket", 0, 0, 3, true, NULL},
    {51, "setsockopt", 1, 2, 3, false, "option"},
    {52, "bind", 1, 0, 2, false, NULL},
    {53, "listen", 1, 2, 3, false, "backlog"},
    {54, "getsockname", 1, 0, 2, false, NULL},
    {55, "shutdown", 1, 2, 3, false, "how"},
    {56, "accept4", 1, 0, 3, true, NULL},
    {57, "connect", 1, 0, 2, false, NULL},
    {60, "mmap", 1, 0, 3, false, NULL},
};

static const struct call_shape *call_shape(uint64_t code) {
    for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++) {
        if (calls[i].code == code) return &calls[i];
    }
    return NULL;
}

static struct op_view *op_slot(uint64_t seq) {
    return &ops[seq % OPS_TRACKED];
}

/* The fd an event names (and for the CQE of an op, the op's own record). */
static uint64_t field(const struct logged *e, uint8_t which) {
    return which == 1 ? e->b : which == 2 ? e->c : e->d;
}

/* The fds of a POSIX call, as they are now. */
static void attach_call(struct logged *e) {
    const struct call_shape *shape = call_shape(e->a);
    if (shape == NULL) return;
    if (shape->fd_field) e->fd = view_fd((int32_t)field(e, shape->fd_field));
    if (e->a == 10) e->fd.closed = false; /* close: traced once it is done */
    int64_t result = shape->result_field ? (int64_t)field(e, shape->result_field) : -1;
    if (shape->result_is_fd && result >= 0) e->res = view_fd(result);
}

/* What the event names, captured now: its fds, and for a CQE its op's SQE. */
static void attach(struct logged *e) {
    e->fd = e->res = (struct fd_view){-1, FK_NONE, false, 0};
    switch (e->kind) {
    case TRACE_SQE: {
        e->op = e->a;
        e->fd = view_fd((int32_t)(uint32_t)e->b);
        struct op_view *slot = op_slot(e->a);
        *slot = (struct op_view){e->a, (uint8_t)(e->b >> 32), e->fd};
        return;
    }
    case TRACE_CQE: {
        e->op = e->a;
        const struct op_view *slot = op_slot(e->a);
        if (slot->seq != e->a) return;
        e->fd = slot->fd;
        bool new_fd = slot->opcode == IORING_OP_OPENAT || slot->opcode == IORING_OP_ACCEPT;
        if (new_fd && (int32_t)e->b >= 0) e->res = view_fd((int32_t)e->b);
        return;
    }
    case TRACE_POSIX:
        attach_call(e);
        return;
    case TRACE_FAULT:
        e->op = e->a >= RINGER_SIM_FAULT_CQE_DROP ? context_op : 0; /* not the enter's own */
        if (e->op && op_slot(e->op)->seq == e->op) e->fd = op_slot(e->op)->fd;
        return;
    default:
        return;
    }
}

static void emit(const struct logged *e);

void sim_log_event(uint32_t kind, uint64_t a, uint64_t b, uint64_t c, uint64_t d) {
    struct logged *e = &tail[tail_count % TAIL];
    *e = (struct logged){.kind = (uint8_t)kind,
                         .a = a,
                         .b = b,
                         .c = c,
                         .d = d,
                         .now = sim_now,
                         .first = !tail_count};
    tail_count++;
    attach(e);
    if (kind != TRACE_FAULT) context_op = 0;
    if (kind == TRACE_ENTER && ((int64_t)d == -EBADF || (int64_t)d == -EOPNOTSUPP) &&
        sim_crashed_ring_fd((int)a))
        sim_oracle_fail("io_uring_enter on fd %d: an io_uring used after ringer_sim_crash "
                        "ended its boot (ringer_init the io again; see ringer_sim.h)",
                        (int)a);
    if (sink != NULL || hook != NULL || ringer_sim_timeline_is_open()) emit(e);
}

void ringer_sim_log(const char *format, ...) {
    SIM_ASSERT(format != NULL);
    uint32_t line = user_count++ % USER_LINES;
    va_list args;
    va_start(args, format);
    vsnprintf(user_lines[line], USER_LINE_MAX, format, args);
    va_end(args);
    struct logged *e = &tail[tail_count++ % TAIL];
    *e = (struct logged){.kind = LOG_USER, .now = sim_now, .user_line = line};
    e->fd = e->res = (struct fd_view){-1, FK_NONE, false, 0};
    if (sink != NULL || hook != NULL || ringer_sim_timeline_is_open()) emit(e);
}

/* ---- text ---- */

static int call_text(const struct logged *e, struct ringer_sim_event *ev, char *out, size_t size) {
    const struct call_shape *shape = call_shape(e->a);
    if (shape == NULL) return text(out, size, "call   #%" PRIu64 " (unknown)", e->a);
    char fd[RINGER_SIM_MAX_PATH + 48] = "", arg[176] = "", res[RINGER_SIM_MAX_PATH + 48] = "";
    if (shape->fd_field) {
        ev->fd = e->fd.fd;
        view_text(&e->fd, fd, sizeof fd);
    }
    if (e->a == 20) { /* openat */
        char flags[160];
        open_flags_text(e->c, flags, sizeof flags);
        text(arg, sizeof arg, " %s", flags);
    } else if (shape->arg_field && shape->arg_label[strlen(shape->arg_label) - 1] == 'x')
        text(arg, sizeof arg, " %s%" PRIx64, shape->arg_label, field(e, shape->arg_field));
    else if (shape->arg_field)
        text(arg, sizeof arg, " %s %" PRIu64, shape->arg_label, field(e, shape->arg_field));
    if (shape->result_field) {
        ev->result = (int64_t)field(e, shape->result_field);
        if (shape->result_is_fd && ev->result >= 0) {
            view_text(&e->res, res, sizeof res);
        } else {
            result_text(ev->result, res, sizeof res);
        }
    }
    return text(out, size, "call   %s%s%s%s = %s", shape->name, fd[0] ? " " : "", fd, arg,
                res[0] ? res : "0");
}

static int sqe_text(const struct logged *e, struct ringer_sim_event *ev, char *out, size_t size) {
    uint8_t opcode = (uint8_t)(e->b >> 32);
    uint32_t len = (uint32_t)(e->c >> 32), flags = (uint32_t)(e->c & 0xff);
    char fd[RINGER_SIM_MAX_PATH + 48] = "", what[96] = "", flag_text[96];
    ev->opcode = opcode;
    ev->fd = e->fd.fd;
    ev->flags = flags;
    if (e->fd.fd >= 0) view_text(&e->fd, fd, sizeof fd);
    bool rw = opcode == IORING_OP_READ || opcode == IORING_OP_WRITE || opcode == IORING_OP_READV ||
              opcode == IORING_OP_WRITEV || opcode == IORING_OP_READ_FIXED ||
              opcode == IORING_OP_WRITE_FIXED;
    if (rw) text(what, sizeof what, " %u bytes at %" PRIu64, len, e->d);
    else if (opcode == IORING_OP_SEND || opcode == IORING_OP_RECV)
        text(what, sizeof what, " %u bytes", len);
    flag_names(flags, sqe_flag_names, 7, flag_text, sizeof flag_text);
    return text(out, size, "sqe    #%" PRIu64 " %s%s%s%s%s%s", e->a, opcode_name(opcode),
                fd[0] ? " " : "", fd, what, flag_text[0] ? " flags " : "", flag_text);
}

static int cqe_text(const struct logged *e, struct ringer_sim_event *ev, char *out, size_t size) {
    const struct op_view *slot = op_slot(e->a);
    bool known = slot->seq == e->a;
    char fd[RINGER_SIM_MAX_PATH + 48] = "", res[RINGER_SIM_MAX_PATH + 48], flag_text[96];
    ev->opcode = known ? slot->opcode : 0;
    ev->fd = e->fd.fd;
    ev->result = (int32_t)e->b;
    ev->flags = (uint32_t)e->c;
    if (e->fd.fd >= 0) view_text(&e->fd, fd, sizeof fd);
    bool new_fd = known && ev->result >= 0 &&
                  (slot->opcode == IORING_OP_OPENAT || slot->opcode == IORING_OP_ACCEPT);
    if (new_fd) {
        view_text(&e->res, res, sizeof res);
    } else {
        result_text(ev->result, res, sizeof res);
    }
    flag_names((uint32_t)e->c, cqe_flag_names, 4, flag_text, sizeof flag_text);
    return text(out, size, "cqe    #%" PRIu64 " %s%s%s = %s%s%s", e->a,
                known ? opcode_name(slot->opcode) : "", fd[0] ? " " : "", fd, res,
                flag_text[0] ? " " : "", flag_text);
}

static int enter_text(const struct logged *e, struct ringer_sim_event *ev, char *out, size_t size) {
    char res[32], flag_text[96];
    ev->result = (int64_t)e->d;
    result_text(ev->result, res, sizeof res);
    if (e->a == 0x5e7) { /* io_uring_queue_init */
        flag_names((uint32_t)e->c, setup_flag_names, 14, flag_text, sizeof flag_text);
        return text(out, size, "setup  io_uring %" PRIu64 " entries%s%s = %s", e->b,
                    flag_text[0] ? " flags " : "", flag_text, res);
    }
    if (e->a == 0x4e9) /* io_uring_register: b is the fd, c the opcode */
        return text(out, size, "call   io_uring_register fd %" PRIu64 " %s = %s", e->b,
                    register_name(e->c), res);
    flag_names((uint32_t)e->c, enter_flag_names, 5, flag_text, sizeof flag_text);
    return text(out, size, "enter  ring %" PRIu64 " submit %" PRIu64 " wait %" PRIu64 "%s%s = %s",
                e->a, e->b, e->c >> 32, flag_text[0] ? " " : "", flag_text, res);
}

static int fault_text(const struct logged *e, struct ringer_sim_event *ev, char *out, size_t size) {
    const char *name = ringer_sim_fault_name((uint32_t)e->a);
    ev->fault_class = (uint8_t)e->a;
    ev->fd = e->fd.fd;
    if (e->op == 0) return text(out, size, "fault  %s", name ? name : "?");
    const struct op_view *slot = op_slot(e->op);
    return text(out, size, "fault  %s on #%" PRIu64 " %s", name ? name : "?", e->op,
                slot->seq == e->op ? opcode_name(slot->opcode) : "");
}

/* The event's fields and readable text; false for events the readable log leaves out
 * (clock reads, the configuration after its first line). */
static bool decode(const struct logged *e, struct ringer_sim_event *ev, char *out, size_t size) {
    *ev = (struct ringer_sim_event){.fd = -1, .op = e->op, .time_ns = e->now, .text = out};
    out[0] = '\0';
    switch (e->kind) {
    case TRACE_ENTER:
        ev->kind = RINGER_SIM_EVENT_ENTER;
        enter_text(e, ev, out, size);
        break;
    case TRACE_SQE:
        ev->kind = RINGER_SIM_EVENT_SQE;
        sqe_text(e, ev, out, size);
        break;
    case TRACE_CQE:
        ev->kind = RINGER_SIM_EVENT_CQE;
        cqe_text(e, ev, out, size);
        break;
    case TRACE_POSIX:
        if (e->a == 1) return false; /* clock_gettime: every clock read */
        ev->kind = RINGER_SIM_EVENT_CALL;
        call_text(e, ev, out, size);
        break;
    case TRACE_FAULT:
        ev->kind = RINGER_SIM_EVENT_FAULT;
        fault_text(e, ev, out, size);
        break;
    case TRACE_CRASH:
        ev->kind = RINGER_SIM_EVENT_CRASH;
        text(out, size, "crash  power loss: every ring, fd and op in flight is gone");
        break;
    case TRACE_CONFIG: {
        if (!e->first) return false;
        ev->kind = RINGER_SIM_EVENT_CONFIG;
        char line[TEXT_MAX];
        ringer_sim_describe(line, sizeof line);
        text(out, size, "world  %s", line);
        break;
    }
    case LOG_USER:
        ev->kind = RINGER_SIM_EVENT_USER;
        text(out, size, "log    %s", user_lines[e->user_line]);
        break;
    default:
        return false;
    }
    return true;
}

static void print_time(FILE *file, uint64_t ns) {
    fprintf(file, "%8" PRIu64 ".%03" PRIu64 " ms  ", ns / 1000000u, ns / 1000u % 1000u);
}

static void print_raw(FILE *file, const struct logged *e) {
    static const char *const kinds[] = {"?",     "enter", "sqe",   "cqe",
                                        "posix", "fault", "crash", "config"};
    if (e->kind == LOG_USER) {
        fprintf(file, "log    %s @%" PRIu64 "\n", user_lines[e->user_line], e->now);
        return;
    }
    fprintf(file, "%-6s %" PRIx64 " %" PRIx64 " %" PRIx64 " %" PRIx64 " @%" PRIu64 "\n",
            kinds[e->kind < 8 ? e->kind : 0], e->a, e->b, e->c, e->d, e->now);
}

static void emit(const struct logged *e) {
    char text[TEXT_MAX];
    struct ringer_sim_event ev;
    bool shown = decode(e, &ev, text, sizeof text);
    if (sink != NULL && sink_format == RINGER_SIM_LOG_RAW) print_raw(sink, e);
    else if (sink != NULL && shown) {
        print_time(sink, e->now);
        fprintf(sink, "%s\n", text);
    }
    if (!shown) return;
    if (ringer_sim_timeline_is_open()) sim_timeline_event(&ev);
    if (hook != NULL) hook(&ev, hook_arg);
}

void ringer_sim_print_events(FILE *file, uint32_t count) {
    SIM_ASSERT(file != NULL);
    if (count > TAIL) count = TAIL;
    uint64_t first = tail_count > TAIL ? tail_count - TAIL : 0;
    /* the last `count` shown events: walk back from the newest */
    uint64_t start = tail_count, shown = 0;
    char text[TEXT_MAX];
    struct ringer_sim_event ev;
    while (start > first && shown < count) {
        start--;
        if (decode(&tail[start % TAIL], &ev, text, sizeof text)) shown++;
    }
    for (uint64_t i = start; i < tail_count; i++) {
        if (!decode(&tail[i % TAIL], &ev, text, sizeof text)) continue;
        fputs("  ", file);
        print_time(file, tail[i % TAIL].now);
        fprintf(file, "%s\n", text);
    }
}

void sim_log_print_tail(void) {
    fprintf(stderr, "  the last kernel events, oldest first (virtual time; #N numbers an op):\n");
    ringer_sim_print_events(stderr, TAIL_PRINTED);
}
