/*
 * io_uring_register (kernel-semantics.md §2): the probe, registered files (with updates,
 * sparse tables, tags and allocation ranges) and buffers, the eventfd, personalities,
 * restrictions and R_DISABLED rings, registered ring fds, and the io-wq knobs, with the
 * argument checks of Linux's io_uring/register.c and rsrc.c. Tables are static, sized by
 * RINGER_SIM_MAX_FIXED_FILES and RINGER_SIM_MAX_FIXED_BUFFERS.
 */
#include "sim_internal.h"

#define MAX_RING_FDS      16u /* IO_RINGFD_REG_MAX */
#define MAX_PERSONALITIES 64u
#define MAX_REG_BUF_LEN   (1ull << 30)

struct fixed_buf {
    uint64_t addr, len, tag;
};
struct restrictions {
    bool registered; /* IORING_REGISTER_RESTRICTIONS was called */
    uint64_t register_ops, sqe_ops;
    uint8_t flags_allowed, flags_required;
};

static uint32_t fixed_files[RINGER_SIM_MAX_RINGS][RINGER_SIM_MAX_FIXED_FILES];
static uint64_t file_tags[RINGER_SIM_MAX_RINGS][RINGER_SIM_MAX_FIXED_FILES];
static struct fixed_buf fixed_bufs[RINGER_SIM_MAX_RINGS][RINGER_SIM_MAX_FIXED_BUFFERS];
static uint32_t alloc_lo[RINGER_SIM_MAX_RINGS], alloc_hi[RINGER_SIM_MAX_RINGS];
static bool personality_used[RINGER_SIM_MAX_RINGS][MAX_PERSONALITIES];
static struct restrictions restricted[RINGER_SIM_MAX_RINGS];
static uint32_t ring_fds[MAX_RING_FDS]; /* ring description + 1, 0: empty */

void sim_register_reset(void) {
    memset(alloc_lo, 0, sizeof alloc_lo);
    memset(alloc_hi, 0, sizeof alloc_hi);
    memset(personality_used, 0, sizeof personality_used);
    memset(restricted, 0, sizeof restricted);
    memset(ring_fds, 0, sizeof ring_fds);
}

/* A removed resource with a tag posts a CQE {user_data = tag, res = 0}. */
static void post_tag(uint32_t ring, uint64_t tag) {
    if (tag) sim_cq_post(ring, tag, 0, 0, 0, false);
}

/* ---- files ---- */

static void slot_clear(uint32_t ring, uint32_t i) {
    uint32_t f = fixed_files[ring][i];
    if (f == SIM_NONE) return;
    fixed_files[ring][i] = SIM_NONE;
    sim_file_unref(f);
    post_tag(ring, file_tags[ring][i]);
    file_tags[ring][i] = 0;
}

static void files_drop(uint32_t ring) {
    struct sim_ring *r = &sim_rings[ring];
    for (uint32_t i = 0; i < r->nr_files; i++) slot_clear(ring, i);
    r->nr_files = 0;
    r->files_registered = false;
    alloc_lo[ring] = alloc_hi[ring] = 0;
}

/* fd into slot i (-1: leave it empty); a ring fd cannot be registered. */
static int slot_set(uint32_t ring, uint32_t i, int fd, uint64_t tag) {
    if (fd == -1) return tag ? -EINVAL : 0;
    uint32_t f = sim_fd_file_any(fd);
    if (f == SIM_NONE || sim_files[f].kind == FK_RING) return -EBADF;
    sim_file_ref(f);
    fixed_files[ring][i] = f;
    file_tags[ring][i] = tag;
    return 0;
}

static int files_register(uint32_t ring, const int *fds, const uint64_t *tags, uint32_t nr) {
    struct sim_ring *r = &sim_rings[ring];
    if (r->files_registered) return -EBUSY;
    if (nr == 0) return -EINVAL;
    if (nr > RINGER_SIM_MAX_FIXED_FILES) return -EMFILE;
    for (uint32_t i = 0; i < nr; i++) fixed_files[ring][i] = SIM_NONE, file_tags[ring][i] = 0;
    r->nr_files = nr;
    r->files_registered = true;
    alloc_lo[ring] = 0;
    alloc_hi[ring] = nr;
    for (uint32_t i = 0; i < nr && fds != NULL; i++) {
        int err = slot_set(ring, i, fds[i], tags ? tags[i] : 0);
        if (err) {
            for (uint32_t j = 0; j < i; j++) file_tags[ring][j] = 0; /* no tag CQEs on failure */
            files_drop(ring);
            return err;
        }
    }
    return 0;
}

int sim_files_update(uint32_t ring, uint32_t off, int *fds, const uint64_t *tags, uint32_t nr) {
    struct sim_ring *r = &sim_rings[ring];
    if (!r->files_registered) return -ENXIO;
    if (off == IORING_FILE_INDEX_ALLOC) {
        uint32_t done = 0;
        for (; done < nr; done++) {
            uint32_t f = sim_fd_file_any(fds[done]);
            if (f == SIM_NONE) return done ? (int)done : -EBADF;
            int slot = sim_fixed_install(ring, IORING_FILE_INDEX_ALLOC - 1, f);
            if (slot < 0) return done ? (int)done : slot;
            fds[done] = slot;
        }
        return (int)done;
    }
    if ((uint64_t)off + nr > r->nr_files) return -EINVAL;
    int err = 0;
    uint32_t done = 0;
    for (; done < nr; done++) {
        uint64_t tag = tags ? tags[done] : 0;
        if (fds[done] == IORING_REGISTER_FILES_SKIP) {
            if (tag) err = -EINVAL;
            if (tag) break;
            continue;
        }
        slot_clear(ring, off + done);
        if ((err = slot_set(ring, off + done, fds[done], tag)) != 0) break;
    }
    return done ? (int)done : err;
}

uint32_t sim_fixed_file_get(uint32_t ring, uint32_t index) {
    const struct sim_ring *r = &sim_rings[ring];
    if (index >= r->nr_files || fixed_files[ring][index] == SIM_NONE) return SIM_NONE;
    uint32_t f = fixed_files[ring][index];
    sim_file_ref(f);
    return f;
}

/* Installs f in `slot`, or in the lowest free slot of the allocation range for
 * IORING_FILE_INDEX_ALLOC - 1: 0 or the slot allocated, or -errno. */
int sim_fixed_install(uint32_t ring, uint32_t slot, uint32_t f) {
    const struct sim_ring *r = &sim_rings[ring];
    if (!r->files_registered) return -ENXIO;
    bool alloc = slot == IORING_FILE_INDEX_ALLOC - 1;
    if (alloc) {
        for (slot = alloc_lo[ring]; slot < alloc_hi[ring] && fixed_files[ring][slot] != SIM_NONE;)
            slot++;
        if (slot >= alloc_hi[ring]) return -ENFILE;
    }
    if (slot >= r->nr_files) return -EINVAL;
    slot_clear(ring, slot);
    sim_file_ref(f);
    fixed_files[ring][slot] = f;
    return alloc ? (int)slot : 0;
}

int sim_fixed_remove(uint32_t ring, uint32_t slot) {
    const struct sim_ring *r = &sim_rings[ring];
    if (!r->files_registered) return -ENXIO;
    if (slot >= r->nr_files) return -EINVAL;
    if (fixed_files[ring][slot] == SIM_NONE) return -EBADF;
    slot_clear(ring, slot);
    return 0;
}

/* ---- buffers ---- */

static int buf_set(uint32_t ring, uint32_t i, const struct iovec *iov, uint64_t tag,
                   bool sparse_ok) {
    if (iov->iov_base == NULL) {
        if (iov->iov_len || !sparse_ok) return iov->iov_len ? -EFAULT : -EINVAL;
        if (tag) return -EINVAL;
    } else if (iov->iov_len == 0 || iov->iov_len > MAX_REG_BUF_LEN) {
        return -EFAULT;
    }
    fixed_bufs[ring][i] = (struct fixed_buf){(uint64_t)(uintptr_t)iov->iov_base, iov->iov_len, tag};
    return 0;
}

static void bufs_drop(uint32_t ring) {
    struct sim_ring *r = &sim_rings[ring];
    for (uint32_t i = 0; i < r->nr_bufs; i++) {
        if (fixed_bufs[ring][i].addr) post_tag(ring, fixed_bufs[ring][i].tag);
    }
    r->nr_bufs = 0;
    r->bufs_registered = false;
}

static int bufs_register(uint32_t ring, const struct iovec *iovs, const uint64_t *tags, uint32_t nr,
                         bool sparse) {
    struct sim_ring *r = &sim_rings[ring];
    if (r->bufs_registered) return -EBUSY;
    if (nr == 0 || nr > RINGER_SIM_MAX_FIXED_BUFFERS) return -EINVAL;
    for (uint32_t i = 0; i < nr; i++) {
        struct iovec none = {NULL, 0};
        int err = buf_set(ring, i, sparse ? &none : &iovs[i], tags ? tags[i] : 0, sparse || tags);
        if (err) return err;
    }
    r->nr_bufs = nr;
    r->bufs_registered = true;
    return 0;
}

static int bufs_update(uint32_t ring, uint32_t off, const struct iovec *iovs, const uint64_t *tags,
                       uint32_t nr) {
    struct sim_ring *r = &sim_rings[ring];
    if (!r->bufs_registered) return -ENXIO;
    if ((uint64_t)off + nr > r->nr_bufs) return -EINVAL;
    uint32_t done = 0;
    int err = 0;
    for (; done < nr; done++) {
        struct fixed_buf old = fixed_bufs[ring][off + done];
        if ((err = buf_set(ring, off + done, &iovs[done], tags ? tags[done] : 0, true)) != 0) break;
        if (old.addr) post_tag(ring, old.tag);
    }
    return done ? (int)done : err;
}

bool sim_fixed_buf(uint32_t ring, uint32_t index, uint64_t *addr, uint64_t *len) {
    const struct sim_ring *r = &sim_rings[ring];
    if (index >= r->nr_bufs) return false;
    *addr = fixed_bufs[ring][index].addr;
    *len = fixed_bufs[ring][index].len;
    return true;
}

void sim_register_ring_exit(uint32_t ring) {
    struct sim_ring *r = &sim_rings[ring];
    for (uint32_t i = 0; i < r->nr_files; i++) file_tags[ring][i] = 0; /* no CQEs any more */
    for (uint32_t i = 0; i < r->nr_bufs; i++) fixed_bufs[ring][i].tag = 0;
    files_drop(ring);
    bufs_drop(ring);
    if (r->eventfd_file != SIM_NONE) sim_file_unref(r->eventfd_file);
    r->eventfd_file = SIM_NONE;
    memset(personality_used[ring], 0, sizeof personality_used[ring]);
    memset(&restricted[ring], 0, sizeof restricted[ring]);
}

/* ---- the probe, eventfd, personalities, restrictions ---- */

static int probe(struct io_uring_probe *p, uint32_t nr) {
    if (p == NULL) return -EFAULT;
    if (nr > IORING_OP_LAST) nr = IORING_OP_LAST;
    const uint8_t *bytes = (const uint8_t *)p;
    for (size_t i = 0; i < sizeof *p + nr * sizeof p->ops[0]; i++) {
        if (bytes[i]) return -EINVAL; /* the kernel wants a zeroed probe */
    }
    p->last_op = (uint8_t)sim_last_op();
    for (uint32_t op = 0; op < nr; op++) {
        p->ops[op].op = (uint8_t)op;
        p->ops[op].flags = sim_op_supported(op) ? IO_URING_OP_SUPPORTED : 0;
    }
    p->ops_len = (uint8_t)nr;
    return 0;
}

static int eventfd_register(uint32_t ring, const int *fd, uint32_t nr, bool async) {
    struct sim_ring *r = &sim_rings[ring];
    if (r->eventfd_file != SIM_NONE) return -EBUSY;
    if (nr != 1) return -EINVAL;
    if (fd == NULL) return -EFAULT;
    uint32_t f = sim_fd_file(*fd);
    if (f == SIM_NONE) return -EBADF;
    if (sim_files[f].kind != FK_EVENT) return -EINVAL;
    sim_file_ref(f);
    r->eventfd_file = f;
    r->eventfd_async = async;
    return 0;
}

static int eventfd_unregister(uint32_t ring) {
    struct sim_ring *r = &sim_rings[ring];
    if (r->eventfd_file == SIM_NONE) return -ENXIO;
    sim_file_unref(r->eventfd_file);
    r->eventfd_file = SIM_NONE;
    return 0;
}

static int personality_add(uint32_t ring) {
    for (uint32_t id = 1; id < MAX_PERSONALITIES; id++) {
        if (!personality_used[ring][id]) {
            personality_used[ring][id] = true;
            return (int)id;
        }
    }
    return -EBUSY;
}

bool sim_personality_known(uint32_t ring, uint16_t personality) {
    return personality < MAX_PERSONALITIES && personality_used[ring][personality];
}

static int restrictions_register(uint32_t ring, const struct io_uring_restriction *res,
                                 uint32_t nr) {
    struct restrictions *rs = &restricted[ring];
    if (!sim_rings[ring].disabled) return -EBADFD; /* only before the ring is enabled */
    if (rs->registered) return -EBUSY;
    if (res == NULL || nr == 0 || nr > 256) return -EINVAL;
    struct restrictions built = {.registered = true};
    for (uint32_t i = 0; i < nr; i++) {
        switch (res[i].opcode) {
        case IORING_RESTRICTION_REGISTER_OP:
            if (res[i].register_op >= 64) return -EINVAL;
            built.register_ops |= 1ull << res[i].register_op;
            break;
        case IORING_RESTRICTION_SQE_OP:
            if (res[i].sqe_op >= 64) return -EINVAL;
            built.sqe_ops |= 1ull << res[i].sqe_op;
            break;
        case IORING_RESTRICTION_SQE_FLAGS_ALLOWED:
            built.flags_allowed = res[i].sqe_flags;
            break;
        case IORING_RESTRICTION_SQE_FLAGS_REQUIRED:
            built.flags_required = res[i].sqe_flags;
            break;
        default:
            return -EINVAL;
        }
    }
    *rs = built;
    return 0;
}

bool sim_restriction_allows(uint32_t ring, const struct io_uring_sqe *sqe) {
    const struct restrictions *rs = &restricted[ring];
    if (!rs->registered) return true;
    if (sqe->opcode >= 64 || !(rs->sqe_ops & (1ull << sqe->opcode))) return false;
    if ((sqe->flags & rs->flags_required) != rs->flags_required) return false;
    return (sqe->flags & ~(rs->flags_allowed | rs->flags_required)) == 0;
}

/* ---- registered ring fds ---- */

static int ring_fds_register(struct io_uring_rsrc_update *up, uint32_t nr) {
    if (up == NULL) return -EFAULT;
    if (nr > MAX_RING_FDS) return -EINVAL;
    uint32_t done = 0;
    for (; done < nr; done++) {
        uint32_t r = sim_ring_by_fd((int)up[done].data);
        if (r == SIM_NONE) return done ? (int)done : -EBADF;
        uint32_t slot = up[done].offset;
        if (slot == UINT32_MAX) {
            for (slot = 0; slot < MAX_RING_FDS && ring_fds[slot]; slot++) {
            }
            if (slot == MAX_RING_FDS) return done ? (int)done : -EBUSY;
        } else if (slot >= MAX_RING_FDS) {
            return done ? (int)done : -EINVAL;
        }
        if (ring_fds[slot]) sim_file_unref(ring_fds[slot] - 1);
        sim_file_ref(sim_rings[r].file);
        ring_fds[slot] = sim_rings[r].file + 1;
        up[done].offset = slot;
    }
    return (int)done;
}

static int ring_fds_unregister(const struct io_uring_rsrc_update *up, uint32_t nr) {
    if (up == NULL) return -EFAULT;
    if (nr > MAX_RING_FDS) return -EINVAL;
    uint32_t done = 0;
    for (; done < nr; done++) {
        uint32_t slot = up[done].offset;
        if (slot >= MAX_RING_FDS) return done ? (int)done : -EINVAL;
        if (ring_fds[slot]) sim_file_unref(ring_fds[slot] - 1);
        ring_fds[slot] = 0;
    }
    return (int)done;
}

int sim_registered_ring(unsigned int index, uint32_t *ring) {
    if (index >= MAX_RING_FDS) return -EINVAL;
    if (ring_fds[index] == 0) return -EBADF;
    uint32_t f = ring_fds[index] - 1;
    *ring = sim_files[f].obj;
    if (sim_files[f].kind != FK_RING || !sim_rings[*ring].used || sim_rings[*ring].file != f)
        return -EBADF;
    return 0;
}

/* ---- the system call ---- */

static int rsrc_register(uint32_t ring, uint32_t opcode, const void *arg, uint32_t size) {
    const struct io_uring_rsrc_register *rr = arg;
    if (size != sizeof *rr) return -EINVAL;
    if (rr == NULL) return -EFAULT;
    if (rr->resv2 || (rr->flags & ~IORING_RSRC_REGISTER_SPARSE)) return -EINVAL;
    bool sparse = (rr->flags & IORING_RSRC_REGISTER_SPARSE) != 0;
    if (sparse && rr->data) return -EINVAL;
    const uint64_t *tags = (const uint64_t *)(uintptr_t)rr->tags;
    if (opcode == IORING_REGISTER_FILES2)
        return files_register(ring, sparse ? NULL : (const int *)(uintptr_t)rr->data, tags, rr->nr);
    return bufs_register(ring, (const struct iovec *)(uintptr_t)rr->data, tags, rr->nr, sparse);
}

static int rsrc_update(uint32_t ring, uint32_t opcode, const void *arg, uint32_t size) {
    const struct io_uring_rsrc_update2 *up = arg;
    if (size != sizeof *up) return -EINVAL;
    if (up == NULL) return -EFAULT;
    if (up->resv || up->resv2) return -EINVAL;
    const uint64_t *tags = (const uint64_t *)(uintptr_t)up->tags;
    if (opcode == IORING_REGISTER_FILES_UPDATE2)
        return sim_files_update(ring, up->offset, (int *)(uintptr_t)up->data, tags, up->nr);
    return bufs_update(ring, up->offset, (const struct iovec *)(uintptr_t)up->data, tags, up->nr);
}

static int files_update_v1(uint32_t ring, const struct io_uring_files_update *up, uint32_t nr) {
    if (nr == 0) return -EINVAL;
    if (up == NULL) return -EFAULT;
    if (up->resv) return -EINVAL;
    return sim_files_update(ring, up->offset, (int *)(uintptr_t)up->fds, NULL, nr);
}

static int alloc_range(uint32_t ring, const struct io_uring_file_index_range *range, uint32_t nr) {
    if (nr) return -EINVAL;
    if (range == NULL) return -EFAULT;
    if (range->resv) return -EINVAL;
    if (!sim_rings[ring].files_registered) return -ENXIO;
    uint64_t end = (uint64_t)range->off + range->len;
    if (end > UINT32_MAX) return -EOVERFLOW;
    if (end > sim_rings[ring].nr_files) return -EINVAL;
    alloc_lo[ring] = range->off;
    alloc_hi[ring] = (uint32_t)end;
    return 0;
}

static int enable_rings(uint32_t ring) {
    if (!sim_rings[ring].disabled) return -EBADFD;
    sim_rings[ring].disabled = false;
    return 0;
}

static int iowq_max_workers(unsigned int *values, uint32_t nr) {
    static const unsigned int limits[2] = {8, 1024}; /* bounded, unbounded */
    if (nr != 2) return -EINVAL;
    if (values == NULL) return -EFAULT;
    values[0] = limits[0];
    values[1] = limits[1];
    return 0;
}

/* Calls that take no argument (arg NULL, nr 0). */
static int no_arg_call(uint32_t ring, uint32_t opcode, const void *arg, uint32_t nr) {
    struct sim_ring *r = &sim_rings[ring];
    if (arg || (nr && opcode != IORING_UNREGISTER_PERSONALITY)) return -EINVAL;
    switch (opcode) {
    case IORING_UNREGISTER_BUFFERS:
        if (!r->bufs_registered) return -ENXIO;
        bufs_drop(ring);
        return 0;
    case IORING_UNREGISTER_FILES:
        if (!r->files_registered) return -ENXIO;
        files_drop(ring);
        return 0;
    case IORING_UNREGISTER_EVENTFD:
        return eventfd_unregister(ring);
    case IORING_REGISTER_PERSONALITY:
        return personality_add(ring);
    case IORING_UNREGISTER_PERSONALITY:
        if (!sim_personality_known(ring, (uint16_t)nr) || nr == 0) return -EINVAL;
        personality_used[ring][nr] = false;
        return 0;
    case IORING_REGISTER_ENABLE_RINGS:
        return enable_rings(ring);
    case IORING_UNREGISTER_IOWQ_AFF:
        return 0;
    default:
        return -EINVAL;
    }
}

static int register_call(uint32_t ring, uint32_t opcode, void *arg, uint32_t nr) {
    switch (opcode) {
    case IORING_REGISTER_BUFFERS:
        return arg == NULL ? -EFAULT : bufs_register(ring, arg, NULL, nr, false);
    case IORING_REGISTER_FILES:
        return arg == NULL ? -EFAULT : files_register(ring, arg, NULL, nr);
    case IORING_REGISTER_FILES2:
    case IORING_REGISTER_BUFFERS2:
        return rsrc_register(ring, opcode, arg, nr);
    case IORING_REGISTER_FILES_UPDATE:
        return files_update_v1(ring, arg, nr);
    case IORING_REGISTER_FILES_UPDATE2:
    case IORING_REGISTER_BUFFERS_UPDATE:
        return rsrc_update(ring, opcode, arg, nr);
    case IORING_REGISTER_EVENTFD:
    case IORING_REGISTER_EVENTFD_ASYNC:
        return eventfd_register(ring, arg, nr, opcode == IORING_REGISTER_EVENTFD_ASYNC);
    case IORING_REGISTER_PROBE:
        return probe(arg, nr);
    case IORING_REGISTER_RESTRICTIONS:
        return restrictions_register(ring, arg, nr);
    case IORING_REGISTER_IOWQ_AFF:
        return arg == NULL || nr == 0 ? -EINVAL : 0;
    case IORING_REGISTER_IOWQ_MAX_WORKERS:
        return iowq_max_workers(arg, nr);
    case IORING_REGISTER_RING_FDS:
        return ring_fds_register(arg, nr);
    case IORING_UNREGISTER_RING_FDS:
        return ring_fds_unregister(arg, nr);
    case IORING_REGISTER_FILE_ALLOC_RANGE:
        return alloc_range(ring, arg, nr);
    case IORING_REGISTER_SYNC_CANCEL:
        if (nr != 1) return -EINVAL;
        return arg == NULL ? -EFAULT : sim_sync_cancel(ring, arg);
    default:
        return no_arg_call(ring, opcode, arg, nr);
    }
}

int io_uring_register(unsigned int fd, unsigned int opcode, const void *arg, unsigned int nr_args) {
    sim_enter_call();
    uint32_t ring = sim_ring_by_fd((int)fd);
    int res;
    if (ring == SIM_NONE) res = sim_fd_file_any((int)fd) == SIM_NONE ? -EBADF : -EOPNOTSUPP;
    else if (restricted[ring].registered && !sim_rings[ring].disabled &&
             (opcode >= 64 || !(restricted[ring].register_ops & (1ull << opcode))))
        res = -EACCES;
    else res = register_call(ring, opcode, (void *)(uintptr_t)arg, nr_args);
    sim_trace(TRACE_ENTER, 0x4e9, fd, opcode, (uint64_t)(int64_t)res);
    sim_cq_signal_eventfds(); /* tag CQEs */
    return res;
}
