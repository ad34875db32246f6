/* The clients: each runs sessions (connect, send a framed stream with one send in flight,
 * receive the echo with one recv in flight, close) and checks that the echo is exactly
 * the stream it sent, in order. An error ends a session; the client reconnects. */
#include <assert.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "net.h"
#include "track.h"

struct client {
    struct ringer_completion connect_c, send_c, recv_c, cancel_c, close_c;
    int fd;
    uint32_t id, session, sessions_left;
    bool connected, connect_pending, send_pending, recv_pending, cancel_pending;
    bool close_pending, ending, errored, finished;
    bool half_close, shut_down; /* shut down the sending side once everything is sent */
    uint32_t tx_len, tx_sent, rx_len;
    uint32_t failed_sessions;
    uint8_t tx[NET_STREAM_MAX];
    uint8_t rx[NET_STREAM_MAX];
};

static struct client clients[NET_CLIENTS_MAX];
static uint32_t client_count;
static struct sockaddr_in server_address;

static void session_start(struct run *run, struct client *client);
static void client_step(struct run *run, struct client *client);

static void client_finished(struct run *run, struct client *client) {
    client->finished = true;
    if (net_clients_finished()) net_server_stop_accepting(run);
}

static void session_error(struct client *client) {
    if (!client->errored) client->failed_sessions += 1;
    client->errored = true;
    client->ending = true;
}

static void on_connect(struct run *run, void *context, struct ringer_completion *c,
                       int32_t result) {
    struct client *client = context;
    assert(c == &client->connect_c && client->connect_pending);
    client->connect_pending = false;
    if (result == 0) {
        client->connected = true;
        client_step(run, client);
        return;
    }
    if (run->faithful && (result == -EINTR || !net_breaking_faults())) {
        run_fail(run, "network: connect returned %d with no network fault to explain it",
                 (int)result);
        return;
    }
    session_error(client);
    client_step(run, client);
}

static void on_send(struct run *run, void *context, struct ringer_completion *c, int32_t result) {
    net_note_result(result);
    struct client *client = context;
    assert(c == &client->send_c && client->send_pending);
    client->send_pending = false;
    if (result > (int32_t)(client->tx_len - client->tx_sent)) {
        run_fail(run, "network: send reported %d bytes, more than asked", (int)result);
        return;
    }
    if (result <= 0) session_error(client);
    else client->tx_sent += (uint32_t)result;
    client_step(run, client);
}

static void on_recv(struct run *run, void *context, struct ringer_completion *c, int32_t result) {
    struct client *client = context;
    assert(c == &client->recv_c && client->recv_pending);
    client->recv_pending = false;
    if (result > 0) {
        const uint32_t n = (uint32_t)result;
        if (n > client->tx_len - client->rx_len ||
            memcmp(client->rx + client->rx_len, client->tx + client->rx_len, n) != 0) {
            run_fail(run,
                     "network: client %u session %u: the echo differs from the stream "
                     "sent at byte %u (%u bytes received)",
                     client->id, client->session, client->rx_len, n);
            return;
        }
        client->rx_len += n;
    } else {
        session_error(client); /* 0: closed before the echo was complete */
    }
    client_step(run, client);
}

static void on_cancel(struct run *run, void *context, struct ringer_completion *c, int32_t result) {
    struct client *client = context;
    (void)result;
    assert(c == &client->cancel_c && client->cancel_pending);
    client->cancel_pending = false;
    client_step(run, client);
}

static void on_close(struct run *run, void *context, struct ringer_completion *c, int32_t result) {
    struct client *client = context;
    assert(c == &client->close_c && client->close_pending);
    client->close_pending = false;
    client->fd = -1;
    if (run->faithful && result != 0) run_fail(run, "network: close returned %d", (int)result);
    session_start(run, client);
}

/* SHUT_WR after the last byte: the server then sees EOF, echoes the rest and closes. */
static void maybe_shut_down(struct run *run, struct client *client) {
    if (!client->half_close || client->shut_down || client->send_pending ||
        client->tx_sent < client->tx_len) {
        return;
    }
    client->shut_down = true;
    int rc = ringer_shutdown(run->io, client->fd, SHUT_WR);
    if (rc != 0 && run->faithful && !net_breaking_faults()) {
        run_fail(run, "network: ringer_shutdown(SHUT_WR) returned %d", rc);
    }
}

static void start_transfers(struct run *run, struct client *client) {
    if (!client->recv_pending && client->rx_len < client->tx_len) {
        client->recv_pending =
            op_recv(run, &client->recv_c, client->fd, client->rx + client->rx_len,
                    client->tx_len - client->rx_len, client, on_recv);
        if (!client->recv_pending) client->ending = true;
    }
    if (!client->send_pending && client->tx_sent < client->tx_len && !client->ending) {
        client->send_pending =
            op_send(run, &client->send_c, client->fd, client->tx + client->tx_sent,
                    client->tx_len - client->tx_sent, client, on_send);
        if (!client->send_pending) client->ending = true;
    }
    maybe_shut_down(run, client);
}

/* One send and one recv in flight; an ending session cancels what is pending, then
 * closes its socket (a close cancels nothing). */
static void client_step(struct run *run, struct client *client) {
    assert(client->id < NET_CLIENTS_MAX && client->fd >= 0);
    assert(client->rx_len <= client->tx_len && client->tx_sent <= client->tx_len);
    if (run->failed || run->cancel_all_started) return;
    if (!client->ending && client->connected) {
        if (client->rx_len == client->tx_len) client->ending = true; /* echo complete */
        else start_transfers(run, client);
        if (!client->ending) return;
    }
    if (client->cancel_pending || client->close_pending || client->connect_pending) return;
    struct ringer_completion *pending = client->recv_pending   ? &client->recv_c
                                        : client->send_pending ? &client->send_c
                                                               : NULL;
    if (pending != NULL) {
        client->cancel_pending = true;
        op_cancel(run, &client->cancel_c, pending, client, on_cancel);
        return;
    }
    client->close_pending = true;
    op_close(run, &client->close_c, client->fd, client, on_close);
}

static void session_start(struct run *run, struct client *client) {
    if (run->failed || run->cancel_all_started) return;
    if (client->sessions_left == 0 || run->op_budget == 0) {
        client_finished(run, client);
        return;
    }
    client->sessions_left -= 1;
    client->session += 1;
    client->connected = client->ending = client->errored = client->shut_down = false;
    /* Drawn either way, so that the flag changes nothing else in the run. */
    client->half_close = prng_chance(&run->rng, 1, 2) && run->config->half_close;
    client->tx_sent = client->rx_len = 0;
    const uint32_t frames = 1 + (uint32_t)prng_below(&run->rng, NET_FRAMES_MAX);
    client->tx_len = net_build_session(client->tx, run->config->seed, client->id, client->session,
                                       frames, &run->rng);
    const struct ringer_tcp_options options = {
        .nodelay = prng_chance(&run->rng, 1, 2),
        .user_timeout_ms = 5000,
    };
    client->fd = ringer_open_socket_tcp(run->io, AF_INET, &options);
    if (client->fd < 0) {
        run_fail(run, "network: ringer_open_socket_tcp returned %d", client->fd);
        return;
    }
    client->connect_pending =
        op_connect(run, &client->connect_c, client->fd, (const struct sockaddr *)&server_address,
                   sizeof(server_address), client, on_connect);
    if (!client->connect_pending) {
        ringer_close_socket(run->io, client->fd);
        client->fd = -1;
        client_finished(run, client);
    }
}

void net_clients_start(struct run *run, const struct sockaddr_in *address, bool first_life) {
    server_address = *address;
    if (first_life) {
        client_count = 1 + (uint32_t)prng_below(&run->rng, NET_CLIENTS_MAX);
        for (uint32_t i = 0; i < client_count; i++) {
            memset(&clients[i], 0, sizeof(clients[i]));
            clients[i].id = i;
            clients[i].sessions_left = 1 + (uint32_t)prng_below(&run->rng, 6);
        }
    }
    for (uint32_t i = 0; i < client_count && !run->failed; i++) {
        if (!clients[i].finished) session_start(run, &clients[i]);
    }
    if (net_clients_finished()) net_server_stop_accepting(run);
}

bool net_clients_finished(void) {
    for (uint32_t i = 0; i < client_count; i++) {
        if (!clients[i].finished) return false;
    }
    return true;
}

/* A crash: sockets and ops are gone; the session in progress counts as cut short. */
void net_clients_forget(void) {
    for (uint32_t i = 0; i < client_count; i++) {
        struct client *client = &clients[i];
        client->fd = -1;
        /* The abandoned loop still lists these completions as in flight: start afresh. */
        memset(&client->connect_c, 0, sizeof(client->connect_c));
        memset(&client->send_c, 0, sizeof(client->send_c));
        memset(&client->recv_c, 0, sizeof(client->recv_c));
        memset(&client->cancel_c, 0, sizeof(client->cancel_c));
        memset(&client->close_c, 0, sizeof(client->close_c));
        client->connect_pending = client->send_pending = client->recv_pending = false;
        client->cancel_pending = client->close_pending = false;
    }
}

void net_clients_close_all(void) {
    for (uint32_t i = 0; i < client_count; i++) {
        if (clients[i].fd >= 0) (void)close(clients[i].fd); /* the sim's */
        clients[i].fd = -1;
    }
}

/* Faithful, with nothing injected that can break a connection: every session completes. */
void net_clients_check(struct run *run) {
    if (!run->faithful || net_breaking_faults()) return;
    for (uint32_t i = 0; i < client_count; i++) {
        if (clients[i].failed_sessions > 0 && run->result->crashes == 0) {
            run_fail(run,
                     "network: client %u had %u failed sessions, but no fault was "
                     "injected that can break a connection",
                     i, clients[i].failed_sessions);
            return;
        }
    }
}
