/* The starters of every operation. Each checks the caller's arguments, records them in the
 * completion, and enqueues; none ever runs a callback. */
#include <string.h>

#include "enqueue.h"

static uint32_t clamp_size(uint32_t size) {
    return size > RINGER_IO_SIZE_MAX ? RINGER_IO_SIZE_MAX : size;
}

static void start_rw(struct ringer_io *io, struct ringer_completion *completion,
                     enum ringer_operation kind, int fd, const void *buffer, uint32_t size,
                     uint64_t offset, void *context, ringer_callback callback) {
    RINGER_ASSERT(buffer != NULL || size == 0); /* a NULL buffer is a programmer error */
    enqueue_start(io, completion, kind, context, callback);
    completion->operation.rw.fd = fd;
    completion->operation.rw.buffer = (void *)(uintptr_t)buffer;
    completion->operation.rw.size = clamp_size(size);
    completion->operation.rw.offset = offset;
    enqueue(io, completion);
}

void ringer_read(struct ringer_io *io, struct ringer_completion *completion, int fd, void *buffer,
                 uint32_t size, uint64_t offset, void *context, ringer_callback callback) {
    start_rw(io, completion, RINGER_OP_READ, fd, buffer, size, offset, context, callback);
}

void ringer_write(struct ringer_io *io, struct ringer_completion *completion, int fd,
                  const void *buffer, uint32_t size, uint64_t offset, void *context,
                  ringer_callback callback) {
    start_rw(io, completion, RINGER_OP_WRITE, fd, buffer, size, offset, context, callback);
}

void ringer_recv(struct ringer_io *io, struct ringer_completion *completion, int socket,
                 void *buffer, uint32_t size, void *context, ringer_callback callback) {
    start_rw(io, completion, RINGER_OP_RECV, socket, buffer, size, 0, context, callback);
}

void ringer_send(struct ringer_io *io, struct ringer_completion *completion, int socket,
                 const void *buffer, uint32_t size, void *context, ringer_callback callback) {
    start_rw(io, completion, RINGER_OP_SEND, socket, buffer, size, 0, context, callback);
}

void ringer_accept(struct ringer_io *io, struct ringer_completion *completion, int socket,
                   void *context, ringer_callback callback) {
    enqueue_start(io, completion, RINGER_OP_ACCEPT, context, callback);
    completion->operation.socket.socket = socket;
    completion->operation.socket.address_size = sizeof(struct sockaddr_storage);
    enqueue(io, completion);
}

/* The address is copied into the completion, so the caller's copy may be temporary. */
void ringer_connect(struct ringer_io *io, struct ringer_completion *completion, int socket,
                    const struct sockaddr *address, socklen_t address_size, void *context,
                    ringer_callback callback) {
    RINGER_ASSERT(address != NULL);
    RINGER_ASSERT(address_size <= sizeof(struct sockaddr_storage));
    enqueue_start(io, completion, RINGER_OP_CONNECT, context, callback);
    completion->operation.socket.socket = socket;
    completion->operation.socket.address_size = address_size;
    memcpy(&completion->operation.socket.address, address, address_size);
    enqueue(io, completion);
}

void ringer_close(struct ringer_io *io, struct ringer_completion *completion, int fd, void *context,
                  ringer_callback callback) {
    enqueue_start(io, completion, RINGER_OP_CLOSE, context, callback);
    completion->operation.close.fd = fd;
    enqueue(io, completion);
}

void ringer_fsync(struct ringer_io *io, struct ringer_completion *completion, int fd,
                  uint32_t flags, void *context, ringer_callback callback) {
    RINGER_ASSERT(flags == 0 || flags == IORING_FSYNC_DATASYNC);
    enqueue_start(io, completion, RINGER_OP_FSYNC, context, callback);
    completion->operation.fsync.fd = fd;
    completion->operation.fsync.flags = flags;
    enqueue(io, completion);
}

/* The path must stay valid until the callback: the kernel reads it at consumption. */
void ringer_openat(struct ringer_io *io, struct ringer_completion *completion, int dir_fd,
                   const char *path, int flags, mode_t mode, void *context,
                   ringer_callback callback) {
    RINGER_ASSERT(path != NULL);
    enqueue_start(io, completion, RINGER_OP_OPENAT, context, callback);
    completion->operation.openat.dir_fd = dir_fd;
    completion->operation.openat.path = path;
    completion->operation.openat.flags = flags;
    completion->operation.openat.mode = mode;
    enqueue(io, completion);
}

void ringer_statx(struct ringer_io *io, struct ringer_completion *completion, int dir_fd,
                  const char *path, int flags, uint32_t mask, struct statx *statx, void *context,
                  ringer_callback callback) {
    RINGER_ASSERT(path != NULL && statx != NULL);
    enqueue_start(io, completion, RINGER_OP_STATX, context, callback);
    completion->operation.statx.dir_fd = dir_fd;
    completion->operation.statx.path = path;
    completion->operation.statx.flags = flags;
    completion->operation.statx.mask = mask;
    completion->operation.statx.statx = statx;
    enqueue(io, completion);
}

/* A relative, count-0 timer. 0 ns is a yield: no SQE, no syscall, -ETIME in the next
 * drain (or later in this one when started from a callback). */
void ringer_timeout(struct ringer_io *io, struct ringer_completion *completion,
                    uint64_t nanoseconds, void *context, ringer_callback callback) {
    enqueue_start(io, completion, RINGER_OP_TIMEOUT, context, callback);
    completion->operation.timeout.timespec.tv_sec = (int64_t)(nanoseconds / 1000000000u);
    completion->operation.timeout.timespec.tv_nsec = (long long)(nanoseconds % 1000000000u);
    if (nanoseconds == 0) {
        io->stats.yields += 1;
        complete_push_local(io, completion, -ETIME);
        return;
    }
    enqueue(io, completion);
}

void ringer_nop(struct ringer_io *io, struct ringer_completion *completion, void *context,
                ringer_callback callback) {
    enqueue_start(io, completion, RINGER_OP_NOP, context, callback);
    enqueue(io, completion);
}
