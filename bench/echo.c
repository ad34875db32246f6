/*
 * The echo row: a TCP echo server through ringer and one written directly on liburing,
 * and the load generator both are measured with (also on liburing, so that every server,
 * including the libuv one in echo_libuv.c, faces the same client).
 *
 * Each server alternates one recv and one send per connection, as examples/ringer-echo.c
 * does. A server prints "port N" once listening and, on SIGINT, one result line counting
 * completed sends (echoes), its io_uring_enter calls and its CPU time.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <ringer.h>

#include "bench.h"

#define ECHO_CONNECTIONS_MAX 1024u
#define ECHO_BUFFER_SIZE     4096u

static volatile sig_atomic_t stop_requested;

static void print_port(int listen_fd) {
    struct sockaddr_in address;
    socklen_t size = sizeof(address);
    if (getsockname(listen_fd, (struct sockaddr *)&address, &size) != 0) {
        bench_die("getsockname", errno);
    }
    printf("port %u\n", (unsigned)ntohs(address.sin_port));
    fflush(stdout);
}

/* ---- ringer server ---- */

struct ringer_connection {
    struct ringer_completion completion;
    int fd;
    uint32_t size, sent;
    uint8_t buffer[ECHO_BUFFER_SIZE];
};

struct ringer_server {
    struct ringer_io io;
    int listen_fd, stop_event;
    uint32_t connections;
    uint64_t echoes;
    bool stopping;
    struct ringer_completion accept_completion, stop_completion;
    struct ringer_connection connection[ECHO_CONNECTIONS_MAX];
};

static struct ringer_server ringer_server;

static void on_ringer_recv(void *context, struct ringer_completion *completion, int32_t result);

static void ringer_send_rest(struct ringer_connection *c);

static void on_ringer_send(void *context, struct ringer_completion *completion, int32_t result) {
    (void)completion;
    struct ringer_connection *c = context;
    if (result <= 0) return; /* the client left: the slot stays idle */
    c->sent += (uint32_t)result;
    if (c->sent < c->size) {
        ringer_send_rest(c);
        return;
    }
    ringer_server.echoes += 1;
    ringer_recv(&ringer_server.io, &c->completion, c->fd, c->buffer, ECHO_BUFFER_SIZE, c,
                on_ringer_recv);
}

static void ringer_send_rest(struct ringer_connection *c) {
    ringer_send(&ringer_server.io, &c->completion, c->fd, c->buffer + c->sent, c->size - c->sent, c,
                on_ringer_send);
}

static void on_ringer_recv(void *context, struct ringer_completion *completion, int32_t result) {
    (void)completion;
    struct ringer_connection *c = context;
    if (result <= 0) return;
    c->size = (uint32_t)result;
    c->sent = 0;
    ringer_send_rest(c);
}

static void on_ringer_accept(void *context, struct ringer_completion *completion, int32_t result) {
    (void)completion;
    struct ringer_server *s = context;
    if (result < 0 || s->connections == ECHO_CONNECTIONS_MAX) bench_die("accept", result);
    struct ringer_connection *c = &s->connection[s->connections++];
    c->fd = result;
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    ringer_recv(&s->io, &c->completion, c->fd, c->buffer, ECHO_BUFFER_SIZE, c, on_ringer_recv);
    if (s->connections < ECHO_CONNECTIONS_MAX) {
        ringer_accept(&s->io, &s->accept_completion, s->listen_fd, s, on_ringer_accept);
    }
}

static void on_ringer_stop(void *context, struct ringer_completion *completion, int32_t result) {
    (void)completion;
    (void)result;
    ((struct ringer_server *)context)->stopping = true;
}

static void on_ringer_sigint(int signal_number) {
    (void)signal_number;
    ringer_event_trigger(&ringer_server.io, ringer_server.stop_event);
}

int bench_echo_server_ringer(void) {
    struct ringer_server *s = &ringer_server;
    int rc = ringer_init(&s->io, 256, 0);
    if (rc < 0) bench_die("ringer_init", rc);
    struct ringer_tcp_options options = {.nodelay = true};
    s->listen_fd = ringer_open_socket_tcp(&s->io, AF_INET, &options);
    if (s->listen_fd < 0) bench_die("socket", s->listen_fd);
    struct sockaddr_in address = {.sin_family = AF_INET};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof(address);
    rc = ringer_listen(&s->io, s->listen_fd, (struct sockaddr *)&address, &size, 1024);
    if (rc < 0) bench_die("listen", rc);
    s->stop_event = ringer_open_event(&s->io);
    if (s->stop_event < 0) bench_die("eventfd", s->stop_event);
    signal(SIGINT, on_ringer_sigint);
    print_port(s->listen_fd);
    ringer_event_listen(&s->io, &s->stop_completion, s->stop_event, s, on_ringer_stop);
    ringer_accept(&s->io, &s->accept_completion, s->listen_fd, s, on_ringer_accept);
    uint64_t start = bench_now_ns();
    while (rc >= 0 && !s->stopping) rc = ringer_run_for_ns(&s->io, 100000000);
    if (rc < 0) bench_die("ringer_run_for_ns", rc);
    struct bench_result result = {
        .ops = s->echoes,
        .seconds = (double)(bench_now_ns() - start) / 1e9,
        .syscalls = (int64_t)ringer_stats(&s->io).syscalls,
        .cpu_ns = bench_cpu_ns(),
    };
    rc = ringer_cancel_all(&s->io);
    if (rc < 0) bench_die("ringer_cancel_all", rc);
    ringer_deinit(&s->io);
    bench_print_result(&result);
    return 0;
}

/* ---- raw liburing server ---- */

enum raw_kind { RAW_ACCEPT, RAW_RECV, RAW_SEND };

struct raw_connection {
    int fd;
    uint32_t size, sent;
    uint8_t buffer[ECHO_BUFFER_SIZE];
};

static struct raw_connection raw_connection[ECHO_CONNECTIONS_MAX];

static struct io_uring_sqe *raw_sqe(struct io_uring *ring, uint64_t *enters) {
    struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
    if (sqe == NULL) { /* the SQ is full: hand it to the kernel and take a fresh one */
        *enters += 1;
        io_uring_submit(ring);
        sqe = io_uring_get_sqe(ring);
        if (sqe == NULL) bench_die("io_uring_get_sqe", EBUSY);
    }
    return sqe;
}

static void raw_prep_echo(struct io_uring *ring, uint64_t *enters, uint32_t index,
                          enum raw_kind kind, int listen_fd) {
    struct io_uring_sqe *sqe = raw_sqe(ring, enters);
    struct raw_connection *c = &raw_connection[index];
    if (kind == RAW_ACCEPT) io_uring_prep_accept(sqe, listen_fd, NULL, NULL, SOCK_CLOEXEC);
    if (kind == RAW_RECV) io_uring_prep_recv(sqe, c->fd, c->buffer, ECHO_BUFFER_SIZE, 0);
    if (kind == RAW_SEND) {
        io_uring_prep_send(sqe, c->fd, c->buffer + c->sent, c->size - c->sent, MSG_NOSIGNAL);
    }
    io_uring_sqe_set_data64(sqe, (uint64_t)index << 2 | kind);
}

struct raw_server_state {
    struct io_uring ring;
    int listen_fd;
    uint32_t connections;
    uint64_t echoes, enters;
};

static void raw_server_complete(struct raw_server_state *s, uint64_t user_data, int32_t res) {
    uint32_t index = (uint32_t)(user_data >> 2);
    struct raw_connection *c = &raw_connection[index];
    switch ((enum raw_kind)(user_data & 3)) {
    case RAW_ACCEPT:
        if (res < 0 || s->connections == ECHO_CONNECTIONS_MAX) bench_die("accept", res);
        raw_connection[s->connections].fd = res;
        int one = 1;
        setsockopt(res, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        raw_prep_echo(&s->ring, &s->enters, s->connections++, RAW_RECV, s->listen_fd);
        raw_prep_echo(&s->ring, &s->enters, 0, RAW_ACCEPT, s->listen_fd);
        break;
    case RAW_RECV:
        if (res <= 0) break;
        c->size = (uint32_t)res;
        c->sent = 0;
        raw_prep_echo(&s->ring, &s->enters, index, RAW_SEND, s->listen_fd);
        break;
    case RAW_SEND:
        if (res <= 0) break;
        c->sent += (uint32_t)res;
        if (c->sent < c->size) {
            raw_prep_echo(&s->ring, &s->enters, index, RAW_SEND, s->listen_fd);
            break;
        }
        s->echoes += 1;
        raw_prep_echo(&s->ring, &s->enters, index, RAW_RECV, s->listen_fd);
        break;
    }
}

static void on_raw_sigint(int signal_number) {
    (void)signal_number;
    stop_requested = 1;
}

static int open_listener(void) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) bench_die("socket", errno);
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    struct sockaddr_in address = {.sin_family = AF_INET};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&address, sizeof(address)) != 0) bench_die("bind", errno);
    if (listen(fd, 1024) != 0) bench_die("listen", errno);
    return fd;
}

int bench_echo_server_raw(void) {
    static struct raw_server_state s;
    int rc = bench_ring_init(&s.ring, 256);
    if (rc < 0) bench_die("io_uring_queue_init_params", rc);
    s.listen_fd = open_listener();
    struct sigaction action = {.sa_handler = on_raw_sigint}; /* no SA_RESTART */
    sigaction(SIGINT, &action, NULL);
    print_port(s.listen_fd);
    raw_prep_echo(&s.ring, &s.enters, 0, RAW_ACCEPT, s.listen_fd);
    uint64_t start = bench_now_ns();
    while (!stop_requested) {
        s.enters += 1;
        rc = io_uring_submit_and_wait(&s.ring, 1);
        if (rc < 0 && rc != -EINTR) bench_die("io_uring_submit_and_wait", rc);
        struct io_uring_cqe *cqes[256];
        unsigned count = io_uring_peek_batch_cqe(&s.ring, cqes, 256);
        for (unsigned i = 0; i < count; i++) {
            raw_server_complete(&s, io_uring_cqe_get_data64(cqes[i]), cqes[i]->res);
        }
        io_uring_cq_advance(&s.ring, count);
    }
    struct bench_result result = {
        .ops = s.echoes,
        .seconds = (double)(bench_now_ns() - start) / 1e9,
        .syscalls = (int64_t)s.enters,
        .cpu_ns = bench_cpu_ns(),
    };
    bench_print_result(&result);
    return 0; /* exiting tears the ring down with whatever is still in flight */
}

/* ---- load generator ---- */

struct client_connection {
    int fd;
    uint32_t sent, received;
    uint8_t out[ECHO_BUFFER_SIZE], in[ECHO_BUFFER_SIZE];
};

struct client {
    struct io_uring ring;
    struct client_connection connection[ECHO_CONNECTIONS_MAX];
    uint32_t message_size, in_flight;
    uint64_t round_trips, enters;
    bool stopping;
};

static void client_prep(struct client *cl, uint32_t index, bool send) {
    struct io_uring_sqe *sqe = raw_sqe(&cl->ring, &cl->enters);
    struct client_connection *c = &cl->connection[index];
    if (send) {
        io_uring_prep_send(sqe, c->fd, c->out + c->sent, cl->message_size - c->sent, MSG_NOSIGNAL);
    } else {
        io_uring_prep_recv(sqe, c->fd, c->in + c->received, cl->message_size - c->received, 0);
    }
    io_uring_sqe_set_data64(sqe, (uint64_t)index << 1 | (send ? 0u : 1u));
    cl->in_flight += 1;
}

/* A message goes out whole, its echo comes back whole, then the next message goes out. */
static void client_complete(struct client *cl, uint64_t user_data, int32_t res) {
    uint32_t index = (uint32_t)(user_data >> 1);
    struct client_connection *c = &cl->connection[index];
    cl->in_flight -= 1;
    if (res <= 0) bench_die("echo client: the server closed or failed", res < 0 ? res : EPIPE);
    if ((user_data & 1) == 0) {
        c->sent += (uint32_t)res;
        client_prep(cl, index, c->sent < cl->message_size);
        return;
    }
    c->received += (uint32_t)res;
    if (c->received < cl->message_size) {
        client_prep(cl, index, false);
        return;
    }
    cl->round_trips += 1;
    c->sent = c->received = 0;
    if (!cl->stopping) client_prep(cl, index, true);
}

static void client_connect(struct client *cl, int port, uint32_t connections) {
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    for (uint32_t i = 0; i < connections; i++) {
        struct client_connection *c = &cl->connection[i];
        c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (c->fd < 0) bench_die("socket", errno);
        if (connect(c->fd, (struct sockaddr *)&address, sizeof(address)) != 0) {
            bench_die("connect", errno);
        }
        int one = 1;
        setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        memset(c->out, 'a' + (int)(i % 26), sizeof(c->out));
    }
}

static void client_pass(struct client *cl) {
    cl->enters += 1;
    int rc = io_uring_submit_and_wait(&cl->ring, 1);
    if (rc < 0 && rc != -EINTR) bench_die("io_uring_submit_and_wait", rc);
    struct io_uring_cqe *cqes[256];
    unsigned count = io_uring_peek_batch_cqe(&cl->ring, cqes, 256);
    for (unsigned i = 0; i < count; i++) {
        client_complete(cl, io_uring_cqe_get_data64(cqes[i]), cqes[i]->res);
    }
    io_uring_cq_advance(&cl->ring, count);
}

int bench_echo_client(int port, uint32_t connections, uint32_t message_size, double seconds) {
    static struct client cl;
    if (connections > ECHO_CONNECTIONS_MAX) bench_die("too many connections", EINVAL);
    cl.message_size = message_size;
    int rc = bench_ring_init(&cl.ring, bench_ring_entries(2 * connections));
    if (rc < 0) bench_die("io_uring_queue_init_params", rc);
    client_connect(&cl, port, connections);
    uint64_t cpu_start = bench_cpu_ns();
    uint64_t start = bench_now_ns();
    uint64_t end = start + (uint64_t)(seconds * 1e9);
    for (uint32_t i = 0; i < connections; i++) client_prep(&cl, i, true);
    uint64_t now = start;
    while (now < end) {
        client_pass(&cl);
        now = bench_now_ns();
    }
    struct bench_result result = {
        .ops = cl.round_trips,
        .seconds = (double)(now - start) / 1e9,
        .syscalls = (int64_t)cl.enters,
        .cpu_ns = bench_cpu_ns() - cpu_start,
    };
    cl.stopping = true;
    while (cl.in_flight > 0) client_pass(&cl);
    for (uint32_t i = 0; i < connections; i++) close(cl.connection[i].fd);
    io_uring_queue_exit(&cl.ring);
    bench_print_result(&result);
    return 0;
}
