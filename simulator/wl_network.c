/* The network workload: an echo server and several clients over simulated TCP, with
 * partial sends and recvs, resets, delays and reconnects (net_server.c, net_client.c).
 * Checker: every byte delivered in order and exactly once on each connection (frame
 * checksums and sequence numbers at the server, a byte-exact echo at the client); every
 * connection that breaks reports it to its callbacks (an injected reset reaches one as
 * -ECONNRESET), and none breaks without a fault. */
#include <string.h>

#include "net.h"
#include "workload.h"

static uint64_t resets_before; /* injected before this life: a crash may have eaten them */

static void network_begin(struct run *run) {
    struct sockaddr_in address;
    net_resets_clear();
    resets_before = run_faults(RINGER_SIM_FAULT_RESET);
    if (!net_server_start(run, &address)) return;
    net_clients_start(run, &address, run->life == 0);
}

static void network_crashed(struct run *run) {
    (void)run;
    net_server_forget();
    net_clients_forget();
}

static bool network_done(const struct run *run) {
    (void)run;
    return net_clients_finished() && net_server_idle();
}

/* Each injected RESET fails the send it hit with -ECONNRESET: unless cancel_all dropped
 * CQEs, every one injected in this life must reach a send's callback. */
static void check_resets(struct run *run) {
    const uint64_t injected = run_faults(RINGER_SIM_FAULT_RESET) - resets_before;
    if (run->cancel_all_started || injected == 0) return;
    if (net_resets_seen() < injected) {
        run_fail(run,
                 "network: %llu resets were injected but send callbacks reported only "
                 "%llu -ECONNRESET",
                 (unsigned long long)injected, (unsigned long long)net_resets_seen());
    }
}

static void network_finish(struct run *run) {
    check_resets(run);
    if (!run->cancel_all_started) net_clients_check(run);
    net_clients_close_all();
    net_server_close_all();
}

const struct workload workload_network = {
    .name = "network",
    .begin = network_begin,
    .crashed = network_crashed,
    .done = network_done,
    .finish = network_finish,
};
