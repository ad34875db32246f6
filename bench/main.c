/*
 * ringer-bench: the measuring half of `make bench` (bench/run.sh is the driver).
 *
 *   ringer-bench storage ringer|raw nop|read|write|direct PATH DEPTH SECONDS
 *   ringer-bench echo-server ringer|raw      prints "port N", serves until SIGINT
 *   ringer-bench echo-client PORT CONNECTIONS MESSAGE_SIZE SECONDS
 *   ringer-bench exec COMMAND...           runs COMMAND, then prints "cpu_ns=N" on stderr
 *                                          (every thread, kernel workers included)
 *
 * PATH is ignored ("-") for nop.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

static _Noreturn void usage(void) {
    fprintf(stderr, "usage: ringer-bench storage ringer|raw nop|read|write|direct PATH DEPTH "
                    "SECONDS\n"
                    "       ringer-bench echo-server ringer|raw\n"
                    "       ringer-bench echo-client PORT CONNECTIONS MESSAGE_SIZE SECONDS\n"
                    "       ringer-bench exec COMMAND...\n");
    exit(2);
}

static unsigned long parse_unsigned(const char *text, unsigned long min, unsigned long max) {
    char *end = NULL;
    errno = 0;
    unsigned long value = strtoul(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || text[0] == '-') usage();
    if (value < min || value > max) usage();
    return value;
}

static double parse_seconds(const char *text) {
    char *end = NULL;
    double value = strtod(text, &end);
    if (end == text || *end != '\0' || !(value > 0 && value <= 3600)) usage();
    return value;
}

static int storage(int argc, char **argv) {
    if (argc != 7) usage();
    struct bench_storage_options options = {0};
    const char *kind = argv[3];
    if (strcmp(kind, "nop") == 0) options.workload = BENCH_NOP;
    else if (strcmp(kind, "read") == 0) options.workload = BENCH_READ;
    else if (strcmp(kind, "write") == 0) options.workload = BENCH_WRITE;
    else if (strcmp(kind, "direct") == 0) options.workload = BENCH_READ, options.direct = true;
    else usage();
    options.path = options.workload == BENCH_NOP ? NULL : argv[4];
    options.depth = (uint32_t)parse_unsigned(argv[5], 1, BENCH_QD_MAX);
    options.seconds = parse_seconds(argv[6]);
    if (strcmp(argv[2], "ringer") == 0) return bench_storage_ringer(&options);
    if (strcmp(argv[2], "raw") == 0) return bench_storage_raw(&options);
    usage();
}

/* fio reports the CPU of its job thread only; this counts the whole process tree. */
static int exec_measured(char **command) {
    pid_t child = fork();
    if (child < 0) bench_die("fork", errno);
    if (child == 0) {
        execvp(command[0], command);
        bench_die(command[0], errno);
    }
    int status = 0;
    struct rusage usage;
    if (wait4(child, &status, 0, &usage) < 0) bench_die("wait4", errno);
    uint64_t us = (uint64_t)(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000000u +
                  (uint64_t)(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec);
    fprintf(stderr, "cpu_ns=%llu\n", (unsigned long long)us * 1000u);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

int main(int argc, char **argv) {
    if (argc < 2) usage();
    if (strcmp(argv[1], "storage") == 0) return storage(argc, argv);
    if (strcmp(argv[1], "exec") == 0 && argc >= 3) return exec_measured(argv + 2);
    if (strcmp(argv[1], "echo-server") == 0 && argc == 3) {
        if (strcmp(argv[2], "ringer") == 0) return bench_echo_server_ringer();
        if (strcmp(argv[2], "raw") == 0) return bench_echo_server_raw();
        usage();
    }
    if (strcmp(argv[1], "echo-client") == 0 && argc == 6) {
        int port = (int)parse_unsigned(argv[2], 1, 65535);
        uint32_t connections = (uint32_t)parse_unsigned(argv[3], 1, BENCH_QD_MAX);
        uint32_t size = (uint32_t)parse_unsigned(argv[4], 1, 4096);
        return bench_echo_client(port, connections, size, parse_seconds(argv[5]));
    }
    usage();
}
