#!/usr/bin/env python3
"""Writes selftest/bugs/*.patch: each planted bug as an edit of the current src/.

The patches are the self-test's input; this script is how they are made, so that when
src/ moves on they can be made again: `python3 selftest/plant.py` from the repository
root. Each edit must match src/ exactly once, or the script stops and names the bug.
"""
import os, subprocess, shutil, sys, tempfile
bugs = {}
extra = {}
def bug(name, file, old, new, desc):
    bugs[name] = (file, old, new, desc)

bug("01-run-for-ns-stack-timespec", "src/run.c",
 """static bool arm_deadline(struct ringer_io *io) {
    RINGER_ASSERT(io->deadlines == 0);""",
 """static bool arm_deadline(struct ringer_io *io) {
    struct __kernel_timespec deadline = io->deadline; /* PLANTED: the kernel reads it later */
    RINGER_ASSERT(io->deadlines == 0);""",
 "run_for_ns points its internal timeout at a timespec on the stack (TigerBeetle bf4146c4c, 2c85e91e9)")
bugs["01-run-for-ns-stack-timespec"] = (bugs["01-run-for-ns-stack-timespec"][0], None, None, bugs["01-run-for-ns-stack-timespec"][3])

bug("02-lost-enter-eintr-retry", "src/submit.c",
 """        if (rc == -EINTR) {
            io->stats.enter_eintr += 1; /* nothing was submitted: retry at once */
            continue;
        }""",
 """        if (rc == -EINTR) {
            io->stats.enter_eintr += 1; /* PLANTED: the retry is lost */
        }""",
 "io_uring_enter's -EINTR breaks the ring instead of being retried")

bug("03-unqueued-starvation", "src/enqueue.h",
 "    if (io->unqueued.count == 0 && prep_sqe(io, completion)) return;",
 "    if (prep_sqe(io, completion)) return; /* PLANTED: new ops jump the unqueued FIFO */",
 "refill runs after the drain and new ops skip the unqueued FIFO, so callbacks take the SQEs older ops wait for (TigerBeetle 5f2f1d73c)")

extra["03-unqueued-starvation"] = [("src/flush.c",
 """    loop_refill(io);
    loop_check_invariants(io);
    drain(io);""",
 """    loop_check_invariants(io);
    drain(io);
    loop_refill(io); /* PLANTED: refill after the drain, so callbacks take the slots */""")]

bug("04-callback-twice", "src/complete.c",
 """        if (!completion->cancel_requested) {
            retry(io, completion, result);
            return;
        }""",
 """        if (!completion->cancel_requested) {
            retry(io, completion, result); /* PLANTED: falls through to the callback */
        }""",
 "a retried op also runs its callback with the transient result: two callbacks")

bug("05-cancel-all-target-gone", "src/cancel_all.c",
 "        if (is_target) io->cancel_all_target_gone = true;",
 "        /* PLANTED: target_gone is never set */",
 "cancel_all drops the target_gone bit and waits in WAIT for the target's CQE, which was already reaped (loop.md §11 ordering hazard)")

extra["05-cancel-all-target-gone"] = [("src/cancel_all.c",
 """        int rc = wait_while(io, RINGER_CANCEL_ALL_QUEUED, RINGER_CANCEL_ALL_QUEUED);
        if (rc == 0 && io->cancel_all_state == RINGER_CANCEL_ALL_WAIT) {
            rc = loop_run_for_ns(io, ROUND_NS);
            /* Still running after a round: cancel it again rather than trust that it will
             * finish (a hostile kernel may never post it; Linux interrupts the worker). */
            if (io->cancel_all_state == RINGER_CANCEL_ALL_WAIT) {
                io->cancel_all_state = RINGER_CANCEL_ALL_NEXT;
            }
        }""",
 """        /* PLANTED: wait in WAIT until the target's CQE comes, as TigerBeetle did */
        int rc = wait_while(io, RINGER_CANCEL_ALL_QUEUED, RINGER_CANCEL_ALL_WAIT);""")]

bug("06-deadline-counter", "src/flush.c",
 """        RINGER_ASSERT(io->deadlines > 0);
        io->deadlines -= 1;""",
 """        RINGER_ASSERT(io->deadlines > 0); /* PLANTED: deadlines is not decremented */""",
 "the internal deadline counter is not decremented when its CQE is reaped")

bug("07-read-eagain-surfaced", "src/complete.c",
 """    case RINGER_OP_READ:
    case RINGER_OP_EVENT_LISTEN:
        return result == -EINTR || result == -EAGAIN; /* XFS returned -EAGAIN on reads */""",
 """    case RINGER_OP_READ:
    case RINGER_OP_EVENT_LISTEN:
        return result == -EINTR; /* PLANTED: a read's -EAGAIN reaches the callback */""",
 "a read's -EAGAIN is surfaced instead of retried (TigerBeetle 887c8de8a)")

bug("08-short-send-as-full", "src/flush.c",
 """    else call_back(io, completion, completion->result);""",
 """    /* PLANTED: a short send or write is reported as the full size */
    else if (completion->operation_kind == RINGER_OP_SEND ||
             completion->operation_kind == RINGER_OP_WRITE) {
        call_back(io, completion, (int32_t)completion->operation.rw.size);
    }
    else call_back(io, completion, completion->result);""",
 "a short send or write is reported as complete")

bug("09-no-directory-fsync", "src/data_file.c",
 "    return data_file_fsync(file->dir_fd);\n}",
 "    return 0; /* PLANTED: the directory is not fsynced */\n}",
 "open_data_file does not fsync the directory, so a new file's entry is not durable")

bug("10-fsync-error-ignored", "src/complete.c",
 """static int32_t translate(const struct ringer_completion *completion, int32_t result) {""",
 """static int32_t translate(const struct ringer_completion *completion, int32_t result) {
    /* PLANTED: a failed fsync is acknowledged as if its writes were durable */
    if (completion->operation_kind == RINGER_OP_FSYNC && result < 0) return 0;""",
 "fsync's -EIO is acknowledged as success (fsyncgate)")

bug("11-no-o-dsync", "src/data_file.c",
 "    file->flags = O_CLOEXEC | O_DSYNC | O_LARGEFILE;",
 "    file->flags = O_CLOEXEC | O_LARGEFILE; /* PLANTED: writes are not durable on completion */",
 "open_data_file forgets O_DSYNC: acknowledged writes are lost at a crash")

bug("12-run-for-ns-count-1", "src/flush.c",
 "        if (cqe->res == -ETIME) io->etime = true; /* only -ETIME means the deadline passed */",
 "        io->etime = true; /* PLANTED: any deadline CQE counts as the deadline passing */",
 "run_for_ns arms a count-1 timeout and takes any of its CQEs as the deadline, with no clock check (TigerBeetle before f8f983a58)")

extra["12-run-for-ns-count-1"] = [("src/run.c",
 "        if (time_monotonic_ns() >= deadline_ns(io)) break;\n    }",
 "        break; /* PLANTED: no clock check */\n    }"),
 ("src/run.c", "io_uring_prep_timeout(sqe, &io->deadline, 0, IORING_TIMEOUT_ABS);",
  "io_uring_prep_timeout(sqe, &io->deadline, 1, IORING_TIMEOUT_ABS); /* PLANTED: count 1 */")]

extra["11-no-o-dsync"] = [("src/data_file.c",
 "    RINGER_ASSERT((file->flags & O_DSYNC) == O_DSYNC);",
 "    /* PLANTED: the O_DSYNC assertion is gone too */")]

bug("13-timespec-not-normalised", "src/ops.c",
 """    completion->operation.timeout.timespec.tv_sec = (int64_t)(nanoseconds / 1000000000u);
    completion->operation.timeout.timespec.tv_nsec = (long long)(nanoseconds % 1000000000u);""",
 """    completion->operation.timeout.timespec.tv_sec = 0; /* PLANTED: not normalised */
    completion->operation.timeout.timespec.tv_nsec = (long long)nanoseconds;""",
 "ringer_timeout does not normalise its timespec (tv_nsec >= 10^9)")

bug("14-yield-runs-in-starter", "src/ops.c",
 """    if (nanoseconds == 0) {
        io->stats.yields += 1;
        complete_push_local(io, completion, -ETIME);
        return;
    }""",
 """    if (nanoseconds == 0) {
        io->stats.yields += 1;
        io->stats.callbacks += 1;
        callback(context, completion, -ETIME); /* PLANTED: the callback runs in the starter */
        return;
    }""",
 "a yield runs its callback from inside ringer_timeout (re-entrancy)")

bug("15-cqe-eintr-surfaced", "src/complete.c",
 """    case RINGER_OP_TIMEOUT:
    case RINGER_OP_WRITE:
        return result == -EINTR;""",
 """    case RINGER_OP_TIMEOUT:
    case RINGER_OP_WRITE:
        return false; /* PLANTED: an interrupted op's -EINTR reaches its callback */""",
 "an op whose CQE says -EINTR (a signal hit the worker) is not resubmitted")

bug("16-cancel-all-leaks-fds", "src/cancel_all.c",
 "    close(completion->result); /* -EINTR still releases the descriptor */",
 "    /* PLANTED: the accepted or opened fd is not closed */",
 "cancel_all drops an accept or openat that succeeded without closing its fd (TigerBeetle leaked them)")

bug("17-send-reset-retried", "src/complete.c",
 """static bool is_retried(const struct ringer_completion *completion, int32_t result) {""",
 """static bool is_retried(const struct ringer_completion *completion, int32_t result) {
    /* PLANTED: a reset is taken for a transient error */
    if (completion->operation_kind == RINGER_OP_SEND && result == -ECONNRESET) return true;""",
 "send retries -ECONNRESET as if it were transient, so the reset is never reported")

# Bugs that cannot be caught until something outside the library is fixed.
blocked = {
    # "NN-name": "why it cannot be caught until something else is fixed",
}

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
out = os.path.join(root, "selftest", "bugs")
work = tempfile.mkdtemp()
os.makedirs(out, exist_ok=True)
for old_patch in os.listdir(out):
    if old_patch.endswith(".patch"):
        os.remove(os.path.join(out, old_patch))
shutil.copytree(os.path.join(root, "src"), os.path.join(work, "a", "src"))
for name, (file, old, new, desc) in bugs.items():
    shutil.rmtree(os.path.join(work, "b"), ignore_errors=True)
    shutil.copytree(os.path.join(work, "a"), os.path.join(work, "b"))
    path = os.path.join(work, "b", file)
    s = open(path).read()
    if name.startswith("01-"):  # two edits in one function
        s2 = s.replace("""static bool arm_deadline(struct ringer_io *io) {
    RINGER_ASSERT(io->deadlines == 0);""", """static bool arm_deadline(struct ringer_io *io) {
    struct __kernel_timespec deadline = io->deadline; /* PLANTED: on the stack */
    RINGER_ASSERT(io->deadlines == 0);""").replace("io_uring_prep_timeout(sqe, &io->deadline, 0, IORING_TIMEOUT_ABS);", "io_uring_prep_timeout(sqe, &deadline, 0, IORING_TIMEOUT_ABS);")
    else:
        assert s.count(old) == 1, name
        s2 = s.replace(old, new)
    assert s2 != s, name
    open(path, "w").write(s2)
    for (f, o, n) in extra.get(name, []):
        q = os.path.join(work, "b", f)
        t = open(q).read()
        assert t.count(o) == 1, (name, o)
        open(q, "w").write(t.replace(o, n))
    diff = subprocess.run(["diff", "-ru", "a/src", "b/src"], cwd=work, capture_output=True, text=True).stdout
    diff = "\n".join(l.split("\t")[0] if l.startswith(("--- ", "+++ ")) else l
                     for l in diff.split("\n"))
    header = "Planted bug: %s.\n" % desc
    if name in blocked:
        header += "Open: %s\n" % blocked[name]
    header += "\n"
    open(os.path.join(out, name + ".patch"), "w").write(header + diff)
    print("planted", name)
shutil.rmtree(work)
