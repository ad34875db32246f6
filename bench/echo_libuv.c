/*
 * ringer-bench-uv: the libuv baseline of the echo row. The usual libuv echo server: read
 * callbacks write the bytes back with uv_write (which writes at once when the socket has
 * room), one write request per connection. Prints "port N"; on SIGINT prints the same
 * result line as ringer-bench (syscalls are not known from inside: -1).
 */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <uv.h>

#define BUFFER_SIZE 4096

struct connection {
    uv_tcp_t tcp;
    uv_write_t write;
    bool writing;
    char in[BUFFER_SIZE], out[BUFFER_SIZE];
};

static uv_loop_t *loop;
static uv_tcp_t server;
static uv_signal_t sigint;
static unsigned long long echoes;

static void die(const char *what, int error) {
    fprintf(stderr, "ringer-bench-uv: %s: %s\n", what, uv_strerror(error));
    exit(1);
}

static void on_alloc(uv_handle_t *handle, size_t suggested, uv_buf_t *buffer) {
    (void)suggested;
    struct connection *c = handle->data;
    *buffer = uv_buf_init(c->in, BUFFER_SIZE);
}

static void on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buffer);

static void on_write(uv_write_t *request, int status) {
    struct connection *c = request->data;
    c->writing = false;
    if (status < 0) return;
    echoes += 1;
    uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read); /* no-op when reading */
}

static void on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buffer) {
    struct connection *c = stream->data;
    if (nread < 0) {
        uv_read_stop(stream);
        return;
    }
    if (nread == 0) return;
    if (c->writing) uv_read_stop(stream); /* never two writes from one buffer at once */
    memcpy(c->out, buffer->base, (size_t)nread);
    uv_buf_t out = uv_buf_init(c->out, (unsigned)nread);
    c->writing = true;
    int rc = uv_write(&c->write, stream, &out, 1, on_write);
    if (rc < 0) die("uv_write", rc);
}

static void on_connection(uv_stream_t *listener, int status) {
    if (status < 0) die("listen", status);
    struct connection *c = calloc(1, sizeof(*c));
    if (c == NULL) die("calloc", UV_ENOMEM);
    uv_tcp_init(loop, &c->tcp);
    c->tcp.data = c;
    c->write.data = c;
    int rc = uv_accept(listener, (uv_stream_t *)&c->tcp);
    if (rc < 0) die("uv_accept", rc);
    uv_tcp_nodelay(&c->tcp, 1);
    uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
}

static void on_sigint(uv_signal_t *handle, int signal_number) {
    (void)handle;
    (void)signal_number;
    uv_stop(loop);
}

static unsigned long long now_ns(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (unsigned long long)now.tv_sec * 1000000000ull + (unsigned long long)now.tv_nsec;
}

int main(void) {
    loop = uv_default_loop();
    uv_tcp_init(loop, &server);
    struct sockaddr_in address;
    uv_ip4_addr("127.0.0.1", 0, &address);
    int rc = uv_tcp_bind(&server, (const struct sockaddr *)&address, 0);
    if (rc == 0) rc = uv_listen((uv_stream_t *)&server, 1024, on_connection);
    if (rc < 0) die("listen", rc);
    int size = sizeof(address);
    uv_tcp_getsockname(&server, (struct sockaddr *)&address, &size);
    uv_signal_init(loop, &sigint);
    uv_signal_start(&sigint, on_sigint, SIGINT);
    printf("port %u\n", (unsigned)ntohs(address.sin_port));
    fflush(stdout);
    unsigned long long start = now_ns();
    uv_run(loop, UV_RUN_DEFAULT);
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    unsigned long long cpu_us =
        (unsigned long long)(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000000ull +
        (unsigned long long)(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec);
    printf("result ops=%llu seconds=%.6f syscalls=-1 cpu_ns=%llu\n", echoes,
           (double)(now_ns() - start) / 1e9, cpu_us * 1000ull);
    return 0;
}
