/*
 * A program that makes its own world with a zero seed: the seed and the profile come from
 * the environment (RINGER_SIM_SEED, RINGER_SIM_PROFILE), its other options stay its own.
 * Prints what it got; tests/simulator/programs.sh checks it.
 */
#include <stdio.h>
#include <string.h>

#include <ringer_sim.h>

int main(void) {
    struct ringer_sim_options options;
    memset(&options, 0, sizeof options); /* seed 0: from the environment */
    options.socket_buffer_size = 8192;   /* its own */
    int rc = ringer_sim_init(&options);
    if (rc != 0) {
        printf("ringer_sim_init: %d\n", rc);
        return 1;
    }
    char line[1024];
    ringer_sim_describe(line, sizeof line);
    printf("seed %llu: %s\n", (unsigned long long)ringer_sim_seed(), line);
    ringer_sim_deinit();
    return 0;
}
