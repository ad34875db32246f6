/* The echo server: accepts connections, checks every frame (checksum, and sequence numbers
 * consecutive from 0 on each connection: in order, exactly once), and echoes it back. */
#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "net.h"
#include "track.h"

#define CONNS_MAX 16u
#define RX_CHUNK  4096u

struct conn {
    struct ringer_completion recv_c, send_c, cancel_c, close_c;
    int fd;
    bool open, recv_pending, send_pending, cancel_pending, close_pending, ending;
    bool peer_closed; /* recv gave 0: finish echoing what came, then close */
    bool identified;
    uint32_t client, session, next_seq;
    uint32_t parse_len, tx_head, tx_len;
    uint8_t parse[NET_FRAME_MAX + RX_CHUNK];
    uint8_t tx[NET_STREAM_MAX];
};

static struct conn conns[CONNS_MAX];
static int listen_fd = -1;
static struct ringer_completion accept_c, accept_cancel_c;
static bool accept_pending, accept_cancel_pending, accepting;
static struct ringer_io *server_io; /* the loop the listener belongs to */

static void conn_step(struct run *run, struct conn *conn);

/* Checks and echoes every whole frame at the front of the parse buffer. */
static void consume_frames(struct run *run, struct conn *conn) {
    for (;;) {
        uint32_t client, session, seq;
        const int32_t len = net_parse_frame(conn->parse, conn->parse_len, &client, &session, &seq);
        if (len == 0) return;
        if (len < 0 || (conn->identified && (client != conn->client || session != conn->session))) {
            run_fail(run,
                     "network: server got a damaged or foreign frame after %u good "
                     "frames (bytes lost, doubled or reordered)",
                     conn->next_seq);
            return;
        }
        if (seq != conn->next_seq) {
            run_fail(run,
                     "network: server got frame %u of client %u session %u, expected "
                     "%u (not in order, exactly once)",
                     seq, client, session, conn->next_seq);
            return;
        }
        conn->identified = true;
        conn->client = client;
        conn->session = session;
        conn->next_seq += 1;
        assert(conn->tx_len + (uint32_t)len <= sizeof(conn->tx));
        memcpy(conn->tx + conn->tx_len, conn->parse, (size_t)len);
        conn->tx_len += (uint32_t)len;
        conn->parse_len -= (uint32_t)len;
        memmove(conn->parse, conn->parse + len, conn->parse_len);
    }
}

static void on_recv(struct run *run, void *context, struct ringer_completion *c, int32_t result) {
    struct conn *conn = context;
    assert(c == &conn->recv_c && conn->recv_pending);
    conn->recv_pending = false;
    if (result == 0) {
        conn->peer_closed = true; /* the client shut down its side or closed */
    } else if (result < 0) {
        conn->ending = true; /* reset, timeout, cancel */
    } else {
        assert(conn->parse_len + (uint32_t)result <= sizeof(conn->parse));
        conn->parse_len += (uint32_t)result;
        consume_frames(run, conn);
    }
    conn_step(run, conn);
}

static void on_send(struct run *run, void *context, struct ringer_completion *c, int32_t result) {
    net_note_result(result);
    struct conn *conn = context;
    assert(c == &conn->send_c && conn->send_pending);
    conn->send_pending = false;
    if (result <= 0) conn->ending = true;
    else conn->tx_head += (uint32_t)result;
    assert(conn->tx_head <= conn->tx_len);
    conn_step(run, conn);
}

static void on_conn_cancel(struct run *run, void *context, struct ringer_completion *c,
                           int32_t result) {
    struct conn *conn = context;
    (void)result;
    assert(c == &conn->cancel_c && conn->cancel_pending);
    conn->cancel_pending = false;
    conn_step(run, conn);
}

static void on_conn_close(struct run *run, void *context, struct ringer_completion *c,
                          int32_t result) {
    struct conn *conn = context;
    assert(c == &conn->close_c && conn->close_pending);
    conn->close_pending = false;
    conn->open = false;
    if (run->faithful && result != 0) run_fail(run, "network: close returned %d", (int)result);
}

/* One send and one recv in flight per socket; an ending connection cancels what is
 * pending (closing a socket cancels nothing) and then closes. */
static void conn_step(struct run *run, struct conn *conn) {
    assert(conn->open && conn->fd >= 0);
    assert(conn->tx_head <= conn->tx_len && conn->parse_len <= sizeof(conn->parse));
    if (run->failed || run->cancel_all_started) return;
    if (!conn->ending) {
        if (!conn->recv_pending && !conn->peer_closed) {
            const uint32_t space = (uint32_t)sizeof(conn->parse) - conn->parse_len;
            conn->recv_pending =
                op_recv(run, &conn->recv_c, conn->fd, conn->parse + conn->parse_len,
                        space < RX_CHUNK ? space : RX_CHUNK, conn, on_recv);
            if (!conn->recv_pending) conn->ending = true;
        }
        if (!conn->send_pending && conn->tx_head < conn->tx_len) {
            conn->send_pending = op_send(run, &conn->send_c, conn->fd, conn->tx + conn->tx_head,
                                         conn->tx_len - conn->tx_head, conn, on_send);
            if (!conn->send_pending) conn->ending = true;
        }
        if (conn->peer_closed && !conn->send_pending && conn->tx_head == conn->tx_len) {
            conn->ending = true; /* everything that came was echoed */
        }
        if (!conn->ending) return;
    }
    if (conn->cancel_pending || conn->close_pending) return;
    struct ringer_completion *pending = conn->recv_pending   ? &conn->recv_c
                                        : conn->send_pending ? &conn->send_c
                                                             : NULL;
    if (pending != NULL) {
        conn->cancel_pending = true;
        op_cancel(run, &conn->cancel_c, pending, conn, on_conn_cancel);
        return;
    }
    conn->close_pending = true;
    op_close(run, &conn->close_c, conn->fd, conn, on_conn_close);
}

static void start_accept(struct run *run);

static void close_listener(void) {
    if (listen_fd >= 0) ringer_close_socket(server_io, listen_fd);
    listen_fd = -1;
}

static void on_accept(struct run *run, void *context, struct ringer_completion *c, int32_t result) {
    (void)context;
    assert(c == &accept_c && accept_pending);
    accept_pending = false;
    if (result >= 0) {
        struct conn *conn = NULL;
        for (uint32_t i = 0; i < CONNS_MAX && conn == NULL; i++) {
            if (!conns[i].open) conn = &conns[i];
        }
        if (conn == NULL) {
            (void)close(result); /* the sim's */
        } else {
            memset(conn, 0, sizeof(*conn));
            conn->fd = result;
            conn->open = true;
            conn_step(run, conn);
        }
    } else if (run->faithful && result != -ECONNABORTED && result != -ECANCELED &&
               result != -EMFILE && !net_breaking_faults()) {
        run_fail(run, "network: accept returned %d", (int)result);
    }
    if (accepting) start_accept(run);
    else if (!accept_cancel_pending) close_listener();
}

static void start_accept(struct run *run) {
    if (run->failed || run->cancel_all_started) return;
    accept_pending = op_accept(run, &accept_c, listen_fd, NULL, on_accept);
    if (!accept_pending) accepting = false;
    if (!accept_pending && !accept_cancel_pending) close_listener();
}

static void on_accept_cancel(struct run *run, void *context, struct ringer_completion *c,
                             int32_t result) {
    (void)context;
    (void)result;
    assert(c == &accept_cancel_c && accept_cancel_pending);
    accept_cancel_pending = false;
    if (accept_pending && !run->failed && !run->cancel_all_started) {
        /* -EALREADY or -ENOENT while the accept still waits: ask again, as cancel_all does */
        accept_cancel_pending = true;
        op_cancel(run, &accept_cancel_c, &accept_c, NULL, on_accept_cancel);
        return;
    }
    if (!accept_pending && !accepting) close_listener();
}

bool net_server_start(struct run *run, struct sockaddr_in *address) {
    const struct ringer_tcp_options options = {.nodelay = true, .user_timeout_ms = 5000};
    memset(conns, 0, sizeof(conns));
    memset(&accept_c, 0, sizeof(accept_c));
    memset(&accept_cancel_c, 0, sizeof(accept_cancel_c));
    accept_pending = accept_cancel_pending = false;
    server_io = run->io;
    listen_fd = ringer_open_socket_tcp(run->io, AF_INET, &options);
    if (listen_fd < 0) {
        run_fail(run, "network: ringer_open_socket_tcp returned %d", listen_fd);
        return false;
    }
    memset(address, 0, sizeof(*address));
    address->sin_family = AF_INET;
    address->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof(*address);
    int rc = ringer_listen(run->io, listen_fd, (struct sockaddr *)address, &size, 16);
    if (rc != 0 || address->sin_port == 0) {
        run_fail(run, "network: ringer_listen returned %d (port %u)", rc, ntohs(address->sin_port));
        return false;
    }
    accepting = true;
    start_accept(run);
    return !run->failed;
}

void net_server_stop_accepting(struct run *run) {
    if (!accepting) return;
    accepting = false;
    if (accept_pending && !accept_cancel_pending && !run->cancel_all_started) {
        accept_cancel_pending = true;
        op_cancel(run, &accept_cancel_c, &accept_c, NULL, on_accept_cancel);
    } else if (!accept_pending) {
        close_listener();
    }
}

bool net_server_idle(void) {
    if (accept_pending || accept_cancel_pending || listen_fd >= 0) return false;
    for (uint32_t i = 0; i < CONNS_MAX; i++) {
        if (conns[i].open) return false;
    }
    return true;
}

/* A crash closed every fd and dropped every op. */
void net_server_forget(void) {
    memset(conns, 0, sizeof(conns));
    listen_fd = -1;
    accept_pending = accept_cancel_pending = accepting = false;
}

/* After cancel_all (or at the end): whatever is still open is closed synchronously. */
void net_server_close_all(void) {
    for (uint32_t i = 0; i < CONNS_MAX; i++) {
        if (conns[i].open) (void)close(conns[i].fd); /* the sim's */
        conns[i].open = false;
    }
    close_listener();
}
