/* Every op a workload starts goes through here: the tracker wraps the callback so that it
 * can check, independently of the library, that each op calls back exactly once, never
 * after cancel_all, never nested, and that SQEs go out in start order (I12-I16). It also
 * feeds the trace and the log. */
#ifndef SIMULATOR_TRACK_H
#define SIMULATOR_TRACK_H

#include "run.h"

typedef void (*track_callback)(struct run *run, void *context, struct ringer_completion *completion,
                               int32_t result);

void track_reset(struct run *run);
/* A crash: every pending op vanished without a callback. */
void track_crash(struct run *run);
/* The run is about to abort: pending ops end in the trace and the log. */
void track_abort(struct run *run);
/* cancel_all began / returned: pending ops are dropped, and no callback may follow. */
void track_cancel_all_begin(struct run *run);
void track_cancel_all_end(struct run *run);
uint32_t track_pending(void);
/* Lists the pending ops in the log. */
void track_log_pending(struct run *run);
/* I16 over the pending ops, and the loop counters against the tracker's own count. */
void track_check_order(struct run *run);
void track_check_loop(struct run *run, const char *where);

/* Starters: the same arguments as ringer_*, plus the run; false when the op budget is
 * spent (nothing was started). Close, cancel, send, recv and accept always
 * start. */
bool op_read(struct run *run, struct ringer_completion *c, int fd, void *buffer, uint32_t size,
             uint64_t offset, void *context, track_callback callback);
bool op_write(struct run *run, struct ringer_completion *c, int fd, const void *buffer,
              uint32_t size, uint64_t offset, void *context, track_callback callback);
bool op_recv(struct run *run, struct ringer_completion *c, int fd, void *buffer, uint32_t size,
             void *context, track_callback callback);
bool op_send(struct run *run, struct ringer_completion *c, int fd, const void *buffer,
             uint32_t size, void *context, track_callback callback);
bool op_accept(struct run *run, struct ringer_completion *c, int fd, void *context,
               track_callback callback);
bool op_connect(struct run *run, struct ringer_completion *c, int fd,
                const struct sockaddr *address, socklen_t size, void *context,
                track_callback callback);
bool op_close(struct run *run, struct ringer_completion *c, int fd, void *context,
              track_callback callback);
bool op_fsync(struct run *run, struct ringer_completion *c, int fd, uint32_t flags, void *context,
              track_callback callback);
bool op_openat(struct run *run, struct ringer_completion *c, int dir_fd, const char *path,
               int flags, mode_t mode, void *context, track_callback callback);
bool op_statx(struct run *run, struct ringer_completion *c, int dir_fd, const char *path,
              uint32_t mask, struct statx *statx, void *context, track_callback callback);
bool op_timeout(struct run *run, struct ringer_completion *c, uint64_t nanoseconds, void *context,
                track_callback callback);
bool op_event_listen(struct run *run, struct ringer_completion *c, int event, void *context,
                     track_callback callback);
/* Cancels are always allowed (they shrink work), so this never fails. */
void op_cancel(struct run *run, struct ringer_completion *c, struct ringer_completion *target,
               void *context, track_callback callback);

#endif
