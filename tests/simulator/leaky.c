/*
 * A program that never calls ringer_sim_init (its world comes from the environment before
 * main) and forgets to close a file: the check after main returns must name the leaked fd
 * and fail the run. With an argument it closes the file and passes.
 */
#include <fcntl.h>
#include <unistd.h>

int main(int argc, char **argv) {
    (void)argv;
    int fd = open("/data/forgotten", O_CREAT | O_RDWR | O_CLOEXEC, 0600);
    if (fd < 0) return 2;
    if (argc > 1) close(fd);
    return 0;
}
