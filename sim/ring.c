/*
 * Rings (kernel-semantics.md §2): io_uring_setup, the memory a ring shares with the program
 * (the SQ and CQ rings in one mapping, IORING_FEAT_SINGLE_MMAP, and the SQE array), the
 * mmap calls that hand it out, the lookup of a ring by fd, and teardown when the last
 * reference to the ring's description goes (its fds and its mappings, as on Linux).
 */
#include "sim_internal.h"

#include <stdio.h>
#include <sys/mman.h>

struct sim_ring sim_rings[RINGER_SIM_MAX_RINGS];

#define PAGE               4096u
#define CQES_OFFSET        ((uint32_t)sizeof(struct sim_rings_hdr))
#define ROUND_UP(n, align) (((n) + (align)-1) / (align) * (align))
#define AREA_BYTES                                                                        \
    ROUND_UP(CQES_OFFSET + RINGER_SIM_MAX_CQ_ENTRIES * sizeof(struct io_uring_cqe) + 64 + \
                 RINGER_SIM_MAX_SQ_ENTRIES * sizeof(uint32_t),                            \
             PAGE)
#define SIM_CPUS 2u /* the simulated machine's CPUs (SQ thread affinity) */

_Static_assert(sizeof(struct sim_rings_hdr) == 320, "Linux's struct io_rings header");

static _Alignas(PAGE) uint8_t ring_area[RINGER_SIM_MAX_RINGS][AREA_BYTES];
static _Alignas(PAGE) struct io_uring_sqe sqe_area[RINGER_SIM_MAX_RINGS][RINGER_SIM_MAX_SQ_ENTRIES];

void sim_rings_reset(void) {
    memset(sim_rings, 0, sizeof sim_rings);
    sim_cq_reset();
    sim_register_reset();
    sim_kbuf_reset();
}

static uint32_t features_for_profile(void) {
    uint32_t f = IORING_FEAT_SINGLE_MMAP | IORING_FEAT_NODROP | IORING_FEAT_SUBMIT_STABLE |
                 IORING_FEAT_RW_CUR_POS | IORING_FEAT_CUR_PERSONALITY | IORING_FEAT_FAST_POLL;
    if (sim_cfg.kernel != RINGER_SIM_KERNEL_5_8)
        f |= IORING_FEAT_POLL_32BITS | IORING_FEAT_SQPOLL_NONFIXED | IORING_FEAT_EXT_ARG |
             IORING_FEAT_NATIVE_WORKERS | IORING_FEAT_RSRC_TAGS | IORING_FEAT_CQE_SKIP |
             IORING_FEAT_LINKED_FILE;
    return f;
}

/* Setup flags the profile accepts; SQE128, CQE32 and DEFER_TASKRUN are not modelled (D1). */
static uint32_t allowed_setup_flags(void) {
    uint32_t allowed = IORING_SETUP_IOPOLL | IORING_SETUP_SQPOLL | IORING_SETUP_SQ_AFF |
                       IORING_SETUP_CQSIZE | IORING_SETUP_CLAMP | IORING_SETUP_ATTACH_WQ;
    if (sim_cfg.kernel != RINGER_SIM_KERNEL_5_8)
        allowed |= IORING_SETUP_R_DISABLED | IORING_SETUP_SUBMIT_ALL | IORING_SETUP_COOP_TASKRUN |
                   IORING_SETUP_TASKRUN_FLAG;
    if (sim_cfg.kernel == RINGER_SIM_KERNEL_6_1) allowed |= IORING_SETUP_SINGLE_ISSUER;
    return allowed;
}

static int check_setup_flags(const struct io_uring_params *p) {
    uint32_t flags = p->flags;
    if (flags & ~allowed_setup_flags()) return -EINVAL;
    if (flags & IORING_SETUP_SQPOLL) {
        /* task-run notification makes no sense with an SQ thread */
        if (flags & (IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG)) return -EINVAL;
        if ((flags & IORING_SETUP_SQ_AFF) && p->sq_thread_cpu >= SIM_CPUS) return -EINVAL;
    } else if (flags & IORING_SETUP_SQ_AFF) {
        return -EINVAL;
    }
    if ((flags & IORING_SETUP_TASKRUN_FLAG) && !(flags & IORING_SETUP_COOP_TASKRUN)) return -EINVAL;
    if (flags & IORING_SETUP_ATTACH_WQ) {
        if (sim_fd_file_any((int)p->wq_fd) == SIM_NONE) return -ENXIO;
        if (sim_ring_by_fd((int)p->wq_fd) == SIM_NONE) return -EINVAL;
    }
    return 0;
}

static uint32_t roundup_pow2(uint32_t n) {
    uint32_t p = 1;
    while (p < n) p <<= 1;
    return p;
}

static int ring_sizes(unsigned entries, const struct io_uring_params *p, uint32_t *sq,
                      uint32_t *cq) {
    if (entries == 0) return -EINVAL;
    if (entries > RINGER_SIM_MAX_SQ_ENTRIES) {
        if (!(p->flags & IORING_SETUP_CLAMP)) return -EINVAL;
        entries = RINGER_SIM_MAX_SQ_ENTRIES;
    }
    *sq = roundup_pow2(entries);
    if (!(p->flags & IORING_SETUP_CQSIZE)) {
        *cq = 2 * *sq;
        return 0;
    }
    uint32_t c = p->cq_entries;
    if (c == 0) return -EINVAL;
    if (c > RINGER_SIM_MAX_CQ_ENTRIES) {
        if (!(p->flags & IORING_SETUP_CLAMP)) return -EINVAL;
        c = RINGER_SIM_MAX_CQ_ENTRIES;
    }
    *cq = roundup_pow2(c);
    return *cq < *sq ? -EINVAL : 0;
}

static uint32_t array_offset(uint32_t cq_entries) {
    return ROUND_UP(CQES_OFFSET + cq_entries * (uint32_t)sizeof(struct io_uring_cqe), 64u);
}

/* Lays the ring's shared memory out as Linux does and clears the part it uses. */
static void ring_memory(struct sim_ring *r, uint32_t i) {
    uint32_t array = array_offset(r->cq_entries);
    r->ring_bytes = array + r->sq_entries * (uint32_t)sizeof(uint32_t);
    SIM_ASSERT(r->ring_bytes <= AREA_BYTES);
    memset(ring_area[i], 0, r->ring_bytes);
    memset(sqe_area[i], 0, r->sq_entries * sizeof(struct io_uring_sqe));
    r->hdr = (struct sim_rings_hdr *)(void *)ring_area[i];
    r->cqes = (struct io_uring_cqe *)(void *)(ring_area[i] + CQES_OFFSET);
    r->sq_array = (uint32_t *)(void *)(ring_area[i] + array);
    r->sqes = sqe_area[i];
    r->hdr->sq_ring_mask = r->sq_entries - 1;
    r->hdr->cq_ring_mask = r->cq_entries - 1;
    r->hdr->sq_ring_entries = r->sq_entries;
    r->hdr->cq_ring_entries = r->cq_entries;
}

static int ring_create(const struct io_uring_params *p, uint32_t sq, uint32_t cq, uint32_t *index) {
    uint32_t i;
    for (i = 0; i < RINGER_SIM_MAX_RINGS && sim_rings[i].used; i++) {
    }
    if (i == RINGER_SIM_MAX_RINGS) return -ENOMEM;
    uint32_t f = sim_file_alloc(FK_RING, i, O_RDWR);
    if (f == SIM_NONE) return -ENFILE;
    int fd = sim_fd_install(f, true);
    if (fd < 0) {
        sim_file_unref(f);
        return fd;
    }
    struct sim_ring *r = &sim_rings[i];
    *r = (struct sim_ring){.used = true,
                           .disabled = (p->flags & IORING_SETUP_R_DISABLED) != 0,
                           .fd = (uint32_t)fd,
                           .file = f,
                           .setup_flags = p->flags,
                           .sq_entries = sq,
                           .cq_entries = cq,
                           .ov_head = SIM_NONE,
                           .ov_tail = SIM_NONE,
                           .inflight_head = SIM_NONE,
                           .inflight_tail = SIM_NONE,
                           .count_head = SIM_NONE,
                           .held_head = SIM_NONE,
                           .held_tail = SIM_NONE,
                           .drain_running = SIM_NONE,
                           .link_tail = SIM_NONE,
                           .eventfd_file = SIM_NONE};
    ring_memory(r, i);
    sim_sqpoll_setup(i, p);
    *index = i;
    return 0;
}

/* The offsets the program maps the rings with (as Linux's io_uring_create fills them). */
static void fill_offsets(const struct sim_ring *r, struct io_uring_params *p) {
    memset(&p->sq_off, 0, sizeof p->sq_off);
    memset(&p->cq_off, 0, sizeof p->cq_off);
    p->sq_off.head = offsetof(struct sim_rings_hdr, sq_head);
    p->sq_off.tail = offsetof(struct sim_rings_hdr, sq_tail);
    p->sq_off.ring_mask = offsetof(struct sim_rings_hdr, sq_ring_mask);
    p->sq_off.ring_entries = offsetof(struct sim_rings_hdr, sq_ring_entries);
    p->sq_off.flags = offsetof(struct sim_rings_hdr, sq_flags);
    p->sq_off.dropped = offsetof(struct sim_rings_hdr, sq_dropped);
    p->sq_off.array = array_offset(r->cq_entries);
    p->cq_off.head = offsetof(struct sim_rings_hdr, cq_head);
    p->cq_off.tail = offsetof(struct sim_rings_hdr, cq_tail);
    p->cq_off.ring_mask = offsetof(struct sim_rings_hdr, cq_ring_mask);
    p->cq_off.ring_entries = offsetof(struct sim_rings_hdr, cq_ring_entries);
    p->cq_off.overflow = offsetof(struct sim_rings_hdr, cq_overflow);
    p->cq_off.cqes = CQES_OFFSET;
    p->cq_off.flags = offsetof(struct sim_rings_hdr, cq_flags);
    p->sq_entries = r->sq_entries;
    p->cq_entries = r->cq_entries;
    p->features = features_for_profile();
}

static int setup(unsigned entries, struct io_uring_params *p) {
    if (p == NULL) return -EFAULT;
    for (int i = 0; i < 3; i++) {
        if (p->resv[i]) return -EINVAL;
    }
    int err = check_setup_flags(p);
    uint32_t sq = 0, cq = 0, index = 0;
    if (err == 0) err = ring_sizes(entries, p, &sq, &cq);
    if (err == 0) err = ring_create(p, sq, cq, &index);
    if (err) return err;
    fill_offsets(&sim_rings[index], p);
    return (int)sim_rings[index].fd;
}

int io_uring_setup(unsigned int entries, struct io_uring_params *p) {
    sim_enter_call();
    int res = setup(entries, p);
    sim_trace(TRACE_ENTER, 0x5e7, entries, p ? p->flags : 0, (uint64_t)(int64_t)res);
    return res;
}

uint32_t sim_ring_by_fd(int fd) {
    uint32_t f = sim_fd_file(fd);
    if (f == SIM_NONE || sim_files[f].kind != FK_RING) return SIM_NONE;
    uint32_t i = sim_files[f].obj;
    SIM_ASSERT(i < RINGER_SIM_MAX_RINGS);
    return sim_rings[i].used && sim_rings[i].file == f ? i : SIM_NONE;
}

/* Everything the ring holds goes: requests (without CQEs), overflow, registrations. */
static void ring_teardown(uint32_t index) {
    struct sim_ring *r = &sim_rings[index];
    SIM_ASSERT(r->used);
    while (r->inflight_head != SIM_NONE) sim_req_release(r->inflight_head);
    sim_cq_ring_exit(index);
    sim_register_ring_exit(index);
    sim_kbuf_ring_exit(index);
    r->used = false;
    r->mappings = 0;
}

void sim_ring_file_released(uint32_t index, uint32_t file) {
    SIM_ASSERT(index < RINGER_SIM_MAX_RINGS);
    if (sim_rings[index].used && sim_rings[index].file == file) ring_teardown(index);
}

/* The ring goes now (a crash, the end of the world), whatever still refers to it. */
void sim_ring_exit(uint32_t index) {
    struct sim_ring *r = &sim_rings[index];
    uint32_t file = r->file, mappings = r->mappings;
    ring_teardown(index);
    for (; mappings > 0; mappings--) sim_file_unref(file); /* the mappings go with it */
    if (sim_fd_file((int)r->fd) == file) sim_fd_close((int)r->fd);
}

/* ---- the ring memory, as mmap hands it out ---- */

static bool inside(const void *p, const void *base, size_t size) {
    return (const uint8_t *)p >= (const uint8_t *)base &&
           (const uint8_t *)p < (const uint8_t *)base + size;
}

/* The ring whose memory contains p, or SIM_NONE. */
static uint32_t ring_of_address(const void *p) {
    if (inside(p, ring_area, sizeof ring_area))
        return (uint32_t)(((const uint8_t *)p - &ring_area[0][0]) / AREA_BYTES);
    if (inside(p, sqe_area, sizeof sqe_area))
        return (uint32_t)(((const uint8_t *)p - (const uint8_t *)&sqe_area[0][0]) /
                          sizeof sqe_area[0]);
    return SIM_NONE;
}

static void *map_ring(uint32_t i, size_t length, off_t offset, int *err) {
    struct sim_ring *r = &sim_rings[i];
    void *base = NULL;
    size_t size = 0;
    switch ((uint64_t)offset) {
    case IORING_OFF_SQ_RING:
    case IORING_OFF_CQ_RING:
        base = ring_area[i];
        size = ROUND_UP(r->ring_bytes, PAGE);
        break;
    case IORING_OFF_SQES:
        base = sqe_area[i];
        size = ROUND_UP(r->sq_entries * sizeof(struct io_uring_sqe), PAGE);
        break;
    default:
        *err = -EINVAL;
        return NULL;
    }
    if (length == 0 || length > size) {
        *err = -EINVAL;
        return NULL;
    }
    r->mappings++;
    sim_file_ref(r->file); /* a mapping keeps the ring alive, as on Linux */
    return base;
}

void *ringer_sim_mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset) {
    if ((flags & MAP_ANONYMOUS) || fd < 0 || sim_fd_file(fd) == SIM_NONE)
        return mmap(addr, length, prot, flags, fd, offset); /* not a simulated file */
    sim_enter_call();
    int err = -ENODEV;
    void *p = NULL;
    uint32_t i = sim_ring_by_fd(fd);
    if (i == SIM_NONE) {
        fprintf(stderr,
                "ringer-sim: mmap of a simulated file other than a ring is not "
                "modelled (fd %d)\n",
                fd);
    } else if (flags & MAP_FIXED) {
        fprintf(stderr, "ringer-sim: mmap of a ring at a fixed address is not modelled\n");
        err = -EINVAL;
    } else {
        p = map_ring(i, length, offset, &err);
    }
    sim_trace(TRACE_POSIX, 60, (uint64_t)fd, (uint64_t)offset, p ? 0 : (uint64_t)(int64_t)err);
    if (p == NULL) {
        errno = -err;
        return MAP_FAILED;
    }
    return p;
}

int ringer_sim_munmap(void *addr, size_t length) {
    uint32_t i = ring_of_address(addr);
    if (i == SIM_NONE) return munmap(addr, length);
    sim_enter_call();
    struct sim_ring *r = &sim_rings[i];
    if (r->used && r->mappings > 0) {
        r->mappings--;
        sim_file_unref(r->file); /* may tear the ring down */
    }
    return 0;
}

int ringer_sim_madvise(void *addr, size_t length, int advice) {
    if (ring_of_address(addr) == SIM_NONE) return madvise(addr, length, advice);
    return 0; /* the ring memory is the sim's: nothing to advise */
}
