/*
 * ringer-echo [--port N] [--max-connections N]: a TCP echo server on 127.0.0.1.
 *
 * Each connection alternates between one recv and one send, so it never has more than one
 * of each in flight and its buffer is never read and written at once. When the server is
 * full it stops accepting (new clients wait in the listen backlog) until a connection
 * closes. On SIGINT the signal handler triggers an eventfd; the event's callback asks the
 * main loop to stop, and ringer_cancel_all then takes every operation back from the kernel
 * before the sockets are closed and the ring is released.
 *
 * It prints "listening on 127.0.0.1:PORT" on stderr once ready (useful with --port 0, which
 * picks a free port), and a line of statistics on exit.
 *
 * The same source also builds for the simulated kernel (ringer-echo-sim, see
 * examples/ringer-echo-sim.c): there, the four echo_sim_* hooks below create the simulated
 * world and drive a simulated client; in the real build they do nothing.
 */
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include <ringer.h>

#ifdef RINGER_ECHO_SIM
int echo_sim_begin(void);               /* creates the simulated world */
void echo_sim_listening(uint16_t port); /* the client connects */
void echo_sim_step(void);               /* runs the client; raises SIGINT when it is done */
int echo_sim_end(void);                 /* checks the client and tears the world down */
#else
static int echo_sim_begin(void) {
    return 0;
}
static void echo_sim_listening(uint16_t port) {
    (void)port;
}
static void echo_sim_step(void) {}
static int echo_sim_end(void) {
    return 0;
}
#endif

#define MAX_CONNECTIONS_LIMIT 1024
#define BUFFER_SIZE           4096
#define RING_ENTRIES          256
#define LOOP_SLICE_NS         (100u * 1000u * 1000u) /* how often the main loop checks `stopping` */

struct server;

struct connection {
    struct ringer_completion completion; /* the one recv or send in flight */
    struct server *server;
    int fd;        /* -1: this slot is free */
    uint32_t size; /* bytes received, to echo back */
    uint32_t sent; /* bytes of them sent so far */
    uint8_t buffer[BUFFER_SIZE];
};

struct server {
    struct ringer_io io;
    int listen_fd;
    int stop_event; /* eventfd that SIGINT triggers */
    bool accepting; /* an accept is in flight */
    bool stopping;
    unsigned open_connections;
    unsigned max_connections;
    uint64_t accepted;
    uint64_t bytes_echoed;
    struct ringer_completion accept_completion;
    struct ringer_completion stop_completion;
    struct connection connections[MAX_CONNECTIONS_LIMIT];
};

static struct server server; /* static: zeroed, and reachable from the signal handler */

static void on_accept(void *context, struct ringer_completion *completion, int32_t result);
static void on_recv(void *context, struct ringer_completion *completion, int32_t result);
static void on_send(void *context, struct ringer_completion *completion, int32_t result);

/* Accept the next client, unless an accept is already waiting or the server is full. */
static void maybe_accept(struct server *s) {
    if (s->accepting || s->stopping || s->open_connections >= s->max_connections) return;
    s->accepting = true;
    ringer_accept(&s->io, &s->accept_completion, s->listen_fd, s, on_accept);
}

static void close_connection(struct connection *c) {
    struct server *s = c->server;
    ringer_close_socket(&s->io, c->fd);
    c->fd = -1;
    s->open_connections -= 1;
    maybe_accept(s); /* a slot is free again */
}

static void start_recv(struct connection *c) {
    ringer_recv(&c->server->io, &c->completion, c->fd, c->buffer, BUFFER_SIZE, c, on_recv);
}

static void start_send(struct connection *c) {
    ringer_send(&c->server->io, &c->completion, c->fd, c->buffer + c->sent, c->size - c->sent, c,
                on_send);
}

static void on_accept(void *context, struct ringer_completion *completion, int32_t result) {
    (void)completion;
    struct server *s = context;
    s->accepting = false;
    if (result < 0) {
        /* Per-client failures (the client gave up, out of fds): keep serving the others. */
        fprintf(stderr, "ringer-echo: accept: %s\n", strerror(-result));
    } else {
        struct connection *c = NULL;
        for (unsigned i = 0; i < s->max_connections && c == NULL; i++) {
            if (s->connections[i].fd < 0) c = &s->connections[i];
        }
        /* maybe_accept only accepts below the limit, so a free slot exists. */
        c->fd = result;
        s->open_connections += 1;
        s->accepted += 1;
        start_recv(c);
    }
    maybe_accept(s);
}

static void on_recv(void *context, struct ringer_completion *completion, int32_t result) {
    (void)completion;
    struct connection *c = context;
    if (result <= 0) { /* 0: the client closed its side; < 0: the connection failed */
        close_connection(c);
        return;
    }
    c->size = (uint32_t)result;
    c->sent = 0;
    start_send(c);
}

static void on_send(void *context, struct ringer_completion *completion, int32_t result) {
    (void)completion;
    struct connection *c = context;
    if (result <= 0) {
        close_connection(c);
        return;
    }
    c->sent += (uint32_t)result;
    c->server->bytes_echoed += (uint64_t)result;
    if (c->sent < c->size) start_send(c); /* a short send: send the rest */
    else start_recv(c);
}

static void on_stop_event(void *context, struct ringer_completion *completion, int32_t result) {
    (void)completion;
    (void)result;
    struct server *s = context;
    s->stopping = true;
}

/* Runs in signal context: ringer_event_trigger is one write(2), which is async-signal-safe. */
static void on_sigint(int signal_number) {
    (void)signal_number;
    ringer_event_trigger(&server.io, server.stop_event);
}

/* Parses a decimal number in [min, max]; false on anything else. */
static bool parse_number(const char *text, unsigned long min, unsigned long max,
                         unsigned long *value) {
    char *end = NULL;
    errno = 0;
    unsigned long parsed = strtoul(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || text[0] == '-') return false;
    if (parsed < min || parsed > max) return false;
    *value = parsed;
    return true;
}

static bool parse_arguments(int argc, char **argv, unsigned long *port,
                            unsigned long *max_connections) {
    for (int i = 1; i < argc; i++) {
        if (i + 1 >= argc) return false; /* every option takes a value */
        if (strcmp(argv[i], "--port") == 0) {
            if (!parse_number(argv[++i], 0, 65535, port)) return false;
        } else if (strcmp(argv[i], "--max-connections") == 0) {
            if (!parse_number(argv[++i], 1, MAX_CONNECTIONS_LIMIT, max_connections)) {
                return false;
            }
        } else {
            return false;
        }
    }
    return true;
}

/* Opens the listening socket and the stop event; prints the bound port. */
static int open_server(struct server *s, unsigned long port) {
    struct ringer_tcp_options options = {.nodelay = true};
    s->listen_fd = ringer_open_socket_tcp(&s->io, AF_INET, &options);
    if (s->listen_fd < 0) return s->listen_fd;
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t address_size = sizeof(address);
    int rc = ringer_listen(&s->io, s->listen_fd, (struct sockaddr *)&address, &address_size, 128);
    if (rc < 0) return rc;
    s->stop_event = ringer_open_event(&s->io);
    if (s->stop_event < 0) return s->stop_event;
    fprintf(stderr, "listening on 127.0.0.1:%u\n", (unsigned)ntohs(address.sin_port));
    echo_sim_listening(ntohs(address.sin_port));
    return 0;
}

static void install_sigint_handler(void) {
    struct sigaction action;
    memset(&action, 0, sizeof(action));
    action.sa_handler = on_sigint;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, NULL);
    sigaction(SIGTERM, &action, NULL);
}

/* After cancel_all the kernel holds no pointer into our memory: close everything. */
static void close_server(struct server *s) {
    for (unsigned i = 0; i < s->max_connections; i++) {
        if (s->connections[i].fd >= 0) ringer_close_socket(&s->io, s->connections[i].fd);
    }
    ringer_close_socket(&s->io, s->listen_fd);
    ringer_close_event(&s->io, s->stop_event);
    struct ringer_stats stats = ringer_stats(&s->io);
    fprintf(stderr,
            "ringer-echo: stopped: %llu connections, %llu bytes echoed, %llu operations, "
            "%llu syscalls\n",
            (unsigned long long)s->accepted, (unsigned long long)s->bytes_echoed,
            (unsigned long long)stats.callbacks, (unsigned long long)stats.syscalls);
    ringer_deinit(&s->io);
}

int main(int argc, char **argv) {
    unsigned long port = 0, max_connections = 64;
    if (!parse_arguments(argc, argv, &port, &max_connections)) {
        fprintf(stderr, "usage: ringer-echo [--port 0..65535] [--max-connections 1..%d]\n",
                MAX_CONNECTIONS_LIMIT);
        return 2;
    }
    struct server *s = &server;
    s->max_connections = (unsigned)max_connections;
    for (unsigned i = 0; i < MAX_CONNECTIONS_LIMIT; i++) {
        s->connections[i].fd = -1;
        s->connections[i].server = s;
    }
    int rc = echo_sim_begin();
    if (rc == 0) rc = ringer_init(&s->io, RING_ENTRIES, 0);
    if (rc == 0) rc = open_server(s, port);
    if (rc < 0) {
        fprintf(stderr, "ringer-echo: %s\n", strerror(-rc));
        return 1;
    }
    install_sigint_handler();
    ringer_event_listen(&s->io, &s->stop_completion, s->stop_event, s, on_stop_event);
    maybe_accept(s);
    while (rc == 0 && !s->stopping) {
        rc = ringer_run_for_ns(&s->io, LOOP_SLICE_NS);
        echo_sim_step();
    }
    if (rc < 0) {
        /* The ring broke: the kernel may still use our buffers, so do not free anything. */
        fprintf(stderr, "ringer-echo: the ring failed: %s\n", strerror(-rc));
        return 1;
    }
    /* Take every accept, recv and send back from the kernel. No callback runs from here. */
    rc = ringer_cancel_all(&s->io);
    if (rc < 0) {
        fprintf(stderr, "ringer-echo: cancel_all: %s\n", strerror(-rc));
        return 1;
    }
    close_server(s);
    return echo_sim_end();
}
