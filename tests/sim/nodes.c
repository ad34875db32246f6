/*
 * Nodes in one simulated world: each node's files, fds and clock are its own, a TCP
 * connect to another node's address reaches that node's listener (and 127.0.0.1 stays on
 * the node), and two nodes' ringer loops driven in turn exchange data over TCP.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "ringer.h"
#include "ringer_sim.h"
#include "simtest.h"

static void world(uint32_t count) {
    struct ringer_sim_options o;
    memset(&o, 0, sizeof o);
    o.seed = 11;
    o.quiet = true;
    o.no_real_sigpipe = true;
    CHECK_EQ(ringer_sim_init(&o), 0);
    struct ringer_sim_node_options n;
    memset(&n, 0, sizeof n);
    n.max_skew_ns = 5000000;
    n.drift_ppm[1] = 500;
    n.drift_ppm[2] = -500;
    CHECK_EQ(ringer_sim_nodes_create(count, &n), 0);
    CHECK_EQ(ringer_sim_node_count(), count);
}

static void on(uint32_t node) {
    CHECK_EQ(ringer_sim_node_switch(node), 0);
    CHECK_EQ(ringer_sim_node_current(), node);
}

static int write_file(const char *path, const char *text) {
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    CHECK(fd >= 0);
    CHECK_EQ(pwrite(fd, text, strlen(text), 0), (long long)strlen(text));
    return fd;
}

static void expect_file(const char *path, const char *text) {
    char got[64] = {0};
    int fd = open(path, O_RDONLY);
    CHECK(fd >= 0);
    CHECK_EQ(pread(fd, got, sizeof got - 1, 0), (long long)strlen(text));
    CHECK(strcmp(got, text) == 0);
    CHECK_EQ(close(fd), 0);
}

static void test_files_and_fds_are_per_node(void) {
    world(3);
    on(1);
    int one = write_file("/data/log", "node one");
    on(2);
    CHECK_EQ(open("/data/log", O_RDONLY), -1);
    CHECK_EQ(errno, ENOENT);
    CHECK_EQ(close(one), -1); /* node 1's fd means nothing on node 2 */
    CHECK_EQ(errno, EBADF);
    int two = write_file("/data/log", "node two");
    CHECK(two != one);
    on(1);
    expect_file("/data/log", "node one");
    CHECK_EQ(close(one), 0);
    on(2);
    expect_file("/data/log", "node two");
    CHECK_EQ(close(two), 0);
    on(0);
    CHECK_EQ(open("/data/log", O_RDONLY), -1);
    CHECK_EQ(errno, ENOENT);
    ringer_sim_deinit();
}

static int listener_on(uint32_t ip, uint16_t port) {
    int l = socket(AF_INET, SOCK_STREAM, 0);
    CHECK(l >= 0);
    struct sockaddr_in a = {
        .sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(ip)};
    CHECK_EQ(bind(l, (struct sockaddr *)&a, sizeof a), 0);
    CHECK_EQ(listen(l, 4), 0);
    return l;
}

static int connect_to(uint32_t ip, uint16_t port, int *err) {
    int s = socket(AF_INET, SOCK_STREAM, 0);
    CHECK(s >= 0);
    struct sockaddr_in a = {
        .sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(ip)};
    *err = connect(s, (struct sockaddr *)&a, sizeof a) == 0 ? 0 : errno;
    return s;
}

static void test_tcp_reaches_the_addressed_node(void) {
    world(3);
    on(2);
    int l = listener_on(RINGER_SIM_NODE_ADDR(2), 7000);
    int local = listener_on(INADDR_LOOPBACK, 7001);
    on(1);
    int err;
    int wrong = connect_to(RINGER_SIM_NODE_ADDR(1), 7000, &err); /* node 1 has no listener */
    CHECK_EQ(err, ECONNREFUSED);
    int loop = connect_to(INADDR_LOOPBACK, 7001, &err); /* node 2's loopback is not node 1's */
    CHECK_EQ(err, ECONNREFUSED);
    int far = connect_to(RINGER_SIM_NODE_ADDR(7), 7000, &err);
    CHECK_EQ(err, ENETUNREACH);
    int c = connect_to(RINGER_SIM_NODE_ADDR(2), 7000, &err);
    CHECK_EQ(err, 0);
    CHECK_EQ(send(c, "hello", 5, 0), 5);
    on(2);
    int s = accept(l, NULL, NULL);
    CHECK(s >= 0);
    char got[8] = {0};
    CHECK_EQ(recv(s, got, sizeof got, 0), 5);
    CHECK(memcmp(got, "hello", 5) == 0);
    CHECK_EQ(close(s), 0);
    CHECK_EQ(close(l), 0);
    CHECK_EQ(close(local), 0);
    on(1);
    int fds[] = {wrong, loop, far, c};
    for (unsigned i = 0; i < 4; i++) CHECK_EQ(close(fds[i]), 0);
    ringer_sim_deinit();
}

static uint64_t monotonic_ns(void) {
    struct timespec ts;
    CHECK_EQ(clock_gettime(CLOCK_MONOTONIC, &ts), 0);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void test_clocks_skew_and_drift(void) {
    world(3);
    usleep(2000000);
    uint64_t v = ringer_sim_peek_now_ns();
    uint64_t c0 = ringer_sim_node_clock_ns(0, v), c1 = ringer_sim_node_clock_ns(1, v);
    uint64_t c2 = ringer_sim_node_clock_ns(2, v);
    CHECK(c0 >= v && c0 <= v + 5000000);                     /* skew alone */
    CHECK(c1 >= v + 1000000 && c1 <= v + 1000000 + 5000000); /* +500 ppm over 2 s */
    CHECK(c2 + 1000000 >= v && c2 + 1000000 <= v + 5000000); /* -500 ppm over 2 s */
    on(1);
    uint64_t a = monotonic_ns();
    CHECK(a >= ringer_sim_node_clock_ns(1, v));
    on(2);
    uint64_t b = monotonic_ns();
    CHECK(b < a); /* node 2's clock runs slow: behind node 1's */
    ringer_sim_deinit();
}

static void test_bad_node_arguments(void) {
    struct ringer_sim_options o;
    memset(&o, 0, sizeof o);
    o.seed = 1;
    o.quiet = true;
    CHECK_EQ(ringer_sim_init(&o), 0);
    CHECK_EQ(ringer_sim_nodes_create(0, NULL), -EINVAL);
    CHECK_EQ(ringer_sim_nodes_create(RINGER_SIM_MAX_NODES + 1, NULL), -EINVAL);
    struct ringer_sim_node_options n;
    memset(&n, 0, sizeof n);
    n.drift_ppm[0] = RINGER_SIM_MAX_DRIFT_PPM + 1;
    CHECK_EQ(ringer_sim_nodes_create(2, &n), -EINVAL);
    CHECK_EQ(ringer_sim_node_switch(1), -EINVAL);
    CHECK_EQ(ringer_sim_nodes_create(2, NULL), 0);
    CHECK_EQ(ringer_sim_nodes_create(2, NULL), -EINVAL);
    CHECK_EQ(ringer_sim_node_switch(2), -EINVAL);
    CHECK_EQ(ringer_sim_node_current(), 0);
    ringer_sim_deinit();
}

/* ---- two ringer loops, one per node, ticked in turn ---- */

static int32_t results[4];
static int calls[4];

static void callback(void *context, struct ringer_completion *completion, int32_t result) {
    (void)completion;
    int index = (int)(intptr_t)context;
    results[index] = result;
    calls[index]++;
}

static void tick_both(struct ringer_io *io1, struct ringer_io *io2) {
    on(1);
    CHECK_EQ(ringer_run_for_ns(io1, 100000), 0);
    on(2);
    CHECK_EQ(ringer_run_for_ns(io2, 100000), 0);
}

static void test_two_ringer_loops_over_tcp(void) {
    world(3);
    static struct ringer_io io1, io2;
    static struct ringer_completion c[4];
    on(2);
    CHECK_EQ(ringer_init(&io2, 8, 0), 0);
    int l = listener_on(RINGER_SIM_NODE_ADDR(2), 7100);
    ringer_accept(&io2, &c[0], l, (void *)0, callback);
    on(1);
    CHECK_EQ(ringer_init(&io1, 8, 0), 0);
    int s = socket(AF_INET, SOCK_STREAM, 0);
    CHECK(s >= 0);
    static struct sockaddr_in a;
    a = (struct sockaddr_in){.sin_family = AF_INET,
                             .sin_port = htons(7100),
                             .sin_addr.s_addr = htonl(RINGER_SIM_NODE_ADDR(2))};
    ringer_connect(&io1, &c[1], s, (struct sockaddr *)&a, sizeof a, (void *)1, callback);
    for (int i = 0; i < 100 && (calls[0] == 0 || calls[1] == 0); i++) tick_both(&io1, &io2);
    CHECK_EQ(results[1], 0);
    int server = results[0];
    CHECK(server >= 3 + (int)RINGER_SIM_NODE_FDS * 2); /* installed in node 2's fd range */
    static char out[] = "replicate me", in[32];
    ringer_send(&io1, &c[2], s, out, sizeof out, (void *)2, callback);
    on(2);
    ringer_recv(&io2, &c[3], server, in, sizeof in, (void *)3, callback);
    for (int i = 0; i < 100 && (calls[2] == 0 || calls[3] == 0); i++) tick_both(&io1, &io2);
    CHECK_EQ(results[2], (int)sizeof out);
    CHECK_EQ(results[3], (int)sizeof out);
    CHECK(memcmp(in, out, sizeof out) == 0);
    on(2);
    CHECK_EQ(close(server), 0);
    CHECK_EQ(close(l), 0);
    ringer_deinit(&io2);
    on(1);
    CHECK_EQ(close(s), 0);
    ringer_deinit(&io1);
    ringer_sim_deinit();
}

static const struct simtest tests[] = {
    {"nodes_files_and_fds_are_per_node", test_files_and_fds_are_per_node, 0},
    {"nodes_tcp_reaches_the_addressed_node", test_tcp_reaches_the_addressed_node, 0},
    {"nodes_clocks_skew_and_drift", test_clocks_skew_and_drift, 0},
    {"nodes_bad_arguments", test_bad_node_arguments, 0},
    {"nodes_two_ringer_loops_over_tcp", test_two_ringer_loops_over_tcp, 0},
};

int main(int argc, char **argv) {
    return simtest_main(tests, (int)(sizeof tests / sizeof tests[0]), argc, argv);
}
