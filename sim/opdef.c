/*
 * The modelled opcodes (D10): each op's prep (at consumption), its execution or its own
 * issue, and the properties Linux's io_op_defs gives it (a file, ioprio use, IOPOLL
 * support) plus the sim's worker class (D3). An opcode without a prep is not modelled: it
 * fails at prep with -EINVAL and the probe reports it unsupported.
 */
#include "sim_internal.h"

#define RW(prep_fn)                                                                               \
    {                                                                                             \
        .prep = prep_fn, .exec = sim_exec_rw, .needs_file = true, .ioprio = true, .iopoll = true, \
        .worker = SIM_WORKER_IF_FILE                                                              \
    }
#define WORKER_FILE_OP(prep_fn, exec_fn) \
    { .prep = prep_fn, .exec = exec_fn, .needs_file = true, .worker = SIM_WORKER }
#define FS_NAME \
    { .prep = sim_prep_fs_name, .exec = sim_exec_fs_name, .worker = SIM_WORKER }
#define NET(prep_fn, prio) \
    { .prep = prep_fn, .exec = sim_exec_net, .needs_file = true, .ioprio = prio }

const struct sim_op_def sim_op_defs[IORING_OP_LAST] = {
    [IORING_OP_NOP] = {.prep = sim_prep_nop, .exec = sim_exec_nop, .iopoll = true},
    [IORING_OP_READV] = RW(sim_prep_rw),
    [IORING_OP_WRITEV] = RW(sim_prep_rw),
    [IORING_OP_FSYNC] = WORKER_FILE_OP(sim_prep_fsync, sim_exec_fsync),
    [IORING_OP_READ_FIXED] = RW(sim_prep_rw),
    [IORING_OP_WRITE_FIXED] = RW(sim_prep_rw),
    [IORING_OP_POLL_ADD] = {.prep = sim_prep_poll_add,
                            .exec = sim_exec_poll_add,
                            .needs_file = true},
    [IORING_OP_POLL_REMOVE] = {.prep = sim_prep_poll_remove, .issue = sim_poll_remove_issue},
    [IORING_OP_SYNC_FILE_RANGE] = WORKER_FILE_OP(sim_prep_sync_range, sim_exec_sync_range),
    [IORING_OP_TIMEOUT] = {.prep = sim_prep_timeout, .issue = sim_timeout_issue},
    [IORING_OP_TIMEOUT_REMOVE] = {.prep = sim_prep_timeout_remove,
                                  .issue = sim_timeout_remove_issue},
    [IORING_OP_ACCEPT] = NET(sim_prep_accept, true),
    [IORING_OP_ASYNC_CANCEL] = {.prep = sim_prep_cancel, .issue = sim_cancel_issue_op},
    [IORING_OP_LINK_TIMEOUT] = {.prep = sim_prep_link_timeout, .issue = sim_link_timeout_issue},
    [IORING_OP_CONNECT] = NET(sim_prep_connect, false),
    [IORING_OP_FALLOCATE] = WORKER_FILE_OP(sim_prep_fallocate, sim_exec_fallocate),
    [IORING_OP_OPENAT] = {.prep = sim_prep_path, .exec = sim_exec_openat, .worker = SIM_WORKER},
    [IORING_OP_CLOSE] = {.prep = sim_prep_close, .exec = sim_exec_close},
    [IORING_OP_FILES_UPDATE] = {.prep = sim_prep_files_update,
                                .exec = sim_exec_files_update,
                                .iopoll = true},
    [IORING_OP_STATX] = {.prep = sim_prep_path, .exec = sim_exec_statx, .worker = SIM_WORKER},
    [IORING_OP_READ] = RW(sim_prep_rw),
    [IORING_OP_WRITE] = RW(sim_prep_rw),
    [IORING_OP_FADVISE] = {.prep = sim_prep_fadvise, .exec = sim_exec_fadvise, .needs_file = true},
    [IORING_OP_MADVISE] = {.prep = sim_prep_madvise, .exec = sim_exec_madvise},
    [IORING_OP_SEND] = NET(sim_prep_sendrecv, true),
    [IORING_OP_RECV] = NET(sim_prep_sendrecv, true),
    [IORING_OP_PROVIDE_BUFFERS] = {.prep = sim_prep_provide_buffers,
                                   .exec = sim_exec_provide_buffers,
                                   .iopoll = true},
    [IORING_OP_REMOVE_BUFFERS] = {.prep = sim_prep_remove_buffers,
                                  .exec = sim_exec_remove_buffers,
                                  .iopoll = true},
    [IORING_OP_SHUTDOWN] = NET(sim_prep_shutdown, false),
    [IORING_OP_RENAMEAT] = FS_NAME,
    [IORING_OP_UNLINKAT] = FS_NAME,
    [IORING_OP_MKDIRAT] = FS_NAME,
    [IORING_OP_LINKAT] = FS_NAME,
};

bool sim_op_is_read(uint8_t opcode) {
    return opcode == IORING_OP_READ || opcode == IORING_OP_READV || opcode == IORING_OP_READ_FIXED;
}

bool sim_op_is_write(uint8_t opcode) {
    return opcode == IORING_OP_WRITE || opcode == IORING_OP_WRITEV ||
           opcode == IORING_OP_WRITE_FIXED;
}

uint32_t sim_last_op(void) {
    return sim_cfg.kernel == RINGER_SIM_KERNEL_5_8    ? IORING_OP_TEE
           : sim_cfg.kernel == RINGER_SIM_KERNEL_5_19 ? IORING_OP_URING_CMD
                                                      : IORING_OP_SENDMSG_ZC;
}

bool sim_op_supported(uint32_t op) {
    return op <= sim_last_op() && op < IORING_OP_LAST && sim_op_defs[op].prep != NULL;
}
