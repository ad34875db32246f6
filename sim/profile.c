/*
 * Fault profiles, named by what a program must survive (ringer_sim.h), and the names of
 * the fault classes. Each profile is a set of classes and a legality (only HOSTILE goes
 * beyond what Linux produces); the sets nest: TRANSPARENT inside CRASH inside
 * STORAGE_ERRORS, and TRANSPARENT inside NETWORK.
 */
#include "sim_internal.h"
#include "sim_log.h"

#define BIT(c) (1u << RINGER_SIM_FAULT_##c)
#define ALL    ((1u << RINGER_SIM_FAULT_CLASS_COUNT) - 1u)

_Static_assert(RINGER_SIM_FAULT_CLASS_COUNT <= 32, "profiles hold classes in a 32-bit mask");

/* What a correct program hides completely: retried, reordered or resumed, never seen. */
#define TRANSPARENT                                                                              \
    (BIT(ENTER_EINTR) | BIT(ENTER_EAGAIN) | BIT(ENTER_EBUSY) | BIT(ENTER_PARTIAL) | BIT(ORDER) | \
     BIT(CQE_EINTR) | BIT(CQE_EAGAIN) | BIT(SHORT) | BIT(CANCEL_RACE) | BIT(CQE_FLAGS) |         \
     BIT(SQE_STALE) | BIT(LATENCY) | BIT(PARTIAL))
/* Power loss: what fsync (of data and of directories) protects against. */
#define CRASH (TRANSPARENT | BIT(TORN) | BIT(LOST_UNSYNCED))
/* Lost or damaged data: only more than one copy, or a checksum, gets it back. */
#define STORAGE_ERRORS                                                                             \
    (CRASH | BIT(READ_EIO) | BIT(LATENT_SECTOR) | BIT(CORRUPT) | BIT(WRITE_EIO) | BIT(MISDIRECT) | \
     BIT(ENOSPC) | BIT(FSYNC_FAIL) | BIT(ERRNO))
/* The peer or the path goes away: reconnect and resend. */
#define NETWORK (TRANSPARENT | BIT(RESET) | BIT(REFUSE) | BIT(ACCEPT_ABORT) | BIT(PARTITION))

static const struct {
    const char *name;
    uint32_t faults;
} profiles[RINGER_SIM_PROFILE_COUNT] = {
    [RINGER_SIM_PROFILE_FAITHFUL] = {"faithful", ALL},
    [RINGER_SIM_PROFILE_HOSTILE] = {"hostile", ALL},
    [RINGER_SIM_PROFILE_TRANSPARENT] = {"transparent", TRANSPARENT},
    [RINGER_SIM_PROFILE_CRASH] = {"crash", CRASH},
    [RINGER_SIM_PROFILE_STORAGE_ERRORS] = {"storage-errors", STORAGE_ERRORS},
    [RINGER_SIM_PROFILE_NETWORK] = {"network", NETWORK},
};

uint32_t ringer_sim_profile_faults(uint8_t profile) {
    return profile < RINGER_SIM_PROFILE_COUNT ? profiles[profile].faults : 0;
}

const char *ringer_sim_profile_name(uint8_t profile) {
    return profile < RINGER_SIM_PROFILE_COUNT ? profiles[profile].name : NULL;
}

int ringer_sim_profile_parse(const char *name) {
    for (int p = 0; name != NULL && p < RINGER_SIM_PROFILE_COUNT; p++) {
        if (strcmp(name, profiles[p].name) == 0) return p;
    }
    return -EINVAL;
}

/* The non-swarm rates: high for what a program must hide (so every seed exercises it),
 * low for what ends an operation or a connection. */
static uint32_t fixed_rate(uint32_t fault_class) {
    switch (fault_class) {
    case RINGER_SIM_FAULT_ORDER:
        return 300000;
    case RINGER_SIM_FAULT_ENTER_EINTR:
    case RINGER_SIM_FAULT_ENTER_PARTIAL:
    case RINGER_SIM_FAULT_SHORT:
    case RINGER_SIM_FAULT_PARTIAL:
        return 100000;
    case RINGER_SIM_FAULT_ENTER_EAGAIN:
    case RINGER_SIM_FAULT_ENTER_EBUSY:
    case RINGER_SIM_FAULT_CQE_EINTR:
    case RINGER_SIM_FAULT_CQE_EAGAIN:
    case RINGER_SIM_FAULT_CQE_FLAGS:
    case RINGER_SIM_FAULT_SQE_STALE:
    case RINGER_SIM_FAULT_CANCEL_RACE:
    case RINGER_SIM_FAULT_LATENCY:
        return 50000;
    case RINGER_SIM_FAULT_TORN:
    case RINGER_SIM_FAULT_LOST_UNSYNCED:
        return 500000;
    default:
        return 2000;
    }
}

void ringer_sim_profile_rates(struct ringer_sim_options *options) {
    SIM_ASSERT(options != NULL);
    SIM_ASSERT(options->profile < RINGER_SIM_PROFILE_COUNT);
    uint32_t mask = ringer_sim_profile_faults(options->profile);
    for (uint32_t c = 0; c < RINGER_SIM_FAULT_CLASS_COUNT; c++) {
        bool on = ((mask >> c) & 1u) && c != RINGER_SIM_FAULT_CQE_DROP;
        options->faults[c].ppm = on ? fixed_rate(c) : 0;
    }
}

static const char *const fault_names[RINGER_SIM_FAULT_CLASS_COUNT] = {
    "ENTER_EINTR", "ENTER_EAGAIN", "ENTER_EBUSY", "ENTER_PARTIAL", "CQE_DROP",      "ORDER",
    "CQE_EINTR",   "CQE_EAGAIN",   "SHORT",       "CQE_ECANCELED", "ERRNO",         "CANCEL_RACE",
    "CQE_FLAGS",   "SQE_STALE",    "READ_EIO",    "LATENT_SECTOR", "CORRUPT",       "WRITE_EIO",
    "MISDIRECT",   "ENOSPC",       "FSYNC_FAIL",  "TORN",          "LOST_UNSYNCED", "LATENCY",
    "PARTIAL",     "RESET",        "REFUSE",      "ACCEPT_ABORT",  "PARTITION",
};

const char *ringer_sim_fault_name(uint32_t fault_class) {
    return fault_class < RINGER_SIM_FAULT_CLASS_COUNT ? fault_names[fault_class] : NULL;
}

int ringer_sim_fault_parse(const char *name) {
    for (int c = 0; name != NULL && c < RINGER_SIM_FAULT_CLASS_COUNT; c++) {
        if (strcmp(name, fault_names[c]) == 0) return c;
    }
    return -EINVAL;
}
