/*
 * The simulated half of ringer-echo-sim: examples/ringer-echo.c, unchanged, running on the
 * simulated kernel, with a simulated client in the same process.
 *
 * Both halves are compiled with the sim's include directory first and its forced include
 * (see examples/examples.mk), so every io_uring call and socket call below, and in the
 * server, goes to the simulated kernel: loopback TCP on virtual time, with no real socket.
 * The client has its own ring and uses only ringer calls. It connects CLIENTS sockets,
 * sends MESSAGES lines on each, checks that every line comes back intact, then raises
 * SIGINT, so the server shuts down through its real signal handler, eventfd and
 * ringer_cancel_all.
 *
 * RINGER_SIM_SEED picks the seed (default 1). The same seed gives the same run, and the
 * trace hash printed at the end proves it.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ringer.h>
#include <ringer_sim.h>

#define CLIENTS          3
#define MESSAGES         20
#define MESSAGE_SIZE_MAX 64

int echo_sim_begin(void);
void echo_sim_listening(uint16_t port);
void echo_sim_step(void);
int echo_sim_end(void);

struct client {
    struct ringer_completion completion; /* one op at a time: connect, send or recv */
    unsigned id;
    int fd;
    unsigned messages; /* lines echoed back intact so far */
    uint32_t size, sent, received;
    bool finished;
    char out[MESSAGE_SIZE_MAX], in[MESSAGE_SIZE_MAX];
};

static struct ringer_io client_io;
static struct client clients[CLIENTS];
static struct sockaddr_in server_address;
static bool sigint_raised;
static unsigned failures;

static void on_sent(void *context, struct ringer_completion *completion, int32_t result);
static void on_received(void *context, struct ringer_completion *completion, int32_t result);

static void finish(struct client *c, const char *failure, int32_t result) {
    if (failure != NULL) {
        fprintf(stderr, "simulated client %u: %s (%d)\n", c->id, failure, result);
        failures += 1;
    }
    c->finished = true;
}

static void send_next_line(struct client *c) {
    c->size = (uint32_t)snprintf(c->out, sizeof(c->out), "client %u line %u\n", c->id, c->messages);
    c->sent = c->received = 0;
    ringer_send(&client_io, &c->completion, c->fd, c->out, c->size, c, on_sent);
}

static void on_connected(void *context, struct ringer_completion *completion, int32_t result) {
    (void)completion;
    struct client *c = context;
    if (result < 0) finish(c, "connect failed", result);
    else send_next_line(c);
}

static void on_sent(void *context, struct ringer_completion *completion, int32_t result) {
    (void)completion;
    struct client *c = context;
    if (result <= 0) {
        finish(c, "send failed", result);
        return;
    }
    c->sent += (uint32_t)result;
    if (c->sent < c->size) {
        ringer_send(&client_io, &c->completion, c->fd, c->out + c->sent, c->size - c->sent, c,
                    on_sent);
    } else {
        ringer_recv(&client_io, &c->completion, c->fd, c->in, c->size, c, on_received);
    }
}

static void on_received(void *context, struct ringer_completion *completion, int32_t result) {
    (void)completion;
    struct client *c = context;
    if (result <= 0) {
        finish(c, "recv failed or the server closed", result);
        return;
    }
    c->received += (uint32_t)result;
    if (c->received < c->size) { /* the echo may arrive in pieces */
        ringer_recv(&client_io, &c->completion, c->fd, c->in + c->received, c->size - c->received,
                    c, on_received);
        return;
    }
    if (memcmp(c->in, c->out, c->size) != 0) {
        finish(c, "the echo differs from the line sent", 0);
        return;
    }
    c->messages += 1;
    if (c->messages < MESSAGES) send_next_line(c);
    else finish(c, NULL, 0);
}

int echo_sim_begin(void) {
    struct ringer_sim_options options;
    memset(&options, 0, sizeof(options)); /* all zero: a faithful Linux 6.1 */
    const char *seed = getenv("RINGER_SIM_SEED");
    options.seed = 1;
    if (seed != NULL && ringer_sim_parse_seed(seed, &options.seed) != 0) {
        fprintf(stderr, "ringer-echo-sim: RINGER_SIM_SEED='%s' is not a seed (1 to 2^64-1)\n", seed);
        return -EINVAL;
    }
    options.quiet = true;
    int rc = ringer_sim_init(&options);
    if (rc == 0) rc = ringer_init(&client_io, 64, 0);
    return rc;
}

void echo_sim_listening(uint16_t port) {
    server_address.sin_family = AF_INET;
    server_address.sin_port = htons(port);
    server_address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct ringer_tcp_options options = {.nodelay = true};
    for (unsigned i = 0; i < CLIENTS; i++) {
        struct client *c = &clients[i];
        c->id = i;
        c->fd = ringer_open_socket_tcp(&client_io, AF_INET, &options);
        if (c->fd < 0) {
            finish(c, "socket failed", c->fd);
            continue;
        }
        ringer_connect(&client_io, &c->completion, c->fd, (struct sockaddr *)&server_address,
                       sizeof(server_address), c, on_connected);
    }
}

/* Called after each slice of the server's loop: run the client's callbacks, and once every
 * client is done, stop the server exactly as a user would, with SIGINT. */
void echo_sim_step(void) {
    int rc = ringer_tick(&client_io);
    if (rc < 0) {
        fprintf(stderr, "simulated client: ring failed (%d)\n", rc);
        failures += 1;
    }
    unsigned finished = 0;
    for (unsigned i = 0; i < CLIENTS; i++) finished += clients[i].finished ? 1u : 0u;
    if ((finished == CLIENTS || rc < 0) && !sigint_raised) {
        sigint_raised = true;
        raise(SIGINT);
    }
}

int echo_sim_end(void) {
    int rc = ringer_cancel_all(&client_io); /* nothing should be left; make sure */
    for (unsigned i = 0; i < CLIENTS; i++) {
        if (clients[i].fd >= 0) ringer_close_socket(&client_io, clients[i].fd);
    }
    if (rc == 0) ringer_deinit(&client_io);
    unsigned echoed = 0;
    for (unsigned i = 0; i < CLIENTS; i++) echoed += clients[i].messages;
    fprintf(stderr,
            "simulated: %u of %u lines echoed, %u failures, virtual time %" PRIu64
            " ms, trace hash %016" PRIx64 "\n",
            echoed, CLIENTS * MESSAGES, failures, ringer_sim_now_ns() / 1000000u,
            ringer_sim_trace_hash());
    ringer_sim_deinit();
    return (failures == 0 && echoed == CLIENTS * MESSAGES && rc == 0) ? 0 : 1;
}
