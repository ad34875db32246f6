/*
 * The liburing 2.3 setup calls, written for the sim over its system calls (io_uring_setup,
 * the mmap of the ring fd, close): the program's struct io_uring points into the ring memory
 * the simulated kernel shares, exactly as real liburing's points into the kernel's mapping.
 * Probes come from a small static pool (D26), never from malloc.
 */
#define LIBURING_INTERNAL
#include "sim_internal.h"

#define PROBE_OPS   256
#define PROBE_BYTES (sizeof(struct io_uring_probe) + PROBE_OPS * sizeof(struct io_uring_probe_op))
#define PROBES      8

static _Alignas(16) uint8_t probes[PROBES][PROBE_BYTES];
static bool probe_used[PROBES];

static void *at(void *base, uint32_t offset) {
    return (uint8_t *)base + offset;
}

static void unmap_rings(struct io_uring_sq *sq, struct io_uring_cq *cq) {
    ringer_sim_munmap(sq->ring_ptr, sq->ring_sz);
    if (cq->ring_ptr && cq->ring_ptr != sq->ring_ptr) ringer_sim_munmap(cq->ring_ptr, cq->ring_sz);
}

static int map_sqes(int fd, const struct io_uring_params *p, struct io_uring_sq *sq) {
    size_t size = sizeof(struct io_uring_sqe) * ((p->flags & IORING_SETUP_SQE128) ? 2 : 1);
    sq->sqes = ringer_sim_mmap(0, size * p->sq_entries, PROT_READ | PROT_WRITE,
                               MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_SQES);
    return sq->sqes == MAP_FAILED ? -errno : 0;
}

/* The mappings of liburing's io_uring_mmap, with the pointers into them. */
static int map_rings(int fd, const struct io_uring_params *p, struct io_uring_sq *sq,
                     struct io_uring_cq *cq) {
    size_t cqe_size = sizeof(struct io_uring_cqe) * ((p->flags & IORING_SETUP_CQE32) ? 2 : 1);
    sq->ring_sz = p->sq_off.array + p->sq_entries * sizeof(unsigned);
    cq->ring_sz = p->cq_off.cqes + p->cq_entries * cqe_size;
    if (p->features & IORING_FEAT_SINGLE_MMAP) {
        if (cq->ring_sz > sq->ring_sz) sq->ring_sz = cq->ring_sz;
        cq->ring_sz = sq->ring_sz;
    }
    void *ring = ringer_sim_mmap(0, sq->ring_sz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
                                 fd, IORING_OFF_SQ_RING);
    if (ring == MAP_FAILED) return -errno;
    sq->ring_ptr = cq->ring_ptr = ring;
    int err = map_sqes(fd, p, sq);
    if (err) {
        unmap_rings(sq, cq);
        return err;
    }
    sq->khead = at(ring, p->sq_off.head);
    sq->ktail = at(ring, p->sq_off.tail);
    sq->kring_mask = at(ring, p->sq_off.ring_mask);
    sq->kring_entries = at(ring, p->sq_off.ring_entries);
    sq->kflags = at(ring, p->sq_off.flags);
    sq->kdropped = at(ring, p->sq_off.dropped);
    sq->array = at(ring, p->sq_off.array);
    cq->khead = at(ring, p->cq_off.head);
    cq->ktail = at(ring, p->cq_off.tail);
    cq->kring_mask = at(ring, p->cq_off.ring_mask);
    cq->kring_entries = at(ring, p->cq_off.ring_entries);
    cq->koverflow = at(ring, p->cq_off.overflow);
    cq->cqes = at(ring, p->cq_off.cqes);
    if (p->cq_off.flags) cq->kflags = at(ring, p->cq_off.flags);
    sq->ring_mask = *sq->kring_mask;
    sq->ring_entries = *sq->kring_entries;
    cq->ring_mask = *cq->kring_mask;
    cq->ring_entries = *cq->kring_entries;
    return 0;
}

int io_uring_queue_mmap(int fd, struct io_uring_params *p, struct io_uring *ring) {
    SIM_ASSERT(ring != NULL && p != NULL);
    memset(ring, 0, sizeof *ring);
    int err = map_rings(fd, p, &ring->sq, &ring->cq);
    if (err) return err;
    ring->flags = p->flags;
    ring->ring_fd = ring->enter_ring_fd = fd;
    ring->int_flags = 0;
    return 0;
}

/* MADV_DONTFORK on the sim's own memory would take it from a forked child: the rings are
 * the sim's, so there is nothing to advise; the checks are liburing's. */
int io_uring_ring_dontfork(struct io_uring *ring) {
    if (!ring->sq.ring_ptr || !ring->sq.sqes || !ring->cq.ring_ptr) return -EINVAL;
    return 0;
}

int io_uring_queue_init_params(unsigned entries, struct io_uring *ring, struct io_uring_params *p) {
    SIM_ASSERT(ring != NULL && p != NULL);
    int fd = io_uring_setup(entries, p);
    if (fd < 0) return fd;
    int err = io_uring_queue_mmap(fd, p, ring);
    if (err) {
        ringer_sim_close(fd);
        return err;
    }
    for (unsigned i = 0; i < ring->sq.ring_entries; i++) ring->sq.array[i] = i; /* SQ slot = SQE */
    ring->features = p->features;
    return 0;
}

int io_uring_queue_init(unsigned entries, struct io_uring *ring, unsigned flags) {
    struct io_uring_params p;
    memset(&p, 0, sizeof p);
    p.flags = flags;
    return io_uring_queue_init_params(entries, ring, &p);
}

void io_uring_queue_exit(struct io_uring *ring) {
    struct io_uring_sq *sq = &ring->sq;
    size_t sqe_size = sizeof(struct io_uring_sqe) * ((ring->flags & IORING_SETUP_SQE128) ? 2 : 1);
    ringer_sim_munmap(sq->sqes, sqe_size * sq->ring_entries);
    unmap_rings(sq, &ring->cq);
    if (ring->int_flags & 1) io_uring_unregister_ring_fd(ring); /* INT_FLAG_REG_RING */
    ringer_sim_close(ring->ring_fd);
}

struct io_uring_probe *io_uring_get_probe_ring(struct io_uring *ring) {
    uint32_t i = 0;
    while (i < PROBES && probe_used[i]) i++;
    if (i == PROBES) return NULL;
    struct io_uring_probe *probe = (struct io_uring_probe *)(void *)probes[i];
    memset(probe, 0, PROBE_BYTES);
    if (io_uring_register_probe(ring, probe, PROBE_OPS) < 0) return NULL;
    probe_used[i] = true;
    return probe;
}

struct io_uring_probe *io_uring_get_probe(void) {
    struct io_uring ring;
    if (io_uring_queue_init(2, &ring, 0) < 0) return NULL;
    struct io_uring_probe *probe = io_uring_get_probe_ring(&ring);
    io_uring_queue_exit(&ring);
    return probe;
}

void io_uring_free_probe(struct io_uring_probe *probe) {
    for (uint32_t i = 0; i < PROBES; i++) {
        if ((uint8_t *)probe == probes[i]) {
            SIM_ASSERT(probe_used[i]);
            probe_used[i] = false;
            return;
        }
    }
    SIM_ASSERT(!"io_uring_free_probe: not a probe of the sim");
}

static unsigned fls_index(unsigned long x) {
    return x ? 8 * sizeof x - (unsigned)__builtin_clzl(x) : 0;
}

/* liburing's rings_size: the pages of the CQ ring (with the 320-byte header) and of the SQEs,
 * each rounded to a power of two. */
static size_t rings_size(const struct io_uring_params *p, unsigned entries, unsigned cq_entries) {
    const size_t page = 4096;
    size_t cq = sizeof(struct io_uring_cqe) * ((p->flags & IORING_SETUP_CQE32) ? 2 : 1);
    cq = (cq * cq_entries + 320 + 63) & ~(size_t)63;
    size_t pages = (size_t)1 << fls_index((unsigned long)((cq - 1) / page));
    size_t sq = sizeof(struct io_uring_sqe) * ((p->flags & IORING_SETUP_SQE128) ? 2 : 1) * entries;
    pages += (size_t)1 << fls_index((unsigned long)((sq - 1) / page));
    return pages * page;
}

ssize_t io_uring_mlock_size_params(unsigned entries, struct io_uring_params *p) {
    struct io_uring_params lp;
    struct io_uring ring;
    memset(&lp, 0, sizeof lp);
    if (io_uring_queue_init_params(entries, &ring, &lp) == 0) io_uring_queue_exit(&ring);
    if (lp.features & IORING_FEAT_NATIVE_WORKERS) return 0; /* no memlock needed (5.12+) */
    if (!entries) return -EINVAL;
    if (entries > RINGER_SIM_MAX_SQ_ENTRIES) {
        if (!(p->flags & IORING_SETUP_CLAMP)) return -EINVAL;
        entries = RINGER_SIM_MAX_SQ_ENTRIES;
    }
    unsigned sq = 1u << fls_index(entries - 1), cq = 2 * sq;
    if (p->flags & IORING_SETUP_CQSIZE) {
        if (!p->cq_entries) return -EINVAL;
        cq = p->cq_entries;
        if (cq > RINGER_SIM_MAX_CQ_ENTRIES) {
            if (!(p->flags & IORING_SETUP_CLAMP)) return -EINVAL;
            cq = RINGER_SIM_MAX_CQ_ENTRIES;
        }
        cq = 1u << fls_index(cq - 1);
        if (cq < sq) return -EINVAL;
    }
    return (ssize_t)rings_size(p, sq, cq);
}

ssize_t io_uring_mlock_size(unsigned entries, unsigned flags) {
    struct io_uring_params p;
    memset(&p, 0, sizeof p);
    p.flags = flags;
    return io_uring_mlock_size_params(entries, &p);
}
