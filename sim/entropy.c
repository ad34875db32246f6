/*
 * The single entropy stream: xoshiro256++ seeded through SplitMix64, or fuzzer bytes read
 * like FuzzedDataProvider (choices from the end, bulk bytes from the front). When the bytes
 * run out every decision takes its default: no fault, minimum latency, FIFO order.
 * Integer arithmetic only.
 */
#include "sim_internal.h"
#include "sim_log.h"

static uint64_t xs[4];
static const uint8_t *fuzz_data;
static size_t fuzz_front, fuzz_back; /* unread bytes are [front, back) */
static bool fuzz_mode;

static uint64_t splitmix64(uint64_t *state) {
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k) {
    return (x << k) | (x >> (64 - k));
}

static uint64_t xoshiro_next(void) {
    uint64_t result = rotl(xs[0] + xs[3], 23) + xs[0];
    uint64_t t = xs[1] << 17;
    xs[2] ^= xs[0];
    xs[3] ^= xs[1];
    xs[1] ^= xs[2];
    xs[0] ^= xs[3];
    xs[2] ^= t;
    xs[3] = rotl(xs[3], 45);
    return result;
}

/* Transient streaks, keyed by equality only (never by address order or hash). */
#define STREAK_SLOTS 64
static struct {
    uint64_t key;
    uint32_t streak;
    uint64_t used;
} streaks[STREAK_SLOTS];
static uint64_t streak_clock;
static uint32_t streaks_live;

/* 32-bit draws come in pairs from one 64-bit output (high half first). */
static uint64_t pair_cache;
static bool pair_have;

static uint32_t next32(void) {
    if (pair_have) {
        pair_have = false;
        return (uint32_t)pair_cache;
    }
    pair_cache = xoshiro_next();
    pair_have = true;
    return (uint32_t)(pair_cache >> 32);
}

void sim_entropy_seed(uint64_t seed) {
    pair_have = false;
    uint64_t state = seed;
    for (int i = 0; i < 4; i++) xs[i] = splitmix64(&state);
    SIM_ASSERT((xs[0] | xs[1] | xs[2] | xs[3]) != 0);
    fuzz_mode = false;
    memset(streaks, 0, sizeof streaks);
    streak_clock = 0;
    streaks_live = 0;
    fuzz_data = NULL;
    fuzz_front = fuzz_back = 0;
}

void ringer_sim_entropy_bytes(const uint8_t *data, size_t size) {
    SIM_ASSERT(data != NULL || size == 0);
    fuzz_mode = true;
    fuzz_data = data;
    fuzz_front = 0;
    fuzz_back = size;
}

/* Up to `bytes` bytes from the end, big-endian as FuzzedDataProvider assembles them. */
static uint32_t fuzz_take_back(uint32_t bytes, bool *exhausted) {
    uint32_t value = 0;
    *exhausted = fuzz_back == fuzz_front;
    for (uint32_t i = 0; i < bytes && fuzz_back > fuzz_front; i++)
        value = (value << 8) | fuzz_data[--fuzz_back];
    return value;
}

uint32_t sim_draw_u32(void) {
    if (!fuzz_mode) return next32();
    bool exhausted;
    return fuzz_take_back(4, &exhausted);
}

uint32_t sim_draw_below(uint32_t bound) {
    SIM_ASSERT(bound > 0);
    if (!fuzz_mode) return (uint32_t)(((uint64_t)next32() * (uint64_t)bound) >> 32);
    uint32_t range = bound - 1, bytes = 0;
    while (bytes < 4 && (range >> (8 * bytes)) > 0) bytes++;
    bool exhausted;
    uint32_t value = fuzz_take_back(bytes, &exhausted);
    return bound == 0 ? 0 : value % bound;
}

void sim_draw_bytes(void *buffer, size_t size) {
    uint8_t *out = buffer;
    SIM_ASSERT(buffer != NULL || size == 0);
    for (size_t i = 0; i < size; i++) {
        if (!fuzz_mode) {
            out[i] = (uint8_t)(next32() >> 24);
        } else {
            out[i] = fuzz_front < fuzz_back ? fuzz_data[fuzz_front++] : 0;
        }
    }
}

/* A probability draw in [0, 10^6); 10^6 (never injects) when the bytes ran out. */
static uint32_t draw_ppm(void) {
    if (!fuzz_mode) return (uint32_t)(((uint64_t)next32() * 1000000ull) >> 32);
    bool exhausted;
    uint32_t value = fuzz_take_back(4, &exhausted);
    if (exhausted) return 1000000;
    return (uint32_t)(((uint64_t)value * 1000000ull) >> 32);
}

static bool fail_nth_hit(enum ringer_sim_fault_class fault) {
    const struct ringer_sim_options *o = &sim_cfg.o;
    if (o->fail_class != RINGER_SIM_FAULT_ANY && o->fail_class != fault) return false;
    if (sim_stats.fail_nth_reached) return false;
    uint64_t total = 0;
    for (int c = 0; c < RINGER_SIM_FAULT_CLASS_COUNT; c++) {
        if (o->fail_class == RINGER_SIM_FAULT_ANY || o->fail_class == c)
            total += sim_stats.opportunities[c];
    }
    if (total == o->fail_nth) {
        sim_stats.fail_nth_reached = true;
        return true;
    }
    return false;
}

bool sim_fault2(enum ringer_sim_fault_class fault, bool faithful, bool hostile) {
    SIM_ASSERT(fault < RINGER_SIM_FAULT_CLASS_COUNT);
    uint32_t draw = draw_ppm(); /* always exactly one draw */
    bool legal = faithful || (hostile && sim_cfg.hostile);
    if (!legal) return false;
    sim_stats.opportunities[fault]++;
    bool inject;
    if (sim_cfg.o.fail_nth) inject = fail_nth_hit(fault);
    else inject = draw < sim_cfg.o.faults[fault].ppm;
    if (inject) {
        sim_stats.faults[fault]++;
        sim_trace(TRACE_FAULT, fault, sim_now, 0, 0);
    }
    return inject;
}

/* The slot recording key's streak, or SIM_NONE; only keys with a running streak have one. */
static uint32_t streak_find(uint64_t key) {
    if (streaks_live == 0) return SIM_NONE;
    for (uint32_t i = 0; i < STREAK_SLOTS; i++) {
        if (streaks[i].used && streaks[i].key == key) return i;
    }
    return SIM_NONE;
}

bool sim_transient_allowed(uint64_t key) {
    uint32_t slot = streak_find(key);
    return slot == SIM_NONE || streaks[slot].streak < sim_cfg.o.transient_streak_max;
}

void sim_transient_note(uint64_t key, bool injected) {
    uint32_t slot = streak_find(key);
    if (!injected) {
        if (slot != SIM_NONE) {
            streaks[slot].used = 0; /* the streak ends */
            streaks_live--;
        }
        return;
    }
    if (slot == SIM_NONE) {
        uint32_t oldest = 0;
        for (uint32_t i = 0; i < STREAK_SLOTS; i++) {
            if (streaks[i].used < streaks[oldest].used) oldest = i;
        }
        slot = oldest;
        if (!streaks[slot].used) streaks_live++;
        streaks[slot].key = key;
        streaks[slot].streak = 0;
    }
    SIM_ASSERT(slot < STREAK_SLOTS);
    streaks[slot].used = ++streak_clock;
    streaks[slot].streak++;
}

/* -ln(1 - i/64) in 1/1024 units: a fixed-point exponential. */
static const uint16_t exp_table[64] = {
    0,    16,   33,   49,   66,   83,   101,  119,  137,  155,  174,  193,  213,  233,  253,  273,
    295,  316,  338,  361,  384,  407,  431,  456,  481,  507,  534,  561,  589,  618,  648,  678,
    710,  742,  776,  811,  847,  884,  922,  963,  1004, 1048, 1093, 1141, 1191, 1244, 1299, 1357,
    1420, 1486, 1556, 1632, 1714, 1803, 1901, 2009, 2129, 2266, 2424, 2611, 2839, 3134, 3549, 4259};

uint64_t sim_latency(uint64_t min, uint64_t mean) {
    uint32_t i = sim_draw_below(64); /* always one draw */
    if (mean == 0) return min;
    SIM_ASSERT(i < 64);
    return min + (mean * exp_table[i]) / 1024;
}

bool sim_fault(enum ringer_sim_fault_class fault, bool faithful) {
    return sim_fault2(fault, faithful, faithful);
}

uint32_t sim_short_unit(uint32_t file) {
    if (file == SIM_NONE) return 1;
    const struct sim_file *f = &sim_files[file];
    bool direct = (f->flags & O_DIRECT) && (f->kind == FK_REG || f->kind == FK_BLK);
    return direct ? sim_mounts[sim_inodes[f->obj].mount].block_size : 1;
}

uint32_t sim_short_length(uint32_t length, uint32_t unit, uint32_t pick) {
    SIM_ASSERT(unit > 0 && length >= 2 * unit);
    uint32_t units = length / unit; /* an O_DIRECT length is already whole blocks */
    uint32_t cut = unit * (1 + pick % (units - 1));
    SIM_ASSERT(cut >= unit && cut < length && cut % unit == 0);
    return cut;
}
