/*
 * File data: 4 KiB pages in a pool sized at ringer_sim_init. Each page has its current
 * contents and, once synced, its durable contents; per-sector (512 B) dirty and bad bits.
 * Storage faults that act on data (latent sectors, corruption, torn and lost writes) live
 * here.
 */
#include "sim_internal.h"

#include <stdlib.h>

#define SECTOR           512u
#define SECTORS_PER_PAGE (RINGER_SIM_PAGE_SIZE / SECTOR)

struct sim_page {
    bool used;
    uint8_t dirty; /* sectors written since the last sync */
    uint8_t bad;   /* latent sector errors */
    uint8_t stale; /* sectors a failed fsync marked clean unwritten: lost at a crash */
    uint32_t ino, pgno;
    uint32_t cur, dur; /* buffer indices; dur SIM_NONE = durable zeros */
    uint32_t hash_next, dirty_next;
};

static struct sim_page *pages;
static uint8_t *buffers;
static uint32_t *buffer_free, *page_free;
static uint32_t buffer_free_count, buffer_fresh, page_free_count, page_fresh, page_count;
static uint32_t *buckets;
static uint32_t bucket_mask, capacity; /* capacity: pages the allocations can hold */

/* The pools are allocated once (grown when a world asks for more) and reset by high-water
 * marks, so that creating a world costs little. */
void sim_fs_pages_free(void) {}

static void pools_grow(uint32_t count) {
    free(pages);
    free(buffers);
    free(buffer_free);
    free(page_free);
    free(buckets);
    uint32_t nb = 1;
    while (nb < count) nb <<= 1;
    pages = calloc(count, sizeof *pages);
    buffers = malloc((size_t)count * RINGER_SIM_PAGE_SIZE);
    buffer_free = malloc(count * sizeof *buffer_free);
    page_free = malloc(count * sizeof *page_free);
    buckets = malloc(nb * sizeof *buckets);
    SIM_ASSERT(pages && buffers && buffer_free && page_free && buckets);
    for (uint32_t b = 0; b < nb; b++) buckets[b] = SIM_NONE;
    bucket_mask = nb - 1;
    capacity = count;
    page_fresh = 0;
}

void sim_fs_pages_reset(void) {
    page_count = sim_cfg.o.fs_pages;
    SIM_ASSERT(page_count > 0);
    if (page_count > capacity) {
        pools_grow(page_count);
    } else {
        for (uint32_t p = 0; p < page_fresh; p++) {
            if (pages[p].used)
                buckets[(uint32_t)((((uint64_t)pages[p].ino << 32 | pages[p].pgno) *
                                    0x9e3779b97f4a7c15ull) >>
                                   40) &
                        bucket_mask] = SIM_NONE;
        }
        memset(pages, 0, page_fresh * sizeof *pages);
    }
    page_fresh = buffer_fresh = 0;
    page_free_count = buffer_free_count = 0;
}

static uint32_t bucket_of(uint32_t ino, uint32_t pgno) {
    uint64_t h = ((uint64_t)ino << 32 | pgno) * 0x9e3779b97f4a7c15ull;
    return (uint32_t)(h >> 40) & bucket_mask;
}

static uint8_t *buf(uint32_t b) {
    SIM_ASSERT(b < buffer_fresh);
    return buffers + (size_t)b * RINGER_SIM_PAGE_SIZE;
}

static uint32_t buffer_alloc(uint8_t mount) {
    struct sim_mount *m = &sim_mounts[mount];
    if ((buffer_free_count == 0 && buffer_fresh == page_count) ||
        m->used_pages >= m->capacity_pages)
        return SIM_NONE;
    m->used_pages++;
    uint32_t b = buffer_free_count > 0 ? buffer_free[--buffer_free_count] : buffer_fresh++;
    memset(buf(b), 0, RINGER_SIM_PAGE_SIZE);
    return b;
}

static void buffer_put(uint8_t mount, uint32_t b) {
    if (b == SIM_NONE) return;
    SIM_ASSERT(buffer_free_count < buffer_fresh);
    SIM_ASSERT(sim_mounts[mount].used_pages > 0);
    sim_mounts[mount].used_pages--;
    buffer_free[buffer_free_count++] = b;
}

static uint32_t page_find(uint32_t ino, uint32_t pgno) {
    for (uint32_t p = buckets[bucket_of(ino, pgno)]; p != SIM_NONE; p = pages[p].hash_next) {
        if (pages[p].ino == ino && pages[p].pgno == pgno) return p;
    }
    return SIM_NONE;
}

static uint32_t page_get(uint32_t ino, uint32_t pgno) {
    uint32_t p = page_find(ino, pgno);
    if (p != SIM_NONE) return p;
    if (page_free_count > 0) p = page_free[--page_free_count];
    else if (page_fresh < page_count) p = page_fresh++;
    else return SIM_NONE;
    uint32_t b = buffer_alloc(sim_inodes[ino].mount);
    if (b == SIM_NONE) {
        page_free[page_free_count++] = p;
        return SIM_NONE;
    }
    uint32_t bucket = bucket_of(ino, pgno);
    pages[p] = (struct sim_page){.used = true,
                                 .ino = ino,
                                 .pgno = pgno,
                                 .cur = b,
                                 .dur = SIM_NONE,
                                 .hash_next = buckets[bucket],
                                 .dirty_next = SIM_NONE};
    buckets[bucket] = p;
    return p;
}

static void page_drop(uint32_t p) {
    struct sim_page *pg = &pages[p];
    SIM_ASSERT(pg->used);
    uint32_t *link = &buckets[bucket_of(pg->ino, pg->pgno)];
    while (*link != p) link = &pages[*link].hash_next;
    *link = pg->hash_next;
    uint8_t mount = sim_inodes[pg->ino].mount;
    buffer_put(mount, pg->cur);
    buffer_put(mount, pg->dur);
    pg->used = false;
    page_free[page_free_count++] = p;
}

static void mark_dirty(uint32_t p, uint8_t sectors) {
    struct sim_page *pg = &pages[p];
    struct sim_inode *ino = &sim_inodes[pg->ino];
    if (pg->dirty == 0) {
        pg->dirty_next = ino->dirty_head;
        ino->dirty_head = p;
    }
    pg->dirty |= sectors;
}

static uint8_t sector_mask(uint64_t start, uint64_t end) /* within one page */
{
    SIM_ASSERT(start <= end && end <= RINGER_SIM_PAGE_SIZE);
    uint32_t first = (uint32_t)(start / SECTOR), last = (uint32_t)((end + SECTOR - 1) / SECTOR);
    return (uint8_t)(((1u << last) - 1u) & ~((1u << first) - 1u));
}

static uint64_t data_limit(const struct sim_inode *i) {
    return i->type == IT_BLK ? i->blk_size : i->size;
}

/* Storage read faults for a read of [off, off+size): -EIO or 0; may corrupt a sector. */
static int read_faults(uint32_t ino, uint64_t off, uint64_t size) {
    bool eio = sim_fault(RINGER_SIM_FAULT_READ_EIO, true);
    bool latent = sim_fault(RINGER_SIM_FAULT_LATENT_SECTOR, true);
    bool corrupt = sim_fault(RINGER_SIM_FAULT_CORRUPT, true);
    uint32_t pick = sim_draw_u32();
    uint64_t sector_off = (off + (size ? (uint64_t)pick % size : 0)) & ~(uint64_t)(SECTOR - 1);
    uint32_t p = page_find(ino, (uint32_t)(sector_off / RINGER_SIM_PAGE_SIZE));
    uint32_t s = (uint32_t)(sector_off % RINGER_SIM_PAGE_SIZE) / SECTOR;
    if (latent && p != SIM_NONE) pages[p].bad |= (uint8_t)(1u << s);
    if (corrupt && p != SIM_NONE) {
        uint32_t bit = (uint32_t)((sim_cfg.o.seed ^ sector_off) % (SECTOR * 8));
        buf(pages[p].cur)[s * SECTOR + bit / 8] ^= (uint8_t)(1u << (bit % 8));
        if (pages[p].dur != SIM_NONE)
            buf(pages[p].dur)[s * SECTOR + bit / 8] ^= (uint8_t)(1u << (bit % 8));
    }
    return eio ? -EIO : 0;
}

int64_t sim_fs_read(uint32_t ino, void *buffer, uint64_t size, uint64_t off, uint32_t req) {
    const struct sim_inode *i = &sim_inodes[ino];
    (void)req;
    SIM_ASSERT(i->type == IT_REG || i->type == IT_BLK);
    uint64_t limit = data_limit(i);
    if (off >= limit || size == 0) return 0;
    if (size > limit - off) size = limit - off;
    int fault = read_faults(ino, off, size);
    if (fault) return fault;
    uint8_t *out = buffer;
    for (uint64_t done = 0; done < size;) {
        uint64_t pos = off + done, in = pos % RINGER_SIM_PAGE_SIZE;
        uint64_t n =
            RINGER_SIM_PAGE_SIZE - in < size - done ? RINGER_SIM_PAGE_SIZE - in : size - done;
        uint32_t p = page_find(ino, (uint32_t)(pos / RINGER_SIM_PAGE_SIZE));
        if (p != SIM_NONE && (pages[p].bad & sector_mask(in, in + n))) return -EIO;
        if (p == SIM_NONE) memset(out + done, 0, n);
        else memcpy(out + done, buf(pages[p].cur) + in, n);
        done += n;
    }
    return (int64_t)size;
}

int64_t sim_fs_write(uint32_t ino, const void *buffer, uint64_t size, uint64_t off) {
    struct sim_inode *i = &sim_inodes[ino];
    SIM_ASSERT(i->type == IT_REG || i->type == IT_BLK);
    if (i->type == IT_BLK) {
        if (off >= i->blk_size) return size ? -ENOSPC : 0;
        if (size > i->blk_size - off) size = i->blk_size - off;
    }
    if (off + size > (1ull << 40)) return -EFBIG;
    const uint8_t *in = buffer;
    uint64_t done = 0;
    while (done < size) {
        uint64_t pos = off + done, at = pos % RINGER_SIM_PAGE_SIZE;
        uint64_t n =
            RINGER_SIM_PAGE_SIZE - at < size - done ? RINGER_SIM_PAGE_SIZE - at : size - done;
        uint32_t p = page_get(ino, (uint32_t)(pos / RINGER_SIM_PAGE_SIZE));
        if (p == SIM_NONE) break;
        memcpy(buf(pages[p].cur) + at, in + done, n);
        pages[p].bad &= (uint8_t)~sector_mask(at, at + n);
        pages[p].stale &= (uint8_t)~sector_mask(at, at + n);
        mark_dirty(p, sector_mask(at, at + n));
        done += n;
    }
    if (done == 0 && size > 0) return -ENOSPC;
    if (i->type == IT_REG && done > 0 && off + done > i->size) {
        i->size = off + done;
        i->size_dirty = true;
    }
    i->mtime_ns = sim_now;
    return (int64_t)done;
}

int sim_fs_truncate(uint32_t ino, uint64_t size) {
    struct sim_inode *i = &sim_inodes[ino];
    SIM_ASSERT(i->type == IT_REG);
    if (size > (1ull << 40)) return -EFBIG;
    if (size < i->size) {
        /* zero the tail of the last page; drop wholly truncated pages' current data */
        uint64_t end_page = (i->size + RINGER_SIM_PAGE_SIZE - 1) / RINGER_SIM_PAGE_SIZE;
        for (uint64_t pg = size / RINGER_SIM_PAGE_SIZE; pg < end_page; pg++) {
            uint32_t p = page_find(ino, (uint32_t)pg);
            if (p == SIM_NONE) continue;
            uint64_t from = pg == size / RINGER_SIM_PAGE_SIZE ? size % RINGER_SIM_PAGE_SIZE : 0;
            memset(buf(pages[p].cur) + from, 0, RINGER_SIM_PAGE_SIZE - from);
            mark_dirty(p, sector_mask(from, RINGER_SIM_PAGE_SIZE));
        }
    }
    i->size = size;
    i->size_dirty = true;
    i->mtime_ns = sim_now;
    return 0;
}

int sim_fs_fallocate(uint32_t ino, int mode, uint64_t off, uint64_t len) {
    struct sim_inode *i = &sim_inodes[ino];
    SIM_ASSERT(i->type == IT_REG || i->type == IT_BLK);
    if (!sim_mounts[i->mount].fallocate || (mode & ~FALLOC_FL_KEEP_SIZE) != 0) return -EOPNOTSUPP;
    if (len == 0) return -EINVAL;
    if (i->type == IT_BLK) return -ENODEV;
    uint64_t first = off / RINGER_SIM_PAGE_SIZE;
    uint64_t last = (off + len - 1) / RINGER_SIM_PAGE_SIZE;
    for (uint64_t pg = first; pg <= last; pg++) {
        if (page_get(ino, (uint32_t)pg) == SIM_NONE) return -ENOSPC;
    }
    if (!(mode & FALLOC_FL_KEEP_SIZE) && off + len > i->size) {
        i->size = off + len;
        i->size_dirty = true;
    }
    return 0;
}

void sim_fs_sync(uint32_t ino, bool datasync) {
    struct sim_inode *i = &sim_inodes[ino];
    SIM_ASSERT(i->type != IT_NONE);
    (void)datasync; /* fdatasync persists the size too: the data needs it */
    for (uint32_t p = i->dirty_head; p != SIM_NONE;) {
        struct sim_page *pg = &pages[p];
        uint32_t next = pg->dirty_next;
        bool fresh = pg->dur == SIM_NONE;
        if (fresh) pg->dur = buffer_alloc(i->mount); /* zeroed: the durable state of a hole */
        for (uint32_t sec = 0; sec < SECTORS_PER_PAGE && pg->dur != SIM_NONE; sec++) {
            if (pg->dirty & (1u << sec)) /* stale sectors stay lost */
                memcpy(buf(pg->dur) + sec * SECTOR, buf(pg->cur) + sec * SECTOR, SECTOR);
        }
        pg->dirty = 0;
        pg->dirty_next = SIM_NONE;
        p = next;
    }
    i->dirty_head = SIM_NONE;
    i->dsize = i->size;
    i->size_dirty = false;
}

/* fsync failure: the dirty data is marked clean without being written (lost at a crash). */
void sim_fs_sync_fail(uint32_t ino) {
    struct sim_inode *i = &sim_inodes[ino];
    for (uint32_t p = i->dirty_head; p != SIM_NONE;) {
        uint32_t next = pages[p].dirty_next;
        pages[p].stale |= pages[p].dirty; /* marked clean, never written: lost at a crash */
        pages[p].dirty = 0;
        pages[p].dirty_next = SIM_NONE;
        p = next;
    }
    i->dirty_head = SIM_NONE;
    i->size_dirty = false; /* the size reached the journal; the data did not */
}

static void crash_page(uint32_t p) {
    struct sim_page *pg = &pages[p];
    bool lose = sim_fault(RINGER_SIM_FAULT_LOST_UNSYNCED, true);
    bool torn = sim_fault(RINGER_SIM_FAULT_TORN, true) &&
                sim_cfg.o.atomic_write_size < RINGER_SIM_PAGE_SIZE;
    uint32_t mixed = sim_draw_u32();
    for (uint32_t s = 0; s < SECTORS_PER_PAGE; s++) {
        bool revert = torn ? ((mixed >> s) & 1) != 0 : lose;
        if (!revert) continue;
        if (pg->dur == SIM_NONE) memset(buf(pg->cur) + s * SECTOR, 0, SECTOR);
        else memcpy(buf(pg->cur) + s * SECTOR, buf(pg->dur) + s * SECTOR, SECTOR);
    }
    pg->dirty = 0;
    pg->dirty_next = SIM_NONE;
    if (pg->dur == SIM_NONE) pg->dur = buffer_alloc(sim_inodes[pg->ino].mount);
    if (pg->dur != SIM_NONE) memcpy(buf(pg->dur), buf(pg->cur), RINGER_SIM_PAGE_SIZE);
}

void sim_fs_crash_data(uint32_t ino) {
    struct sim_inode *i = &sim_inodes[ino];
    for (uint32_t p = i->dirty_head; p != SIM_NONE;) {
        uint32_t next = pages[p].dirty_next;
        crash_page(p);
        p = next;
    }
    i->dirty_head = SIM_NONE;
    if (i->size_dirty && sim_fault(RINGER_SIM_FAULT_LOST_UNSYNCED, true)) i->size = i->dsize;
    i->dsize = i->size;
    i->size_dirty = false;
}

/* At a crash, what a failed fsync dropped is gone: stale sectors revert to durable data. */
void sim_fs_crash_stale(void) {
    for (uint32_t p = 0; p < page_fresh; p++) {
        struct sim_page *pg = &pages[p];
        if (!pg->used || pg->stale == 0) continue;
        for (uint32_t sec = 0; sec < SECTORS_PER_PAGE; sec++) {
            if (!(pg->stale & (1u << sec))) continue;
            if (pg->dur == SIM_NONE) memset(buf(pg->cur) + sec * SECTOR, 0, SECTOR);
            else memcpy(buf(pg->cur) + sec * SECTOR, buf(pg->dur) + sec * SECTOR, SECTOR);
        }
        pg->stale = 0;
    }
}

void sim_fs_free_data(uint32_t ino) {
    for (uint32_t p = 0; p < page_fresh; p++) {
        if (pages[p].used && pages[p].ino == ino) page_drop(p);
    }
    sim_inodes[ino].dirty_head = SIM_NONE;
}

/* Fills a block device's first MiB with PRNG bytes. */
void sim_fs_fill_garbage(uint32_t ino, uint64_t size) {
    uint8_t chunk[RINGER_SIM_PAGE_SIZE];
    for (uint64_t off = 0; off < size; off += sizeof chunk) {
        sim_draw_bytes(chunk, sizeof chunk);
        sim_fs_write(ino, chunk, size - off < sizeof chunk ? size - off : sizeof chunk, off);
    }
    sim_fs_sync(ino, false);
}
