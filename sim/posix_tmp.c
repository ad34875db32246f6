/* mkstemp and mkostemp on the simulated file system: the six X of the template become
 * letters from a counter (deterministic: one seed, one name sequence), and the file is
 * created with O_EXCL on the sim, retrying on a name that exists. */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "ringer_sim_posix.h"

#undef open

enum { tmp_name_letters = 6, tmp_name_tries = 1000 };

static unsigned long tmp_name_counter;

static void tmp_name_fill(char *suffix, unsigned long value) {
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    for (int i = 0; i < tmp_name_letters; i++) {
        suffix[i] = alphabet[value % (sizeof alphabet - 1)];
        value /= sizeof alphabet - 1;
    }
}

int ringer_sim_mkostemp(char *name_template, int flags) {
    assert(name_template != NULL);
    size_t length = strlen(name_template);
    if (length < tmp_name_letters ||
        strcmp(name_template + length - tmp_name_letters, "XXXXXX") != 0) {
        errno = EINVAL;
        return -1;
    }
    char *suffix = name_template + length - tmp_name_letters;
    for (int try = 0; try < tmp_name_tries; try++) {
        tmp_name_fill(suffix, ++tmp_name_counter);
        int fd =
            ringer_sim_open(name_template, (flags & ~O_ACCMODE) | O_RDWR | O_CREAT | O_EXCL, 0600);
        if (fd >= 0 || errno != EEXIST) return fd;
    }
    errno = EEXIST;
    return -1;
}

int ringer_sim_mkstemp(char *name_template) {
    return ringer_sim_mkostemp(name_template, 0);
}
