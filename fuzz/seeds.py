#!/usr/bin/env python3
"""Hand-written seed inputs for fuzz_loop, fuzz_cancel_all (fuzz/driver.c's layout) and
fuzz_open_data_file.

    fuzz/seeds.py OUTDIR     writes OUTDIR/<target>/seed-*

An input is [program length: 2 bytes LE][program][entropy]; the program is
[reactions length][configuration][cancel_all step (fuzz_cancel_all only)][steps][reactions].
Each seed reaches one interesting path (every op, unqueued ops on a tiny ring, a cancel whose
CQE comes before its target's, timeouts, sockets, events, faults); libFuzzer mutates from
there, and `make fuzz-merge` keeps what adds coverage.
"""
import os
import sys

OP = dict(read=0, write=1, fsync=2, openat=3, close=4, statx=5, timeout=6, accept=7,
          connect=8, send=9, recv=10, listen=11, cancel=12)


def start(slot, kind, target=0, params=()):
    return [0, slot, OP[kind], target] + list(params)


TICK, TRIGGER, TICK_RUN0 = [2], [4], [7]


def run(index):  # 0: 0 ns, 1: 1 ms, 2: 1 ns, 3: 50 us, 4: 10 ms, 5: 100 ms
    return [3, index]


def script(cancel=0, target=0, target_first=0, separate=1):
    return [6, cancel, target, target_first, separate]


def config(shape=0, mask=0, level=0, entries=0, flags=0):
    """entries: 0 -> 2, 1 -> 1, 2 -> 4, 3 -> 8; flags: 0, NO_CANCEL_SWEEP, SUBMIT_ALL."""
    # then: no bad-init probe, the ring, and the two spare sockets' option bytes
    return [shape] + list(mask.to_bytes(4, "little")) + [level, 0, entries, flags, 1, 0x3f]


def encode(conf, steps, reactions=(), entropy=b"", cancel_at=None):
    program = [len(reactions)] + conf + ([] if cancel_at is None else [cancel_at])
    program += steps + list(reactions)
    return len(program).to_bytes(2, "little") + bytes(program) + entropy


EVERY_OP = (start(0, "read", params=[0, 0, 0]) + start(1, "write", params=[0, 1, 1]) +
            start(2, "fsync", params=[0, 1, 0]) + start(3, "openat", params=[1, 1]) +
            start(4, "statx", params=[0]) + start(5, "timeout", params=[3]) +
            start(6, "accept") + start(7, "connect", params=[0, 0]) +
            start(8, "send", params=[0, 0, 0, 1]) + start(9, "recv", params=[0, 0, 0, 1]) +
            start(10, "listen") + start(11, "timeout", params=[0]) + TICK + TRIGGER +
            run(4) + start(0, "close", params=[0, 0]) + run(1) + run(5))

CANCEL_BEFORE_TARGET = (start(0, "recv", params=[0, 0, 0, 1]) + TICK + script(0, 0, 0, 1) +
                        start(1, "cancel", target=0) + TICK + TICK + run(4))

CANCEL_EACH_STATE = (start(0, "timeout", params=[6]) + start(1, "timeout", params=[6]) +
                     start(2, "timeout", params=[6]) + start(3, "cancel", target=2) +
                     start(4, "timeout", params=[0]) + start(5, "cancel", target=4) + TICK +
                     start(6, "cancel", target=0) + run(3) + start(7, "cancel", target=9) +
                     run(1))

SOCKETS = (start(0, "accept") + start(1, "connect", params=[0, 0]) +
           start(2, "connect", params=[1, 1]) + run(1) + start(3, "send", params=[4, 0, 0, 1]) +
           start(4, "recv", params=[0, 0, 0, 1]) + start(5, "send", params=[4, 0, 0, 1]) +
           start(6, "send", params=[4, 0, 0, 1]) + run(1) + start(7, "recv", params=[4, 0, 0, 1]) +
           run(4))

EVENTS_AND_TIMERS = (start(0, "listen") + TICK + TRIGGER + TRIGGER + run(3) +
                     start(1, "timeout", params=[1]) + start(2, "timeout", params=[5]) +
                     start(3, "timeout", params=[2]) + run(0) + run(2) + run(4) + TICK_RUN0)

FILES = (start(0, "openat", params=[1, 1]) + start(1, "openat", params=[2, 3]) +
         start(2, "openat", params=[3, 0]) + start(3, "statx", params=[5]) + run(4) +
         start(4, "close", params=[0, 0]) + start(5, "close", params=[0, 1]) +
         start(6, "write", params=[4, 1, 5]) + start(7, "read", params=[4, 1, 3]) +
         start(8, "fsync", params=[0, 0, 1]) + run(4))

BURST = [5, 11] + [OP["read"], 0, 0, 0, 0] * 12 + TICK + TICK + run(1)

# Callbacks that start more work (reactions): restart the same slot with a yield, twice.
CHAIN = (start(0, "timeout", params=[0]) + TICK + TICK + TICK)
CHAIN_REACTIONS = [1, 1, OP["timeout"], 0, 0, 1, 1, OP["timeout"], 0, 0, 0]

SEEDS = {
    "every-op": (config(entries=1), EVERY_OP, (), b""),
    "cancel-before-target": (config(), CANCEL_BEFORE_TARGET, (), b""),
    "cancel-each-state": (config(entries=1), CANCEL_EACH_STATE, (), b""),
    "sockets": (config(entries=2), SOCKETS, (), b""),
    "events-timers": (config(entries=0), EVENTS_AND_TIMERS, (), b""),
    "files": (config(entries=3, flags=2), FILES, (), b""),
    "burst": (config(entries=1), BURST, (), b""),
    "chain": (config(), CHAIN, CHAIN_REACTIONS, b""),
    "reorder-faults": (config(shape=2, mask=0xFFFFFFFF, level=0), EVERY_OP, (),
                       bytes(range(256)) * 2),
    "hostile-faults": (config(shape=1 | 2 | 4 | 8 | 16, mask=0x00FFFFFF, level=1),
                       SOCKETS + CANCEL_BEFORE_TARGET, (), bytes(range(255, 0, -1)) * 2),
    "old-kernel": (config(shape=0x10, entries=1), CANCEL_EACH_STATE, (), b""),
}


# ---- fuzz_open_data_file: [world options][3 mount knobs][mount][what exists][lock][calls]
FORMAT, OPEN, INSPECT = 0, 1, 2
REQUIRED, OPTIONAL, DISABLED = 0, 1, 2
EXIST_NONE, EXIST_FILE, EXIST_DIR, EXIST_BLOCK = 0, 1, 2, 3


def odf(mounts=(0, 0, 0), mount=0, exist=(EXIST_NONE,), lock=0, calls=(), level=0, mask=0):
    """mount: 0 /data, 1 /tmp, 2 /r. exist: (kind, size index, pattern, or for a block device
    0 = zeros, 1..4 = a non-zero sector at 0, 4 KiB, 1 MiB - 4 KiB, 1 MiB).
    lock: index into {0, 1, 4, 5, 6, 1000} attempts. A call is (purpose, direct, size index,
    path index, dir index, keep) or "crash"."""
    program = [0] + list(mask.to_bytes(4, "little")) + [level] + list(mounts) + [mount]
    program += list(exist) + [lock]
    for call in calls:
        if call == "crash":
            program += [0]
            continue
        purpose, direct, size, path, directory, keep = call
        program += [1, directory, path, size, purpose, direct, keep]
    return len(program).to_bytes(2, "little") + bytes(program)


NO_DIRECT, NO_FALLOCATE, TMPFS, NOT_TMPFS, BLOCK_4K = 4, 8, 1, 2, 16
SMALL = 3 << 5  # capacity 8 KiB

ODF_SEEDS = {
    "format-open-inspect": odf(calls=[(FORMAT, REQUIRED, 0, 0, 0, 0), (OPEN, REQUIRED, 0, 0, 0, 0),
                                      (INSPECT, OPTIONAL, 0, 0, 0, 0)]),
    "format-crash-open": odf(calls=[(FORMAT, OPTIONAL, 1, 0, 0, 0), "crash",
                                    (OPEN, OPTIONAL, 1, 0, 0, 1), (OPEN, OPTIONAL, 1, 0, 0, 0)]),
    "block-garbage": odf(exist=(EXIST_BLOCK, 0, 1), calls=[(FORMAT, DISABLED, 0, 0, 0, 0),
                                                           (FORMAT, REQUIRED, 5, 0, 0, 0)]),
    "block-garbage-late": odf(exist=(EXIST_BLOCK, 3, 3), calls=[(FORMAT, OPTIONAL, 5, 0, 0, 0),
                                                                (FORMAT, OPTIONAL, 6, 0, 0, 0)]),
    "block-zero": odf(exist=(EXIST_BLOCK, 0, 0), calls=[(FORMAT, OPTIONAL, 5, 0, 0, 0),
                                                        (OPEN, REQUIRED, 0, 0, 0, 0),
                                                        (INSPECT, DISABLED, 6, 0, 0, 0)]),
    "tmpfs-required": odf(mount=1, calls=[(FORMAT, REQUIRED, 0, 0, 0, 0)]),
    "no-direct-io": odf(mounts=(0, 0, NO_DIRECT), mount=0,
                        calls=[(FORMAT, REQUIRED, 0, 0, 0, 0), (FORMAT, OPTIONAL, 0, 0, 0, 0)]),
    "no-fallocate": odf(mounts=(0, 0, NO_FALLOCATE), calls=[(FORMAT, OPTIONAL, 2, 0, 0, 0)]),
    "enospc": odf(mounts=(0, 0, SMALL), calls=[(FORMAT, DISABLED, 2, 0, 0, 0)]),
    "lock-held": odf(exist=(EXIST_FILE, 4, 7), lock=4,
                     calls=[(OPEN, DISABLED, 1, 0, 0, 0), (INSPECT, DISABLED, 1, 0, 0, 0),
                            (OPEN, OPTIONAL, 2, 0, 0, 0)]),
    "lock-ours": odf(calls=[(FORMAT, DISABLED, 0, 0, 0, 1), (OPEN, DISABLED, 0, 0, 0, 0),
                            (INSPECT, DISABLED, 0, 0, 0, 0)]),
    "odd-file": odf(exist=(EXIST_FILE, 5, 3), calls=[(OPEN, OPTIONAL, 1, 0, 0, 0),
                                                     (FORMAT, OPTIONAL, 0, 0, 0, 0),
                                                     (INSPECT, REQUIRED, 0, 0, 0, 0)]),
    "bad-arguments": odf(calls=[(FORMAT, DISABLED, 3, 0, 0, 0), (FORMAT, DISABLED, 0, 2, 0, 0),
                                (FORMAT, DISABLED, 0, 3, 0, 0), (OPEN, DISABLED, 0, 4, 0, 0),
                                (OPEN, DISABLED, 0, 5, 0, 0), (3, 3, 4, 0, 2, 0)]),
    "bad-dirs": odf(exist=(EXIST_DIR,), calls=[(OPEN, DISABLED, 0, 0, 0, 0),
                                               (FORMAT, DISABLED, 0, 0, 3, 0),
                                               (FORMAT, DISABLED, 0, 0, 4, 0),
                                               (OPEN, DISABLED, 0, 0, 2, 0)]),
    "root-512": odf(mounts=(BLOCK_4K, 0, 0), mount=2, calls=[(FORMAT, REQUIRED, 1, 0, 0, 0)]),
    "storage-faults": odf(mask=0xff, level=1, calls=[(FORMAT, OPTIONAL, 2, 0, 0, 0), "crash",
                                                     (OPEN, OPTIONAL, 2, 0, 0, 0)]),
}


def main():
    out = sys.argv[1]
    os.makedirs(os.path.join(out, "fuzz_open_data_file"), exist_ok=True)
    for name, data in ODF_SEEDS.items():
        with open(os.path.join(out, "fuzz_open_data_file", "seed-" + name), "wb") as f:
            f.write(data)
    for target in ("fuzz_loop", "fuzz_cancel_all"):
        os.makedirs(os.path.join(out, target), exist_ok=True)
        for name, (conf, steps, reactions, entropy) in SEEDS.items():
            points = [None] if target == "fuzz_loop" else [3, 8, 255]
            for at in points:
                suffix = "" if at is None else "-at%d" % at
                path = os.path.join(out, target, "seed-" + name + suffix)
                with open(path, "wb") as f:
                    f.write(encode(conf, steps, reactions, entropy, at))


if __name__ == "__main__":
    main()
