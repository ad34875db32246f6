/*
 * Loopback TCP: deterministic ports from 32768, listen backlog, per-socket receive buffers,
 * delivery latency (bytes stay in order), EOF, resets on close with unread data, refused
 * connects, and the network faults of fault-model.md §5.
 */
#include "sim_internal.h"

#include <arpa/inet.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdlib.h>

enum { SS_FREE = 0, SS_NEW, SS_BOUND, SS_LISTEN, SS_CONNECTED, SS_DEAD };
#define SEGMENTS 16

struct sim_sock {
    uint8_t state;
    bool has_file; /* an open description refers to it */
    bool reuseaddr;
    bool shut_rd, shut_wr, peer_eof, reset, reset_reported;
    int family;
    uint8_t node; /* the machine the socket lives on */
    uint16_t port;
    uint32_t peer; /* connected peer, or SIM_NONE */
    uint16_t peer_port;
    uint32_t backlog;
    uint32_t acceptq_head, acceptq_tail, acceptq_count, accept_next;
    uint32_t listener; /* for a queued server socket */
    uint8_t *rx;
    uint32_t rx_limit;                  /* SO_RCVBUF: at most rx_cap */
    uint32_t rx_head, rx_len, rx_ready; /* rx_ready <= rx_len bytes are visible */
    uint32_t seg_count;
    uint64_t seg_time[SEGMENTS];
    uint32_t seg_len[SEGMENTS];
};

static struct sim_sock socks[RINGER_SIM_MAX_SOCKETS];
static uint8_t *rx_pool;
static uint32_t rx_cap, rx_pool_cap;
static uint32_t port_owner[65536];                 /* socket + 1 */
static uint32_t sock_hw, port_lo = 65536, port_hi; /* what the world used */

/* The receive buffers are allocated once (grown on demand) and never need clearing: bytes
 * are written before they are read. */
void sim_net_reset(void) {
    memset(socks, 0, sock_hw * sizeof socks[0]);
    if (port_lo < port_hi)
        memset(port_owner + port_lo, 0, (port_hi - port_lo) * sizeof port_owner[0]);
    sock_hw = port_hi = 0;
    port_lo = 65536;
    rx_cap = sim_cfg.o.socket_buffer_size;
    if (rx_cap > rx_pool_cap) {
        free(rx_pool);
        rx_pool = malloc((size_t)RINGER_SIM_MAX_SOCKETS * rx_cap);
        SIM_ASSERT(rx_pool != NULL);
        rx_pool_cap = rx_cap;
    }
    sim_stream_reset();
}

void sim_net_free(void) {
    sim_stream_free();
}

static void port_touch(uint32_t port) {
    if (port < port_lo) port_lo = port;
    if (port + 1 > port_hi) port_hi = port + 1;
}

static uint32_t sock_alloc(int family) {
    for (uint32_t s = 0; s < RINGER_SIM_MAX_SOCKETS; s++) {
        if (socks[s].state == SS_FREE) {
            if (s >= sock_hw) sock_hw = s + 1;
            socks[s] = (struct sim_sock){.state = SS_NEW,
                                         .family = family,
                                         .node = (uint8_t)sim_node_cur,
                                         .peer = SIM_NONE,
                                         .acceptq_head = SIM_NONE,
                                         .acceptq_tail = SIM_NONE,
                                         .accept_next = SIM_NONE,
                                         .listener = SIM_NONE};
            socks[s].rx = rx_pool + (size_t)s * rx_cap;
            socks[s].rx_limit = rx_cap;
            return s;
        }
    }
    return SIM_NONE;
}

static uint16_t port_alloc(uint32_t s) {
    for (uint32_t p = 32768; p < 61000; p++) {
        if (port_owner[p] == 0) {
            port_owner[p] = s + 1;
            port_touch(p);
            return (uint16_t)p;
        }
    }
    return 0;
}

static void port_free(uint32_t s) {
    uint16_t p = socks[s].port;
    if (p != 0 && port_owner[p] == s + 1) port_owner[p] = 0;
}

/* Delivery: promote segments whose time has come. */
static void promote(uint32_t s) {
    struct sim_sock *k = &socks[s];
    uint32_t i = 0;
    while (i < k->seg_count && k->seg_time[i] <= sim_now) k->rx_ready += k->seg_len[i++];
    if (i == 0) return;
    memmove(k->seg_time, k->seg_time + i, (k->seg_count - i) * sizeof k->seg_time[0]);
    memmove(k->seg_len, k->seg_len + i, (k->seg_count - i) * sizeof k->seg_len[0]);
    k->seg_count -= i;
    SIM_ASSERT(k->rx_ready <= k->rx_len);
}

static void deliver(uint32_t s, uint32_t n) {
    struct sim_sock *k = &socks[s];
    uint64_t lat = sim_latency(sim_cfg.o.net_latency_min_ns, sim_cfg.o.net_latency_mean_ns);
    if (sim_fault(RINGER_SIM_FAULT_LATENCY, true)) lat += 100000 + sim_latency(0, 1000000);
    if (sim_fault(RINGER_SIM_FAULT_PARTITION, true))
        lat += 1000000 + sim_latency(0, 100000000); /* the path stalls, then delivers */
    if (lat == 0 && k->seg_count == 0) {
        k->rx_ready += n;
        return;
    }
    uint64_t at = sim_now + lat;
    if (k->seg_count > 0 && k->seg_time[k->seg_count - 1] > at)
        at = k->seg_time[k->seg_count - 1]; /* in order within the stream */
    if (k->seg_count == SEGMENTS) {
        k->seg_time[SEGMENTS - 1] = at;
        k->seg_len[SEGMENTS - 1] += n;
    } else {
        k->seg_time[k->seg_count] = at;
        k->seg_len[k->seg_count++] = n;
    }
    sim_schedule(at, EV_WAKE, s, 0);
}

uint32_t sim_sock_rx_ready(uint32_t s) {
    promote(s);
    return socks[s].rx_ready;
}

static bool loopback(const struct sockaddr *a, bool allow_any) {
    if (a->sa_family == AF_INET) {
        uint32_t ip = ntohl(((const struct sockaddr_in *)a)->sin_addr.s_addr);
        return (ip >> 24) == 127 || (allow_any && ip == 0);
    }
    const struct in6_addr *ip6 = &((const struct sockaddr_in6 *)a)->sin6_addr;
    return IN6_IS_ADDR_LOOPBACK(ip6) || (allow_any && IN6_IS_ADDR_UNSPECIFIED(ip6)) ||
           (IN6_IS_ADDR_V4MAPPED(ip6) && ip6->s6_addr[12] == 127);
}

/* The node an address names (loopback and the unspecified address: the current node), or
 * SIM_NONE. */
static uint32_t addr_node(const struct sockaddr *a) {
    if (a->sa_family == AF_INET)
        return sim_node_of_ip(ntohl(((const struct sockaddr_in *)a)->sin_addr.s_addr));
    return loopback(a, true) ? sim_node_cur : SIM_NONE;
}

static int check_addr(uint32_t s, const struct sockaddr *a, socklen_t size) {
    if (a == NULL) return -EFAULT;
    if (size < sizeof(sa_family_t)) return -EINVAL;
    if (a->sa_family != socks[s].family)
        return socks[s].family == AF_INET ? -EAFNOSUPPORT : -EINVAL;
    if (size < (a->sa_family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6)))
        return -EINVAL;
    return 0;
}

static uint16_t addr_port(const struct sockaddr *a) {
    return a->sa_family == AF_INET ? ntohs(((const struct sockaddr_in *)a)->sin_port)
                                   : ntohs(((const struct sockaddr_in6 *)a)->sin6_port);
}

/* Writes a loopback address with `port`, truncated to *size; *size = the real size. */
static void fill_addr(int family, uint16_t port, bool any, struct sockaddr *out, socklen_t *size) {
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    socklen_t real;
    if (family == AF_INET) {
        struct sockaddr_in *in = (struct sockaddr_in *)&ss;
        in->sin_family = AF_INET;
        in->sin_port = htons(port);
        in->sin_addr.s_addr = any ? 0 : htonl(INADDR_LOOPBACK);
        real = sizeof *in;
    } else {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(port);
        if (!any) in6->sin6_addr = in6addr_loopback;
        real = sizeof *in6;
    }
    if (out != NULL && size != NULL) memcpy(out, &ss, *size < real ? *size : real);
    if (size != NULL) *size = real;
}

int sim_sock_bind(uint32_t s, const struct sockaddr *a, socklen_t size) {
    int err = check_addr(s, a, size);
    if (err) return err;
    if (socks[s].state != SS_NEW) return -EINVAL;
    if (addr_node(a) != sim_node_cur) return -EADDRNOTAVAIL;
    uint16_t port = addr_port(a);
    if (port == 0) {
        port = port_alloc(s);
        if (port == 0) return -EADDRINUSE;
    } else {
        uint32_t owner = port_owner[port];
        if (owner != 0 && (!socks[s].reuseaddr || socks[owner - 1].state == SS_LISTEN))
            return -EADDRINUSE;
        port_owner[port] = s + 1;
        port_touch(port);
    }
    socks[s].port = port;
    socks[s].state = SS_BOUND;
    return 0;
}

int sim_sock_listen(uint32_t s, int backlog) {
    struct sim_sock *k = &socks[s];
    if (k->state == SS_NEW) {
        k->port = port_alloc(s);
        if (k->port == 0) return -EADDRINUSE;
        k->state = SS_BOUND;
    }
    if (k->state != SS_BOUND && k->state != SS_LISTEN) return -EINVAL;
    k->backlog = backlog < 0 ? 0 : backlog > 4096 ? 4096 : (uint32_t)backlog;
    k->state = SS_LISTEN;
    port_owner[k->port] = s + 1;
    port_touch(k->port);
    return 0;
}

int sim_sock_name(uint32_t s, struct sockaddr *a, socklen_t *size, bool peer) {
    const struct sim_sock *k = &socks[s];
    if (size == NULL) return -EFAULT;
    if (peer) {
        if (k->state != SS_CONNECTED) return -ENOTCONN;
        fill_addr(k->family, k->peer_port, false, a, size);
        return 0;
    }
    fill_addr(k->family, k->port, k->state == SS_NEW, a, size);
    return 0;
}

static uint32_t find_listener(int family, uint16_t port, uint32_t node) {
    uint32_t owner = port_owner[port];
    if (owner == 0) return SIM_NONE;
    const struct sim_sock *l = &socks[owner - 1];
    return l->state == SS_LISTEN && l->family == family && l->node == node ? owner - 1 : SIM_NONE;
}

/* Connect: 0 (established), -EAGAIN (backlog full: wait on the listener *wait_obj), or an
 * error. */
int sim_sock_connect_wait(uint32_t s, const struct sockaddr *a, socklen_t size,
                          uint32_t *wait_obj) {
    struct sim_sock *k = &socks[s];
    int err = check_addr(s, a, size);
    if (err) return err;
    if (k->state == SS_CONNECTED || k->state == SS_DEAD)
        return k->state == SS_CONNECTED ? -EISCONN : -EINVAL;
    if (k->state == SS_LISTEN) return -EISCONN;
    uint32_t node = addr_node(a);
    if (node == SIM_NONE) return -ENETUNREACH;
    bool refuse = sim_fault(RINGER_SIM_FAULT_REFUSE, true);
    bool partition = sim_fault(RINGER_SIM_FAULT_PARTITION, true);
    uint32_t l = find_listener(k->family, addr_port(a), node);
    if (l == SIM_NONE || refuse) return -ECONNREFUSED;
    if (partition)
        return -ETIMEDOUT; /* the handshake never got through before the connect timeout */
    if (socks[l].acceptq_count > socks[l].backlog) {
        *wait_obj = l;
        return -EAGAIN;
    }
    if (k->state == SS_NEW && (k->port = port_alloc(s)) == 0) return -EADDRNOTAVAIL;
    uint32_t srv = sock_alloc(k->family);
    if (srv == SIM_NONE) return -ENOBUFS;
    struct sim_sock *v = &socks[srv];
    v->state = k->state = SS_CONNECTED;
    v->port = socks[l].port;
    v->node = socks[l].node;
    v->peer = s, v->peer_port = k->port;
    k->peer = srv, k->peer_port = v->port;
    v->listener = l;
    v->rx_limit = socks[l].rx_limit;
    if (socks[l].acceptq_tail == SIM_NONE) socks[l].acceptq_head = srv;
    else socks[socks[l].acceptq_tail].accept_next = srv;
    socks[l].acceptq_tail = srv;
    socks[l].acceptq_count++;
    sim_wq_wake(WQ_LISTEN, l);
    return 0;
}

int sim_sock_connect(uint32_t s, const struct sockaddr *a, socklen_t size) {
    uint32_t wait_obj;
    return sim_sock_connect_wait(s, a, size, &wait_obj);
}

static uint32_t acceptq_pop(uint32_t l) {
    struct sim_sock *k = &socks[l];
    uint32_t srv = k->acceptq_head;
    if (srv == SIM_NONE) return SIM_NONE;
    k->acceptq_head = socks[srv].accept_next;
    if (k->acceptq_head == SIM_NONE) k->acceptq_tail = SIM_NONE;
    k->acceptq_count--;
    socks[srv].accept_next = SIM_NONE;
    socks[srv].listener = SIM_NONE;
    return srv;
}

static void sock_drop(uint32_t s, bool reset_peer);

int sim_sock_accept(uint32_t s, struct sockaddr *address, socklen_t *size, int flags,
                    bool *would_wait) {
    *would_wait = false;
    if (socks[s].state != SS_LISTEN) return -EINVAL;
    if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) return -EINVAL;
    if (socks[s].acceptq_head == SIM_NONE) {
        *would_wait = true;
        return -EAGAIN;
    }
    bool abort_conn = sim_fault(RINGER_SIM_FAULT_ACCEPT_ABORT, true);
    uint32_t srv = acceptq_pop(s);
    sim_wq_wake(WQ_SOCK_TX, s); /* connects waiting for backlog room */
    if (abort_conn) {
        sock_drop(srv, true);
        return -ECONNABORTED;
    }
    uint32_t f = sim_file_alloc(FK_SOCK, srv, O_RDWR | ((flags & SOCK_NONBLOCK) ? O_NONBLOCK : 0));
    if (f == SIM_NONE) {
        sock_drop(srv, true);
        return -ENFILE;
    }
    socks[srv].has_file = true;
    int fd = sim_fd_install(f, (flags & SOCK_CLOEXEC) != 0);
    if (fd < 0) {
        sim_file_unref(f);
        return fd;
    }
    if (address != NULL && size != NULL)
        fill_addr(socks[srv].family, socks[srv].peer_port, false, address, size);
    return fd;
}

static void do_reset(uint32_t s) {
    struct sim_sock *k = &socks[s];
    k->reset = true;
    k->peer = SIM_NONE;
    sim_wq_wake(WQ_SOCK_RX, s);
    sim_wq_wake(WQ_SOCK_TX, s);
}

/* The endpoint goes away: its peer sees EOF, or a reset if data was left unread. */
static void sock_drop(uint32_t s, bool reset_peer) {
    struct sim_sock *k = &socks[s];
    uint32_t p = k->peer;
    if (p != SIM_NONE) {
        socks[p].peer = SIM_NONE;
        if (reset_peer) {
            do_reset(p);
        } else {
            socks[p].peer_eof = true;
            sim_wq_wake(WQ_SOCK_RX, p);
            sim_wq_wake(WQ_SOCK_TX, p);
        }
    }
    port_free(s);
    k->state = SS_FREE;
}

void sim_sock_close(uint32_t s) {
    struct sim_sock *k = &socks[s];
    SIM_ASSERT(k->state != SS_FREE);
    if (k->state == SS_LISTEN) {
        for (uint32_t srv = acceptq_pop(s); srv != SIM_NONE; srv = acceptq_pop(s))
            sock_drop(srv, true);
        sim_wq_wake(WQ_SOCK_TX, s); /* waiting connects: refused now */
    }
    promote(s);
    sock_drop(s, k->rx_len > 0);
}

static int send_state(uint32_t s) {
    struct sim_sock *k = &socks[s];
    if (k->reset && !k->reset_reported) {
        k->reset_reported = true;
        return -ECONNRESET;
    }
    if (k->shut_wr || k->reset || (k->state == SS_CONNECTED && k->peer == SIM_NONE)) return -EPIPE;
    if (k->state != SS_CONNECTED) return -ENOTCONN;
    return 0;
}

int sim_sock_send(uint32_t s, const void *buffer, uint32_t size, int flags) {
    (void)flags;
    int err = send_state(s);
    if (err) return err;
    if (sim_fault(RINGER_SIM_FAULT_RESET, true)) {
        uint32_t p = socks[s].peer;
        do_reset(s);
        do_reset(p);
        socks[s].reset_reported = true;
        return -ECONNRESET;
    }
    struct sim_sock *peer = &socks[socks[s].peer];
    uint32_t space = peer->rx_len < peer->rx_limit ? peer->rx_limit - peer->rx_len : 0;
    if (size == 0) return 0;
    if (space == 0) return -EAGAIN;
    uint32_t n = size < space ? size : space;
    uint32_t cut = sim_draw_u32();
    if (sim_fault(RINGER_SIM_FAULT_PARTIAL, true) && n > 1) n = 1 + cut % (n - 1);
    for (uint32_t done = 0; done < n;) {
        uint32_t at = (peer->rx_head + peer->rx_len) % rx_cap;
        uint32_t chunk = rx_cap - at < n - done ? rx_cap - at : n - done;
        memcpy(peer->rx + at, (const uint8_t *)buffer + done, chunk);
        peer->rx_len += chunk;
        done += chunk;
    }
    deliver(socks[s].peer, n);
    sim_wq_wake(WQ_SOCK_RX, socks[s].peer);
    return (int)n;
}

int sim_sock_recv(uint32_t s, void *buffer, uint32_t size, int flags, uint32_t *cqe_flags) {
    struct sim_sock *k = &socks[s];
    (void)flags;
    if (k->state != SS_CONNECTED)
        return k->state == SS_LISTEN || k->state == SS_NEW || k->state == SS_BOUND ? -ENOTCONN : 0;
    promote(s);
    if (k->reset && !k->reset_reported) {
        k->reset_reported = true;
        return -ECONNRESET;
    }
    if (k->rx_ready == 0) /* the FIN never overtakes data still in flight */
        return ((k->peer_eof && k->seg_count == 0) || k->shut_rd || k->reset) ? 0 : -EAGAIN;
    if (size == 0) return 0;
    uint32_t n = size < k->rx_ready ? size : k->rx_ready;
    uint32_t cut = sim_draw_u32();
    if (sim_fault(RINGER_SIM_FAULT_PARTIAL, true) && n > 1) n = 1 + cut % (n - 1);
    for (uint32_t done = 0; done < n;) {
        uint32_t chunk = rx_cap - k->rx_head < n - done ? rx_cap - k->rx_head : n - done;
        memcpy((uint8_t *)buffer + done, k->rx + k->rx_head, chunk);
        k->rx_head = (k->rx_head + chunk) % rx_cap;
        done += chunk;
    }
    k->rx_len -= n;
    k->rx_ready -= n;
    if (cqe_flags != NULL && k->rx_ready > 0) {
        /* 6.x sets it; the CQE_FLAGS class sets it under any profile, and counts it */
        bool injected = sim_fault(RINGER_SIM_FAULT_CQE_FLAGS, true);
        if (injected || sim_cfg.kernel == RINGER_SIM_KERNEL_6_1)
            *cqe_flags |= IORING_CQE_F_SOCK_NONEMPTY;
    }
    if (k->peer != SIM_NONE) sim_wq_wake(WQ_SOCK_TX, k->peer);
    return (int)n;
}

int sim_sock_shutdown(uint32_t s, int how) {
    struct sim_sock *k = &socks[s];
    if (how < SHUT_RD || how > SHUT_RDWR) return -EINVAL;
    if (k->state != SS_CONNECTED) return -ENOTCONN;
    if (how != SHUT_WR) {
        k->shut_rd = true;
        sim_wq_wake(WQ_SOCK_RX, s);
    }
    if (how != SHUT_RD) {
        k->shut_wr = true;
        if (k->peer != SIM_NONE) {
            socks[k->peer].peer_eof = true;
            sim_wq_wake(WQ_SOCK_RX, k->peer);
        }
        sim_wq_wake(WQ_SOCK_TX, s);
    }
    return 0;
}

bool sim_sock_readable(uint32_t s) {
    const struct sim_sock *k = &socks[s];
    return sim_sock_rx_ready(s) > 0 || (k->peer_eof && k->seg_count == 0) || k->shut_rd ||
           k->reset || k->state != SS_CONNECTED;
}

bool sim_sock_writable(uint32_t s) {
    const struct sim_sock *k = &socks[s];
    if (k->shut_wr || k->reset || k->state != SS_CONNECTED || k->peer == SIM_NONE) return true;
    return socks[k->peer].rx_len < socks[k->peer].rx_limit;
}

/* tcp_poll: readable, writable, the peer's FIN (RDHUP), both directions shut (HUP), a
 * reset (ERR). An unconnected socket is writable and hung up. */
uint32_t sim_sock_poll(uint32_t s) {
    const struct sim_sock *k = &socks[s];
    if (k->state == SS_LISTEN) return k->acceptq_head != SIM_NONE ? POLLIN | POLLRDNORM : 0;
    if (k->state != SS_CONNECTED) return POLLOUT | POLLWRNORM | POLLHUP;
    bool rcv_shut = k->shut_rd || k->reset || (k->peer_eof && k->seg_count == 0);
    bool snd_shut = k->shut_wr || k->reset;
    uint32_t mask = 0;
    if (rcv_shut && snd_shut) mask |= POLLHUP;
    if (rcv_shut) mask |= POLLIN | POLLRDNORM | POLLRDHUP;
    if (sim_sock_rx_ready(s) > 0) mask |= POLLIN | POLLRDNORM;
    if (snd_shut || sim_sock_writable(s)) mask |= POLLOUT | POLLWRNORM;
    if (k->reset) mask |= POLLERR;
    return mask;
}

bool sim_sock_acceptable(uint32_t s) {
    return socks[s].state != SS_LISTEN || socks[s].acceptq_head != SIM_NONE;
}

bool sim_sock_is_listener(uint32_t s) {
    return socks[s].state == SS_LISTEN;
}

uint32_t sim_sock_new(int family) {
    return sock_alloc(family);
}

/* SO_RCVBUF: Linux doubles the value (for bookkeeping overhead), minimum 2304 bytes. */
void sim_sock_set_rcvbuf(uint32_t s, int bytes) {
    uint64_t v = bytes < 0 ? 0 : 2 * (uint64_t)bytes;
    socks[s].rx_limit = (uint32_t)(v < 2304 ? 2304 : v > rx_cap ? rx_cap : v);
}

int sim_sock_get_rcvbuf(uint32_t s) {
    return (int)socks[s].rx_limit;
}

void sim_sock_set_reuse(uint32_t s, bool on) {
    socks[s].reuseaddr = on;
}
