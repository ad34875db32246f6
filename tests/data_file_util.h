/* Helpers for the ringer_open_data_file tests (real kernel). */
#ifndef RINGER_TESTS_DATA_FILE_UTIL_H
#define RINGER_TESTS_DATA_FILE_UTIL_H

#include <stdbool.h>
#include <stdint.h>

#include "ringer.h"

#define KIB 1024ull
#define MIB (1024ull * 1024)

/* Calls ringer_open_data_file and checks the contract of a failure (*fd == -1). */
int data_file_call(struct ringer_io *io, int dir, const char *path, uint64_t size,
                   enum ringer_data_file_purpose purpose, enum ringer_direct_io direct_io, int *fd);
/* O_DSYNC always; O_DIRECT exactly when `direct`; FD_CLOEXEC; the access mode. */
void check_data_fd_flags(int fd, bool direct, bool read_only);
/* True when another open file description cannot take the flock. */
bool data_file_is_locked(int dir, const char *path);
/* True when the directory holds no Direct I/O probe file. */
bool no_probe_left(int dir);
/* f_type of the file system under fd. */
long file_system_type(int fd);

#define TMPFS_MAGIC_VALUE 0x01021994

#endif /* RINGER_TESTS_DATA_FILE_UTIL_H */
