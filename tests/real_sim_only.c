/* Parts of acceptance.md that need the simulated kernel's control (fault injection, forced
 * CQE orders, virtual time, poisoned buffers): listed here so that each run names them and
 * says where they run. The real-ring parts of the same scenarios are tests of their own. */
#include "scenario.h"

#define SIM_ONLY(what) SKIP("sim-only (%s); runs in the simulated-kernel suite, tests/sim", what)

TEST(a2_sockets_partial_faults)
{
    SIM_ONLY("PARTIAL fault injection for short sends and receives");
}

TEST(a3_timeouts_fire_within_slack)
{
    SIM_ONLY("upper bound on lateness needs virtual time");
}

TEST(a5_full_submission_queue_consumption_order)
{
    SIM_ONLY("observing the order in which the kernel consumes SQEs");
}

TEST(a8_cancel_all_no_late_kernel_writes)
{
    SIM_ONLY("ASan-poisoned buffers checked at every kernel write; the real ring checks checksums");
}

TEST(b2_cancel_all_forced_cqe_orders)
{
    SIM_ONLY("forcing the target's CQE before a cancel result of 0 or -EALREADY, kernel profile 5.8; the real ring races for the orders Linux produces");
}

TEST(b3_retries_call_back_exactly_once)
{
    SIM_ONLY("injecting -EAGAIN/-EINTR k times per op, and close with -EINTR");
}

TEST(b4_no_starvation_flush_bound)
{
    SIM_ONLY("counting flushes until an unqueued op gets its SQE");
}

TEST(b5_run_for_ns_hostile_profile)
{
    SIM_ONLY("-ECANCELED or late internal timeouts and EINTR/EAGAIN/partial enter results");
}

TEST(b7_data_file_sim_mounts)
{
    SIM_ONLY("fail-the-Nth-call over every system call; Direct I/O refused and the fallocate "
             "fallback run here on ramfs, and the block device on a loop device");
}

TEST(b8_cq_overflow_cqe_flags_fault)
{
    SIM_ONLY("CQE_FLAGS fault: arbitrary cqe->flags values");
}
