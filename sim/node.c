/*
 * Nodes: several simulated machines in one world. The global pools stay shared; what
 * belongs to a machine is tagged with its node (a range of fd numbers, a root directory, a
 * socket's node, a clock skew and drift), and the current node says whose code runs. Node 0
 * is the original machine, so a world that never creates nodes behaves exactly as before.
 */
#include "sim_internal.h"

#include <stdio.h>

struct sim_node {
    uint32_t root;     /* the directory absolute paths start from */
    int64_t drift_ppm; /* its clock runs (1e6 + drift_ppm) / 1e6 as fast as virtual time */
    uint64_t skew_ns;  /* its clock's offset from virtual time, drawn from the seed */
};

static struct sim_node nodes[RINGER_SIM_MAX_NODES];
static uint32_t node_count = 1;
uint32_t sim_node_cur;

#define FD_FIRST 3

void sim_nodes_reset(void) {
    memset(nodes, 0, sizeof nodes);
    nodes[0].root = sim_mounts[RINGER_SIM_MOUNT_ROOT].root;
    node_count = 1;
    sim_node_cur = 0;
}

static const char *options_problem(uint32_t count, const struct ringer_sim_node_options *o) {
    if (count == 0 || count > RINGER_SIM_MAX_NODES) return "node count outside 1..8";
    if (node_count != 1) return "nodes already created";
    if (o == NULL) return NULL;
    if (o->max_skew_ns > RINGER_SIM_MAX_SKEW_NS) return "max_skew_ns above 1 s";
    for (uint32_t n = 0; n < RINGER_SIM_MAX_NODES; n++) {
        if (o->drift_ppm[n] > RINGER_SIM_MAX_DRIFT_PPM ||
            o->drift_ppm[n] < -RINGER_SIM_MAX_DRIFT_PPM)
            return "drift_ppm outside +-1000";
    }
    return NULL;
}

/* Node n's root: "/.node<n>" with its own tmp and data, made durable so a crash keeps it. */
static int make_root(uint32_t n) {
    SIM_ASSERT(n > 0 && n < RINGER_SIM_MAX_NODES);
    uint32_t top = sim_mounts[RINGER_SIM_MOUNT_ROOT].root;
    char leaf[16];
    snprintf(leaf, sizeof leaf, ".node%u", n);
    uint32_t root = sim_fs_create(top, leaf, IT_DIR, 0755);
    if (root == SIM_NONE) return -ENOMEM;
    if (sim_fs_create(root, "tmp", IT_DIR, 01777) == SIM_NONE) return -ENOMEM;
    if (sim_fs_create(root, "data", IT_DIR, 0755) == SIM_NONE) return -ENOMEM;
    sim_fs_sync_dir(top);
    sim_fs_sync_dir(root);
    nodes[n].root = root;
    return 0;
}

int ringer_sim_nodes_create(uint32_t count, const struct ringer_sim_node_options *o) {
    SIM_ASSERT(sim_initialised);
    if (options_problem(count, o) != NULL) return -EINVAL;
    int fds[1];
    if (sim_fds_open(fds, 1) > RINGER_SIM_NODE_FDS) return -EINVAL; /* beyond node 0's range */
    for (uint32_t n = 0; n < count; n++) {
        nodes[n].drift_ppm = o ? o->drift_ppm[n] : 0;
        nodes[n].skew_ns = o && o->max_skew_ns ? sim_draw_below((uint32_t)o->max_skew_ns + 1) : 0;
        if (n > 0) {
            int err = make_root(n);
            if (err) return err;
        }
    }
    node_count = count;
    sim_trace(TRACE_CONFIG, 0x4e4f4445u /* "NODE" */, count, 0, 0);
    SIM_ASSERT(sim_node_cur == 0);
    return 0;
}

uint32_t ringer_sim_node_count(void) {
    return node_count;
}

int ringer_sim_node_switch(uint32_t node) {
    if (node >= node_count) return -EINVAL;
    sim_node_cur = node;
    SIM_ASSERT(sim_node_cur < node_count);
    return 0;
}

uint32_t ringer_sim_node_current(void) {
    return sim_node_cur;
}

uint64_t ringer_sim_node_clock_ns(uint32_t node, uint64_t virtual_ns) {
    SIM_ASSERT(node < node_count);
    const struct sim_node *n = &nodes[node];
    /* drift: whole seconds and the rest apart, so 64 bits never overflow */
    int64_t drift = (int64_t)(virtual_ns / SIM_NS_PER_S) * n->drift_ppm * 1000 +
                    (int64_t)(virtual_ns % SIM_NS_PER_S) * n->drift_ppm / 1000000;
    uint64_t t = virtual_ns + n->skew_ns + (uint64_t)drift;
    SIM_ASSERT(n->drift_ppm >= 0 || t <= virtual_ns + n->skew_ns);
    return t;
}

uint64_t sim_node_time(uint64_t virtual_ns) {
    if (node_count == 1) return virtual_ns + nodes[0].skew_ns; /* skew 0 without nodes */
    return ringer_sim_node_clock_ns(sim_node_cur, virtual_ns);
}

void sim_node_fd_range(int *lo, int *hi) {
    if (node_count == 1) {
        *lo = FD_FIRST, *hi = (int)RINGER_SIM_MAX_FDS;
        return;
    }
    *lo = FD_FIRST + (int)(sim_node_cur * RINGER_SIM_NODE_FDS);
    *hi = *lo + (int)RINGER_SIM_NODE_FDS;
    SIM_ASSERT(*hi <= (int)RINGER_SIM_MAX_FDS);
}

uint32_t sim_node_root(void) {
    SIM_ASSERT(sim_node_cur < node_count);
    return nodes[sim_node_cur].root;
}

/* The node an IPv4 address (host byte order) names: loopback and the unspecified address
 * are the current node; SIM_NONE for an address no node has. */
uint32_t sim_node_of_ip(uint32_t ip) {
    if ((ip >> 24) == 127 || ip == 0) return sim_node_cur;
    if (ip >= RINGER_SIM_NODE_ADDR(0) && ip < RINGER_SIM_NODE_ADDR(node_count) && node_count > 1)
        return ip - RINGER_SIM_NODE_ADDR(0);
    return SIM_NONE;
}

uint32_t sim_node_enter(uint32_t node) {
    SIM_ASSERT(node < node_count);
    uint32_t back = sim_node_cur;
    sim_node_cur = node;
    return back;
}

uint32_t sim_node_of_fd(int fd) {
    SIM_ASSERT(fd >= FD_FIRST && fd < (int)RINGER_SIM_MAX_FDS);
    if (node_count == 1) return 0;
    uint32_t node = (uint32_t)(fd - FD_FIRST) / RINGER_SIM_NODE_FDS;
    SIM_ASSERT(node < node_count);
    return node;
}
