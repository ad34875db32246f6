/* Bad input (issue 2): a documented negative errno for anything the environment decides,
 * the library's assertion for programmer errors; never a hang; nothing written is lost. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/stat.h>

#include "death.h"
#include "scenario.h"

static struct fixture fixture;
static struct op op;

TEST(bad_input_init_entries_and_flags) {
    static struct ringer_io io;
    int fds_before = world_open_fd_count();
    static const uint32_t bad_entries[] = {0, 3, 5, 4097, 8192, UINT32_MAX};
    for (unsigned i = 0; i < sizeof bad_entries / sizeof bad_entries[0]; i++)
        CHECK_EQ(ringer_init(&io, bad_entries[i], 0), -EINVAL);
    CHECK_EQ(ringer_init(&io, 8, IORING_SETUP_SQPOLL), -EINVAL);
    CHECK_EQ(ringer_init(&io, 8, IORING_SETUP_IOPOLL), -EINVAL);
    CHECK_EQ(world_open_fd_count(), fds_before);
    fixture_begin(&fixture, 4096, 0); /* the largest ring is fine */
    fixture_end(&fixture);
    fixture_begin(&fixture, 1, 0);
    fixture_end(&fixture);
}

static int32_t finish(void) {
    RUN_UNTIL(&fixture.io, op.calls == 1);
    return op.result;
}

/* Every op on a closed fd and on a never-opened one gives -EBADF; the data that was written
 * before stays intact. */
TEST(bad_input_bad_fds_give_ebadf) {
    fixture_begin(&fixture, 8, 0);
    int file = make_test_file(world_temp_dir_fd(), "kept", 4096);
    int closed = make_test_file(world_temp_dir_fd(), "closed", 16);
    world_close(closed);
    static uint8_t buffer[4096];
    static struct statx statx_buffer;
    struct sockaddr_in address = {
        .sin_family = AF_INET, .sin_port = htons(9), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    const int bad_fds[] = {closed, 4000, -1};
    for (unsigned i = 0; i < sizeof bad_fds / sizeof bad_fds[0]; i++) {
        int fd = bad_fds[i];
        STARTER(ringer_read(&fixture.io, &op_prepare(&op)->completion, fd, buffer, 16, 0, &op,
                            op_callback));
        CHECK_EQ(finish(), -EBADF);
        STARTER(ringer_write(&fixture.io, &op_prepare(&op)->completion, fd, buffer, 16, 0, &op,
                             op_callback));
        CHECK_EQ(finish(), -EBADF);
        STARTER(ringer_fsync(&fixture.io, &op_prepare(&op)->completion, fd, 0, &op, op_callback));
        CHECK_EQ(finish(), -EBADF);
        STARTER(ringer_recv(&fixture.io, &op_prepare(&op)->completion, fd, buffer, 16, &op,
                            op_callback));
        CHECK_EQ(finish(), -EBADF);
        STARTER(ringer_send(&fixture.io, &op_prepare(&op)->completion, fd, buffer, 16, &op,
                            op_callback));
        CHECK_EQ(finish(), -EBADF);
        STARTER(ringer_accept(&fixture.io, &op_prepare(&op)->completion, fd, &op, op_callback));
        CHECK_EQ(finish(), -EBADF);
        STARTER(ringer_connect(&fixture.io, &op_prepare(&op)->completion, fd,
                               (struct sockaddr *)&address, sizeof address, &op, op_callback));
        CHECK_EQ(finish(), -EBADF);
        STARTER(ringer_close(&fixture.io, &op_prepare(&op)->completion, fd, &op, op_callback));
        CHECK_EQ(finish(), -EBADF);
        STARTER(ringer_openat(&fixture.io, &op_prepare(&op)->completion, fd, "kept", O_RDONLY, 0,
                              &op, op_callback));
        CHECK_EQ(finish(), -EBADF);
        STARTER(ringer_statx(&fixture.io, &op_prepare(&op)->completion, fd, "kept", 0,
                             STATX_BASIC_STATS, &statx_buffer, &op, op_callback));
        CHECK_EQ(finish(), -EBADF);
    }
    STARTER(ringer_read(&fixture.io, &op_prepare(&op)->completion, file, buffer, 4096, 0, &op,
                        op_callback));
    CHECK_EQ(finish(), 4096);
    for (unsigned i = 0; i < 4096; i++) CHECK_EQ(buffer[i], test_pattern(i));
    world_close(file);
    fixture_end(&fixture);
}

/* A NULL buffer with a size is a programmer error: the library asserts. */
enum null_buffer_op { NULL_READ, NULL_WRITE, NULL_RECV, NULL_SEND };

static void start_with_null_buffer(void *argument) {
    static struct ringer_io io;
    static struct ringer_completion completion;
    if (ringer_init(&io, 8, 0) != 0) return;
    switch (*(enum null_buffer_op *)argument) {
    case NULL_READ:
        ringer_read(&io, &completion, 0, NULL, 16, 0, NULL, op_callback);
        break;
    case NULL_WRITE:
        ringer_write(&io, &completion, 1, NULL, 16, 0, NULL, op_callback);
        break;
    case NULL_RECV:
        ringer_recv(&io, &completion, 0, NULL, 16, NULL, op_callback);
        break;
    case NULL_SEND:
        ringer_send(&io, &completion, 1, NULL, 16, NULL, op_callback);
        break;
    }
}

TEST(bad_input_null_buffer_aborts) {
    for (enum null_buffer_op which = NULL_READ; which <= NULL_SEND; which++)
        expect_assertion(start_with_null_buffer, &which);
}

/* A NULL buffer with size 0 is legal: a zero-byte read of a file gives 0. */
TEST(bad_input_null_buffer_size_zero_is_legal) {
    fixture_begin(&fixture, 8, 0);
    int file = make_test_file(world_temp_dir_fd(), "file", 16);
    STARTER(
        ringer_read(&fixture.io, &op_prepare(&op)->completion, file, NULL, 0, 0, &op, op_callback));
    CHECK_EQ(finish(), 0);
    world_close(file);
    fixture_end(&fixture);
}

enum misuse { MISUSE_FSYNC_FLAGS, MISUSE_CONNECT_SIZE, MISUSE_START_TWICE };

static void misuse(void *argument) {
    static struct ringer_io io;
    static struct ringer_completion completion;
    static struct sockaddr_storage address[2];
    if (ringer_init(&io, 8, 0) != 0) return;
    switch (*(enum misuse *)argument) {
    case MISUSE_FSYNC_FLAGS:
        ringer_fsync(&io, &completion, 0, 0x80, NULL, op_callback);
        break;
    case MISUSE_CONNECT_SIZE:
        ringer_connect(&io, &completion, 0, (struct sockaddr *)address, sizeof address, NULL,
                       op_callback);
        break;
    case MISUSE_START_TWICE: /* a completion that is still in use */
        ringer_timeout(&io, &completion, 1000 * MS, NULL, op_callback);
        ringer_timeout(&io, &completion, 1000 * MS, NULL, op_callback);
        break;
    }
}

TEST(bad_input_programmer_errors_abort) {
    for (enum misuse which = MISUSE_FSYNC_FLAGS; which <= MISUSE_START_TWICE; which++)
        expect_assertion(misuse, &which);
}
